/* real.c - resolves the next definition of each interposed libc function.
 * Context: normal context only (dlsym may take the loader's lock). */
#include "base/real.h"
#include "base/runtime.h"

#include <dlfcn.h>

struct cd_real cd_real CD_HOT;

int cd_real_resolve(const char **missing)
{
	static const struct {
		const char *name;
		void **slot;
	} table[] = {
		{ "pthread_create", (void **)&cd_real.pthread_create },
		{ "pthread_sigmask", (void **)&cd_real.pthread_sigmask },
		{ "sigprocmask", (void **)&cd_real.sigprocmask },
		{ "sigaction", (void **)&cd_real.sigaction },
		{ "signal", (void **)&cd_real.signal },
		{ "bsd_signal", (void **)&cd_real.bsd_signal },
		{ "sysv_signal", (void **)&cd_real.sysv_signal },
		{ "sigset", (void **)&cd_real.sigset },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		void *p = *table[i].slot;
		if (!p)
			p = dlsym(RTLD_NEXT, table[i].name);
		if (!p) {
			*missing = table[i].name;
			return -1;
		}
		__atomic_store_n(table[i].slot, p, __ATOMIC_RELEASE);
	}
	return 0;
}
