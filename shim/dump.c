/* dump.c - the coordinator of an all-thread dump and the relay's answer.
 * Context: AS-safe: runs in signal handlers; static memory, one mmap'd slot
 * area, raw syscalls; no malloc, no stdio, no locks. */
#include "dump.h"
#include "fatal.h"
#include "guard.h"
#include "config.h"
#include "limits.h"
#include "out.h"
#include "ownstack.h"
#include "registry.h"
#include "report.h"
#include "runtime.h"
#include "sink.h"
#include "symbols.h"
#include "tasks.h"
#include "unwind.h"

#include <errno.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Slot phases.  A slot's state word carries the round it belongs to, so an
 * answer that arrives late, after its round was closed and the slot reused
 * by a newer round, fails its compare-and-swap and writes nothing. */
enum { PH_IDLE = 0, PH_EXPECTING, PH_WRITING, PH_READY, PH_CLOSED };
#define STATE(round, phase) ((int)(((unsigned)(round) << 8) | (phase)))
#define PHASE(state) ((state) & 0xff)

static pid_t owner;           /* tid of the thread coordinating a dump, 0 none */
static unsigned round_no;     /* current round, 24 bits used */
static int acks;              /* answers in the current round (futex word) */
static int acks_wanted;       /* answers after which the coordinator is woken */
static int round_open;        /* answers (and late crash updates) are still taken */
static int64_t round_deadline; /* CLOCK_MONOTONIC ns by which answers are wanted */

static char *slot_area;       /* mmap'd, never unmapped: late answers may touch it */
static int slot_cap;
static size_t slot_stride;
static int slot_frames;       /* max_frames the area was laid out for */
static int nslots;

static pid_t tids[CD_MAX_TASKS];
static int rec_of_tid[2 * CD_MAX_RECORDS]; /* open addressing, record index + 1 */

static char out_buf_static[64 * 1024];
static char *out_buf;
static size_t out_cap;

struct cd_slot *cd_slot_at(int i)
{
	return (struct cd_slot *)(slot_area + (size_t)i * slot_stride);
}

uintptr_t *cd_slot_pcs(struct cd_slot *s)
{
	return (uintptr_t *)(s + 1);
}

uint8_t *cd_slot_exact(struct cd_slot *s)
{
	return (uint8_t *)(cd_slot_pcs(s) + slot_frames);
}

int cd_dump_claim(pid_t self)
{
	pid_t expected = 0;
	if (__atomic_compare_exchange_n(&owner, &expected, self, 0, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		return 1;
	return expected == self ? -1 : 0;
}

void cd_dump_release(void)
{
	__atomic_store_n(&owner, 0, __ATOMIC_RELEASE);
}

void cd_dump_after_fork(void)
{
	owner = 0;
	acks = 0;
}

/* Lays out room for n slots.  A bigger area replaces the old one, which is
 * left mapped because a late answer of an old round may still read it. */
/* Read at the first dump, not at load: /proc path walks cost start-up time
 * in every process (28 us), and only a report needs the name.  A file
 * deleted since exec reads "PATH (deleted)": the suffix is dropped, as the
 * name at load had none. */
static void find_exe(void)
{
	static const char deleted[] = " (deleted)";
	static char exe[CD_PATH_LEN];
	if (cd_rt.exe_base[0])
		return;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		n = (ssize_t)cd_strlcpy(exe, "?", sizeof exe);
	size_t k = sizeof deleted - 1;
	if ((size_t)n > k && cd_strneq(exe + n - k, deleted, k))
		n -= (ssize_t)k;
	exe[n] = 0;
	const char *base = exe;
	for (char *p = exe; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	cd_rt.exe = exe;
	cd_rt.exe_base = base;
}

static int slots_reserve(int n, int frames)
{
	if (slot_area && n <= slot_cap && frames == slot_frames)
		return 0;
	size_t stride = sizeof(struct cd_slot) + (size_t)frames * (sizeof(uintptr_t) + 1);
	stride = (stride + 63) & ~(size_t)63;
	int cap = n < CD_RESERVED_SLOTS ? CD_RESERVED_SLOTS : n;
	void *p = mmap(NULL, stride * (size_t)cap, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	__atomic_store_n(&slot_cap, 0, __ATOMIC_RELEASE);
	slot_stride = stride;
	slot_frames = frames;
	__atomic_store_n(&slot_area, (char *)p, __ATOMIC_RELEASE);
	__atomic_store_n(&slot_cap, cap, __ATOMIC_RELEASE);
	return 0;
}

/* The slots a dump needs most, taken at load: a process that has used
 * up its memory when it crashes still gets the crashing thread's stack
 * (and as many others as these hold).  MAP_NORESERVE and untouched until
 * a dump: address space, not memory. */
int cd_dump_prepare(void)
{
	return slots_reserve(CD_RESERVED_SLOTS, cd_cfg.max_frames);
}

static void out_reserve(void)
{
	if (out_buf)
		return;
	void *p = mmap(NULL, CD_OUT_BUFFER, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		out_buf = out_buf_static;
		out_cap = sizeof out_buf_static;
	} else {
		out_buf = p;
		out_cap = CD_OUT_BUFFER;
	}
}

/* Indexes live records by tid, and free records by the tid that last
 * released them: such a thread is past our exit hook, on its way out. */
static void index_records(void)
{
	int n = cd_registry_extent();
	memset(rec_of_tid, 0, sizeof rec_of_tid);
	for (int i = 0; i < n; i++) {
		struct cd_record *r = cd_registry_at(i);
		int state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
		pid_t tid = state == CD_REC_FREE ? __atomic_load_n(&r->last_tid, __ATOMIC_ACQUIRE)
		                                 : __atomic_load_n(&r->tid, __ATOMIC_ACQUIRE);
		if (tid <= 0)
			continue;
		unsigned h = (unsigned)tid * 2654435761u % (2 * CD_MAX_RECORDS);
		while (rec_of_tid[h])
			h = (h + 1) % (2 * CD_MAX_RECORDS);
		rec_of_tid[h] = i + 1;
	}
}

/* The live record of tid, or NULL; *exiting is set when tid has released
 * its record (it is exiting). */
static struct cd_record *record_of(pid_t tid, int *exiting)
{
	unsigned h = (unsigned)tid * 2654435761u % (2 * CD_MAX_RECORDS);
	*exiting = 0;
	while (rec_of_tid[h]) {
		struct cd_record *r = cd_registry_at(rec_of_tid[h] - 1);
		if (__atomic_load_n(&r->tid, __ATOMIC_ACQUIRE) == tid)
			return r;
		if (__atomic_load_n(&r->last_tid, __ATOMIC_ACQUIRE) == tid)
			*exiting = 1;
		h = (h + 1) % (2 * CD_MAX_RECORDS);
	}
	return NULL;
}

/* Shell sort of the tids (a thousand in well under a millisecond; no
 * allocation): the report lists threads by tid, as /proc would. */
static void sort_tids(pid_t *t, int n)
{
	static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
		int gap = gaps[g];
		for (int i = gap; i < n; i++) {
			pid_t v = t[i];
			int j = i;
			for (; j >= gap && t[j - gap] > v; j -= gap)
				t[j] = t[j - gap];
			t[j] = v;
		}
	}
}

/* The threads from the registry, when they are provably all of them: the
 * main thread, the coordinator and every live record, each still there
 * (tgkill 0), no tid twice, and as many as the kernel counts.  Anything
 * else (a thread starting or exiting, one not made by pthread_create)
 * makes the count differ, and the caller lists /proc instead. */
static int threads_from_registry(pid_t self, pid_t *out, int max)
{
	int count = cd_tasks_count();
	if (count <= 0 || count > max)
		return -1;
	int n = 0, self_seen = self == cd_rt.pid;
	out[n++] = cd_rt.pid;
	int extent = cd_registry_extent();
	for (int i = 0; i < extent; i++) {
		struct cd_record *r = cd_registry_at(i);
		if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) == CD_REC_STARTING)
			return -1; /* its thread may exist already, without a tid here */
		pid_t tid = __atomic_load_n(&r->tid, __ATOMIC_ACQUIRE);
		if (tid <= 0 || tid == cd_rt.pid)
			continue;
		if (n == count)
			return -1;
		self_seen |= tid == self;
		out[n++] = tid;
	}
	if (!self_seen) {
		if (n == count)
			return -1;
		out[n++] = self;
	}
	if (n != count)
		return -1;
	sort_tids(out, n);
	for (int i = 0; i < n; i++) {
		if (i > 0 && out[i] == out[i - 1])
			return -1;
		if (out[i] != self && syscall(SYS_tgkill, cd_rt.pid, out[i], 0) < 0)
			return -1;
	}
	return n;
}

/* When the kernel's list cannot be read (no /proc in a container, every
 * descriptor in use, openat refused by seccomp): main, the coordinator and
 * every thread the registry knows and the kernel still has, as many as can
 * be found, the report saying that the list is incomplete. */
static int threads_registry_only(pid_t self, pid_t *out, int max)
{
	int n = 0;
	out[n++] = cd_rt.pid;
	if (self != cd_rt.pid)
		out[n++] = self;
	int extent = cd_registry_extent();
	for (int i = 0; i < extent && n < max; i++) {
		struct cd_record *r = cd_registry_at(i);
		pid_t tid = __atomic_load_n(&r->tid, __ATOMIC_ACQUIRE);
		if (tid <= 0 || tid == cd_rt.pid || tid == self)
			continue;
		if (syscall(SYS_tgkill, cd_rt.pid, tid, 0) < 0 && errno == ESRCH)
			continue;
		out[n++] = tid;
	}
	sort_tids(out, n);
	return n;
}

/* Listing /proc/self/task makes the kernel build an inode per thread
 * (about 2 ms for a thousand, and more again at exit): the registry
 * answers instead whenever it can. */
static int list_threads(pid_t self, int *incomplete)
{
	int more = 0;
	*incomplete = CD_LISTED_ALL;
	int n = threads_from_registry(self, tids, CD_MAX_TASKS);
	if (n > 0)
		return n;
	n = cd_tasks_list(tids, CD_MAX_TASKS, &more);
	if (n > 0) {
		*incomplete = more ? CD_LISTED_LIMIT : CD_LISTED_ALL;
		return n;
	}
	*incomplete = CD_LISTED_REGISTRY;
	return threads_registry_only(self, tids, CD_MAX_TASKS);
}

struct capture_job {
	struct cd_slot *slot;
	ucontext_t *uc;
};

static void capture_step(void *arg)
{
	struct capture_job *j = arg;
	cd_unwind(j->uc, cd_slot_pcs(j->slot), cd_slot_exact(j->slot), slot_frames,
	          &j->slot->nframes, &j->slot->cut);
}

/* A corrupt stack can make the unwinder fault: the guard keeps the frames
 * found so far and marks the stack cut. */
static void capture_here(void *arg)
{
	struct capture_job *j = arg;
	prctl(PR_GET_NAME, j->slot->name);
	if (cd_guarded(capture_step, j) < 0) {
		cd_unwind_abandon();
		j->slot->cut = CD_CUT_FAULT;
	}
}

/* The walk runs on a stack of ours (ownstack.c).  A thread that can have
 * none before the round's deadline answers with what needs no stack: the
 * interrupted pc alone. */
static void capture(struct cd_slot *s, ucontext_t *uc)
{
	struct capture_job j = { s, uc };
	if (cd_own_stack_run(capture_here, &j, __atomic_load_n(&round_deadline, __ATOMIC_ACQUIRE)) == 0)
		return;
	prctl(PR_GET_NAME, s->name);
	cd_slot_pcs(s)[0] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	cd_slot_exact(s)[0] = 1;
	s->nframes = 1;
	s->cut = CD_CUT_NO_STACK;
}

/* A relay's value: our mark in the top byte, then the round (24 bits),
 * then the slot.  The mark tells our relays from the application's own
 * sigqueue() of the same signal number, which go to its action. */
#define RELAY_MARK 0xcdull
#define RELAY_VALUE(round, slot) \
	((RELAY_MARK << 56) | ((uint64_t)(round) << 32) | (uint32_t)(slot))

int cd_dump_is_relay(const siginfo_t *info)
{
	uint64_t v = (uint64_t)(uintptr_t)info->si_value.sival_ptr;
	return info->si_code == SI_QUEUE && info->si_pid == cd_rt.pid && v >> 56 == RELAY_MARK;
}

void cd_dump_answer(const siginfo_t *info, ucontext_t *uc)
{
	uint64_t v = (uint64_t)(uintptr_t)info->si_value.sival_ptr;
	unsigned round = (unsigned)(v >> 32) & 0xffffff;
	int slot = (int)(v & 0xffffffffu);
	char *area = __atomic_load_n(&slot_area, __ATOMIC_ACQUIRE);
	if (!area || slot >= __atomic_load_n(&slot_cap, __ATOMIC_ACQUIRE) ||
	    round != __atomic_load_n(&round_no, __ATOMIC_ACQUIRE))
		return;
	struct cd_slot *s = cd_slot_at(slot);
	int expect = STATE(round, PH_EXPECTING);
	if (!__atomic_compare_exchange_n(&s->state, &expect, STATE(round, PH_WRITING), 0,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	/* A thread that crashed while another one dumps reports the fault. */
	s->crashed = cd_tls_crash_uc != NULL;
	capture(s, s->crashed ? cd_tls_crash_uc : uc);
	__atomic_store_n(&s->state, STATE(round, PH_READY), __ATOMIC_RELEASE);
	/* Only the last answer wakes the coordinator: a wake-up per answer
	 * would cost a context switch per thread. */
	if (__atomic_add_fetch(&acks, 1, __ATOMIC_ACQ_REL) >=
	    __atomic_load_n(&acks_wanted, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &acks, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int cd_dump_crashed_late(pid_t self, ucontext_t *uc)
{
	unsigned round = __atomic_load_n(&round_no, __ATOMIC_ACQUIRE);
	if (!__atomic_load_n(&round_open, __ATOMIC_SEQ_CST))
		return 0;
	for (int i = 1; i < nslots && i < __atomic_load_n(&slot_cap, __ATOMIC_ACQUIRE); i++) {
		struct cd_slot *s = cd_slot_at(i);
		if (s->tid != self)
			continue;
		if (__atomic_load_n(&s->crashed, __ATOMIC_ACQUIRE))
			return 1; /* its answer already was the fault's */
		int expect = STATE(round, PH_READY);
		if (!__atomic_compare_exchange_n(&s->state, &expect, STATE(round, PH_WRITING), 0,
		                                 __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
			return 0;
		/* The coordinator closes the round before it reads any slot:
		 * if it has, it may be reading this one; leave it as it was. */
		if (__atomic_load_n(&round_open, __ATOMIC_SEQ_CST)) {
			s->crashed = 1;
			capture(s, uc);
		}
		__atomic_store_n(&s->state, STATE(round, PH_READY), __ATOMIC_RELEASE);
		return s->crashed;
	}
	return 0;
}

/* The relay's siginfo for a round: the kernel copies it at each send, so
 * one is filled per round and only the slot changes between sends. */
static void relay_info(siginfo_t *si, unsigned round)
{
	memset(si, 0, sizeof *si);
	si->si_signo = cd_rt.relay_sig;
	si->si_code = SI_QUEUE;
	si->si_pid = cd_rt.pid;
	si->si_uid = getuid();
	si->si_value.sival_ptr = (void *)(uintptr_t)RELAY_VALUE(round, 0);
}

static int send_relay(siginfo_t *si, pid_t tid, int slot)
{
	uint64_t round = (uint64_t)(uintptr_t)si->si_value.sival_ptr >> 32 & 0xffffff;
	si->si_value.sival_ptr = (void *)(uintptr_t)RELAY_VALUE(round, slot);
	if (syscall(SYS_rt_tgsigqueueinfo, cd_rt.pid, tid, cd_rt.relay_sig, si) == 0)
		return 0;
	return errno;
}

/* Closes a slot that has not answered, with the reason; 0 when it had
 * begun answering meanwhile. */
static int close_slot(struct cd_slot *s, unsigned round, int why)
{
	int expect = STATE(round, PH_EXPECTING);
	if (!__atomic_compare_exchange_n(&s->state, &expect, STATE(round, PH_CLOSED), 0,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	s->missing = why;
	return 1;
}

/* Looks at every thread that has not answered: one that is gone, a zombie,
 * stopped, or blocking the relay will never answer, so it is closed now
 * instead of at the deadline.  `deep` also reads /proc (costlier). */
static int probe(unsigned round, int deep)
{
	int closed = 0;
	for (int i = 1; i < nslots; i++) {
		struct cd_slot *s = cd_slot_at(i);
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != STATE(round, PH_EXPECTING))
			continue;
		if (syscall(SYS_tgkill, cd_rt.pid, s->tid, 0) < 0 && errno == ESRCH) {
			closed += close_slot(s, round, CD_MISSING_EXITED);
			continue;
		}
		if (!deep)
			continue;
		struct cd_task_status st;
		int known = cd_task_status(s->tid, &st);
		if (known == -2)
			continue; /* no /proc: the deadline decides */
		if (known < 0 || st.state == 'Z' || st.state == 'X') {
			closed += close_slot(s, round, CD_MISSING_EXITED);
		} else if (st.state == 'T' || st.state == 't') {
			closed += close_slot(s, round, CD_MISSING_STOPPED);
		} else if (st.sigblk & st.sigpnd & (1ull << (cd_rt.relay_sig - 1))) {
			/* Blocked and still pending: not merely blocked because
			 * the thread is inside the relay handler already. */
			closed += close_slot(s, round, CD_MISSING_BLOCKS);
		}
		if (s->name[0] == 0)
			cd_strlcpy(s->name, st.name, sizeof s->name);
	}
	return closed;
}

static void wait_for_answers(unsigned round, int expected, int64_t deadline_ns)
{
	int closed = 0, last = -1;
	for (;;) {
		int got = __atomic_load_n(&acks, __ATOMIC_ACQUIRE);
		if (got + closed >= expected)
			return;
		int64_t now = cd_now_ns();
		if (now >= deadline_ns)
			return;
		if (got == last) {
			/* No progress for a whole interval: look for threads that
			 * will never answer. */
			closed += probe(round, 1);
			if (got + closed >= expected)
				return;
		}
		last = got;
		int64_t wait = deadline_ns - now;
		if (wait > CD_PROBE_INTERVAL_MS * 1000000LL)
			wait = CD_PROBE_INTERVAL_MS * 1000000LL;
		struct timespec ts = { .tv_sec = wait / 1000000000, .tv_nsec = wait % 1000000000 };
		syscall(SYS_futex, &acks, FUTEX_WAIT_PRIVATE, got, &ts, NULL, 0);
	}
}

static void init_slot(struct cd_slot *s, pid_t tid)
{
	s->tid = tid;
	s->missing = CD_DUMPED;
	s->origin = CD_ORIGIN_FOREIGN;
	s->nframes = 0;
	s->cut = 0;
	s->signalled = 0;
	s->crashed = 0;
	s->created_by = 0;
	s->name[0] = 0;
}

static void dump_here(void *arg)
{
	const struct cd_trigger *t = arg;
	struct cd_dump_view v;
	pid_t self = cd_gettid();
	int incomplete;

	/* Marks this thread as the writer: a fault outside the guards below
	 * ends the process instead of starting another report. */
	cd_tls_dump_sig = t->signo ? t->signo : -1;
	cd_fatal_guard_begin();
	memset(&v, 0, sizeof v);
	v.trigger = t;
	v.pid = cd_rt.pid;
	v.start_ns = cd_now_ns();
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	v.time = wall.tv_sec;
	v.max_frames = cd_cfg.max_frames;
	int64_t deadline = v.start_ns + (int64_t)cd_cfg.timeout_ms * 1000000LL;
	__atomic_store_n(&round_deadline, deadline, __ATOMIC_RELEASE);
	find_exe();

	int n = list_threads(self, &incomplete);
	int listed_self = 0;
	for (int i = 0; i < n && !listed_self; i++)
		listed_self = tids[i] == self;
	if (!listed_self) {
		if (n == CD_MAX_TASKS)
			n--;
		tids[n++] = self;
	}

	out_reserve();
	/* Out of memory (the classic way programs crash): the slots reserved
	 * at load, as many threads as they hold, the coordinator first. */
	int fit = n;
	if (slots_reserve(n, cd_cfg.max_frames) < 0 && n > slot_cap) {
		fit = slot_cap;
		incomplete = CD_LISTED_NO_MEMORY;
	}
	if (fit == 0) {
		static const char msg[] = "crashdump: no memory for the dump\n";
		cd_write_all(2, msg, sizeof msg - 1);
		cd_fatal_guard_end();
		cd_tls_dump_sig = 0;
		return;
	}
	v.listed = fit;
	v.listed_incomplete = incomplete;
	v.pooled = cd_registry_pooled();
	unsigned round = (__atomic_load_n(&round_no, __ATOMIC_RELAXED) + 1) & 0xffffff;
	if (round == 0)
		round = 1;
	__atomic_store_n(&acks, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&acks_wanted, 0x7fffffff, __ATOMIC_RELAXED);
	__atomic_store_n(&round_open, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&round_no, round, __ATOMIC_RELEASE);
	index_records();

	/* Slot 0 is the coordinator: the report starts with it.  With fewer
	 * slots than threads (no memory), the last threads are left out. */
	nslots = fit;
	for (int i = 0, k = 1; i < n; i++) {
		if (tids[i] != self && k == fit)
			continue;
		struct cd_slot *s = cd_slot_at(tids[i] == self ? 0 : k++);
		init_slot(s, tids[i]);
		__atomic_store_n(&s->state, STATE(round, PH_IDLE), __ATOMIC_RELAXED);
		int exiting;
		struct cd_record *r = record_of(tids[i], &exiting);
		if (tids[i] == cd_rt.pid) {
			s->origin = CD_ORIGIN_MAIN;
		} else if (r) {
			s->origin = CD_ORIGIN_PTHREAD;
			s->created_by = r->created_by;
		} else if (exiting) {
			s->missing = CD_MISSING_EXITED;
		}
	}

	/* The coordinator's own stack first: it is the one that matters most. */
	if (nslots > 0) {
		struct cd_slot *me = cd_slot_at(0);
		me->signalled = 1;
		me->crashed = t->fatal;
		capture(me, t->uc);
	}

	/* Threads known not to take a signal are not sent one: the zombie main
	 * thread and exiting threads.  Whether a thread blocks the relay is
	 * judged only once it has failed to answer (see probe): a thread inside
	 * pthread_create, or not yet through our trampoline, blocks every
	 * signal for a moment. */
	int expected = 0;
	siginfo_t relay;
	relay_info(&relay, round);
	for (int i = 1; i < nslots; i++) {
		struct cd_slot *s = cd_slot_at(i);
		if (s->missing != CD_DUMPED)
			continue;
		if (s->origin != CD_ORIGIN_PTHREAD) {
			struct cd_task_status st;
			int known = cd_task_status(s->tid, &st);
			if (known == -1) {
				s->missing = CD_MISSING_EXITED;
				continue;
			}
			cd_strlcpy(s->name, st.name, sizeof s->name);
			if (st.state == 'Z' || st.state == 'X') {
				s->missing = s->origin == CD_ORIGIN_MAIN ? CD_MISSING_ZOMBIE
				                                         : CD_MISSING_EXITED;
				continue;
			}
			if (st.kernel_worker) {
				s->missing = CD_MISSING_KERNEL_WORKER;
				continue;
			}
		}
		__atomic_store_n(&s->state, STATE(round, PH_EXPECTING), __ATOMIC_RELEASE);
		int err = send_relay(&relay, s->tid, i);
		if (err == EAGAIN) {
			/* The queue of pending signals is full: let some answer. */
			wait_for_answers(round, expected, cd_now_ns() + 10 * 1000000LL);
			err = send_relay(&relay, s->tid, i);
		}
		if (err) {
			close_slot(s, round, err == ESRCH ? CD_MISSING_EXITED : CD_MISSING_UNSIGNALLED);
			continue;
		}
		v.relayed++;
		expected++;
	}

	__atomic_store_n(&acks_wanted, expected, __ATOMIC_RELEASE);
	wait_for_answers(round, expected, deadline);

	__atomic_store_n(&round_open, 0, __ATOMIC_SEQ_CST);
	/* Close the round.  A thread caught in the middle of its answer gets a
	 * short grace; after that its slot is reported incomplete. */
	int64_t grace = cd_now_ns() + 50 * 1000000LL;
	for (int i = 1; i < nslots; i++) {
		struct cd_slot *s = cd_slot_at(i);
		int st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st == STATE(round, PH_EXPECTING) && !close_slot(s, round, CD_MISSING_NO_ANSWER))
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		while (st == STATE(round, PH_WRITING) && cd_now_ns() < grace) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
			st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		}
		if (st == STATE(round, PH_WRITING))
			s->missing = CD_MISSING_INCOMPLETE;
	}
	for (int i = 0; i < nslots; i++)
		if (cd_slot_at(i)->missing == CD_DUMPED)
			v.dumped++;

	struct cd_sink sink;
	struct cd_out o;
	cd_sink_open(&cd_cfg, cd_rt.exe_base, &sink);
	cd_out_init(&o, sink.fd, out_buf, out_cap);
	if (sink.why[0]) {
		cd_out_text(&o, sink.why);
		cd_out_eol(&o);
	}
	cd_symbols_begin_report();
	if (cd_cfg.format == CD_FORMAT_JSON)
		cd_report_json(&o, &v, nslots);
	else
		cd_report_text(&o, &v, nslots);
	cd_out_flush(&o);
	cd_sink_close(&sink);
	cd_fatal_guard_end();
	cd_tls_dump_sig = 0;
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
