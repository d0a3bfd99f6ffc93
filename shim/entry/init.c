/* init.c - arms the library once per process: configuration, real symbols,
 * libunwind warm-up, thread tracking, the stacks and the dump's reserve,
 * then each handler; a failure prints one line and disables us.  Also the
 * fork hooks, which every part that keeps process state answers to.
 * Context: normal context only (constructor, first pthread_create, fork). */
#include "entry/init.h"
#include "entry/handlers.h"
#include "base/altstack.h"
#include "base/config.h"
#include "base/guard.h"
#include "base/out.h"
#include "base/real.h"
#include "base/registry.h"
#include "base/runtime.h"
#include "base/languages.h"
#include "base/threads.h"
#include "dump/dump.h"
#include "dump/round.h"
#include "dump/unwind.h"

#include <link.h>
#include <pthread.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

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

/* libunwind's own code, whose signal-mask changes entry/sigmask.c leaves
 * alone. */
static void find_libunwind(void)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)(uintptr_t)&_ULx86_64_step, &r) == 0) {
		cd_rt.unwind_lo = (uintptr_t)r.dlfo_map_start;
		cd_rt.unwind_hi = (uintptr_t)r.dlfo_map_end;
	}
}

/* A runtime that owns its signals (Go, a JVM, .NET) keeps them all:
 * nothing is installed, and no thread gets a record.  The watchdog, which
 * needs a signal of its own, says so. */
static int passive(void)
{
	cd_rt.passive = cd_language_present();
	if (cd_rt.passive && (cd_cfg.watchdog_ms > 0 || cd_cfg.deadlock_ms > 0)) {
		char why[96];
		size_t n = cd_strlcpy(why, cd_rt.passive, sizeof why);
		cd_strlcpy(why + n, " handles this process's signals itself", sizeof why - n);
		if (cd_cfg.watchdog_ms > 0)
			cd_config_refuse("CRASHDUMP_WATCHDOG", "off", why);
		if (cd_cfg.deadlock_ms > 0)
			cd_config_refuse("CRASHDUMP_DEADLOCK_WATCH", "off", why);
	}
	return cd_rt.passive != NULL;
}

static void before_fork(void)
{
	cd_registry_lock();
}

static void parent_after_fork(void)
{
	cd_registry_unlock();
}

/* The child starts with only the forking thread, no dump in progress, and
 * no watchdog (POSIX timers are not inherited). */
static void child_after_fork(void)
{
	cd_threads_fork_child();
	cd_registry_unlock();
	cd_rt.pid = getpid();
	cd_rt.watch_tid = 0; /* the watch's thread stays in the parent */
	cd_dump_after_fork();
	cd_quit_after_fork();
}

/* Everything the handlers will need, before any of them can run. */
static const char *prepare(void)
{
	cd_rt.pid = getpid();
	find_libunwind();
	if (cd_unwind_warm_up() < 0)
		return "libunwind does not work in this process";
	if (cd_threads_init() < 0 ||
	    pthread_atfork(before_fork, parent_after_fork, child_after_fork) != 0)
		return "cannot set up thread tracking";
	if (cd_altstack_load() < 0)
		return "no memory for the library's stacks";
	if (cd_dump_prepare() < 0)
		return "no memory for the dump's reserve";
	return NULL;
}

static const char *install(void)
{
	const char *why = NULL;
	struct sigaction fault;
	cd_fatal_action(&fault);
	cd_guard_use_action(&fault);
	if (cd_quit_install(&why) < 0)
		return why;
	if (cd_fatal_install() < 0)
		return "cannot install the fatal signal handlers";
	if (cd_asked_install() < 0)
		return "cannot install the CRASHDUMP_DUMP_ON handlers";
	if (cd_cfg.watchdog_ms > 0 && cd_watchdog_arm() < 0)
		return "cannot create the watchdog timer";
	if (cd_cfg.deadlock_ms > 0 && cd_watch_start() < 0)
		return "cannot start the deadlock watch";
	return NULL;
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
	if (cd_cfg.disabled || passive())
		return;
	if ((why = prepare()) || (why = install())) {
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

__attribute__((constructor)) static void crashdump_constructor(void)
{
	cd_init();
}
