/* churn.c - pthread_create + pthread_join, CYCLES times, one thread at a
 * time; prints "ms=WALL cpu_ms=USER+SYS".  Context: normal context.
 * The CPU time is there because wall time on a shared 2-core machine is
 * mostly other people's work; the CPU time of this process is not. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static void *nothing(void *arg)
{
	return arg;
}

static double cpu_ms(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
	long cycles = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	struct timespec t0, t1;
	struct rusage r0, r1;

	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < cycles; i++) {
		pthread_t t;
		void *ret;

		if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, &ret) != 0) {
			fprintf(stderr, "churn: cycle %ld failed\n", i);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &r1);
	printf("ms=%.3f cpu_ms=%.3f\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       cpu_ms(&r1) - cpu_ms(&r0));
	return 0;
}
