/* floor_round.h - the floor of a dump, timed as a dump is: on SIGQUIT, the
 * main thread's handler tgkills every other thread of the fixture (their
 * handler only counts; the last one wakes the main thread, as the
 * library's last answer does), waits for every ack, then dies by SIGQUIT
 * with the default action.  Timed by `driver quit`, like the library, so
 * both include the kernel's teardown.  What a dump adds to this is its
 * own work: the census, the unwinding, the decoding and the report.
 * Context: floor_install in normal context; the handlers are signal
 * handlers (AS-safe: raw syscalls and atomics only). */
#ifndef BENCH_FLOOR_ROUND_H
#define BENCH_FLOOR_ROUND_H

#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const pid_t *floor_tids;
static int floor_n;
static atomic_int floor_acks;

/* Signal handler (AS-safe): count; the last ack wakes the main thread. */
static void floor_on_round(int sig)
{
	int saved = errno;

	(void)sig;
	if (atomic_fetch_add(&floor_acks, 1) + 1 == floor_n)
		syscall(SYS_futex, &floor_acks, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	errno = saved;
}

/* Signal handler (AS-safe): one round to every thread, then death by the
 * same signal, as the library's SIGQUIT handler ends. */
static void floor_on_quit(int sig)
{
	pid_t pid = (pid_t)syscall(SYS_getpid);
	struct sigaction dfl;
	sigset_t quit;
	int v;

	for (int i = 0; i < floor_n; i++)
		if (syscall(SYS_tgkill, pid, floor_tids[i], SIGUSR1) != 0)
			_exit(3);
	while ((v = atomic_load(&floor_acks)) < floor_n)
		syscall(SYS_futex, &floor_acks, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	syscall(SYS_tgkill, pid, (pid_t)syscall(SYS_gettid), sig);
	sigemptyset(&quit);
	sigaddset(&quit, sig);
	sigprocmask(SIG_UNBLOCK, &quit, NULL);
	_exit(4);
}

/* Normal context, in the main thread, before any other thread exists: the
 * threads it starts inherit a mask that blocks SIGQUIT, so that the main
 * thread takes it. */
static inline void floor_block_quit(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

/* Normal context, in the main thread, once the n threads of tids are in
 * place: the handlers go in, the main thread takes SIGQUIT and leaves
 * SIGUSR1 to the others, as with a dump of n threads from the n+1th. */
static inline void floor_install(const pid_t *tids, int n)
{
	struct sigaction sa;
	sigset_t mask;

	floor_tids = tids;
	floor_n = n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = floor_on_round;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = floor_on_quit;
	sigaction(SIGQUIT, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGQUIT);
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

#endif
