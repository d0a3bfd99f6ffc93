/* round.h - one round of relays, as the coordinator drives it (dump/ only).
 * Context: AS-safe (the dump coordinator's signal handler). */
#ifndef CRASHDUMP_ROUND_H
#define CRASHDUMP_ROUND_H

#include <stdint.h>
#include <sys/types.h>
#include <ucontext.h>

#include "report/view.h"

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
