/* guard.h - turns a fault (SIGSEGV, SIGBUS...) inside a risky step of a dump
 * (unwinding a corrupt stack, formatting a report part) into an error return.
 * Context: AS-safe. */
#ifndef CRASHDUMP_GUARD_H
#define CRASHDUMP_GUARD_H

/* AS-safe.  Runs fn(arg); returns 0, or -1 when fn faulted (fn's work is
 * abandoned where it faulted).  Guards nest. */
int cd_guarded(void (*fn)(void *), void *arg);

/* AS-safe.  Called first by the fault handler: when this thread is inside
 * cd_guarded, jumps back to it and does not return. */
void cd_guard_escape(void);

/* AS-safe.  1 when this thread is inside cd_guarded. */
int cd_guard_active(void);

#endif
