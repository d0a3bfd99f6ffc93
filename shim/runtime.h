/* runtime.h - process-wide facts the library settles at load (and after
 * fork): our pid, the relay signal, the executable, libunwind's code range.
 * Context: written in normal context at load/fork; read AS-safe. */
#ifndef CRASHDUMP_RUNTIME_H
#define CRASHDUMP_RUNTIME_H

#include <stdint.h>
#include <sys/types.h>
#include "limits.h"

/* Variables written while the library loads share one section, placed by
 * the linker in the page the loader writes anyway (the end of .data and
 * the start of .bss): each other page touched at load is a page fault
 * that every process start pays. */
#define CD_HOT __attribute__((section(".data.cd_hot")))

struct cd_runtime {
	int active;              /* handlers installed, library armed */
	pid_t pid;               /* getpid() of the process we armed (reset by fork) */
	int relay_sig;           /* the real-time signal that carries relays and the watchdog */
	uintptr_t unwind_lo, unwind_hi; /* libunwind's mapping, see sigmask.c */
	int quit_installed;      /* our SIGQUIT handler is in place */
	const char *passive;     /* the runtime that owns the signals (Go, a JVM...), or NULL */
	const char *exe;         /* /proc/self/exe, read at the first dump ("" before) */
	const char *exe_base;    /* last component of exe, once read */
};

extern struct cd_runtime cd_rt;

/* Non-zero while this thread runs one of our handlers (initial-exec TLS:
 * no allocation on first access, safe in handlers). */
extern __thread int cd_tls_in_handler __attribute__((tls_model("initial-exec")));

/* The fatal signal this thread is writing a report for (0: none). */
extern __thread int cd_tls_dump_sig __attribute__((tls_model("initial-exec")));

/* Set while this thread, crashed, waits for another thread's report: its
 * answer to the relay is the stack of the fault, not of the wait. */
extern __thread void *cd_tls_crash_uc __attribute__((tls_model("initial-exec")));

/* AS-safe.  The kernel tid of the calling thread. */
pid_t cd_gettid(void);

/* AS-safe.  1 in a vfork child, which shares our memory and must not
 * touch our state (its pid is not the one we armed). */
int cd_vfork_child(void);

#endif
