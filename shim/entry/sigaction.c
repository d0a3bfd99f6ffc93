/* sigaction.c - the interposed sigaction family: sigaction, signal,
 * bsd_signal, sysv_signal and sigset read and write the application's
 * recorded action for a signal we handle (base/owned.c), with the
 * semantics glibc gives each; a runtime that owns its signals (a JVM,
 * .NET, Mono) gets them: we step aside.
 * Context: any (applications call these from their own handlers): AS-safe,
 * no locks, no allocation. */
#include "base/owned.h"
#include "entry/handlers.h"
#include "base/real.h"
#include "base/languages.h"

#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

/* A runtime's code (a JVM loaded later, say) that installs a handler for
 * one of our signals gets the signal: its signal handling is its own. */
static int from_runtime(uintptr_t caller)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)caller, &r) != 0 || !r.dlfo_link_map)
		return 0;
	return cd_language_of_module(r.dlfo_link_map->l_name) != NULL;
}

/* The virtual sigaction.  SIGQUIT is special: an application that installs
 * its own SIGQUIT handler (or ignores it) owns it from then on. */
static int virtual_sigaction(int sig, const struct sigaction *act, struct sigaction *old,
                             uintptr_t caller)
{
	if (!cd_owned(sig))
		return cd_real.sigaction(sig, act, old);
	if (act && (sig == SIGQUIT ? act->sa_handler != SIG_DFL || (act->sa_flags & SA_SIGINFO)
	                           : from_runtime(caller)))
		return cd_owned_hand_over(sig, act, old);
	cd_owned_app_exchange(sig, act, old);
	if (act && cd_asked(sig))
		cd_asked_refresh(sig);
	return 0;
}

/* Called before our constructor (by another library's), the interposed
 * functions resolve the real ones first: the raw system call is no option,
 * it needs glibc's signal restorer. */
static int resolved(void *fn)
{
	const char *missing;
	return fn || cd_real_resolve(&missing) == 0;
}

__attribute__((visibility("default")))
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!resolved(cd_real.sigaction)) {
		errno = ENOSYS;
		return -1;
	}
	if (sig <= 0 || sig >= _NSIG)
		return cd_real.sigaction(sig, act, old);
	return virtual_sigaction(sig, act, old, (uintptr_t)__builtin_return_address(0));
}

/* signal()-style calls on one of our signals: the same semantics glibc
 * gives them (sysdeps/posix/signal.c, sysv_signal.c, sigset.c), recorded as
 * the application's action. */
static __sighandler_t emulate(int sig, __sighandler_t h, int flags, uintptr_t caller)
{
	struct sigaction act, old;
	if (h == SIG_ERR) {
		errno = EINVAL;
		return SIG_ERR;
	}
	memset(&act, 0, sizeof act);
	act.sa_handler = h;
	act.sa_flags = flags;
	sigemptyset(&act.sa_mask);
	if (!(flags & SA_NODEFER))
		sigaddset(&act.sa_mask, sig);
	if (virtual_sigaction(sig, &act, &old, caller) < 0)
		return SIG_ERR;
	return (old.sa_flags & SA_SIGINFO) ? (__sighandler_t)(void *)old.sa_sigaction
	                                   : old.sa_handler;
}

__attribute__((visibility("default")))
__sighandler_t signal(int sig, __sighandler_t h)
{
	if (!cd_owned(sig))
		return resolved(cd_real.signal) ? cd_real.signal(sig, h) : SIG_ERR;
	return emulate(sig, h, SA_RESTART, (uintptr_t)__builtin_return_address(0));
}

__attribute__((visibility("default")))
__sighandler_t bsd_signal(int sig, __sighandler_t h)
{
	if (!cd_owned(sig))
		return resolved(cd_real.bsd_signal) ? cd_real.bsd_signal(sig, h) : SIG_ERR;
	return emulate(sig, h, SA_RESTART, (uintptr_t)__builtin_return_address(0));
}

__attribute__((visibility("default")))
__sighandler_t sysv_signal(int sig, __sighandler_t h)
{
	if (!cd_owned(sig))
		return resolved(cd_real.sysv_signal) ? cd_real.sysv_signal(sig, h) : SIG_ERR;
	return emulate(sig, h, SA_RESETHAND | SA_NODEFER, (uintptr_t)__builtin_return_address(0));
}

__attribute__((visibility("default")))
__sighandler_t sigset(int sig, __sighandler_t h)
{
	if (!cd_owned(sig))
		return resolved(cd_real.sigset) ? cd_real.sigset(sig, h) : SIG_ERR;
	sigset_t one, was;
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (h == SIG_HOLD) {
		struct sigaction old;
		if (pthread_sigmask(SIG_BLOCK, &one, &was) != 0)
			return SIG_ERR;
		if (sigismember(&was, sig))
			return SIG_HOLD;
		cd_owned_app(sig, &old);
		return old.sa_handler;
	}
	__sighandler_t prev = emulate(sig, h, 0, (uintptr_t)__builtin_return_address(0));
	if (prev == SIG_ERR || pthread_sigmask(SIG_UNBLOCK, &one, &was) != 0)
		return SIG_ERR;
	return sigismember(&was, sig) ? SIG_HOLD : prev;
}

