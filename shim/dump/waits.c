/* waits.c - why each thread waits (glibc 2.36 and later, x86-64): the
 * system call an answer found its thread in, and for a futex, which of
 * glibc's primitives waits on it (told by the functions in the thread's
 * innermost frames), the object's address, and the owner the object's own
 * memory names at the dump: a mutex's __owner (or, for priority-inheriting
 * and robust ones, the tid the kernel keeps in the lock word), the thread a
 * join waits for.  A lock word that is taken while no owner is written
 * gives no owner, never a guess.  Then every cycle of the wait-for graph
 * (thread -> owner), in linear time and fixed arrays.  For a thread that
 * took no relay, what /proc/self/task/TID/syscall says.
 * Context: AS-safe (the dump coordinator); lock memory is read under the
 * fault probe, so a freed or unmapped lock costs only its owner. */
#include "dump/waits.h"
#include "base/bounds.h"
#include "base/guard.h"
#include "base/out.h"
#include "base/runtime.h"
#include "base/tasks.h"
#include "symbols/symbols.h"
#include "report/names.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_CMD(op) ((op) & FUTEX_CMD_MASK)
/* pthread_mutex_t (nptl/pthread_mutex_*.c): the lock word at 0, __owner at
 * 8, __kind at 16; a robust or priority-inheriting kind keeps the owner in
 * the lock word. */
#define MUTEX_OWNER 8
#define MUTEX_KIND 16
#define MUTEX_KIND_ROBUST 16
#define MUTEX_KIND_PI 32
/* pthread_cond_t: the waiters' futex is __g_signals[g], at 40 + 4 g. */
#define COND_SIGNALS 40
/* pthread_rwlock_t (nptl/pthread_rwlock_common.c): three futex words.  A
 * writer queued behind a writer waits on __writers_futex at 12; a reader in
 * a write phase, or a writer in a read phase, on __wrphase_futex at 8, the
 * reader expecting 1|FUTEX_USED (3), the writer FUTEX_USED (2); a reader
 * of a writer-preferring lock, on __readers at 0, expecting a value with
 * RWAITING (4) set.  So the address and the expected value tell the word.
 * The writer holding it is __cur_writer at 24, while __readers says a
 * write phase with the lock taken (WRPHASE|WRLOCKED). */
#define RWLOCK_WRPHASE_FUTEX 8
#define RWLOCK_WRITERS_FUTEX 12
#define RWLOCK_CUR_WRITER 24
#define RWLOCK_WRPHASE 1u
#define RWLOCK_WRLOCKED 2u
#define RWLOCK_RWAITING 4u

static int read_int(uintptr_t addr, int *out)
{
	uintptr_t w;
	if (cd_probe_word(addr, &w) < 0)
		return -1;
	*out = (int)(uint32_t)w;
	return 0;
}

static int has(const char *name, const char *part)
{
	size_t n = cd_strlen(part);
	for (const char *p = name; p && *p; p++)
		if (cd_strneq(p, part, n))
			return 1;
	return 0;
}

/* glibc's own code: a program's function that happens to be called
 * "join_all" or "my_pthread_mutex_lock" tells nothing. */
static int in_libc(const char *module)
{
	static const char libc[] = "/libc.so.6";
	size_t n = cd_strlen(module), k = sizeof libc - 1;
	return n >= k && cd_strneq(module + n - k, libc, k);
}

/* Which primitive waits on a futex, from the innermost functions of libc. */
static int futex_kind(const struct cd_dump_view *v, struct cd_slot *s)
{
	uintptr_t *pcs = cd_slot_pcs(s);
	uint8_t *exact = cd_slot_exact(s, v->frames);
	for (int k = 0; k < s->nframes && k < 6; k++) {
		struct cd_frame_info fi;
		cd_symbolize(pcs[k], !exact[k], &fi);
		const char *f = fi.function;
		if (!f || !fi.module || !in_libc(fi.module))
			continue;
		if (has(f, "lll_lock_wait_private"))
			return CD_WAIT_FUTEX; /* glibc's own locks: no owner kept */
		if (has(f, "lll_lock_wait") || has(f, "pthread_mutex_") || has(f, "lll_clocklock") ||
		    has(f, "futex_lock_pi"))
			return CD_WAIT_MUTEX;
		if (has(f, "rwlock"))
			return CD_WAIT_RWLOCK;
		if (has(f, "pthread_cond_"))
			return CD_WAIT_CONDVAR;
		if (has(f, "sem_wait") || has(f, "sem_timedwait") || has(f, "sem_clockwait"))
			return CD_WAIT_SEMAPHORE;
		if (has(f, "join"))
			return CD_WAIT_JOIN;
	}
	return CD_WAIT_FUTEX;
}

pid_t cd_mutex_owner(uintptr_t m, long futex_op, int (*read32)(uintptr_t, uint32_t *))
{
	uint32_t lock, kind = 0, owner;
	if (read32(m, &lock) < 0 || lock == 0)
		return 0; /* unreadable, or released since */
	int cmd = FUTEX_CMD((int)futex_op);
	read32(m + MUTEX_KIND, &kind);
	if (cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2 || (kind & (MUTEX_KIND_ROBUST | MUTEX_KIND_PI)))
		return (pid_t)(lock & FUTEX_TID_MASK);
	return read32(m + MUTEX_OWNER, &owner) == 0 && (int)owner > 0 ? (pid_t)owner : 0;
}

static int probe_u32(uintptr_t addr, uint32_t *out)
{
	int v;
	if (read_int(addr, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void mutex_owner(struct cd_wait *w)
{
	w->address = (uintptr_t)w->arg[0];
	w->owner = cd_mutex_owner(w->address, (long)w->arg[1], probe_u32);
}

static void rwlock_owner(struct cd_wait *w)
{
	uintptr_t word = (uintptr_t)w->arg[0];
	unsigned expected = (unsigned)w->arg[2];
	int readers, writer;
	if (word % 8 == 4)
		w->address = word - RWLOCK_WRITERS_FUTEX;
	else if (expected & RWLOCK_RWAITING)
		w->address = word;
	else
		w->address = word - RWLOCK_WRPHASE_FUTEX;
	if (read_int(w->address, &readers) == 0 &&
	    ((unsigned)readers & (RWLOCK_WRPHASE | RWLOCK_WRLOCKED)) == (RWLOCK_WRPHASE | RWLOCK_WRLOCKED) &&
	    read_int(w->address + RWLOCK_CUR_WRITER, &writer) == 0 && writer > 0)
		w->owner = writer;
}

static void decode_futex(const struct cd_dump_view *v, struct cd_slot *s)
{
	struct cd_wait *w = &s->wait;
	w->kind = futex_kind(v, s);
	switch (w->kind) {
	case CD_WAIT_MUTEX:
		mutex_owner(w);
		break;
	case CD_WAIT_JOIN:
		/* futex(&pd->tid, WAIT, tid): the expected value is the
		 * joined thread's tid, which the kernel clears at its exit */
		w->address = (uintptr_t)w->arg[0];
		w->owner = (pid_t)w->arg[2];
		break;
	case CD_WAIT_CONDVAR:
		w->address = ((uintptr_t)w->arg[0] - COND_SIGNALS) & ~(uintptr_t)7;
		break;
	case CD_WAIT_RWLOCK:
		rwlock_owner(w);
		break;
	default:
		w->address = (uintptr_t)w->arg[0];
		break;
	}
}

/* The calls on one descriptor, whose first argument is it. */
static int fd_call(long nr)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64: case SYS_readv:
	case SYS_writev: case SYS_accept: case SYS_accept4: case SYS_connect: case SYS_recvfrom:
	case SYS_sendto: case SYS_recvmsg: case SYS_sendmsg: case SYS_epoll_wait:
	case SYS_epoll_pwait: case SYS_flock: case SYS_fsync: case SYS_fdatasync:
		return 1;
	}
	return 0;
}

static void decode_syscall(struct cd_wait *w)
{
	int fd;
	w->kind = CD_WAIT_SYSCALL;
	if (fd_call(w->sysno))
		w->fd = (int)w->arg[0];
	else if ((w->sysno == SYS_poll || w->sysno == SYS_ppoll) && w->arg[1] == 1 &&
	         read_int((uintptr_t)w->arg[0], &fd) == 0) /* one struct pollfd */
		w->fd = fd;
}

/* The slot of tid, or -1: slots 1.. are in tid order, slot 0 apart. */
static int slot_of(const struct cd_dump_view *v, pid_t tid)
{
	if (cd_view_slot(v, 0)->tid == tid)
		return 0;
	int lo = 1, hi = v->nslots;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (cd_view_slot(v, mid)->tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nslots && cd_view_slot(v, lo)->tid == tid ? lo : -1;
}

static int owner_alive(const struct cd_dump_view *v, pid_t owner, int k)
{
	if (k >= 0)
		return cd_view_slot(v, k)->missing != CD_MISSING_EXITED &&
		       cd_view_slot(v, k)->missing != CD_MISSING_ZOMBIE;
	return syscall(SYS_tgkill, cd_rt.pid, owner, 0) == 0 || errno != ESRCH;
}

static int next[CD_MAX_TASKS], mark[CD_MAX_TASKS];
static int cycle_start[CD_MAX_TASKS + 1], cycle_slots[CD_MAX_TASKS];

/* Each node has at most one edge, so one walk from each unmarked node,
 * marked with the walk that reached it, finds each cycle once; nodes
 * behind a cycle are not in it. */
int cd_cycles_find(const int *succ, int n, int *marks, int *starts, int *members)
{
	int ncycles = 0, nmembers = 0;
	for (int i = 0; i < n; i++)
		marks[i] = 0;
	for (int i = 0; i < n; i++) {
		int k = i;
		while (k >= 0 && !marks[k]) {
			marks[k] = i + 1;
			k = succ[k];
		}
		if (k < 0 || marks[k] != i + 1)
			continue; /* ends, or joins a walk made before */
		starts[ncycles++] = nmembers;
		int j = k;
		do {
			members[nmembers++] = j;
			j = succ[j];
		} while (j != k);
	}
	starts[ncycles] = nmembers;
	return ncycles;
}

/* Every cycle of the graph slot -> slot of its owner. */
static void find_cycles(struct cd_dump_view *v)
{
	v->ndeadlocks = cd_cycles_find(next, v->nslots, mark, cycle_start, cycle_slots);
	for (int k = 0; k < cycle_start[v->ndeadlocks]; k++)
		cd_view_slot(v, cycle_slots[k])->wait.in_deadlock = 1;
	v->cycle_start = cycle_start;
	v->cycle_slots = cycle_slots;
}

/* A call that returned EINTR has lost its number (rax); its arguments are
 * still in place.  The libc function it was made from, frame 0, names it:
 * glibc's futex waits contain "futex", and the plain wrappers carry the
 * call's own name ("__poll", "clock_nanosleep"). */
static long sysno_from_frame(const struct cd_dump_view *v, struct cd_slot *s)
{
	struct cd_frame_info fi;
	if (s->nframes < 1)
		return -1;
	cd_symbolize(cd_slot_pcs(s)[0], !cd_slot_exact(s, v->frames)[0], &fi);
	if (!fi.function || !fi.module || !in_libc(fi.module))
		return -1;
	if (has(fi.function, "futex"))
		return SYS_futex;
	const char *f = fi.function;
	while (*f == '_')
		f++;
	return cd_syscall_number(f);
}

/* A thread that took no relay (it blocks the signal, is stopped, or did
 * not answer) still has what the kernel tells: the call it sleeps in, its
 * arguments, its CPU time.  With no frames, a futex stays a futex. */
#define THREAD_CPUCLOCK(tid) ((clockid_t)((~(unsigned)(tid) << 3) | 6)) /* CPUCLOCK_SCHED, per thread */

static void missing_wait(struct cd_slot *s)
{
	struct cd_wait *w = &s->wait;
	struct timespec ts;
	if (s->missing != CD_MISSING_BLOCKS && s->missing != CD_MISSING_STOPPED &&
	    s->missing != CD_MISSING_NO_ANSWER)
		return;
	if (clock_gettime(THREAD_CPUCLOCK(s->tid), &ts) == 0)
		w->cpu_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	int in = cd_task_syscall(s->tid, &w->sysno, w->arg, 3);
	w->state = in < 0 ? CD_STATE_UNKNOWN : in ? CD_STATE_BLOCKED : CD_STATE_RUNNING;
	if (in <= 0) {
		w->sysno = -1;
		return;
	}
	if (w->sysno == SYS_futex) {
		w->kind = CD_WAIT_FUTEX;
		w->address = (uintptr_t)w->arg[0];
	} else {
		decode_syscall(w);
	}
}

void cd_waits_decode(struct cd_dump_view *v)
{
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		struct cd_wait *w = &s->wait;
		next[i] = -1;
		if (s->missing != CD_DUMPED) {
			missing_wait(s);
			continue;
		}
		if (w->state != CD_STATE_BLOCKED)
			continue;
		if (w->sysno < 0)
			w->sysno = sysno_from_frame(v, s);
		if (w->sysno == SYS_futex)
			decode_futex(v, s);
		else
			decode_syscall(w);
		if (w->owner) {
			w->owner_slot = slot_of(v, w->owner);
			w->owner_alive = owner_alive(v, w->owner, w->owner_slot);
			if (w->kind == CD_WAIT_MUTEX || w->kind == CD_WAIT_RWLOCK || w->kind == CD_WAIT_JOIN)
				next[i] = w->owner_slot;
		}
	}
	find_cycles(v);
}
