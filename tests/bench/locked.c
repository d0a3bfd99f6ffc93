/* locked.c - bench fixture: THREADS threads blocked on 10 mutexes held by
 * 10 other threads, and two threads in a deadlock; "ready" on fd 3 once
 * every blocked thread is inside its futex wait, then main parks.
 * THREADS + 13 threads in all, main among them.  Context: normal context. */
#include "fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#define LOCKS 10
#define STACK (64 * 1024)

static pthread_mutex_t locks[LOCKS], dl[2];
static pthread_barrier_t held;
static pid_t *tids;

static void *holder(void *arg)
{
	pthread_mutex_lock(&locks[(long)arg]);
	pthread_barrier_wait(&held);
	for (;;)
		pause();
	return NULL;
}

static void *waiter(void *arg)
{
	long i = (long)arg;
	tids[i] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_lock(&locks[i % LOCKS]);
	return NULL;
}

static void *deadlocker(void *arg)
{
	long k = (long)arg;
	pthread_mutex_lock(&dl[k]);
	pthread_barrier_wait(&held);
	pthread_mutex_lock(&dl[1 - k]);
	return NULL;
}

/* 1 when /proc/self/task/TID/syscall shows the futex call. */
static int in_futex(pid_t tid)
{
	char path[64], buf[32];
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	if (fd >= 0)
		close(fd);
	return n > 0 && atoi(buf) == SYS_futex;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	pthread_attr_t attr;
	pthread_t t;
	tids = calloc((size_t)n, sizeof *tids);
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
	for (long i = 0; i < n; i++) {
		struct timespec ts = { 0, 200000 };
		while (!__atomic_load_n(&tids[i], __ATOMIC_ACQUIRE) || !in_futex(tids[i]))
			nanosleep(&ts, NULL);
	}
	fixture_ready();
	for (;;)
		pause();
	return 0;
}
