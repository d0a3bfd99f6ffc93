/* altstack.c - an alternate signal stack for every thread, so a stack
 * overflow can still be reported; stacks are recycled with their records.
 * Context: normal context only (trampoline, key destructor, load). */
#include "limits.h"
#include "registry.h"
#include "threads.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

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
	return sigaltstack(&ss, NULL) == 0;
}

/* A thread that already has a large enough stack (set by a runtime or the
 * application) keeps it. */
static int has_own_stack(void)
{
	stack_t old;
	return sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) &&
	       old.ss_size >= CD_ALTSTACK_MIN;
}

/* A thread made by pthread_create starts without an alternate stack (the
 * kernel clears it for CLONE_VM children), so no check is needed here: one
 * system call on the thread-creation path. */
void cd_threads_setup_altstack(struct cd_record *r)
{
	if (!r->altstack)
		r->altstack = map_stack();
	if (r->altstack)
		install(r->altstack);
}

/* Disabled before the record (and so the stack) can go to another thread;
 * never unmapped.  If the thread runs on it (EPERM: exiting from a handler)
 * it is left to the thread and the record gets a new one. */
void cd_threads_release_altstack(struct cd_record *r)
{
	stack_t off = { .ss_flags = SS_DISABLE };
	if (r->altstack && sigaltstack(&off, NULL) != 0)
		r->altstack = NULL;
}

int cd_altstack_main(void)
{
	if (has_own_stack())
		return 0;
	void *s = map_stack();
	return s && install(s) ? 0 : -1;
}
