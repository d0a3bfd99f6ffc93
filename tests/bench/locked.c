/* locked.c - bench fixture: THREADS threads blocked on 10 mutexes held by
 * 10 other threads, and two threads in a deadlock; "ready" on fd 3 once
 * every blocked thread is inside its futex wait, then main parks.
 * THREADS + 13 threads in all, main among them.  With a second argument
 * "floor", SIGQUIT runs the floor round of floor_round.h over them
 * instead (without the library).  Context: normal context. */
#include "fixture.h"
#include "floor_round.h"

#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#define LOCKS 10
#define STACK (64 * 1024)

static pthread_mutex_t locks[LOCKS], dl[2];
static pthread_barrier_t held;
/* Every thread but main: the holders, the deadlockers, then the waiters. */
#define FIRST_WAITER (LOCKS + 2)
static pid_t *tids;

static void *holder(void *arg)
{
	tids[(long)arg] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&locks[(long)arg]);
	pthread_barrier_wait(&held);
	for (;;)
		pause();
	return NULL;
}

static void *waiter(void *arg)
{
	long i = (long)arg;
	tids[FIRST_WAITER + i] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&locks[i % LOCKS]);
	return NULL;
}

static void *deadlocker(void *arg)
{
	long k = (long)arg;
	tids[LOCKS + k] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&dl[k]);
	pthread_barrier_wait(&held);
	pthread_mutex_lock(&dl[1 - k]);
	return NULL;
}

/* How many threads sleep in the kernel on m's futex word: a requeue of
 * them all onto the same word, which moves none and wakes none, counts
 * them.  Not /proc/self/task/TID/syscall: a /proc entry read for each
 * thread stays cached until the thread's exit, which it slows (5-6 ms for
 * 1000 threads here), and a program that hangs reads no such entries. */
static long sleepers(pthread_mutex_t *m)
{
	int *word = &m->__data.__lock;
	int v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
	return syscall(SYS_futex, word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(long)INT_MAX, word, v);
}

/* Polls until every mutex has its expected sleepers (the waiters and the
 * two deadlockers). */
static void wait_asleep(long n)
{
	struct timespec ts = { 0, 200000 };
	for (int k = 0; k < LOCKS; k++)
		while (sleepers(&locks[k]) != n / LOCKS + (k < n % LOCKS))
			nanosleep(&ts, NULL);
	for (int k = 0; k < 2; k++)
		while (sleepers(&dl[k]) != 1)
			nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int floor = argc > 2 && strcmp(argv[2], "floor") == 0;
	pthread_attr_t attr;
	pthread_t t;
	tids = calloc((size_t)(FIRST_WAITER + n), sizeof *tids);
	if (!tids)
		return 98;
	if (floor)
		floor_block_quit();
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK);
	for (int k = 0; k < LOCKS; k++)
		pthread_mutex_init(&locks[k], NULL);
	pthread_mutex_init(&dl[0], NULL);
	pthread_mutex_init(&dl[1], NULL);
	pthread_barrier_init(&held, NULL, LOCKS + 3);
	for (long k = 0; k < LOCKS; k++)
		if (pthread_create(&t, &attr, holder, (void *)k) != 0)
			return 98;
	for (long k = 0; k < 2; k++)
		if (pthread_create(&t, &attr, deadlocker, (void *)k) != 0)
			return 98;
	pthread_barrier_wait(&held);
	for (long i = 0; i < n; i++)
		if (pthread_create(&t, &attr, waiter, (void *)i) != 0)
			return 98;
	wait_asleep(n);
	for (long i = 0; i < n; i++)
		if (!__atomic_load_n(&tids[FIRST_WAITER + i], __ATOMIC_ACQUIRE))
			return 97; /* asleep on the lock before its tid is stored: cannot be */
	if (floor)
		floor_install(tids, (int)(FIRST_WAITER + n));
	fixture_ready();
	for (;;)
		pause();
	return 0;
}
