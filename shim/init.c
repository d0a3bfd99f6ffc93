/* init.c - arms the library once per process: configuration, real symbols,
 * libunwind warm-up, handlers; a failure prints one line and disables us.
 * Context: normal context only (constructor, first pthread_create, fork). */
#include "config.h"
#include "dump.h"
#include "handlers.h"
#include "init.h"
#include "out.h"
#include "real.h"
#include "runtimes.h"
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

int cd_altstack_load(void);

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
	/* A runtime that owns its signals (Go, a JVM, .NET) keeps them all:
	 * nothing is installed, and no thread gets a record. */
	cd_rt.passive = cd_runtime_present();
	if (cd_rt.passive) {
		if (cd_cfg.watchdog_ms > 0) {
			char why[96];
			size_t n = cd_strlcpy(why, cd_rt.passive, sizeof why);
			cd_strlcpy(why + n, " handles this process's signals itself", sizeof why - n);
			cd_config_refuse("CRASHDUMP_WATCHDOG", "off", why);
		}
		return;
	}
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
	if (cd_altstack_load() < 0) {
		disable("no memory for the library's stacks");
		return;
	}
	if (cd_dump_prepare() < 0) {
		disable("no memory for the dump's reserve");
		return;
	}
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
