/* owned.c - signal ownership and the interposed sigaction family: for a
 * signal we handle, sigaction/signal/sigset/sysv_signal/bsd_signal read and
 * write the application's recorded action, and our handler stays in the
 * kernel and calls it (the HotSpot libjsig approach).  A runtime that owns
 * its signals (a JVM, .NET, Mono) gets them: we step aside.
 * Context: the interposed functions run in normal context or in the
 * application's handlers (AS-safe: no locks, no allocation). */
#include "owned.h"
#include "real.h"
#include "runtime.h"
#include "runtimes.h"

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "out.h"

/* Per signal: whether we own it (hot: written at load for every signal we
 * take), and the application's action, apart: at load it is almost always
 * the default, all zero bytes, which the untouched array already holds. */
static int owned_flag[_NSIG] CD_HOT;
static char app_written[_NSIG] CD_HOT;
static struct sigaction app_action[_NSIG];

/* The default action as the untouched array holds it: SIG_DFL, no flags,
 * an empty mask.  Only the signals the kernel has are looked at: glibc
 * fills no more of a returned sa_mask, nor the padding. */
static int is_plain_default(const struct sigaction *a)
{
	if (a->sa_handler != SIG_DFL || a->sa_flags != 0)
		return 0;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sigismember(&a->sa_mask, sig) == 1)
			return 0;
	return 1;
}

static void app_store(int sig, const struct sigaction *a)
{
	if (!app_written[sig] && is_plain_default(a))
		return;
	app_action[sig] = *a;
	app_written[sig] = 1;
}

static int valid(int sig)
{
	return sig > 0 && sig < _NSIG;
}

int cd_owned_take(int sig, const struct sigaction *ours)
{
	struct sigaction old;
	if (!valid(sig) || cd_real.sigaction(sig, ours, &old) < 0)
		return -1;
	app_store(sig, &old);
	__atomic_store_n(&owned_flag[sig], 1, __ATOMIC_RELEASE);
	return 0;
}

int cd_owned(int sig)
{
	return valid(sig) && __atomic_load_n(&owned_flag[sig], __ATOMIC_ACQUIRE);
}

void cd_owned_app(int sig, struct sigaction *out)
{
	*out = app_action[sig];
}

void cd_owned_app_set(int sig, const struct sigaction *act)
{
	app_store(sig, act);
}

void cd_owned_app_reset(int sig)
{
	struct sigaction a = app_action[sig];
	a.sa_flags &= ~SA_SIGINFO;
	a.sa_handler = SIG_DFL;
	app_store(sig, &a);
}

void cd_owned_release(int sig)
{
	if (!cd_owned(sig))
		return;
	__atomic_store_n(&owned_flag[sig], 0, __ATOMIC_RELEASE);
	cd_real.sigaction(sig, &app_action[sig], NULL);
}

void cd_owned_default(int sig)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	cd_real.sigaction(sig, &dfl, NULL);
}

int cd_action_is_handler(const struct sigaction *a)
{
	if (a->sa_flags & SA_SIGINFO)
		return a->sa_sigaction != NULL;
	return a->sa_handler != SIG_DFL && a->sa_handler != SIG_IGN;
}

/* As the kernel would have run it: its mask (and the signal itself unless
 * SA_NODEFER) blocked, SA_RESETHAND honoured. */
void cd_owned_call_app(int sig, siginfo_t *info, void *uc)
{
	struct sigaction app = app_action[sig];
	sigset_t mask = app.sa_mask, old;
	if (!(app.sa_flags & SA_NODEFER))
		sigaddset(&mask, sig);
	if (app.sa_flags & SA_RESETHAND)
		cd_owned_app_reset(sig);
	cd_real.pthread_sigmask(SIG_BLOCK, &mask, &old);
	if (app.sa_flags & SA_SIGINFO)
		app.sa_sigaction(sig, info, uc);
	else
		app.sa_handler(sig);
	cd_real.pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A runtime's code (a JVM loaded later, say) that installs a handler for
 * one of our signals gets the signal: its signal handling is its own. */
static int from_runtime(uintptr_t caller)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)caller, &r) != 0 || !r.dlfo_link_map)
		return 0;
	return cd_runtime_of_module(r.dlfo_link_map->l_name) != NULL;
}

/* The virtual sigaction.  SIGQUIT is special: an application that installs
 * its own SIGQUIT handler (or ignores it) owns it from then on. */
static int virtual_sigaction(int sig, const struct sigaction *act, struct sigaction *old,
                             uintptr_t caller)
{
	if (!cd_owned(sig))
		return cd_real.sigaction(sig, act, old);
	if (act && (sig == SIGQUIT ? act->sa_handler != SIG_DFL || (act->sa_flags & SA_SIGINFO)
	                           : from_runtime(caller))) {
		__atomic_store_n(&owned_flag[sig], 0, __ATOMIC_RELEASE);
		app_store(sig, act);
		return cd_real.sigaction(sig, act, old);
	}
	if (old)
		*old = app_action[sig];
	if (act)
		app_store(sig, act);
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
	if (!valid(sig))
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

int cd_owned_has_app_handler(int sig)
{
	return cd_action_is_handler(&app_action[sig]);
}
