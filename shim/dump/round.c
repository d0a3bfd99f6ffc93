/* round.c - one round of relays: the slot area, the right to coordinate,
 * the relay signal sent to each thread with its round and slot, each
 * thread's answer (its own stack, unwound into its slot), the wait for
 * answers under one deadline, and the round's close.
 * Context: AS-safe: runs in signal handlers; static memory, one mmap'd
 * slot area, raw syscalls; no malloc, no stdio, no locks. */
#include "dump/round.h"
#include "dump/census.h"
#include "dump/unwind.h"
#include "base/bounds.h"
#include "base/config.h"
#include "base/guard.h"
#include "base/out.h"
#include "base/ownstack.h"
#include "base/runtime.h"

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

/* A relay's value: our mark in the top byte, then the round (24 bits),
 * then the slot.  The mark tells our relays from the application's own
 * sigqueue() of the same signal number, which go to its action. */
#define RELAY_MARK 0xcdull
#define RELAY_VALUE(round, slot) \
	((RELAY_MARK << 56) | ((uint64_t)(round) << 32) | (uint32_t)(slot))

static pid_t owner;           /* tid of the thread coordinating a dump, 0 none */
static unsigned round_no;     /* current round, 24 bits used */
static int acks;              /* answers in the current round (futex word) */
static int acks_wanted;       /* answers after which the coordinator is woken */
static int round_open;        /* answers (and late crash updates) are still taken */
static int64_t round_deadline; /* CLOCK_MONOTONIC ns by which answers are wanted */
static siginfo_t relay;       /* the kernel copies it at each send: one per round */

static char *slot_area;       /* mmap'd, never unmapped: late answers may touch it */
static int slot_cap;
static size_t slot_stride;
static int slot_frames;       /* max_frames the area was laid out for */
static int nslots;

static struct cd_slot *slot_at(int i)
{
	return (struct cd_slot *)(void *)(slot_area + (size_t)i * slot_stride);
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

/* `populate`, for a dump that needs more slots than the reserve: every
 * page is written within the round, and one mmap that fills them all
 * costs less than a fault on each, taken one by one by the coordinator
 * (0.55-1.0 ms against 0.63-1.8 for 1013 slots here). */
static int slots_reserve(int n, int frames, int populate)
{
	if (slot_area && n <= slot_cap && frames == slot_frames)
		return 0;
	size_t stride = sizeof(struct cd_slot) + (size_t)frames * (sizeof(uintptr_t) + 1);
	stride = (stride + 63) & ~(size_t)63;
	int cap = n < CD_RESERVED_SLOTS ? CD_RESERVED_SLOTS : n;
	void *p = mmap(NULL, stride * (size_t)cap, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0),
	               -1, 0);
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
	return slots_reserve(CD_RESERVED_SLOTS, cd_cfg.max_frames, 0);
}

struct capture_job {
	struct cd_slot *slot;
	ucontext_t *uc;
};

static void capture_step(void *arg)
{
	struct capture_job *j = arg;
	cd_unwind(j->uc, cd_slot_pcs(j->slot), cd_slot_exact(j->slot, slot_frames), slot_frames,
	          &j->slot->nframes, &j->slot->cut);
}

/* A corrupt stack can make the unwinder fault: the guard keeps the frames
 * found so far and marks the stack cut. */
/* What the interrupted context says of the thread's wait.  A system call
 * the kernel restarts after the handler (SA_RESTART, ERESTARTNOINTR) has
 * its ip rewound onto the syscall instruction and rax back to the call's
 * number; one that returns EINTR to the program has ip just after the
 * instruction and rax -EINTR (the number is lost).  Code is read under the
 * fault probe. */
#define SYSCALL_INSN 0x050fu /* 0f 05, little-endian */

static void take_wait(struct cd_wait *w, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t ip = (uintptr_t)g[REG_RIP], word;
	struct timespec ts;
	memset(w, 0, sizeof *w);
	w->sysno = -1;
	w->fd = -1;
	w->cpu_ns = -1;
	w->state = CD_STATE_RUNNING;
	if (cd_probe_word(ip, &word) == 0 && (word & 0xffff) == SYSCALL_INSN) {
		w->state = CD_STATE_BLOCKED;
		w->sysno = (long)g[REG_RAX];
	} else if (g[REG_RAX] == -EINTR && cd_probe_word(ip - 2, &word) == 0 &&
	           (word & 0xffff) == SYSCALL_INSN) {
		w->state = CD_STATE_BLOCKED;
	}
	w->arg[0] = (uint64_t)g[REG_RDI];
	w->arg[1] = (uint64_t)g[REG_RSI];
	w->arg[2] = (uint64_t)g[REG_RDX];
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		w->cpu_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void capture_here(void *arg)
{
	struct capture_job *j = arg;
	prctl(PR_GET_NAME, j->slot->name);
	take_wait(&j->slot->wait, j->uc);
	if (cd_guarded(capture_step, j) < 0) {
		cd_unwind_abandon();
		j->slot->cut = CD_CUT_FAULT;
	}
}

/* The walk runs on a stack of ours (base/ownstack.c).  A thread that can have
 * none before the round's deadline answers with what needs no stack: the
 * interrupted pc alone. */
static void capture(struct cd_slot *s, ucontext_t *uc)
{
	struct capture_job j = { s, uc };
	if (cd_own_stack_run(capture_here, &j, __atomic_load_n(&round_deadline, __ATOMIC_ACQUIRE)) == 0)
		return;
	prctl(PR_GET_NAME, s->name);
	s->wait.state = CD_STATE_UNKNOWN;
	s->wait.sysno = -1;
	s->wait.cpu_ns = -1;
	cd_slot_pcs(s)[0] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	cd_slot_exact(s, slot_frames)[0] = 1;
	s->nframes = 1;
	s->cut = CD_CUT_NO_STACK;
}

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
	struct cd_slot *s = slot_at(slot);
	int expect = STATE(round, PH_EXPECTING);
	if (!__atomic_compare_exchange_n(&s->state, &expect, STATE(round, PH_WRITING), 0,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	/* A thread that crashed while another one dumps reports the fault. */
	s->crashed = cd_tls.crash_uc != NULL;
	capture(s, s->crashed ? cd_tls.crash_uc : uc);
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
		struct cd_slot *s = slot_at(i);
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
		struct cd_slot *s = slot_at(i);
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != STATE(round, PH_EXPECTING))
			continue;
		if (syscall(SYS_tgkill, cd_rt.pid, s->tid, 0) < 0 && errno == ESRCH) {
			closed += close_slot(s, round, CD_MISSING_EXITED);
			continue;
		}
		if (!deep)
			continue;
		int why = cd_census_classify(s->tid, s->origin, 1, s->name);
		if (why != CD_DUMPED)
			closed += close_slot(s, round, why);
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
	memset(&s->wait, 0, sizeof s->wait);
	s->wait.sysno = -1;
	s->wait.cpu_ns = -1;
	s->wait.fd = -1;
}

/* Lays out room for n slots (at least CD_RESERVED_SLOTS).  A bigger area
 * replaces the old one, which is left mapped because a late answer of an
 * old round may still read it. */
int cd_round_begin(int n, int64_t deadline, struct cd_dump_view *v)
{
	int fit = n;
	if (slots_reserve(n, cd_cfg.max_frames, 1) < 0 && n > slot_cap)
		fit = slot_cap;
	if (fit == 0)
		return 0;
	unsigned round = (__atomic_load_n(&round_no, __ATOMIC_RELAXED) + 1) & 0xffffff;
	if (round == 0)
		round = 1;
	__atomic_store_n(&round_deadline, deadline, __ATOMIC_RELEASE);
	__atomic_store_n(&acks, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&acks_wanted, 0x7fffffff, __ATOMIC_RELAXED);
	__atomic_store_n(&round_open, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&round_no, round, __ATOMIC_RELEASE);
	relay_info(&relay, round);
	nslots = fit;
	v->slots = slot_area;
	v->stride = slot_stride;
	v->frames = slot_frames;
	v->nslots = fit;
	return fit;
}

void cd_round_init_slot(struct cd_slot *s, pid_t tid)
{
	init_slot(s, tid);
	__atomic_store_n(&s->state, STATE(round_no, PH_IDLE), __ATOMIC_RELAXED);
}

void cd_round_capture(struct cd_slot *s, ucontext_t *uc)
{
	capture(s, uc);
}

int cd_round_send(int i, int sent)
{
	struct cd_slot *s = slot_at(i);
	unsigned round = round_no;
	__atomic_store_n(&s->state, STATE(round, PH_EXPECTING), __ATOMIC_RELEASE);
	int err = send_relay(&relay, s->tid, i);
	if (err == EAGAIN) {
		/* The queue of pending signals is full: let some answer. */
		wait_for_answers(round, sent, cd_now_ns() + CD_QUEUE_FULL_PAUSE_MS * 1000000LL);
		err = send_relay(&relay, s->tid, i);
	}
	if (err)
		close_slot(s, round, err == ESRCH ? CD_MISSING_EXITED : CD_MISSING_UNSIGNALLED);
	return err ? -1 : 0;
}

void cd_round_wait(int sent)
{
	__atomic_store_n(&acks_wanted, sent, __ATOMIC_RELEASE);
	wait_for_answers(round_no, sent, round_deadline);
}

/* No answer is taken from here on.  A thread caught in the middle of its
 * answer gets a short grace; after that its slot is reported incomplete. */
void cd_round_close(struct cd_dump_view *v)
{
	unsigned round = round_no;
	__atomic_store_n(&round_open, 0, __ATOMIC_SEQ_CST);
	int64_t grace = cd_now_ns() + CD_ANSWER_GRACE_MS * 1000000LL;
	for (int i = 1; i < nslots; i++) {
		struct cd_slot *s = slot_at(i);
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
		if (slot_at(i)->missing == CD_DUMPED)
			v->dumped++;
}
