/* fatal.c - the fatal signal handler: the application's handler first (a
 * fault it handles is no crash), then one report with the faulting thread
 * first, then death by the same signal, with the same status and core.
 * Context: cd_fatal_install in normal context; the handler is AS-safe. */
#include "fatal.h"
#include "config.h"
#include "dump.h"
#include "guard.h"
#include "limits.h"
#include "out.h"
#include "owned.h"
#include "real.h"
#include "runtime.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* One row per signal the library can take as fatal. */
static const int fatal_table[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

static int dying_sig; /* the signal whose report is being written, for a nested fault */

static int refaults(int sig, const siginfo_t *info)
{
	return info && info->si_code > 0 &&
	       (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL);
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

/* The report.  The first crashing thread coordinates it and keeps the
 * right to do so until the process is gone, so a second crasher never
 * starts a second report: it answers the first one's relay as a crashed
 * thread (cd_tls_crash_uc) and waits, bounded, for the end. */
static void report(int sig, siginfo_t *info, ucontext_t *uc)
{
	pid_t self = cd_gettid();
	int64_t deadline = cd_now_ns() +
	                   ((int64_t)cd_cfg.timeout_ms + CD_WRITE_DEADLINE_MS + 100) * 1000000LL;
	int late = 0;
	cd_tls_crash_uc = uc;
	for (;;) {
		int claim = cd_dump_claim(self);
		if (claim < 0)
			break;
		if (claim == 1) {
			struct cd_trigger t = { .reason = CD_REASON_SIGNAL, .signo = sig, .info = info,
			                        .uc = uc, .fatal = 1 };
			cd_tls_crash_uc = NULL;
			dying_sig = sig;
			cd_dump(&t);
			return;
		}
		/* Answered the relay before faulting: put the fault in the report. */
		if (!late && cd_dump_crashed_late(self, uc))
			late = 1;
		if (cd_now_ns() >= deadline)
			break;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	cd_tls_crash_uc = NULL;
}

/* si_code of a seccomp trap (asm-generic/siginfo.h; glibc names none). */
#define CD_SYS_SECCOMP 1

/* This thread is running our handlers' work (a dump, an answer, a crash
 * waiting for its report), not the application's code. */
static int in_our_code(void)
{
	return cd_tls_in_handler > 0 || cd_tls_dump_sig != 0 || cd_tls_crash_uc != NULL;
}

static void on_fatal(int sig, siginfo_t *info, void *ucv)
{
	int saved = errno;
	struct sigaction app;

	/* A system call of ours that a seccomp filter traps (SECCOMP_RET_TRAP)
	 * fails with ENOSYS, and the dump goes on without what it would have
	 * given: the call was not made, the instruction after it runs next. */
	if (sig == SIGSYS && info->si_code == CD_SYS_SECCOMP && in_our_code()) {
		((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
		errno = saved;
		return;
	}

	/* A fault inside a guarded step of a dump goes back to that step. */
	cd_guard_escape();

	/* A vfork child shares our memory: it must not touch our state. */
	if (cd_vfork_child() || !cd_owned(sig)) {
		cd_die(sig, info);
		errno = saved;
		return;
	}
	/* A fault in our own dump code, outside any guard: end by the signal
	 * that started the dump, never loop. */
	if (cd_tls_dump_sig) {
		cd_die(dying_sig ? dying_sig : sig, NULL);
		errno = saved;
		return;
	}

	cd_owned_app(sig, &app);
	int app_handles = cd_action_is_handler(&app);
	if (app_handles && sig != SIGABRT) {
		/* JVMs, GC barriers and wasm runtimes fault on purpose: when the
		 * handler returns, the fault was theirs to fix.  If it was not,
		 * it comes back here, with their handler reset or not. */
		cd_owned_call_app(sig, info, ucv);
		errno = saved;
		return;
	}
	if (!app_handles && app.sa_handler == SIG_IGN && !(app.sa_flags & SA_SIGINFO) &&
	    info->si_code <= 0 && sig != SIGABRT) {
		errno = saved; /* an ignored signal sent by a process */
		return;
	}

	report(sig, info, ucv);
	/* abort() handlers (test frameworks catch it) come after the report:
	 * abort() resets SIGABRT behind our back if the handler returns. */
	if (app_handles)
		cd_owned_call_app(sig, info, ucv);
	cd_die(sig, info);
	errno = saved;
}

/* The faults a dump must catch, and SIGSYS: a seccomp filter's trap of a
 * system call the dump makes is one lost part, not the process's end. */
#define N_GUARD 3
static struct sigaction guard_saved[N_GUARD];
static int guard_taken[N_GUARD];
static const int guard_sigs[N_GUARD] = { SIGSEGV, SIGBUS, SIGSYS };
static int faults_caught;

static void fatal_action(struct sigaction *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sa_sigaction = on_fatal;
	/* SA_NODEFER: a fault inside the handler (unwinding a corrupt stack)
	 * must reach it again, not kill the process on the spot.  The relay
	 * stays deliverable: a second crashing thread answers it. */
	sa->sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa->sa_mask);
	sigaddset(&sa->sa_mask, SIGQUIT);
}

void cd_fatal_guard_begin(void)
{
	struct sigaction sa;
	fatal_action(&sa);
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

void cd_fatal_guard_end(void)
{
	__atomic_store_n(&faults_caught, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < N_GUARD; i++)
		if (guard_taken[i])
			cd_real.sigaction(guard_sigs[i], &guard_saved[i], NULL);
}

int cd_fatal_faults_caught(void)
{
	return __atomic_load_n(&faults_caught, __ATOMIC_ACQUIRE);
}

int cd_fatal_install(void)
{
	struct sigaction sa;
	fatal_action(&sa);
	for (unsigned i = 0; i < sizeof fatal_table / sizeof fatal_table[0]; i++) {
		int sig = fatal_table[i];
		if (!(cd_cfg.fatal_signals & (1ull << sig)))
			continue;
		if (cd_owned_take(sig, &sa) < 0)
			return -1;
	}
	return 0;
}
