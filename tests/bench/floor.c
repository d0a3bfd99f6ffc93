/* floor.c - the signal-delivery floor: THREADS parked threads, a handler that
 * only counts and wakes the main thread; times tgkill to every thread until
 * every ack, ROUNDS times.  Context: main in normal context, the handler is
 * a signal handler (AS-safe).
 *
 * usage: floor THREADS ROUNDS  -> one line per round: "round=R ms=T"
 * (round 0 is the cold one: the first signal on every thread's stack). */
#include <signal.h>
#include <string.h>
#include <time.h>
#include "park.h"

static atomic_int acks;

/* Signal handler (AS-safe): count, then wake the main thread. */
static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	atomic_fetch_add(&acks, 1);
	park_futex(&acks, FUTEX_WAKE_PRIVATE, 1);
	errno = saved;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int n = park_count(argc, argv);
	int rounds = argc > 2 ? atoi(argv[2]) : 1;
	pid_t pid = getpid();
	struct sigaction sa;
	sigset_t mask;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	/* Only the parked threads take the signal, as with a dump of N threads
	 * from the N+1th. */
	park_start(n);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	for (int r = 0; r < rounds; r++) {
		double t0, t1;
		int v;

		atomic_store(&acks, 0);
		t0 = now_ms();
		for (int i = 0; i < n; i++)
			if (syscall(SYS_tgkill, pid, park_tids[i], SIGUSR1) != 0) {
				perror("tgkill");
				return 1;
			}
		while ((v = atomic_load(&acks)) < n)
			park_futex(&acks, FUTEX_WAIT_PRIVATE, v);
		t1 = now_ms();
		printf("round=%d ms=%.3f\n", r, t1 - t0);
	}
	return 0;
}
