/* dump.h - the all-thread dump: one coordinator, one directed relay signal
 * per other live thread, one deadline, one writer; the round's own calls
 * (the claim, the answer) are in dump/round.h.
 * Context: AS-safe (runs inside signal handlers, static and mmap'd memory). */
#ifndef CRASHDUMP_DUMP_H
#define CRASHDUMP_DUMP_H

#include <signal.h>
#include <sys/types.h>
#include <ucontext.h>

#include "report/view.h"

/* AS-safe.  Runs a whole dump and writes its report.  The caller owns the
 * dump (cd_dump_claim succeeded). */
void cd_dump(const struct cd_trigger *t);

/* AS-safe.  The deadlock cycles the last dump found (a deadlock watch's
 * dump writes its report only when there is one). */
int cd_dump_deadlocks(void);

#endif
