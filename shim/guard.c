/* guard.c - per-thread fault guards built on sigsetjmp/siglongjmp.
 * Context: AS-safe (initial-exec TLS, no allocation).  The fault handlers
 * run with SA_NODEFER, so a fault inside a handler reaches them again. */
#include "guard.h"

#include <setjmp.h>
#include <stddef.h>

static __thread sigjmp_buf *guard __attribute__((tls_model("initial-exec")));

/* The signal mask is not saved (a system call per guard): every handler
 * of ours that a guarded step runs in blocks SIGQUIT already, which is
 * all the fault handler adds, and a walk restores its own (see
 * cd_unwind_abandon). */
int cd_guarded(void (*fn)(void *), void *arg)
{
	sigjmp_buf env;
	sigjmp_buf *volatile prev = guard;
	if (sigsetjmp(env, 0)) {
		guard = prev;
		return -1;
	}
	guard = &env;
	fn(arg);
	guard = prev;
	return 0;
}

/* Nor here: a probe runs inside a walk, whose end restores the mask. */
int cd_probe_word(uintptr_t addr, uintptr_t *val)
{
	sigjmp_buf env;
	sigjmp_buf *volatile prev = guard;
	if (sigsetjmp(env, 0)) {
		guard = prev;
		return -1;
	}
	guard = &env;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	*val = *(const volatile uintptr_t *)addr;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	guard = prev;
	return 0;
}

void cd_guard_escape(void)
{
	if (guard)
		siglongjmp(*guard, 1);
}

int cd_guard_active(void)
{
	return guard != NULL;
}
