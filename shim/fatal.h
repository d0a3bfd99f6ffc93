/* fatal.h - crash reports: handlers for the fatal signals, chaining to the
 * application's handlers, and dying the way the process would have.
 * Context: installation in normal context; everything else AS-safe. */
#ifndef CRASHDUMP_FATAL_H
#define CRASHDUMP_FATAL_H

#include <signal.h>

/* Normal context only.  Installs the handler for every signal of
 * CRASHDUMP_SIGNALS.  0 or -1. */
int cd_fatal_install(void);

/* AS-safe.  Ends the process by sig with the default action: for a fault
 * the kernel raised (info->si_code > 0 on SEGV/BUS/FPE/ILL) the default is
 * restored and the caller must return, so the instruction faults again and
 * the core shows it; otherwise sig is sent to this thread, unblocked. */
void cd_die(int sig, const siginfo_t *info);

/* AS-safe.  Around a dump: while it runs, SIGSEGV and SIGBUS reach our
 * fault guards even when CRASHDUMP_SIGNALS does not name them, and the
 * dumping thread does not block them. */
void cd_fatal_guard_begin(void);
void cd_fatal_guard_end(void);

/* AS-safe.  1 while SIGSEGV and SIGBUS both reach our handler (so reach a
 * fault guard): from cd_fatal_guard_begin to cd_fatal_guard_end. */
int cd_fatal_faults_caught(void);

#endif
