/* census.c - who is there: the threads of the process at the moment of
 * the dump, from the registry when the kernel's count proves it complete,
 * else from /proc/self/task, else (no /proc, no descriptor) the registry's
 * alone; which record each belongs to; and whether a thread will ever
 * answer, from what the kernel says of it.
 * Context: AS-safe (the dump coordinator): static arrays, raw syscalls. */
#include "dump/census.h"
#include "base/bounds.h"
#include "base/registry.h"
#include "base/runtime.h"
#include "base/tasks.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t tids[CD_MAX_TASKS];
static int rec_of_tid[2 * CD_MAX_RECORDS]; /* open addressing, record index + 1 */

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
	int count = cd_tasks_count() - (cd_rt.watch_tid > 0);
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
 * answers instead whenever it can.  The coordinator is always listed. */
int cd_census_take(pid_t self, int *incomplete)
{
	int more = 0;
	*incomplete = CD_LISTED_ALL;
	int n = threads_from_registry(self, tids, CD_MAX_TASKS);
	if (n <= 0) {
		n = cd_tasks_list(tids, CD_MAX_TASKS, &more);
		if (n > 0) {
			/* the kernel lists in creation order, which tid wrap-around
			 * makes differ from tid order: slots are found by tid */
			sort_tids(tids, n);
			*incomplete = more ? CD_LISTED_LIMIT : CD_LISTED_ALL;
		} else {
			*incomplete = CD_LISTED_REGISTRY;
			n = threads_registry_only(self, tids, CD_MAX_TASKS);
		}
	}
	/* The deadlock watch's thread is the library's, not the program's. */
	if (cd_rt.watch_tid > 0) {
		int k = 0;
		for (int i = 0; i < n; i++)
			if (tids[i] != cd_rt.watch_tid)
				tids[k++] = tids[i];
		n = k;
	}
	int listed_self = 0;
	for (int i = 0; i < n && !listed_self; i++)
		listed_self = tids[i] == self;
	if (!listed_self) {
		if (n == CD_MAX_TASKS)
			n--;
		tids[n++] = self;
	}
	index_records();
	return n;
}

pid_t cd_census_tid(int i)
{
	return tids[i];
}

int cd_census_origin(pid_t tid, uintptr_t *created_by)
{
	int exiting;
	struct cd_record *r = record_of(tid, &exiting);
	*created_by = 0;
	if (tid == cd_rt.pid)
		return CD_ORIGIN_MAIN;
	if (r) {
		*created_by = r->created_by;
		return CD_ORIGIN_PTHREAD;
	}
	return exiting ? -1 : CD_ORIGIN_FOREIGN;
}

int cd_census_classify(pid_t tid, int origin, int signalled, char *name)
{
	struct cd_task_status st;
	int known = cd_task_status(tid, &st);
	if (known == -2)
		return CD_DUMPED; /* no /proc: the deadline decides */
	if (name[0] == 0)
		memcpy(name, st.name, CD_NAME_LEN);
	if (known == -1 || st.state == 'X')
		return CD_MISSING_EXITED;
	if (st.state == 'Z')
		return origin == CD_ORIGIN_MAIN ? CD_MISSING_ZOMBIE : CD_MISSING_EXITED;
	if (st.kernel_worker)
		return CD_MISSING_KERNEL_WORKER;
	if (!signalled)
		return CD_DUMPED;
	if (st.state == 'T' || st.state == 't')
		return CD_MISSING_STOPPED;
	/* Blocked and still pending: not merely blocked because the thread
	 * is inside the relay handler already. */
	if (st.sigblk & st.sigpnd & (1ull << (cd_rt.relay_sig - 1)))
		return CD_MISSING_BLOCKS;
	return CD_DUMPED;
}
