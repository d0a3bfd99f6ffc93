/* altstack.h - the stacks of ours: each thread's alternate signal stack,
 * the spare stacks, and the program's own alternate stack, kept virtual.
 * Context: normal context (load, thread start and exit); the virtual
 * stack's calls AS-safe. */
#ifndef CRASHDUMP_ALTSTACK_H
#define CRASHDUMP_ALTSTACK_H

#include <signal.h>

/* Normal context only (load).  Main's stack of ours and the spare stacks;
 * 0 or -1. */
int cd_altstack_load(void);

/* Normal context only.  The calling thread's stack of ours (in the
 * trampoline), and its release at exit. */
void cd_altstack_setup(void);
void cd_altstack_release(void);

/* AS-safe.  sigaltstack as the program sees it (entry/sigaltstack.c). */
int cd_altstack_virtual(const stack_t *ss, stack_t *old);

#endif
