/* threads.h - thread creation, exit and fork hooks.
 * Context: normal context only. */
#ifndef CRASHDUMP_THREADS_H
#define CRASHDUMP_THREADS_H

#include "registry.h"

/* Normal context only.  Creates the exit key and the fork handlers; 0 or -1. */
int cd_threads_init(void);

/* Normal context only.  The alternate signal stack of a new thread (in
 * its trampoline), and its release at exit (altstack.c). */
void cd_threads_setup_altstack(void);
void cd_threads_release_altstack(void);
/* Normal context only: the fork child's part (init.c). */
void cd_threads_child_after_fork(void);

#endif
