/* unwind.h - one thread's stack, from a signal's ucontext, with libunwind.
 * Context: cd_unwind_warm_up in normal context; cd_unwind is AS-safe once
 * warmed up (libunwind's first use takes a lock and resolves symbols). */
#ifndef CRASHDUMP_UNWIND_H
#define CRASHDUMP_UNWIND_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

enum cd_cut {
	CD_CUT_NONE = 0,
	CD_CUT_LIMIT,      /* more frames than CRASHDUMP_MAX_FRAMES */
	CD_CUT_UNWIND,     /* libunwind could not go on (unreadable frame) */
	CD_CUT_FAULT,      /* a fault while unwinding (corrupt stack) */
	CD_CUT_NO_STACK,   /* no stack of ours to unwind on: the pc alone */
};

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

/* AS-safe.  The signals a walk keeps blocked: every asynchronous one (the
 * fault signals stay open for the guards). */
void cd_unwind_quiet_set(sigset_t *set);

/* Set by a handler whose mask is the quiet set already (its sa_mask blocks
 * every asynchronous signal, and the interrupted code had not blocked
 * SIGSEGV or SIGBUS): its walks change no mask. */
extern __thread int cd_tls_mask_quiet __attribute__((tls_model("initial-exec")));

/* Set while this thread walks with asynchronous signals blocked: libunwind's
 * own mask changes are then skipped (sigmask.c), and counted as locked
 * sections entered (cd_tls_walk_locks). */
extern __thread int cd_tls_walk_quiet __attribute__((tls_model("initial-exec")));
extern __thread int cd_tls_walk_locks __attribute__((tls_model("initial-exec")));

/* AS-safe.  After a fault has cut a walk short (cd_guarded returned -1):
 * forgets the walk, so that later libunwind calls of this thread are
 * treated as anybody's, and restores the signal mask the walk changed.
 * A fault inside one of libunwind's locked sections leaves its lock held:
 * later walks then stop at once (cut CD_CUT_UNWIND) instead of waiting. */
void cd_unwind_abandon(void);

#endif
