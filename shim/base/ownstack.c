/* ownstack.c - runs a handler's work on memory the library owns: the
 * thread's own stack of ours, or else one of a few spare stacks reserved
 * at load.  A thread's alternate stack is ours (base/altstack.c), so a handler
 * of ours mostly runs on it already; a thread not yet through our
 * trampoline, past our exit hook, or not made by pthread_create has none
 * of ours, and its own stack (16 KiB for some) or alternate stack (shared
 * by several threads, or small) is the program's memory.
 * Context: AS-safe (TLS, atomics, a futex wait with a deadline). */
#include "base/ownstack.h"
#include "base/runtime.h"
#include "base/out.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Calls fn(arg) with the stack pointer at top (16-byte aligned), and
 * comes back to the caller's stack.  The frame keeps %rbp as its CFA, so
 * a debugger or unwinder inside fn still reaches the caller. */
void cd_stack_call(void (*fn)(void *), void *arg, void *top);
__asm__(".text\n"
        ".globl cd_stack_call\n"
        ".hidden cd_stack_call\n"
        ".type cd_stack_call,@function\n"
        "cd_stack_call:\n"
        ".cfi_startproc\n"
        "	pushq %rbp\n"
        ".cfi_def_cfa_offset 16\n"
        ".cfi_offset %rbp, -16\n"
        "	movq %rsp, %rbp\n"
        ".cfi_def_cfa_register %rbp\n"
        "	andq $-16, %rdx\n"
        "	movq %rdx, %rsp\n"
        "	movq %rdi, %rax\n"
        "	movq %rsi, %rdi\n"
        "	callq *%rax\n"
        "	movq %rbp, %rsp\n"
        "	popq %rbp\n"
        ".cfi_def_cfa %rsp, 8\n"
        "	ret\n"
        ".cfi_endproc\n"
        ".size cd_stack_call, .-cd_stack_call\n");


/* The spare stacks, for threads without one of ours (a thread not yet
 * through our trampoline, or past its exit hook, or not made by
 * pthread_create): each taken by one thread at a time.  spare_free is the
 * futex word a thread waits on for one. */
static uintptr_t spare_lo[CD_SPARE_STACKS], spare_hi[CD_SPARE_STACKS];
static int spare_held[CD_SPARE_STACKS];
static int spare_free;

void cd_own_stack_set(void *lo, size_t size)
{
	cd_tls.own_lo = (uintptr_t)lo;
	cd_tls.own_hi = lo ? (uintptr_t)lo + size : 0;
}

uintptr_t cd_own_stack_lo(void)
{
	return cd_tls.own_lo;
}

void cd_own_stack_add_spare(int i, void *lo, size_t size)
{
	spare_lo[i] = (uintptr_t)lo;
	spare_hi[i] = (uintptr_t)lo + size;
}

static int on(uintptr_t sp, uintptr_t lo, uintptr_t hi)
{
	return lo && sp > lo && sp <= hi;
}

static int take_spare(void)
{
	for (int i = 0; i < CD_SPARE_STACKS; i++) {
		int expect = 0;
		if (spare_lo[i] && __atomic_compare_exchange_n(&spare_held[i], &expect, 1, 0,
		                                               __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

int cd_own_stack_run(void (*fn)(void *), void *arg, int64_t deadline_ns)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	/* Already on one of ours (the kernel put a fatal signal on our
	 * alternate stack, or this is a signal nested in our own work). */
	if (on(sp, cd_tls.own_lo, cd_tls.own_hi)) {
		fn(arg);
		return 0;
	}
	for (int i = 0; i < CD_SPARE_STACKS; i++) {
		if (on(sp, spare_lo[i], spare_hi[i])) {
			fn(arg);
			return 0;
		}
	}
	if (cd_tls.own_lo && !cd_tls.own_busy) {
		cd_tls.own_busy = 1;
		cd_stack_call(fn, arg, (void *)cd_tls.own_hi);
		cd_tls.own_busy = 0;
		return 0;
	}
	for (;;) {
		int gen = __atomic_load_n(&spare_free, __ATOMIC_ACQUIRE);
		int i = take_spare();
		if (i >= 0) {
			cd_stack_call(fn, arg, (void *)spare_hi[i]);
			__atomic_store_n(&spare_held[i], 0, __ATOMIC_RELEASE);
			__atomic_add_fetch(&spare_free, 1, __ATOMIC_ACQ_REL);
			syscall(SYS_futex, &spare_free, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
			return 0;
		}
		int64_t left = deadline_ns - cd_now_ns();
		if (left <= 0)
			return -1;
		if (left > 1000000)
			left = 1000000;
		struct timespec ts = { 0, (long)left };
		syscall(SYS_futex, &spare_free, FUTEX_WAIT_PRIVATE, gen, &ts, NULL, 0);
	}
}
