/* threads.c - the machinery behind the pthread_create wrapper
 * (entry/pthread.c): every thread created through it gets a registry
 * record, released by a key destructor on every exit path (return,
 * pthread_exit at any depth, cancellation); a fork child keeps only the
 * forking thread's record.
 * Context: normal context only (the creator, the trampoline, destructors). */
#include "base/real.h"
#include "base/registry.h"
#include "base/runtime.h"
#include "base/threads.h"
#include "base/altstack.h"

#include <errno.h>
#include <string.h>
#include <pthread.h>

static pthread_key_t exit_key CD_HOT;
static int key_ok CD_HOT;

/* Thread-specific destructors run after the start routine, pthread_exit and
 * cancellation alike; code after the start routine in the trampoline would
 * miss the last two (they unwind straight into start_thread). */
static void on_thread_exit(void *p)
{
	struct cd_record *r = p;
	cd_altstack_release();
	cd_registry_release(r);
}

/* The kernel writes each new thread's tid into glibc's struct pthread
 * (CLONE_PARENT_SETTID) before the thread runs: read from there, a
 * gettid system call less per thread.  The offset is found in main's at
 * load and checked against gettid by the first thread that uses it; any
 * doubt, and every thread asks the kernel. */
static long tid_offset CD_HOT = -1;
static int tid_offset_checked;

static void find_tid_offset(void)
{
	const char *self = (const char *)pthread_self();
	pid_t tid = cd_gettid();
	for (long off = 0; off < 4096; off += (long)sizeof(pid_t)) {
		pid_t v;
		memcpy(&v, self + off, sizeof v);
		if (v == tid) {
			tid_offset = off;
			return;
		}
	}
}

static pid_t trampoline_tid(void)
{
	long off = __atomic_load_n(&tid_offset, __ATOMIC_ACQUIRE);
	if (off < 0)
		return cd_gettid();
	pid_t v;
	memcpy(&v, (const char *)pthread_self() + off, sizeof v);
	if (__atomic_load_n(&tid_offset_checked, __ATOMIC_ACQUIRE))
		return v;
	pid_t tid = cd_gettid();
	if (v == tid)
		__atomic_store_n(&tid_offset_checked, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&tid_offset, -1, __ATOMIC_RELEASE);
	return tid;
}

static void *trampoline(void *p)
{
	struct cd_record *r = p;
	void *(*start)(void *) = r->start;
	void *arg = r->arg;
	__atomic_store_n(&r->tid, trampoline_tid(), __ATOMIC_RELEASE);
	__atomic_store_n(&r->state, CD_REC_ALIVE, __ATOMIC_RELEASE);
	if (key_ok)
		pthread_setspecific(exit_key, r);
	cd_altstack_setup();
	return start(arg);
}

int cd_threads_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                      void *arg, uintptr_t created_by)
{
	struct cd_record *r;
	if (!key_ok || !(r = cd_registry_alloc()))
		return cd_real.pthread_create(thread, attr, start, arg);
	r->start = start;
	r->arg = arg;
	r->created_by = created_by;
	int rc = cd_real.pthread_create(thread, attr, trampoline, r);
	if (rc != 0)
		cd_registry_release(r);
	return rc;
}

/* Runs in the child after fork, single-threaded, with the registry's lock
 * taken by the prepare handler: the forking thread keeps its record. */
void cd_threads_fork_child(void)
{
	cd_registry_after_fork(key_ok ? pthread_getspecific(exit_key) : NULL);
}

int cd_threads_init(void)
{
	find_tid_offset();
	if (pthread_key_create(&exit_key, on_thread_exit) != 0)
		return -1;
	key_ok = 1;
	return 0;
}
