/* guard.h - turns a fault (SIGSEGV, SIGBUS...) inside a risky step of a dump
 * (unwinding a corrupt stack, formatting a report part) into an error return.
 * Context: AS-safe. */
#ifndef CRASHDUMP_GUARD_H
#define CRASHDUMP_GUARD_H

#include <stdint.h>

/* AS-safe.  Runs fn(arg); returns 0, or -1 when fn faulted (fn's work is
 * abandoned where it faulted).  Guards nest. */
int cd_guarded(void (*fn)(void *), void *arg);

/* AS-safe.  Reads the word at addr into *val; 0, or -1 when the read
 * faulted.  No system call.  Only while cd_fatal_faults_caught(): a fault
 * must reach our handler to come back here. */
int cd_probe_word(uintptr_t addr, uintptr_t *val);

/* AS-safe.  Called first by the fault handler: when this thread is inside
 * cd_guarded, jumps back to it and does not return. */
void cd_guard_escape(void);

/* AS-safe.  1 when this thread is inside cd_guarded. */
int cd_guard_active(void);

#endif
