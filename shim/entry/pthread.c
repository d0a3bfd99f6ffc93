/* pthread.c - the interposed pthread_create: arms the library if no
 * constructor has yet (a thread made in another library's constructor),
 * then creates the thread with a record (base/threads.c).
 * Context: normal context only. */
#include "entry/init.h"
#include "base/real.h"
#include "base/threads.h"

#include <errno.h>
#include <stdint.h>

__attribute__((visibility("default")))
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	if (!cd_real.pthread_create) {
		cd_init();
		if (!cd_real.pthread_create)
			return EAGAIN;
	}
	if (!cd_init())
		return cd_real.pthread_create(thread, attr, start, arg);
	return cd_threads_create(thread, attr, start, arg, (uintptr_t)__builtin_return_address(0));
}
