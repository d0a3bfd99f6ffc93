/* on_fatal.c - the fatal signal handler: the application's handler first
 * (a fault it handles is no crash), then one report with the faulting
 * thread first, then death by the same signal, with the same status and
 * core.
 * Context: cd_fatal_install in normal context; the handler is AS-safe. */
#include "entry/handlers.h"
#include "base/sigtab.h"
#include "base/config.h"
#include "dump/dump.h"
#include "dump/round.h"
#include "base/guard.h"
#include "base/bounds.h"
#include "base/out.h"
#include "base/owned.h"
#include "base/real.h"
#include "base/runtime.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The report.  The first crashing thread coordinates it and keeps the
 * right to do so until the process is gone, so a second crasher never
 * starts a second report: it answers the first one's relay as a crashed
 * thread (cd_tls.crash_uc) and waits, bounded, for the end. */
static void report(int sig, siginfo_t *info, ucontext_t *uc, int reraised)
{
	pid_t self = cd_gettid();
	int64_t deadline = cd_now_ns() +
	                   ((int64_t)cd_cfg.timeout_ms + CD_WRITE_DEADLINE_MS + CD_CRASH_WAIT_MARGIN_MS) * 1000000LL;
	int late = 0;
	cd_tls.crash_uc = uc;
	for (;;) {
		int claim = cd_dump_claim(self);
		if (claim < 0)
			break;
		if (claim == 1) {
			struct cd_trigger t = { .reason = CD_REASON_SIGNAL, .signo = sig, .info = info,
			                        .uc = uc, .fatal = 1, .reraised = reraised };
			cd_tls.crash_uc = NULL;
			cd_tls.dying_sig = sig;
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
	cd_tls.crash_uc = NULL;
}

/* si_code of a seccomp trap (asm-generic/siginfo.h; glibc names none). */
#define CD_SYS_SECCOMP 1

/* This thread is running our handlers' work (a dump, an answer, a crash
 * waiting for its report), not the application's code. */
static int in_our_code(void)
{
	return cd_tls.in_handler > 0 || cd_tls.dump_sig != 0 || cd_tls.crash_uc != NULL;
}

/* The application's handler of a fault, while it runs.  Many handlers
 * (Python's faulthandler, which pytest enables; crash reporters) print
 * what they can, reset the default and raise the signal again: the report
 * is then of the fault, its address and the stack from the faulting
 * instruction, not of the raise() inside their handler.  A handler that
 * siglongjmps out leaves the record behind, in a frame that later calls
 * reuse: the token, a value of this thread's count that the frame holds
 * while it is live, tells the two apart. */
struct cd_app_call {
	int sig;
	siginfo_t *info;
	void *uc;
	uintptr_t token;
};

/* How deep below our frame a handler's raise() may be (its own frames
 * and any signal frame in between). */
#define APP_HANDLER_SPAN (1u << 20)

static void call_app(int sig, siginfo_t *info, void *uc)
{
	struct cd_app_call call = { sig, info, uc, 0 };
	struct cd_app_call *outer = cd_tls.app_call;
	uintptr_t outer_token = cd_tls.app_call_token;
	call.token = (++cd_tls.app_call_token * 0x9e3779b97f4a7c15ull) ^ (uintptr_t)&call;
	cd_tls.app_call_token = call.token;
	__atomic_store_n(&cd_tls.app_call, &call, __ATOMIC_RELEASE);
	cd_owned_call_app(sig, info, uc);
	__atomic_store_n(&cd_tls.app_call, outer, __ATOMIC_RELEASE);
	cd_tls.app_call_token = outer_token;
}

/* The fault whose handler sent this signal to its own thread, with the
 * handler still running (this signal interrupted it, deeper on the same
 * stack), or NULL.  The record is taken first: if its memory is gone, the
 * fault of reading it comes back here with none. */
static const struct cd_app_call *raised_again(int sig, const siginfo_t *info, const ucontext_t *uc)
{
	struct cd_app_call *c = cd_tls.app_call;
	uintptr_t token = cd_tls.app_call_token;
	if (!c || (info->si_code != SI_TKILL && info->si_code != SI_USER) ||
	    info->si_pid != cd_rt.pid)
		return NULL;
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP], at = (uintptr_t)c;
	if (sp >= at || at - sp > APP_HANDLER_SPAN)
		return NULL;
	cd_tls.app_call = NULL;
	if (c->token != token || c->sig != sig)
		return NULL;
	return c;
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
	if (cd_tls.dump_sig) {
		cd_die(cd_tls.dying_sig ? cd_tls.dying_sig : sig, NULL);
		errno = saved;
		return;
	}

	cd_owned_app(sig, &app);
	int app_handles = cd_action_is_handler(&app);
	if (app_handles && sig != SIGABRT) {
		/* JVMs, GC barriers and wasm runtimes fault on purpose: when the
		 * handler returns, the fault was theirs to fix.  If it was not,
		 * it comes back here, with their handler reset or not. */
		call_app(sig, info, ucv);
		errno = saved;
		return;
	}
	/* The death below is still the raise's: at once, as without us. */
	const struct cd_app_call *fault = app_handles ? NULL : raised_again(sig, info, ucv);
	if (!app_handles && app.sa_handler == SIG_IGN && !(app.sa_flags & SA_SIGINFO) &&
	    info->si_code <= 0 && sig != SIGABRT) {
		errno = saved; /* an ignored signal sent by a process */
		return;
	}

	if (fault)
		report(sig, fault->info, fault->uc, 1);
	else
		report(sig, info, ucv, 0);
	/* abort() handlers (test frameworks catch it) come after the report:
	 * abort() resets SIGABRT behind our back if the handler returns. */
	if (app_handles)
		call_app(sig, info, ucv);
	cd_die(sig, info);
	errno = saved;
}

void cd_fatal_action(struct sigaction *sa)
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

int cd_fatal_install(void)
{
	struct sigaction sa;
	int n;
	const struct cd_sigrow *rows = cd_sigtab(&n);
	cd_fatal_action(&sa);
	for (int i = 0; i < n; i++) {
		int sig = rows[i].signo;
		if (!(rows[i].flags & CD_SIG_FATAL) || !(cd_cfg.fatal_signals & (1ull << sig)))
			continue;
		if (cd_owned_take(sig, &sa) < 0)
			return -1;
	}
	return 0;
}
