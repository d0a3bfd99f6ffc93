/* guard.c - per-thread fault guards built on sigsetjmp/siglongjmp.
 * Context: AS-safe (initial-exec TLS, no allocation).  The fault handlers
 * run with SA_NODEFER, so a fault inside a handler reaches them again. */
#include "guard.h"

#include <setjmp.h>
#include <stddef.h>
#include <string.h>

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

struct probe {
	uintptr_t addr, val;
};

/* memcpy: the unwinder may read a word at any alignment. */
static void read_word(void *arg)
{
	struct probe *p = arg;
	memcpy(&p->val, (const void *)p->addr, sizeof p->val);
}

int cd_probe_word(uintptr_t addr, uintptr_t *val)
{
	struct probe p = { .addr = addr };
	if (cd_guarded(read_word, &p) < 0)
		return -1;
	*val = p.val;
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
