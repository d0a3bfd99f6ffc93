/* altstack.c - a stack of ours for every thread: its alternate signal
 * stack, so that a stack overflow can still be reported and every handler
 * of ours runs on memory of ours, recycled with the thread records; the
 * spare stacks, for threads that have none; and sigaltstack as the
 * program sees it (entry/sigaltstack.c): in a thread whose alternate stack
 * is ours the program's own is virtual (recorded, shown back, never handed
 * to the kernel), so a stack the program shares between threads or makes
 * too small for a handler of ours is never written by one.
 * Context: normal context (trampoline, key destructor, load); the virtual
 * sigaltstack is AS-safe (TLS and one system call). */
#include "base/bounds.h"
#include "base/runtime.h"
#include "base/ownstack.h"
#include "base/registry.h"
#include "base/altstack.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>


/* linux/signal.h's flag (since 4.7), which glibc's headers do not name. */
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1 << 31)
#endif

/* The kernel's own floor (x86 uapi MINSIGSTKSZ); glibc's MINSIGSTKSZ is
 * a sysconf() under _GNU_SOURCE, and larger. */
#define KERNEL_MINSIGSTKSZ 2048

static int real_sigaltstack(const stack_t *ss, stack_t *old)
{
	return (int)syscall(SYS_sigaltstack, ss, old);
}

static size_t size_of_stacks CD_HOT;
static size_t page_size CD_HOT;

/* The stack lies above a PROT_NONE guard page, so an overflow of the
 * handler itself faults instead of writing over other memory. */
static void *map_stack(void)
{
	char *p = mmap(NULL, size_of_stacks + page_size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, page_size, PROT_NONE) < 0) {
		munmap(p, size_of_stacks + page_size);
		return NULL;
	}
	return p + page_size;
}

/* Returns 1 when a stack was installed. */
static int install(void *base)
{
	stack_t ss = { .ss_sp = base, .ss_size = size_of_stacks, .ss_flags = 0 };
	cd_tls.altstack_ours = real_sigaltstack(&ss, NULL) == 0;
	if (cd_tls.altstack_ours)
		cd_own_stack_set(base, size_of_stacks);
	return cd_tls.altstack_ours;
}

/* Stacks bound to the glibc thread (its pthread_t, the address of its
 * struct pthread) that last ran on them.  glibc gives a thread's memory,
 * and with it its pthread_t, to a new thread only once the kernel has
 * cleared the old thread's tid (nptl/allocatestack.c reuses a cached stack
 * only then): a new thread with the same pthread_t takes the stack as it
 * was left, installed in a thread that is gone, so an exiting thread makes
 * no system call to disable it.  A thread that finds no room in the table
 * disables its stack at exit, which then goes to the free list.  Written
 * under the registry's lock (taken around fork), read without it. */
static struct {
	uintptr_t self;
	void *stack;
} bound[2 * CD_BOUND_STACKS];
static int nbound;
static void *free_stacks; /* linked through each stack's lowest word */

/* The slot of self, or the empty one where it would go.  Slots fill and
 * never empty, so a reader without the lock finds self's entry if it was
 * made, or an empty slot it then rechecks under the lock. */
static unsigned bound_slot(uintptr_t self)
{
	unsigned h = (unsigned)((self >> 12) * 2654435761u) % (2 * CD_BOUND_STACKS);
	uintptr_t there;
	while ((there = __atomic_load_n(&bound[h].self, __ATOMIC_ACQUIRE)) && there != self)
		h = (h + 1) % (2 * CD_BOUND_STACKS);
	return h;
}

/* A thread made by pthread_create starts without an alternate stack (the
 * kernel clears it for CLONE_VM children), so no check is needed here: one
 * system call on the thread-creation path, to install it. */
void cd_altstack_setup(void)
{
	uintptr_t self = (uintptr_t)pthread_self();
	void *s = NULL;
	/* An entry, once written, names its glibc thread for good: the usual
	 * case (this glibc thread has run before) reads the table without the
	 * lock; only a new entry or the free list takes it. */
	unsigned h = bound_slot(self);
	if (__atomic_load_n(&bound[h].self, __ATOMIC_ACQUIRE) == self) {
		s = bound[h].stack;
	} else {
		cd_registry_lock();
		h = bound_slot(self);
		if (bound[h].self == self) {
			s = bound[h].stack;
		} else if (free_stacks) {
			s = free_stacks;
			free_stacks = *(void **)s;
		}
		cd_registry_unlock();
	}
	if (!s && !(s = map_stack()))
		return;
	if (!install(s))
		return; /* the stack is lost: it may still be bound, never reused twice */
	if (bound[h].self == self) {
		cd_tls.stack_bound = 1;
		return;
	}
	cd_registry_lock();
	h = bound_slot(self);
	if (!bound[h].self && nbound < CD_BOUND_STACKS) {
		bound[h].stack = s;
		__atomic_store_n(&bound[h].self, self, __ATOMIC_RELEASE);
		nbound++;
	}
	cd_tls.stack_bound = bound[h].self == self;
	cd_registry_unlock();
}

/* A bound stack stays installed for its successor (see above); any other
 * is disabled and freed for the next thread.  If the thread runs on it
 * (EPERM: exiting from a handler) it is left to the thread. */
void cd_altstack_release(void)
{
	stack_t off = { .ss_flags = SS_DISABLE };
	void *s = (void *)cd_own_stack_lo();
	cd_own_stack_set(NULL, 0);
	cd_tls.app_has_stack = 0;
	if (!cd_tls.altstack_ours)
		return;
	cd_tls.altstack_ours = 0;
	if (cd_tls.stack_bound || real_sigaltstack(&off, NULL) != 0)
		return;
	cd_registry_lock();
	*(void **)s = free_stacks;
	free_stacks = s;
	cd_registry_unlock();
}

/* Main's stack of ours (its alternate stack too, unless the program or a
 * runtime gave it one already), and the spare stacks. */
int cd_altstack_load(void)
{
	long min = sysconf(_SC_SIGSTKSZ);
	size_t want = min > 0 ? 4 * (size_t)min : 0;
	size_of_stacks = want > CD_ALTSTACK_MIN ? want : CD_ALTSTACK_MIN;
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	void *s = map_stack();
	stack_t had;
	if (!s)
		return -1;
	/* One set before us (a constructor's) becomes the program's own. */
	if (real_sigaltstack(NULL, &had) == 0 && !(had.ss_flags & SS_DISABLE)) {
		cd_tls.app_stack = had;
		cd_tls.app_has_stack = 1;
	}
	install(s);
	for (int i = 0; i < CD_SPARE_STACKS; i++) {
		void *spare = map_stack();
		if (!spare)
			return -1;
		cd_own_stack_add_spare(i, spare, size_of_stacks);
	}
	return 0;
}

/* The kernel's rules (kernel/signal.c do_sigaltstack), on the program's
 * virtual stack: no change while running on the alternate stack, only
 * SS_DISABLE and SS_AUTODISARM as flags, at least the minimum size. */
int cd_altstack_virtual(const stack_t *ss, stack_t *old)
{
	stack_t cur;
	if (!cd_tls.altstack_ours)
		return real_sigaltstack(ss, old);
	if (real_sigaltstack(NULL, &cur) < 0)
		return -1;
	int on = (cur.ss_flags & SS_ONSTACK) != 0;
	if (ss) {
		int mode = ss->ss_flags & ~SS_AUTODISARM;
		if (on) {
			errno = EPERM;
			return -1;
		}
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) {
			errno = EINVAL;
			return -1;
		}
		if (mode != SS_DISABLE && ss->ss_size < KERNEL_MINSIGSTKSZ) {
			errno = ENOMEM;
			return -1;
		}
	}
	if (old) {
		if (cd_tls.app_has_stack) {
			*old = cd_tls.app_stack;
			old->ss_flags = on ? SS_ONSTACK : (cd_tls.app_stack.ss_flags & SS_AUTODISARM);
		} else {
			old->ss_sp = NULL;
			old->ss_size = 0;
			old->ss_flags = SS_DISABLE;
		}
	}
	if (ss) {
		cd_tls.app_has_stack = !(ss->ss_flags & SS_DISABLE);
		cd_tls.app_stack = *ss;
	}
	return 0;
}
