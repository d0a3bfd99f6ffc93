/* handlers.h - the library's signal handlers (entry/on_quit.c: the
 * SIGQUIT handler, the relay handler, the watchdog and the CRASHDUMP_DUMP_ON
 * signals'; entry/on_fatal.c: the fatal one), as entry/init.c installs
 * them.
 * Context: installation in normal context; the handlers themselves are
 * AS-safe. */
#ifndef CRASHDUMP_HANDLERS_H
#define CRASHDUMP_HANDLERS_H

#include <signal.h>

/* Normal context only.  Picks the relay signal and installs the relay and
 * SIGQUIT handlers.  0, or -1 with *why set. */
int cd_quit_install(const char **why);

/* Normal context only.  Arms the watchdog timer (CRASHDUMP_WATCHDOG). */
int cd_watchdog_arm(void);

/* Normal context only (fork child): the watchdog timer is not inherited. */
void cd_quit_after_fork(void);

/* Normal context only.  Installs the handler of every signal of
 * CRASHDUMP_DUMP_ON.  0 or -1. */
int cd_asked_install(void);

/* AS-safe.  1 when sig is a CRASHDUMP_DUMP_ON signal we handle. */
int cd_asked(int sig);

/* AS-safe.  Re-installs ours for an asked signal after the application
 * changed its (virtual) action: SA_RESTART follows the application's. */
void cd_asked_refresh(int sig);

/* Normal context only.  Starts the deadlock watch's thread
 * (CRASHDUMP_DEADLOCK_WATCH; entry/watch.c).  0 or -1. */
int cd_watch_start(void);

/* AS-safe.  1 when info is the watch's relay: a dump of a guessed cycle. */
int cd_watch_is_trigger(const siginfo_t *info);

/* AS-safe.  How long the watch saw the cycle it hands over. */
long cd_watch_held_ms(void);

/* AS-safe.  Tells the watch what the dump found: the deadlocks, or -1
 * when another dump was under way. */
void cd_watch_answer(int deadlocks);

/* Normal context only.  Installs the fatal handler for every signal of
 * CRASHDUMP_SIGNALS.  0 or -1. */
int cd_fatal_install(void);

/* The fatal handler's action (SA_ONSTACK, SA_NODEFER), for the guards. */
void cd_fatal_action(struct sigaction *sa);

#endif
