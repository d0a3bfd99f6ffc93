/* park.h - the bench programs' parked threads: N threads, each a few frames
 * deep, waiting in pause() or a futex wait.  Context: normal context only. */
#ifndef BENCH_PARK_H
#define BENCH_PARK_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Small stacks, so that 4,000 threads stay cheap (the library's own
 * per-thread cost is what the bench wants to see). */
#define PARK_STACK (64 * 1024)

static int park_n;
static pid_t *park_tids;              /* filled before the barrier */
static pthread_barrier_t park_barrier;
static atomic_int park_never;         /* a futex word nobody changes */

/* Normal context only.  Wraps the raw futex calls glibc does not export. */
static inline long park_futex(atomic_int *word, int op, int val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* The frames a dump should show: park_wait under PARK_DEPTH (4) named levels,
 * kept apart by noinline (a call to a function that never returns is never
 * a tail call). */
static __attribute__((noinline, noreturn)) void park_wait(long i)
{
	pthread_barrier_wait(&park_barrier);
	if (i % 2 == 0)
		for (;;)
			pause();
	for (;;)
		park_futex(&park_never, FUTEX_WAIT_PRIVATE, 0);
}

static __attribute__((noinline, noreturn)) void park_level1(long i) { park_wait(i); }
static __attribute__((noinline, noreturn)) void park_level2(long i) { park_level1(i); }
static __attribute__((noinline, noreturn)) void park_level3(long i) { park_level2(i); }
static __attribute__((noinline, noreturn)) void park_level4(long i) { park_level3(i); }

static void *park_thread(void *arg)
{
	long i = (long)arg;

	park_tids[i] = (pid_t)syscall(SYS_gettid);
	park_level4(i);
}

/* Normal context only.  Starts n threads and returns once every one of them
 * has recorded its tid and passed the barrier into its wait. */
static inline void park_start(int n)
{
	pthread_attr_t attr;
	pthread_t t;
	int err;

	park_n = n;
	park_tids = calloc((size_t)n + 1, sizeof(*park_tids));
	if (!park_tids || pthread_barrier_init(&park_barrier, NULL, (unsigned)n + 1) != 0) {
		perror("park_start");
		exit(2);
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PARK_STACK);
	for (long i = 0; i < n; i++) {
		err = pthread_create(&t, &attr, park_thread, (void *)i);
		if (err) {
			errno = err;
			fprintf(stderr, "pthread_create #%ld: %m\n", i);
			exit(2);
		}
	}
	pthread_attr_destroy(&attr);
	pthread_barrier_wait(&park_barrier);
}

/* Normal context only.  The thread count from argv[1], 1..100000. */
static inline int park_count(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

	if (n < 1 || n > 100000) {
		fprintf(stderr, "usage: %s THREADS ...\n", argv[0]);
		exit(2);
	}
	return (int)n;
}
#endif
