/* owned.c - signal ownership: for each signal we handle, the application's
 * recorded action (what it sees and sets through entry/sigaction.c, while
 * our handler stays in the kernel and calls it: the HotSpot libjsig
 * approach), running that action, and dying by a signal.
 * Context: cd_owned_take at load (normal context); the rest AS-safe (the
 * interposed functions run in the application's handlers too). */
#include "base/owned.h"
#include "base/sigtab.h"
#include "base/real.h"
#include "base/runtime.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>


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

static void app_reset(int sig)
{
	struct sigaction a = app_action[sig];
	a.sa_flags &= ~SA_SIGINFO;
	a.sa_handler = SIG_DFL;
	app_store(sig, &a);
}

int cd_owned_hand_over(int sig, const struct sigaction *act, struct sigaction *old)
{
	__atomic_store_n(&owned_flag[sig], 0, __ATOMIC_RELEASE);
	app_store(sig, act);
	return cd_real.sigaction(sig, act, old);
}

void cd_owned_app_exchange(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (old)
		*old = app_action[sig];
	if (act)
		app_store(sig, act);
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
		app_reset(sig);
	cd_real.pthread_sigmask(SIG_BLOCK, &mask, &old);
	if (app.sa_flags & SA_SIGINFO)
		app.sa_sigaction(sig, info, uc);
	else
		app.sa_handler(sig);
	cd_real.pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A fault the kernel raised for an instruction: returning with SIG_DFL in
 * place runs the instruction again, which faults again and dies with the
 * right status, core and si_code. */
static int refaults(int sig, const siginfo_t *info)
{
	return info && info->si_code > 0 && cd_sig_is(sig, CD_SIG_REFAULTS);
}

void cd_die(int sig, const siginfo_t *info)
{
	cd_owned_default(sig);
	if (refaults(sig, info))
		return;
	syscall(SYS_tgkill, cd_rt.pid, cd_gettid(), sig);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	cd_real.pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	_exit(128 + sig);
}
