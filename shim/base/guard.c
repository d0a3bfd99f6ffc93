/* guard.c - per-thread fault guards built on sigsetjmp/siglongjmp, and
 * their arming around a dump: SIGSEGV, SIGBUS and SIGSYS reach the fault
 * handler (entry/on_fatal.c, whose action is handed in at load) even when
 * CRASHDUMP_SIGNALS does not name them.
 * Context: AS-safe (initial-exec TLS, no allocation).  The fault handlers
 * run with SA_NODEFER, so a fault inside a handler reaches them again. */
#include "base/guard.h"
#include "base/owned.h"
#include "base/real.h"
#include "base/runtime.h"

#include <setjmp.h>
#include <stddef.h>
#include <string.h>


/* The signal mask is not saved (a system call per guard): every handler
 * of ours that a guarded step runs in blocks SIGQUIT already, which is
 * all the fault handler adds, and a walk restores its own (see
 * cd_unwind_abandon). */
int cd_guarded(void (*fn)(void *), void *arg)
{
	sigjmp_buf env;
	sigjmp_buf *volatile prev = cd_tls.guard;
	if (sigsetjmp(env, 0)) {
		cd_tls.guard = prev;
		return -1;
	}
	cd_tls.guard = &env;
	fn(arg);
	cd_tls.guard = prev;
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

/* A fault that would not reach our handler (the guards not armed, a
 * sigaction refused) would end the process: no read then. */
int cd_probe_word(uintptr_t addr, uintptr_t *val)
{
	struct probe p = { .addr = addr };
	if (!cd_guard_faults_caught() || cd_guarded(read_word, &p) < 0)
		return -1;
	*val = p.val;
	return 0;
}

void cd_guard_escape(void)
{
	if (cd_tls.guard)
		siglongjmp(*cd_tls.guard, 1);
}

static struct sigaction fault_action;

void cd_guard_use_action(const struct sigaction *sa)
{
	fault_action = *sa;
}

/* The faults a dump must catch, and SIGSYS: a seccomp filter's trap of a
 * system call the dump makes is one lost part, not the process's end. */
#define N_GUARD 3
static struct sigaction guard_saved[N_GUARD];
static int guard_taken[N_GUARD];
static const int guard_sigs[N_GUARD] = { SIGSEGV, SIGBUS, SIGSYS };
static int faults_caught;

void cd_guard_arm(void)
{
	const struct sigaction sa = fault_action;
	int caught = 1;
	sigset_t faults;
	sigemptyset(&faults);
	for (int i = 0; i < N_GUARD; i++) {
		guard_taken[i] = !cd_owned(guard_sigs[i]) &&
		                 cd_real.sigaction(guard_sigs[i], &sa, &guard_saved[i]) == 0;
		if (guard_sigs[i] != SIGSYS)
			caught &= guard_taken[i] || cd_owned(guard_sigs[i]);
		sigaddset(&faults, guard_sigs[i]);
	}
	__atomic_store_n(&faults_caught, caught, __ATOMIC_RELEASE);
	/* And reach them from this thread, even if the code it interrupted had
	 * blocked them (the mask comes back when the handler returns). */
	cd_real.pthread_sigmask(SIG_UNBLOCK, &faults, NULL);
}

void cd_guard_disarm(void)
{
	__atomic_store_n(&faults_caught, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < N_GUARD; i++)
		if (guard_taken[i])
			cd_real.sigaction(guard_sigs[i], &guard_saved[i], NULL);
}

int cd_guard_faults_caught(void)
{
	return __atomic_load_n(&faults_caught, __ATOMIC_ACQUIRE);
}

