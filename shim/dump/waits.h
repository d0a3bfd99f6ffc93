/* waits.h - why each thread waits: the object, its owner, and the
 * deadlocks of the wait-for graph, decoded from the answers (dump/ only).
 * Context: AS-safe (the dump coordinator, after the round has closed). */
#ifndef CRASHDUMP_WAITS_H
#define CRASHDUMP_WAITS_H

#include "report/view.h"

/* AS-safe.  Decodes each dumped thread's wait (lock memory read under the
 * fault probe) and finds every cycle of the wait-for graph into v. */
void cd_waits_decode(struct cd_dump_view *v);

#endif
