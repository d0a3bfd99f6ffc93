/* ownstack.h - running a handler's work on a stack of ours.
 * Context: cd_own_stack_set and cd_own_stack_add_spare in normal context
 * (thread start and exit, load); cd_own_stack_run AS-safe. */
#ifndef CRASHDUMP_OWNSTACK_H
#define CRASHDUMP_OWNSTACK_H

#include <stddef.h>
#include <stdint.h>

/* Spare stacks for the threads that have none of ours. */
#define CD_SPARE_STACKS 2

/* Normal context only.  The calling thread's own stack of ours (NULL:
 * none, from now on). */
void cd_own_stack_set(void *lo, size_t size);

/* AS-safe.  The lowest address of this thread's stack of ours, or 0. */
uintptr_t cd_own_stack_lo(void);

/* Normal context only (load).  Spare stack i. */
void cd_own_stack_add_spare(int i, void *lo, size_t size);

/* AS-safe.  Runs fn(arg) on this thread's stack of ours, or on a spare
 * one (waiting for one until deadline_ns, CLOCK_MONOTONIC); in place when
 * it runs on one of ours already.  0, or -1 when no stack could be had
 * (fn did not run). */
int cd_own_stack_run(void (*fn)(void *), void *arg, int64_t deadline_ns);

#endif
