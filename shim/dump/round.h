/* round.h - one round of relays: what the handlers call (the claim, the
 * relay's answer, a late crash), and how the coordinator drives a round.
 * Context: AS-safe (signal handlers), but for what says otherwise. */
#ifndef CRASHDUMP_ROUND_H
#define CRASHDUMP_ROUND_H

#include <stdint.h>
#include <sys/types.h>
#include <ucontext.h>

#include "report/view.h"

/* Normal context only (load).  Reserves the slots of a dump that finds no
 * memory; 0 or -1. */
int cd_dump_prepare(void);

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


/* AS-safe.  Opens a round for n threads, answers wanted by deadline_ns:
 * lays out the slots (those reserved at load when no memory can be had)
 * and points v at them.  Returns how many threads fit (0: none). */
int cd_round_begin(int n, int64_t deadline_ns, struct cd_dump_view *v);

/* AS-safe.  A slot for tid, of this round, not yet sent anything. */
void cd_round_init_slot(struct cd_slot *s, pid_t tid);

/* AS-safe.  The stack of the context uc, into s (the coordinator's own). */
void cd_round_capture(struct cd_slot *s, ucontext_t *uc);

/* AS-safe.  Sends slot i's thread its relay (`sent` relays are out
 * already); 0, or -1 when it could not be signalled (the slot is closed
 * with the reason). */
int cd_round_send(int i, int sent);

/* AS-safe.  Waits for `sent` answers, or for the deadline: silent threads
 * are looked at meanwhile, and those that will never answer closed. */
void cd_round_wait(int sent);

/* AS-safe.  Ends the round: slots still expected are "no answer", those
 * caught mid-answer "incomplete"; counts v->dumped. */
void cd_round_close(struct cd_dump_view *v);

#endif
