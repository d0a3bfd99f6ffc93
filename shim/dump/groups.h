/* groups.h - threads with the same stack and the same wait, counted as one
 * group (contract section 8), from the answers (dump/ only).
 * Context: AS-safe (the dump coordinator, after the waits are decoded). */
#ifndef CRASHDUMP_GROUPS_H
#define CRASHDUMP_GROUPS_H

#include "report/view.h"

/* AS-safe.  Gives every dumped slot its stack_id and fills v's groups,
 * largest first, in fixed arrays and O(n log n). */
void cd_groups_make(struct cd_dump_view *v);

#endif
