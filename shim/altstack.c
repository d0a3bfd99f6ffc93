/* altstack.c - a stack of ours for every thread: its alternate signal
 * stack, so that a stack overflow can still be reported and every handler
 * of ours runs on memory of ours, recycled with the thread records; the
 * spare stacks, for threads that have none; and the interposed
 * sigaltstack: in a thread whose alternate stack is ours the program's own
 * is virtual (recorded, shown back, never handed to the kernel), so a
 * stack the program shares between threads or makes too small for a
 * handler of ours is never written by one.
 * Context: normal context (trampoline, key destructor, load); the
 * interposed sigaltstack is AS-safe (TLS and one system call). */
#include "limits.h"
#include "ownstack.h"
#include "registry.h"
#include "threads.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* This thread's kernel alternate stack is ours; the program's, as it set
 * it (ss_flags SS_DISABLE when it has none). */
static __thread int ours_installed __attribute__((tls_model("initial-exec")));
static __thread stack_t app_stack __attribute__((tls_model("initial-exec")));
static __thread int app_has_stack __attribute__((tls_model("initial-exec")));

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

static size_t stack_size(void)
{
	long min = sysconf(_SC_SIGSTKSZ);
	size_t want = min > 0 ? 4 * (size_t)min : 0;
	return want > CD_ALTSTACK_MIN ? want : CD_ALTSTACK_MIN;
}

/* The stack lies above a PROT_NONE guard page, so an overflow of the
 * handler itself faults instead of writing over other memory. */
static void *map_stack(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, stack_size() + page, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, page, PROT_NONE) < 0) {
		munmap(p, stack_size() + page);
		return NULL;
	}
	return p + page;
}

/* Returns 1 when a stack was installed. */
static int install(void *base)
{
	stack_t ss = { .ss_sp = base, .ss_size = stack_size(), .ss_flags = 0 };
	ours_installed = real_sigaltstack(&ss, NULL) == 0;
	return ours_installed;
}

/* A thread made by pthread_create starts without an alternate stack (the
 * kernel clears it for CLONE_VM children), so no check is needed here: one
 * system call on the thread-creation path. */
void cd_threads_setup_altstack(struct cd_record *r)
{
	if (!r->altstack)
		r->altstack = map_stack();
	if (r->altstack && install(r->altstack))
		cd_own_stack_set(r->altstack, stack_size());
}

/* Disabled before the record (and so the stack) can go to another thread;
 * never unmapped.  If the thread runs on it (EPERM: exiting from a handler)
 * it is left to the thread and the record gets a new one. */
void cd_threads_release_altstack(struct cd_record *r)
{
	stack_t off = { .ss_flags = SS_DISABLE };
	cd_own_stack_set(NULL, 0);
	ours_installed = 0;
	app_has_stack = 0;
	if (r->altstack && real_sigaltstack(&off, NULL) != 0)
		r->altstack = NULL;
}

/* Main's stack of ours (its alternate stack too, unless the program or a
 * runtime gave it one already), and the spare stacks. */
int cd_altstack_load(void)
{
	void *s = map_stack();
	stack_t had;
	if (!s)
		return -1;
	cd_own_stack_set(s, stack_size());
	/* One set before us (a constructor's) becomes the program's own. */
	if (real_sigaltstack(NULL, &had) == 0 && !(had.ss_flags & SS_DISABLE)) {
		app_stack = had;
		app_has_stack = 1;
	}
	install(s);
	for (int i = 0; i < CD_SPARE_STACKS; i++) {
		void *spare = map_stack();
		if (!spare)
			return -1;
		cd_own_stack_add_spare(i, spare, stack_size());
	}
	return 0;
}

/* The kernel's rules (kernel/signal.c do_sigaltstack), on the program's
 * virtual stack: no change while running on the alternate stack, only
 * SS_DISABLE and SS_AUTODISARM as flags, at least the minimum size. */
__attribute__((visibility("default")))
int sigaltstack(const stack_t *ss, stack_t *old)
{
	stack_t cur;
	if (!ours_installed)
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
		if (app_has_stack) {
			*old = app_stack;
			old->ss_flags = on ? SS_ONSTACK : (app_stack.ss_flags & SS_AUTODISARM);
		} else {
			old->ss_sp = NULL;
			old->ss_size = 0;
			old->ss_flags = SS_DISABLE;
		}
	}
	if (ss) {
		app_has_stack = !(ss->ss_flags & SS_DISABLE);
		app_stack = *ss;
	}
	return 0;
}
