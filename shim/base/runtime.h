/* runtime.h - process-wide facts the library settles at load (and after
 * fork): our pid, the relay signal, libunwind's code range, the runtime
 * that owns the signals; the executable's path; and every thread-local
 * variable of the library, in one struct.
 * Context: cd_rt written in normal context at load and fork, read AS-safe;
 * each cd_tls member is its own thread's; every function AS-safe. */
#ifndef CRASHDUMP_RUNTIME_H
#define CRASHDUMP_RUNTIME_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Variables written while the library loads share one section, placed by
 * the linker in the page the loader writes anyway (the end of .data and
 * the start of .bss): each other page touched at load is a page fault
 * that every process start pays. */
#define CD_HOT __attribute__((section(".data.cd_hot")))

struct cd_runtime {
	int active;              /* handlers installed, library armed */
	pid_t pid;               /* getpid() of the process we armed (reset by fork) */
	int relay_sig;           /* the real-time signal that carries relays and the watchdog */
	uintptr_t unwind_lo, unwind_hi; /* libunwind's mapping, see entry/sigmask.c */
	const char *passive;     /* the language runtime that owns the signals (Go, a
	                            JVM...), or NULL: then nothing is installed */
	pid_t watch_tid;         /* the deadlock watch's own thread (entry/watch.c), 0
	                            none: never listed, never signalled */
};

extern struct cd_runtime cd_rt;

struct cd_walk;
struct cd_app_call;

/* One thread's state.  Initial-exec TLS: no allocation on first access,
 * so any member may be read or written in a signal handler. */
struct cd_thread {
	/* entry/on_quit.c, entry/on_fatal.c, dump/ */
	int in_handler;          /* inside our SIGQUIT or relay handler (not the
	                            application's code that ours may call):
	                            entry/sigmask.c passes mask calls through */
	int dump_sig;            /* this thread coordinates a dump, started by this
	                            signal (-1: the watchdog); 0 none */
	int dying_sig;           /* the fatal signal whose report this thread writes */
	void *crash_uc;          /* crashed while another thread dumps: its answer is
	                            this context's stack */
	struct cd_app_call *app_call; /* the fault whose application handler runs here
	                            (entry/on_fatal.c), in that call's frame */
	uintptr_t app_call_token; /* what that frame holds while it is live */
	/* dump/unwind.c and entry/sigmask.c: the quiet walk */
	int mask_quiet;          /* the handler's mask blocks the quiet set already */
	int walk_quiet;          /* inside a walk whose mask is quiet */
	int walk_locks;          /* libunwind's locked sections entered in this walk */
	int walk_mask_blocked;   /* the walk changed the mask, saved in walk_mask */
	sigset_t walk_mask;
	struct cd_walk *walk;    /* the walk in progress */
	/* base/guard.c */
	sigjmp_buf *guard;       /* the innermost fault guard */
	/* base/ownstack.c and base/altstack.c: the stacks of ours */
	uintptr_t own_lo, own_hi; /* this thread's stack of ours, 0 none */
	int own_busy;            /* work of ours runs on it, switched there */
	int altstack_ours;       /* the kernel's alternate stack is that stack */
	int stack_bound;         /* bound to this glibc thread (base/altstack.c) */
	int app_has_stack;       /* the program's own alternate stack, as it set it */
	stack_t app_stack;
};

extern __thread struct cd_thread cd_tls __attribute__((tls_model("initial-exec")));

/* AS-safe.  The kernel tid of the calling thread. */
pid_t cd_gettid(void);

/* AS-safe.  1 in a vfork child, which shares our memory and must not
 * touch our state (its pid is not the one we armed). */
int cd_vfork_child(void);

/* AS-safe.  The executable's path, read once (at the first report, not at
 * load): /proc/self/exe without the " (deleted)" of a file deleted since
 * exec; without /proc, the name it was started by; else "?". */
const char *cd_exe_path(void);
/* Its last component. */
const char *cd_exe_base(void);

#endif
