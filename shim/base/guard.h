/* guard.h - turns a fault (SIGSEGV, SIGBUS...) inside a risky step of a dump
 * (unwinding a corrupt stack, formatting a report part) into an error return.
 * Context: AS-safe. */
#ifndef CRASHDUMP_GUARD_H
#define CRASHDUMP_GUARD_H

#include <signal.h>
#include <stdint.h>

/* AS-safe.  Runs fn(arg); returns 0, or -1 when fn faulted (fn's work is
 * abandoned where it faulted).  Guards nest. */
int cd_guarded(void (*fn)(void *), void *arg);

/* AS-safe.  Reads the word at addr into *val; 0, or -1 when the read
 * faulted, or when a fault could not come back here (outside
 * cd_guard_arm .. cd_guard_disarm).  No system call. */
int cd_probe_word(uintptr_t addr, uintptr_t *val);

/* AS-safe.  Called first by the fault handler: when this thread is inside
 * cd_guarded, jumps back to it and does not return. */
void cd_guard_escape(void);

/* Normal context only (load).  The fault handler's action, installed by
 * cd_guard_arm where the library does not own the signal already. */
void cd_guard_use_action(const struct sigaction *sa);

/* AS-safe.  Around a dump: while it runs, SIGSEGV, SIGBUS and SIGSYS reach
 * the fault handler even when CRASHDUMP_SIGNALS does not name them, and
 * the dumping thread does not block them. */
void cd_guard_arm(void);
void cd_guard_disarm(void);

/* AS-safe.  1 while SIGSEGV and SIGBUS both reach the fault handler (so a
 * fault reaches a guard): from cd_guard_arm to cd_guard_disarm. */
int cd_guard_faults_caught(void);

#endif
