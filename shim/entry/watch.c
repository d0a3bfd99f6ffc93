/* watch.c - the deadlock watch (CRASHDUMP_DEADLOCK_WATCH): a thread of the
 * library's that looks, every interval, for threads that can never wake:
 * first the process's CPU time (a process at work is left alone), then the
 * kernel's word on each thread (/proc/self/task/TID/syscall), then, when
 * two or more sleep in untimed futex waits, who holds what they wait for,
 * read from the locks' memory with process_vm_readv (a freed lock costs an
 * EFAULT, never a fault).  A cycle that stays for the whole period is handed
 * to a dump (a relay to one of its threads), which decodes every wait from
 * the threads' own frames and writes the report only when it confirms the
 * cycle.  Until then no thread is sent anything.
 * Context: normal context (its own thread; its signals all blocked), and
 * AS-safe the two functions the relay handler calls. */
#include "entry/handlers.h"
#include "base/bounds.h"
#include "base/config.h"
#include "base/out.h"
#include "base/real.h"
#include "base/runtime.h"
#include "base/tasks.h"
#include "dump/waits.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The futex calls a lock or a join sleeps in for good: a wait with no
 * timeout (FUTEX_WAIT, FUTEX_WAIT_BITSET) or a priority-inheriting lock
 * with none (FUTEX_LOCK_PI, FUTEX_LOCK_PI2). */
#define CMD(op) ((int)(op) & FUTEX_CMD_MASK)
/* A process that used more than this share of one CPU in an interval is
 * at work: no deadlock is looked for. */
#define BUSY_PER_MILLE 50

static pid_t tids[CD_MAX_TASKS];
static int succ[CD_MAX_TASKS], marks[CD_MAX_TASKS];
static int starts[CD_MAX_TASKS + 1], members[CD_MAX_TASKS];
static int slot_of[2 * CD_MAX_TASKS]; /* open addressing: index + 1 by tid */

static int trigger_marker; /* its address marks the watch's relay */
static long held_ms;
static int answer;         /* 0 waiting, 1 + deadlocks found, -1 busy */

/* The CPU the process used, less this thread's own. */
static int64_t others_cpu_ns(void)
{
	struct timespec p, t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &p);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (int64_t)(p.tv_sec - t.tv_sec) * 1000000000 + (p.tv_nsec - t.tv_nsec);
}

static int read_u32(uintptr_t addr, uint32_t *out)
{
	struct iovec local = { out, sizeof *out }, remote = { (void *)addr, sizeof *out };
	return process_vm_readv(cd_rt.pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof *out ? 0 : -1;
}

static void index_tids(int n)
{
	memset(slot_of, 0, sizeof slot_of);
	for (int i = 0; i < n; i++) {
		unsigned h = (unsigned)tids[i] * 2654435761u % (2 * CD_MAX_TASKS);
		while (slot_of[h])
			h = (h + 1) % (2 * CD_MAX_TASKS);
		slot_of[h] = i + 1;
	}
}

static int index_of(uint32_t tid)
{
	if (tid == 0)
		return -1;
	unsigned h = tid * 2654435761u % (2 * CD_MAX_TASKS);
	while (slot_of[h]) {
		if ((uint32_t)tids[slot_of[h] - 1] == tid)
			return slot_of[h] - 1;
		h = (h + 1) % (2 * CD_MAX_TASKS);
	}
	return -1;
}

/* The thread a futex waiter waits for, as the lock's memory names it, or
 * -1: a join expects the joined thread's tid, a robust lock's waiter the
 * owner's tid with WAITERS, a contended mutex 2 with __owner beside it. */
static int owner_of(const uint64_t *a)
{
	uint32_t expected = (uint32_t)a[2];
	int cmd = CMD(a[1]);
	if (cmd != FUTEX_LOCK_PI && cmd != FUTEX_LOCK_PI2) {
		if ((expected & FUTEX_WAITERS) && index_of(expected & FUTEX_TID_MASK) >= 0)
			return index_of(expected & FUTEX_TID_MASK);
		if (expected > 2)
			return index_of(expected); /* pthread_join: the joined thread's tid */
		if (expected != 2)
			return -1;
	}
	return index_of((uint32_t)cd_mutex_owner((uintptr_t)a[0], (long)a[1], read_u32));
}

static int untimed_lock_wait(long nr, const uint64_t *a)
{
	int cmd = CMD(a[1]);
	return nr == SYS_futex && a[3] == 0 &&
	       (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2);
}

/* One look: the cycles of the guessed wait-for graph, as one number that
 * tells the same cycles again (0: none, or fewer than two sleepers); *first
 * the tid of a thread in them. */
static uint64_t look(pid_t *first)
{
	int more, n = cd_tasks_list(tids, CD_MAX_TASKS, &more), sleepers = 0;
	uint64_t args[6];
	long nr;
	if (n <= 0)
		return 0;
	index_tids(n);
	for (int i = 0; i < n; i++) {
		succ[i] = -1;
		if (tids[i] == cd_rt.watch_tid || cd_task_syscall(tids[i], &nr, args, 6) != 1 ||
		    !untimed_lock_wait(nr, args))
			continue;
		sleepers++;
		succ[i] = owner_of(args);
	}
	if (sleepers < 2)
		return 0;
	int ncycles = cd_cycles_find(succ, n, marks, starts, members);
	uint64_t sig = 0;
	for (int k = 0; k < starts[ncycles]; k++)
		sig += (uint64_t)tids[members[k]] * 0x9e3779b97f4a7c15ull;
	if (ncycles)
		*first = tids[members[0]];
	return ncycles ? sig | 1 : 0;
}

/* Hands the cycle to a dump, through one of its threads; 1 confirmed,
 * 0 not, -1 another dump was under way. */
static int confirm(pid_t tid, long ms)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = cd_rt.relay_sig;
	si.si_code = SI_QUEUE;
	si.si_pid = cd_rt.pid;
	si.si_uid = getuid();
	si.si_value.sival_ptr = &trigger_marker;
	held_ms = ms;
	__atomic_store_n(&answer, 0, __ATOMIC_RELEASE);
	if (syscall(SYS_rt_tgsigqueueinfo, cd_rt.pid, tid, cd_rt.relay_sig, &si) != 0)
		return 0;
	int64_t deadline = cd_now_ns() + (cd_cfg.timeout_ms + 2000) * 1000000LL;
	int got;
	while ((got = __atomic_load_n(&answer, __ATOMIC_ACQUIRE)) == 0 && cd_now_ns() < deadline) {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	return got > 1 ? 1 : got < 0 ? -1 : 0;
}

static void *watch_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "crashdump-watch");
	__atomic_store_n(&cd_rt.watch_tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	/* A look at 1,000 threads costs 15-20 ms of CPU (a read of /proc a
	 * thread): half the period between looks, at most 5 s, finds a cycle
	 * within one and a half periods and keeps the watch under 1% of one
	 * CPU for 1,000 threads from a 4 s period on. */
	long interval_ms = cd_cfg.deadlock_ms / 2;
	interval_ms = interval_ms < 100 ? 100 : interval_ms > 5000 ? 5000 : interval_ms;
	uint64_t seen = 0, refuted = 0;
	int64_t since = 0;
	int64_t cpu = others_cpu_ns();
	for (;;) {
		struct timespec ts = { interval_ms / 1000, interval_ms % 1000 * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		int64_t now = cd_now_ns(), cpu_now = others_cpu_ns();
		int busy = cpu_now - cpu > interval_ms * 1000000LL * BUSY_PER_MILLE / 1000;
		cpu = cpu_now;
		pid_t first = 0;
		uint64_t sig = busy ? 0 : look(&first);
		if (sig != seen) {
			seen = sig;
			since = now;
			continue;
		}
		if (!sig || sig == refuted || (now - since) / 1000000 < cd_cfg.deadlock_ms)
			continue;
		int confirmed = confirm(first, (long)((now - since) / 1000000));
		if (confirmed > 0)
			break; /* one report a process */
		if (confirmed == 0)
			refuted = sig; /* a guess the threads' frames did not bear out */
	}
	/* Done, but never gone: its tid stays in cd_rt.watch_tid, which the
	 * census leaves out, and an exited thread's tid could be reused by one
	 * of the program's. */
	for (;;)
		pause();
	return arg;
}

int cd_watch_start(void)
{
	pthread_t t;
	pthread_attr_t attr;
	sigset_t all, old;
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	/* Born with every signal blocked: no signal of the program's is ever
	 * delivered to a thread of ours. */
	cd_real.pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = cd_real.pthread_create(&t, &attr, watch_main, NULL);
	cd_real.pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err)
		return -1;
	while (!__atomic_load_n(&cd_rt.watch_tid, __ATOMIC_ACQUIRE))
		sched_yield();
	return 0;
}

int cd_watch_is_trigger(const siginfo_t *info)
{
	return info->si_code == SI_QUEUE && info->si_pid == cd_rt.pid &&
	       info->si_value.sival_ptr == &trigger_marker;
}

long cd_watch_held_ms(void)
{
	return held_ms;
}

void cd_watch_answer(int deadlocks)
{
	__atomic_store_n(&answer, deadlocks < 0 ? -1 : 1 + deadlocks, __ATOMIC_RELEASE);
}
