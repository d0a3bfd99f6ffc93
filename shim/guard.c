/* guard.c - per-thread fault guards built on sigsetjmp/siglongjmp.
 * Context: AS-safe (initial-exec TLS, no allocation).  The fault handlers
 * run with SA_NODEFER, so a fault inside a handler reaches them again. */
#include "guard.h"

#include <setjmp.h>
#include <stddef.h>

static __thread sigjmp_buf *guard __attribute__((tls_model("initial-exec")));

int cd_guarded(void (*fn)(void *), void *arg)
{
	sigjmp_buf env;
	sigjmp_buf *volatile prev = guard;
	if (sigsetjmp(env, 1)) {
		guard = prev;
		return -1;
	}
	guard = &env;
	fn(arg);
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
