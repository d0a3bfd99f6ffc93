/* floor_quit.c - the signal-delivery floor timed as a dump is: THREADS
 * parked threads and, on SIGQUIT, a main-thread handler that tgkills every
 * parked thread (a handler that only counts and wakes, as floor.c's),
 * waits for every ack, then dies by SIGQUIT with the default action.
 * Timed by `driver quit` like the library, so both include the kernel's
 * teardown of the threads.  Context: main in normal context; the handlers
 * are signal handlers (AS-safe: raw syscalls and atomics only).
 *
 * usage: floor_quit THREADS   ("ready" on fd 3, then waits for SIGQUIT) */
#include <signal.h>
#include <string.h>
#include "park.h"
#include "fixture.h"

static atomic_int acks;

/* Signal handler (AS-safe): count, then wake the main thread. */
static void on_relay(int sig)
{
	int saved = errno;

	(void)sig;
	atomic_fetch_add(&acks, 1);
	park_futex(&acks, FUTEX_WAKE_PRIVATE, 1);
	errno = saved;
}

/* Signal handler (AS-safe): one round to every parked thread, then death
 * by the same signal, as the library's SIGQUIT handler ends. */
static void on_quit(int sig)
{
	pid_t pid = (pid_t)syscall(SYS_getpid);
	struct sigaction dfl;
	sigset_t quit;
	int v;

	for (int i = 0; i < park_n; i++)
		if (syscall(SYS_tgkill, pid, park_tids[i], SIGUSR1) != 0)
			_exit(3);
	while ((v = atomic_load(&acks)) < park_n)
		park_futex(&acks, FUTEX_WAIT_PRIVATE, v);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	syscall(SYS_tgkill, pid, (pid_t)syscall(SYS_gettid), sig);
	sigemptyset(&quit);
	sigaddset(&quit, sig);
	sigprocmask(SIG_UNBLOCK, &quit, NULL);
	_exit(4);
}

int main(int argc, char **argv)
{
	int n = park_count(argc, argv);
	struct sigaction sa;
	sigset_t mask;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_relay;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGQUIT, &sa, NULL);
	/* The parked threads block SIGQUIT (inherited), so that the main
	 * thread takes it; the main thread blocks SIGUSR1, so that only the
	 * parked threads answer, as with a dump of N threads from the N+1th. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	park_start(n);
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	fixture_ready();
	park_forever();
}
