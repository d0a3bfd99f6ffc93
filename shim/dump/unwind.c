/* unwind.c - stack walking from a signal context with libunwind 1.6.
 * Context: cd_unwind runs in signal handlers (AS-safe after warm-up). */
#define UNW_LOCAL_ONLY
#include "base/guard.h"
#include "base/guard.h"
#include "base/real.h"
#include "dump/unwind.h"
#include "base/sigtab.h"
#include "base/runtime.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

#include <libunwind.h>

/* Pages already read in one walk, remembered so that libunwind does not
 * validate them again (see access_mem). */
#define WALK_PAGES 8
#define CHUNK 4096u /* the smallest page: protection never changes inside one */

/* The walk this thread is doing, reached from libunwind's callbacks.
 * Initial-exec TLS: no allocation on first access, safe in handlers. */
struct cd_walk {
	uintptr_t uc_lo, uc_hi;    /* the ucontext the walk started from */
	uintptr_t pages[WALK_PAGES];
	int npages, next;
};


/* Set when a walk faulted inside one of libunwind's locked sections: the
 * lock is held for good, and any later walk would wait on it forever. */
static int unwinder_broken;


/* libunwind's own accessor, set before ours is installed.  The initial
 * value is never called; it puts the pointer in .data, whose page the
 * loader has written already, instead of a bss page of its own that
 * start-up would fault in for this one word. */
static int no_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
                         void *arg)
{
	(void)as;
	(void)addr;
	(void)val;
	(void)write;
	(void)arg;
	return -UNW_EUNSPEC;
}
static int (*lib_access_mem)(unw_addr_space_t, unw_word_t, unw_word_t *, int,
                             void *) = no_access_mem;

static int walk_knows(const struct cd_walk *w, uintptr_t addr)
{
	if (addr >= w->uc_lo && addr <= w->uc_hi - sizeof(unw_word_t))
		return 1;
	uintptr_t chunk = addr & ~(uintptr_t)(CHUNK - 1);
	if (chunk != ((addr + sizeof(unw_word_t) - 1) & ~(uintptr_t)(CHUNK - 1)))
		return 0; /* a read that straddles two chunks is libunwind's to judge */
	for (int i = 0; i < w->npages; i++)
		if (w->pages[i] == chunk)
			return 1;
	return 0;
}

static void walk_remember(struct cd_walk *w, uintptr_t addr)
{
	uintptr_t chunk = addr & ~(uintptr_t)(CHUNK - 1);
	if (chunk != ((addr + sizeof(unw_word_t) - 1) & ~(uintptr_t)(CHUNK - 1)))
		return;
	w->pages[w->next] = chunk;
	w->next = (w->next + 1) % WALK_PAGES;
	if (w->npages < WALK_PAGES)
		w->npages++;
}

/* libunwind's local accessor validates every stack and unwind-table read
 * with mincore and a write to one pipe shared by all threads (3 system
 * calls), remembering 4 good pages for the whole process: with many
 * threads unwinding at once they evict each other and queue on the pipe.
 * Within one of our walks, memory already read is read directly, and a
 * first read is tried under a fault probe (no system call) while our
 * fault handler is in place; otherwise (no walk of ours, writes, a fault
 * handler not ours) libunwind's own accessor decides, as before. */
static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
                      void *arg)
{
	struct cd_walk *w = cd_tls.walk;
	if (!w || write)
		return lib_access_mem(as, addr, val, write, arg);
	if (walk_knows(w, addr)) {
		memcpy(val, (const void *)(uintptr_t)addr, sizeof *val); /* any alignment */
		return 0;
	}
	int r;
	if (cd_guard_faults_caught()) {
		uintptr_t v;
		if (cd_probe_word((uintptr_t)addr, &v) < 0)
			return -UNW_EINVAL;
		*val = v;
		r = 0;
	} else {
		r = lib_access_mem(as, addr, val, write, arg);
	}
	if (r == 0)
		walk_remember(w, addr);
	return r;
}

/* libunwind takes a mutex and resolves its tables on first use (libunwind
 * issue #331), so one step happens at load, before any handler can: it
 * runs tdep_init and binds, lazily, the functions every step calls
 * (libunwind.so.8 is not linked with -z now). */
static int first_step(void)
{
	unw_context_t ctx;
	unw_cursor_t c;
	/* The step reads this frame and the return address above it: memory
	 * of ours, read directly (see access_mem), not validated by
	 * libunwind's write() of the first byte of its page, below the stack
	 * pointer: valgrind's memcheck reports that write in every program
	 * the library is loaded into, and fails it under --error-exitcode. */
	uintptr_t lo = (uintptr_t)&ctx < (uintptr_t)&c ? (uintptr_t)&ctx : (uintptr_t)&c;
	struct cd_walk w = { .uc_lo = lo,
	                     .uc_hi = (uintptr_t)__builtin_frame_address(0) + 2 * sizeof(void *) };
	if (unw_getcontext(&ctx) < 0)
		return -1;
	if (unw_init_local2(&c, &ctx, UNW_INIT_SIGNAL_FRAME) < 0)
		return -1;
	cd_tls.walk = &w;
	unw_is_signal_frame(&c);
	int r = unw_step(&c);
	cd_tls.walk = NULL;
	return r < 0 ? -1 : 0;
}

/* Enters a quiet walk (see cd_unwind): one mask change, or none when the
 * handler's mask is the quiet set already.  SETMASK, not BLOCK: a thread
 * that had blocked SIGSEGV gets it back for the walk, or a probe's fault
 * would kill the process. */
static void quiet_begin(void)
{
	sigset_t quiet;
	if (!cd_tls.mask_quiet) {
		cd_sig_quiet_set(&quiet);
		cd_tls.walk_mask_blocked =
			cd_real.pthread_sigmask(SIG_SETMASK, &quiet, &cd_tls.walk_mask) == 0;
	}
	cd_tls.walk_locks = 0;
	cd_tls.walk_quiet = cd_tls.mask_quiet || cd_tls.walk_mask_blocked;
}

static void quiet_end(void)
{
	cd_tls.walk_quiet = 0;
	cd_tls.walk_locks = 0;
	if (cd_tls.walk_mask_blocked) {
		cd_tls.walk_mask_blocked = 0;
		cd_real.pthread_sigmask(SIG_SETMASK, &cd_tls.walk_mask, NULL);
	}
}

/* The step is quiet too: every process start pays it. */
int cd_unwind_warm_up(void)
{
	unw_accessors_t *a = unw_get_accessors(unw_local_addr_space);
	if (a && a->access_mem && a->access_mem != access_mem) {
		__atomic_store_n(&lib_access_mem, a->access_mem, __ATOMIC_RELEASE);
		__atomic_store_n(&a->access_mem, access_mem, __ATOMIC_RELEASE);
	}
	quiet_begin();
	int rc = first_step();
	quiet_end();
	return rc < 0 ? -1 : 0;
}

/* A walk cut short by a fault: if it was inside one of libunwind's locked
 * sections (see entry/sigmask.c), that lock stays held, so no walk starts again. */
void cd_unwind_abandon(void)
{
	cd_tls.walk = NULL;
	if (cd_tls.walk_locks > 0)
		__atomic_store_n(&unwinder_broken, 1, __ATOMIC_RELEASE);
	quiet_end();
}

static void walk(ucontext_t *uc, uintptr_t *pcs, uint8_t *exact, int max, int *count, int *cut)
{
	unw_cursor_t c;
	int after_signal = 1;
	/* unw_context_t is ucontext_t on x86-64; SIGNAL_FRAME makes frame 0 be
	 * looked up at its exact pc, not pc-1. */
	if (unw_init_local2(&c, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0) {
		*cut = CD_CUT_UNWIND;
		return;
	}
	for (int n = 0;;) {
		unw_word_t ip = 0;
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n] = (uintptr_t)ip;
		exact[n] = (uint8_t)after_signal;
		*count = ++n;
		after_signal = unw_is_signal_frame(&c) > 0;
		if (n == max) {
			if (unw_step(&c) > 0)
				*cut = CD_CUT_LIMIT;
			break;
		}
		int r = unw_step(&c);
		if (r <= 0) {
			if (r < 0)
				*cut = CD_CUT_UNWIND;
			break;
		}
	}
}

/* A walk runs with every asynchronous signal blocked (one mask change of
 * ours, or none when the handler's own mask blocks them already, instead
 * of libunwind's two per locked section, a dozen or more per walk; see
 * entry/sigmask.c): nothing can interrupt it and unwind again on this
 * thread.  The fault signals stay open for the guards (base/sigtab.c). */
void cd_unwind(ucontext_t *uc, uintptr_t *pcs, uint8_t *exact, int max, int *count, int *cut)
{
	struct cd_walk w = { .uc_lo = (uintptr_t)uc, .uc_hi = (uintptr_t)(uc + 1) };
	*count = 0;
	*cut = CD_CUT_NONE;
	if (__atomic_load_n(&unwinder_broken, __ATOMIC_ACQUIRE)) {
		*cut = CD_CUT_UNWIND;
		return;
	}
	quiet_begin();
	cd_tls.walk = &w;
	walk(uc, pcs, exact, max, count, cut);
	cd_tls.walk = NULL;
	quiet_end();
}
