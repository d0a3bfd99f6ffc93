/* sigmask.c - pthread_sigmask and sigprocmask wrappers that keep the relay
 * signal deliverable, so threads that block "all signals" (the common
 * server pattern) are still dumped.
 * Context: AS-safe (applications call these from their own handlers). */
#include "base/real.h"
#include "base/runtime.h"
#include "dump/unwind.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Passed through unchanged: calls made inside our own handlers (their
 * masks are the kernel's to restore), and calls from libunwind, which
 * blocks everything around its own lock: letting the relay in there would
 * deadlock a thread that unwinds while the relay asks it to unwind again. */
static int must_filter(int how, const sigset_t *set, uintptr_t caller)
{
	if (!set || !cd_rt.active || (how != SIG_BLOCK && how != SIG_SETMASK))
		return 0;
	if (cd_tls.in_handler)
		return 0;
	if (caller >= cd_rt.unwind_lo && caller < cd_rt.unwind_hi)
		return 0;
	return sigismember(set, cd_rt.relay_sig) == 1;
}

/* libunwind blocks every signal around each of its locked sections (two
 * system calls each, a dozen sections per walk).  Inside our walks the
 * asynchronous signals are blocked already (dump/unwind.c), so the change is
 * skipped; the sections are counted (a call that saves the old mask
 * enters one, a call that only restores leaves it), so that a fault
 * inside one is known to have left its lock held. */
static int quiet_walk(const sigset_t *set, sigset_t *old, uintptr_t caller)
{
	if (!cd_tls.walk_quiet || caller < cd_rt.unwind_lo || caller >= cd_rt.unwind_hi)
		return 0;
	if (old) {
		sigfillset(old);
		cd_tls.walk_locks++;
	} else if (set) {
		cd_tls.walk_locks--;
	}
	return 1;
}

/* Before cd_real is resolved (another library's constructor), go to the
 * kernel directly, as glibc would, minus its own internal signals. */
static int raw_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	if (set) {
		copy = *set;
		sigdelset(&copy, 32); /* SIGCANCEL */
		sigdelset(&copy, 33); /* SIGSETXID */
		set = &copy;
	}
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, _NSIG / 8);
}

/* The set to pass on: set itself, or a copy without the relay signal. */
static const sigset_t *filtered(int how, const sigset_t *set, sigset_t *copy, uintptr_t caller)
{
	if (!must_filter(how, set, caller))
		return set;
	*copy = *set;
	sigdelset(copy, cd_rt.relay_sig);
	return copy;
}

/* 1 when the call is libunwind's inside a quiet walk (nothing to do);
 * otherwise *set becomes the set to pass on. */
static int prepare(int how, const sigset_t **set, sigset_t *old, sigset_t *copy,
                   uintptr_t caller)
{
	if (quiet_walk(*set, old, caller))
		return 1;
	*set = filtered(how, *set, copy, caller);
	return 0;
}

__attribute__((visibility("default")))
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	if (prepare(how, &set, old, &copy, (uintptr_t)__builtin_return_address(0)))
		return 0;
	if (cd_real.pthread_sigmask)
		return cd_real.pthread_sigmask(how, set, old);
	return raw_sigmask(how, set, old) < 0 ? errno : 0;
}

__attribute__((visibility("default")))
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	if (prepare(how, &set, old, &copy, (uintptr_t)__builtin_return_address(0)))
		return 0;
	if (cd_real.sigprocmask)
		return cd_real.sigprocmask(how, set, old);
	return raw_sigmask(how, set, old);
}
