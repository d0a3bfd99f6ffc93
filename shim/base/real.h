/* real.h - the libc functions libcrashdump interposes, resolved once.
 * Context: resolved in normal context (cd_real_resolve); called from anywhere. */
#ifndef CRASHDUMP_REAL_H
#define CRASHDUMP_REAL_H

#include <pthread.h>
#include <signal.h>

struct cd_real {
	int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	int (*pthread_sigmask)(int, const sigset_t *, sigset_t *);
	int (*sigprocmask)(int, const sigset_t *, sigset_t *);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	__sighandler_t (*signal)(int, __sighandler_t);
	__sighandler_t (*bsd_signal)(int, __sighandler_t);
	__sighandler_t (*sysv_signal)(int, __sighandler_t);
	__sighandler_t (*sigset)(int, __sighandler_t);
};

extern struct cd_real cd_real;

/* Normal context only.  Resolves every entry with dlsym(RTLD_NEXT); 0 when
 * all were found, -1 (and the name in *missing) otherwise. */
int cd_real_resolve(const char **missing);

#endif
