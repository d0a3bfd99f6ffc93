/* dump.c - the coordinator of an all-thread dump, as a table of contents
 * of its phases: begin, census, round, the coordinator's own stack, relay,
 * wait, close, write, end.  The mechanism of a round is in round.c, who is
 * there in census.c.
 * Context: AS-safe: runs in signal handlers; no malloc, no stdio, no locks. */
#include "dump/dump.h"
#include "dump/census.h"
#include "dump/round.h"
#include "dump/groups.h"
#include "dump/waits.h"
#include "base/config.h"
#include "base/guard.h"
#include "base/out.h"
#include "base/ownstack.h"
#include "base/registry.h"
#include "base/runtime.h"
#include "report/report.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* Marks this thread as the writer (a fault outside the guards ends the
 * process instead of starting another report) and arms the guards. */
static void dump_begin(const struct cd_trigger *t, struct cd_dump_view *v)
{
	struct timespec wall;
	cd_tls.dump_sig = t->signo ? t->signo : -1;
	cd_guard_arm();
	memset(v, 0, sizeof *v);
	v->trigger = t;
	v->pid = cd_rt.pid;
	v->start_ns = cd_now_ns();
	clock_gettime(CLOCK_REALTIME, &wall);
	v->time = wall.tv_sec;
	v->max_frames = cd_cfg.max_frames;
}

static int last_deadlocks;

int cd_dump_deadlocks(void)
{
	return last_deadlocks;
}

static void dump_end(void)
{
	cd_guard_disarm();
	cd_tls.dump_sig = 0;
}

/* Slot 0 is the coordinator: the report starts with it.  With fewer slots
 * than threads (no memory), the last threads are left out. */
static void slots_fill(struct cd_dump_view *v, int n, pid_t self)
{
	for (int i = 0, k = 1; i < n; i++) {
		pid_t tid = cd_census_tid(i);
		if (tid != self && k == v->nslots)
			continue;
		struct cd_slot *s = cd_view_slot(v, tid == self ? 0 : k++);
		cd_round_init_slot(s, tid);
		int origin = cd_census_origin(tid, &s->created_by);
		if (origin < 0)
			s->missing = CD_MISSING_EXITED;
		else
			s->origin = origin;
	}
}

/* The coordinator's own stack first: it is the one that matters most. */
static void capture_self(struct cd_dump_view *v)
{
	struct cd_slot *me = cd_view_slot(v, 0);
	me->signalled = 1;
	me->crashed = v->trigger->fatal;
	cd_round_capture(me, v->trigger->uc);
}

/* Threads known not to take a signal are not sent one: the zombie main
 * thread, exiting threads, the kernel's workers.  Whether a thread blocks
 * the relay is judged only once it has failed to answer (round.c): a
 * thread inside pthread_create, or not yet through our trampoline, blocks
 * every signal for a moment.  Returns the relays sent. */
static int relay_all(struct cd_dump_view *v)
{
	int sent = 0;
	for (int i = 1; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		if (s->missing == CD_DUMPED && s->origin != CD_ORIGIN_PTHREAD)
			s->missing = cd_census_classify(s->tid, s->origin, 0, s->name);
		if (s->missing == CD_DUMPED && cd_round_send(i, sent) == 0)
			sent++;
	}
	v->relayed = sent;
	return sent;
}

static void dump_here(void *arg)
{
	const struct cd_trigger *t = arg;
	struct cd_dump_view v;
	pid_t self = cd_gettid();

	dump_begin(t, &v);
	int n = cd_census_take(self, &v.listed_incomplete);
	int fit = cd_round_begin(n, v.start_ns + (int64_t)cd_cfg.timeout_ms * 1000000LL, &v);
	if (fit == 0) {
		static const char msg[] = "crashdump: no memory for the dump\n";
		cd_write_all(2, msg, sizeof msg - 1);
	} else {
		/* Out of memory (the classic way programs crash): the slots
		 * reserved at load, as many threads as they hold. */
		if (fit < n)
			v.listed_incomplete = CD_LISTED_NO_MEMORY;
		v.listed = fit;
		v.pooled = cd_registry_pooled();
		slots_fill(&v, n, self);
		capture_self(&v);
		cd_round_wait(relay_all(&v));
		cd_round_close(&v);
		cd_waits_decode(&v);
		cd_groups_make(&v);
		/* The deadlock watch's guess from /proc is confirmed by the dump,
		 * or nothing is written. */
		last_deadlocks = v.ndeadlocks;
		if (t->reason != CD_REASON_DEADLOCK || v.ndeadlocks > 0)
			cd_report_write(&v);
	}
	dump_end();
}

/* The coordinator's work is the deepest of all (unwinding, symbols, the
 * report): it runs on a stack of ours, and in place only when none can be
 * had within the deadline. */
void cd_dump(const struct cd_trigger *t)
{
	int64_t deadline = cd_now_ns() + (int64_t)cd_cfg.timeout_ms * 1000000LL;
	if (cd_own_stack_run(dump_here, (void *)t, deadline) < 0)
		dump_here((void *)t);
}
