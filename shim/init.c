/* init.c - arms the library once per process: configuration, real symbols,
 * libunwind warm-up, handlers; a failure prints one line and disables us.
 * Context: normal context only (constructor, first pthread_create, fork). */
#include "config.h"
#include "dump.h"
#include "handlers.h"
#include "init.h"
#include "out.h"
#include "real.h"
#include "runtime.h"
#include "threads.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include "unwind.h"

struct cd_runtime cd_rt CD_HOT = { .exe = "", .exe_base = "" };

int cd_altstack_main(void);

static pthread_once_t once CD_HOT = PTHREAD_ONCE_INIT;

static void disable(const char *why)
{
	char line[512];
	size_t n = cd_strlcpy(line, "libcrashdump: disabled: ", sizeof line);
	n += cd_strlcpy(line + n, why, sizeof line - n);
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	cd_write_all(2, line, n);
}

/* libunwind's own code, whose signal-mask changes sigmask.c leaves alone. */
static void find_libunwind(void)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)(uintptr_t)&_ULx86_64_step, &r) == 0) {
		cd_rt.unwind_lo = (uintptr_t)r.dlfo_map_start;
		cd_rt.unwind_hi = (uintptr_t)r.dlfo_map_end;
	}
}

/* Runtimes with signal handling of their own, present from the start: Go
 * with cgo (its runtime exports _cgo_init), a JVM launched by java
 * (libjli), .NET and Mono. */
static int runtime_module(struct dl_phdr_info *info, size_t size, void *data)
{
	static const char *const names[] = { "libjvm.so", "libjli.so", "libcoreclr.so",
	                                     "libmonosgen", NULL };
	(void)size;
	(void)data;
	for (const char *p = info->dlpi_name; p && *p; p++) {
		if (*p != 'l') /* every name starts "lib": most places are no match */
			continue;
		for (int i = 0; names[i]; i++)
			if (cd_strneq(p, names[i], cd_strlen(names[i])))
				return 1;
	}
	return 0;
}

/* Resolved by the loader with our other symbols, to NULL when no object
 * exports it: dlsym(RTLD_DEFAULT) of a missing name would set a dlerror
 * message, and so make a process's first malloc (14 us of start-up). */
extern char _cgo_init[] __attribute__((weak, visibility("default")));

static int runtime_present(void)
{
	return _cgo_init != NULL || dl_iterate_phdr(runtime_module, NULL) != 0;
}

static void arm(void)
{
	const char *why = NULL;
	cd_config_load(&cd_cfg);
	/* Resolved even when disabled: the interposed functions must still
	 * reach libc. */
	if (cd_real_resolve(&why) < 0) {
		disable("cannot find the real libc functions");
		return;
	}
	if (cd_cfg.disabled)
		return;
	cd_rt.pid = getpid();
	find_libunwind();
	if (cd_unwind_warm_up() < 0) {
		disable("libunwind does not work in this process");
		return;
	}
	if (cd_threads_init() < 0) {
		disable("cannot set up thread tracking");
		return;
	}
	cd_altstack_main();
	cd_rt.passive = runtime_present();
	if (cd_handlers_install(&why) < 0) {
		disable(why);
		return;
	}
	__atomic_store_n(&cd_rt.active, 1, __ATOMIC_RELEASE);
}

int cd_init(void)
{
	pthread_once(&once, arm);
	return __atomic_load_n(&cd_rt.active, __ATOMIC_ACQUIRE);
}

void cd_threads_child_after_fork(void)
{
	cd_rt.pid = getpid();
	cd_dump_after_fork();
	cd_handlers_after_fork();
}

__attribute__((constructor)) static void crashdump_constructor(void)
{
	cd_init();
}
