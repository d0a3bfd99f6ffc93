/* dump.h - the all-thread dump: one coordinator, one directed relay signal
 * per other live thread, one deadline, one writer; what entry/ calls.
 * Context: AS-safe (runs inside signal handlers, static and mmap'd memory),
 * but for what says otherwise. */
#ifndef CRASHDUMP_DUMP_H
#define CRASHDUMP_DUMP_H

#include <signal.h>
#include <sys/types.h>
#include <ucontext.h>

#include "report/view.h"

/* Normal context only (load).  Reserves the slots of a dump that finds no
 * memory; 0 or -1. */
int cd_dump_prepare(void);

/* AS-safe.  Runs a whole dump and writes its report.  The caller owns the
 * dump (cd_dump_claim succeeded). */
void cd_dump(const struct cd_trigger *t);

/* AS-safe.  Claims the right to coordinate a dump for the calling thread:
 * 1 claimed, 0 another thread is dumping, -1 this thread already is. */
int cd_dump_claim(pid_t self);
void cd_dump_release(void);

/* AS-safe.  1 when info is one of our relays (not the application's own
 * use of the relay signal's number). */
int cd_dump_is_relay(const siginfo_t *info);

/* AS-safe.  The relay handler's work: answer the coordinator's request
 * carried in info, a relay (stale requests are ignored). */
void cd_dump_answer(const siginfo_t *info, ucontext_t *uc);

/* AS-safe.  A thread that crashes after it answered the current round
 * replaces its answer with the stack of its fault, marked crashed, while
 * the coordinator has not begun to read the answers; 1 when it did. */
int cd_dump_crashed_late(pid_t self, ucontext_t *uc);

/* Normal context only (fork child): forget any dump in progress. */
void cd_dump_after_fork(void);

#endif
