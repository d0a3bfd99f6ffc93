/* census.h - the threads a dump lists, their origin, and whether each will
 * answer (dump/ only).
 * Context: AS-safe (the dump coordinator). */
#ifndef CRASHDUMP_CENSUS_H
#define CRASHDUMP_CENSUS_H

#include <stdint.h>
#include <sys/types.h>

#include "report/view.h"

/* AS-safe.  Lists the process's threads, self among them, sorted by tid;
 * returns how many; *incomplete is an enum cd_listed. */
int cd_census_take(pid_t self, int *incomplete);

/* AS-safe.  The i-th listed tid. */
pid_t cd_census_tid(int i);

/* AS-safe.  The enum cd_origin of a listed thread (and its creator's
 * return address for a pthread), or -1 when it has left our exit hook
 * already: it is exiting. */
int cd_census_origin(pid_t tid, uintptr_t *created_by);

/* AS-safe.  What the kernel says of a thread: CD_DUMPED while it may still
 * answer, else the enum cd_missing reason it never will.  `signalled`: it
 * was sent the relay (stopped threads and blocked relays count only then:
 * a thread inside pthread_create blocks every signal for a moment).  An
 * empty name[CD_NAME_LEN] is filled from the kernel's. */
int cd_census_classify(pid_t tid, int origin, int signalled, char *name);

#endif
