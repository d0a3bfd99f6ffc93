/* on_quit.c - the handlers after whose dump the process goes its own way:
 * SIGQUIT's (coordinates a dump), the relay's (answers one, or passes the
 * application's own uses of the signal on to its action), the watchdog
 * timer that fires a dump through the relay, the deadlock watch's dump
 * (entry/watch.c hands it over through the relay), and the signals of
 * CRASHDUMP_DUMP_ON (a dump, then the signal's own course).
 * Context: install functions run in normal context; handlers are AS-safe. */
#include "entry/handlers.h"
#include "base/config.h"
#include "dump/dump.h"
#include "dump/round.h"
#include "base/owned.h"
#include "base/real.h"
#include "base/runtime.h"
#include "base/sigtab.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>


/* 1 when this thread wrote the report; 0 when another thread is dumping
 * (this request joins its report: a second SIGQUIT is coalesced, and the
 * thread that dumps ends the process if it is to end). */
static int coordinate(const struct cd_trigger *t)
{
	pid_t self = cd_gettid();
	if (cd_dump_claim(self) != 1)
		return 0;
	cd_dump(t);
	cd_dump_release();
	return 1;
}

/* Whether the handler's mask leaves the fault signals open (see
 * cd_tls.mask_quiet): it is the interrupted mask plus the quiet set. */
static int faults_open(const ucontext_t *uc)
{
	return sigismember(&uc->uc_sigmask, SIGSEGV) != 1 &&
	       sigismember(&uc->uc_sigmask, SIGBUS) != 1;
}

/* Entering and leaving our SIGQUIT or relay handler's work; returns what
 * handler_leave restores. */
static int handler_enter(const ucontext_t *uc)
{
	int quiet = cd_tls.mask_quiet;
	cd_tls.in_handler++;
	cd_tls.mask_quiet = faults_open(uc);
	return quiet;
}

static void handler_leave(int quiet)
{
	cd_tls.mask_quiet = quiet;
	cd_tls.in_handler--;
}

/* A SIGQUIT queued with this value asks for a dump and no end, whatever
 * CRASHDUMP_ON_QUIT says: crashdump-run sends it to every process of its
 * command's tree when a runner tells it to stop, so that each dumps before
 * the runner's signal takes its course ("cdrq"). */
#define CD_DUMP_REQUEST 0x63647271

static int dump_request(const siginfo_t *info)
{
	return info->si_code == SI_QUEUE && info->si_value.sival_int == CD_DUMP_REQUEST;
}

static void on_quit(int sig, siginfo_t *info, void *ucv)
{
	int saved = errno;
	/* A vfork child shares our memory: never touch the parent's state. */
	if (cd_vfork_child()) {
		cd_die(sig, info);
		errno = saved;
		return;
	}
	int quiet = handler_enter(ucv);
	struct cd_trigger t = { .reason = CD_REASON_SIGNAL, .signo = sig, .info = info,
	                        .uc = ucv, .fatal = 0 };
	int dumped = coordinate(&t);
	handler_leave(quiet);
	if (dumped && !cd_cfg.quit_continue && !dump_request(info))
		cd_die(sig, info);
	errno = saved;
}

/* What the signal would have done without us: the application's handler,
 * nothing when ignored, or, at the default, the end of the process (the
 * default of every signal passed on here: a real-time signal's, and those
 * CRASHDUMP_DUMP_ON may name).  The relay's number is ours while we are
 * armed; the application sees its own action for it (owned.c), and a
 * delivery that is neither a relay nor a timer of ours comes here too. */
static void pass_on(int sig, siginfo_t *info, void *uc)
{
	struct sigaction app;
	cd_owned_app(sig, &app);
	if (cd_action_is_handler(&app))
		cd_owned_call_app(sig, info, uc);
	else if (app.sa_handler == SIG_DFL && !(app.sa_flags & SA_SIGINFO))
		cd_die(sig, info);
}

/* A signal of CRASHDUMP_DUMP_ON (a runner's SIGTERM, a user's SIGINT):
 * the dump, then what the signal would have done without us, the
 * application's handler, nothing if ignored, or the default's end. */
static void on_asked(int sig, siginfo_t *info, void *ucv)
{
	int saved = errno;
	/* Not a signal the process sends itself: the usual end of a handler
	 * is signal(sig, SIG_DFL) and raise(sig) (xz does so), and the dump
	 * came with the first delivery. */
	int own = info->si_code <= 0 && info->si_pid == cd_rt.pid;
	if (!own && !cd_vfork_child()) {
		int quiet = handler_enter(ucv);
		struct cd_trigger t = { .reason = CD_REASON_SIGNAL, .signo = sig, .info = info,
		                        .uc = ucv, .fatal = 0 };
		coordinate(&t);
		handler_leave(quiet);
	}
	errno = saved;
	pass_on(sig, info, ucv);
	errno = saved;
}

/* Ours for an asked signal, restarting system calls as the application's
 * action would: a handler installed without SA_RESTART expects the EINTR
 * that tells its loop to look at the flag it set. */
static void asked_action(int sig, struct sigaction *sa)
{
	struct sigaction app;
	cd_owned_app(sig, &app);
	memset(sa, 0, sizeof *sa);
	sa->sa_sigaction = on_asked;
	sa->sa_flags = SA_SIGINFO | SA_ONSTACK;
	if (!cd_action_is_handler(&app) || (app.sa_flags & SA_RESTART))
		sa->sa_flags |= SA_RESTART;
	cd_sig_quiet_set(&sa->sa_mask);
}

int cd_asked(int sig)
{
	return sig > 0 && sig < 64 && (cd_cfg.dump_on >> sig & 1) && cd_owned(sig);
}

void cd_asked_refresh(int sig)
{
	struct sigaction sa;
	asked_action(sig, &sa);
	cd_real.sigaction(sig, &sa, NULL);
}

int cd_asked_install(void)
{
	for (int sig = 1; sig < 64; sig++) {
		if (!(cd_cfg.dump_on >> sig & 1))
			continue;
		struct sigaction sa;
		asked_action(sig, &sa); /* restarting, until the application's action is known */
		if (cd_owned_take(sig, &sa) < 0)
			return -1;
		cd_asked_refresh(sig);
	}
	return 0;
}

static timer_t watchdog_timer;
static int watchdog_armed;

/* The watchdog's expiry: our timer's value, not an application timer that
 * happens to use the same signal number. */
static int is_watchdog(const siginfo_t *info)
{
	return info->si_code == SI_TIMER && info->si_value.sival_ptr == (void *)&watchdog_timer;
}

static void on_relay(int sig, siginfo_t *info, void *ucv)
{
	int saved = errno;
	/* A relay is sent by this process to one of its own threads, never to
	 * a vfork child (another process); the timer's signal can reach any
	 * thread, and a vfork child shares our memory and must not touch it,
	 * so only the timer pays for the check. */
	int relay = cd_dump_is_relay(info), deadlock = !relay && cd_watch_is_trigger(info);
	if (!relay && !deadlock && !is_watchdog(info)) {
		pass_on(sig, info, ucv);
	} else if (relay || !cd_vfork_child()) {
		int quiet = handler_enter(ucv), found = 0;
		if (relay) {
			cd_dump_answer(info, ucv);
		} else if (deadlock) {
			struct cd_trigger t = { .reason = CD_REASON_DEADLOCK, .uc = ucv,
			                        .held_ms = cd_watch_held_ms() };
			found = coordinate(&t) ? cd_dump_deadlocks() : -1;
			cd_watch_answer(found);
		} else {
			struct cd_trigger t = { .reason = CD_REASON_WATCHDOG, .uc = ucv };
			coordinate(&t);
		}
		handler_leave(quiet);
		if (found > 0 && cd_cfg.deadlock_abort) {
			/* the user asked for the test to fail now, not at CI's timeout */
			siginfo_t abrt = { .si_signo = SIGABRT, .si_code = SI_TKILL };
			cd_die(SIGABRT, &abrt);
		}
	}
	errno = saved;
}

/* A free real-time signal: the highest one, below SIGRTMAX-1, whose action
 * is still the default (glibc reserves the lowest ones for itself). */
static int pick_relay_signal(void)
{
	for (int sig = SIGRTMAX - 2; sig > SIGRTMIN + 2; sig--) {
		struct sigaction old;
		if (cd_real.sigaction(sig, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
		    old.sa_handler == SIG_DFL)
			return sig;
	}
	return -1;
}

int cd_watchdog_arm(void)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = cd_rt.relay_sig;
	ev.sigev_value.sival_ptr = &watchdog_timer;
	if (timer_create(CLOCK_MONOTONIC, &ev, &watchdog_timer) < 0)
		return -1;
	struct itimerspec its;
	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = cd_cfg.watchdog_ms / 1000;
	its.it_value.tv_nsec = cd_cfg.watchdog_ms % 1000 * 1000000L;
	if (timer_settime(watchdog_timer, 0, &its, NULL) < 0) {
		timer_delete(watchdog_timer);
		return -1;
	}
	watchdog_armed = 1;
	return 0;
}

void cd_quit_after_fork(void)
{
	/* POSIX timers are not inherited by a fork child; the child's own
	 * watchdog would have to start from its own start, which it did not
	 * have: the watchdog is the parent's. */
	watchdog_armed = 0;
}

int cd_quit_install(const char **why)
{
	struct sigaction sa, old;
	cd_rt.relay_sig = pick_relay_signal();
	if (cd_rt.relay_sig < 0) {
		*why = "no free real-time signal for the relay";
		return -1;
	}

	/* The relay and SIGQUIT handlers block every asynchronous signal
	 * (SIGQUIT and the relay among them), so that their walks need no mask
	 * change of their own (see dump/unwind.c); never the fault signals: a fault
	 * while unwinding must reach its handler. */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_relay;
	/* SA_ONSTACK: the kernel's frame, and the answer, go on the thread's
	 * alternate stack, which is ours (base/altstack.c), so a thread whose
	 * own stack is used up or corrupt still answers; a thread without one
	 * of ours answers on a spare stack (base/ownstack.c). */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	cd_sig_quiet_set(&sa.sa_mask);
	if (cd_owned_take(cd_rt.relay_sig, &sa) < 0) {
		*why = "cannot install the relay handler";
		return -1;
	}

	/* An application (or a library constructor before us) that already
	 * handles SIGQUIT owns it.  An inherited SIG_IGN (shells start
	 * background jobs so) is not the application's choice: the user who
	 * preloaded us asked for a dump and the contract's default action. */
	if (cd_real.sigaction(SIGQUIT, NULL, &old) == 0) {
		int app_owns = cd_action_is_handler(&old);
		sa.sa_sigaction = on_quit;
		if (!app_owns && cd_owned_take(SIGQUIT, &sa) == 0) {
			struct sigaction dfl;
			memset(&dfl, 0, sizeof dfl);
			dfl.sa_handler = SIG_DFL;
			/* What the application sees: the default, not the ignore
			 * it inherited. */
			cd_owned_app_set(SIGQUIT, &dfl);
		}
	}
	return 0;
}
