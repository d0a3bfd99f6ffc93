/* unwind.h - one thread's stack, from a signal's ucontext, with libunwind.
 * Context: cd_unwind_warm_up in normal context; cd_unwind is AS-safe once
 * warmed up (libunwind's first use takes a lock and resolves symbols). */
#ifndef CRASHDUMP_UNWIND_H
#define CRASHDUMP_UNWIND_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "report/view.h"

/* Normal context only.  Makes libunwind ready for use from handlers; 0 or -1. */
int cd_unwind_warm_up(void);

/* AS-safe.  Walks the stack interrupted by the signal whose context is uc:
 * pcs[0] is the interrupted instruction.  exact[i] is 1 when pcs[i] is an
 * exact pc (frame 0, or right after a signal frame), 0 for a return
 * address.  *count is kept up to date frame by frame, so that a walk cut
 * short by a fault (see guard.h) keeps what it found; *cut says why the
 * walk stopped early. */
void cd_unwind(ucontext_t *uc, uintptr_t *pcs, uint8_t *exact, int max, int *count,
               int *cut);

/* AS-safe.  After a fault has cut a walk short (cd_guarded returned -1):
 * forgets the walk, so that later libunwind calls of this thread are
 * treated as anybody's, and restores the signal mask the walk changed.
 * A fault inside one of libunwind's locked sections leaves its lock held:
 * later walks then stop at once (cut CD_CUT_UNWIND) instead of waiting. */
void cd_unwind_abandon(void);

#endif
