/* view.h - a finished dump as the report writers read it: what started
 * it, each listed thread's slot, and the counts.  The dump fills it; the
 * writers read only this, never the dump's own state.
 * Context: plain data, read AS-safe. */
#ifndef CRASHDUMP_VIEW_H
#define CRASHDUMP_VIEW_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ucontext.h>

#include "base/bounds.h"

enum cd_reason { CD_REASON_SIGNAL, CD_REASON_WATCHDOG, CD_REASON_DEADLOCK };

/* What started a dump. */
struct cd_trigger {
	enum cd_reason reason;
	int signo;             /* CD_REASON_SIGNAL */
	const siginfo_t *info; /* CD_REASON_SIGNAL */
	ucontext_t *uc;        /* the coordinator's interrupted context */
	int fatal;             /* a fatal signal: registers and "crashed" are reported */
	int reraised;          /* the program's handler of this fault raised it again
	                          (info and uc are the fault's, not the raise's) */
	long held_ms;          /* CD_REASON_DEADLOCK: how long the watch saw the cycle */
};

enum cd_origin { CD_ORIGIN_MAIN, CD_ORIGIN_PTHREAD, CD_ORIGIN_FOREIGN };

/* Why a listed thread has no stack in the report. */
enum cd_missing {
	CD_DUMPED = 0,
	CD_MISSING_EXITED,       /* gone before or during the dump */
	CD_MISSING_ZOMBIE,       /* the main thread after pthread_exit */
	CD_MISSING_BLOCKS,       /* blocks the relay signal */
	CD_MISSING_STOPPED,      /* stopped or traced */
	CD_MISSING_NO_ANSWER,    /* signalled, did not answer before the deadline */
	CD_MISSING_INCOMPLETE,   /* began its answer, did not finish it */
	CD_MISSING_UNSIGNALLED,  /* the signal could not be queued */
	CD_MISSING_KERNEL_WORKER, /* the kernel's own thread in our group (io_uring) */
};

/* Why a stack is shorter than the thread's. */
enum cd_cut {
	CD_CUT_NONE = 0,
	CD_CUT_LIMIT,      /* more frames than CRASHDUMP_MAX_FRAMES */
	CD_CUT_UNWIND,     /* libunwind could not go on (unreadable frame) */
	CD_CUT_FAULT,      /* a fault while unwinding (corrupt stack) */
	CD_CUT_NO_STACK,   /* no stack of ours to unwind on: the pc alone */
};

/* Whether the listing holds every thread of the process. */
enum cd_listed {
	CD_LISTED_ALL = 0,
	CD_LISTED_LIMIT,      /* more threads than CD_MAX_TASKS */
	CD_LISTED_REGISTRY,   /* the kernel's list was unreadable: the registry's threads */
	CD_LISTED_NO_MEMORY,  /* no memory for more slots than those reserved at load */
};

/* What a thread waits for (README "Why each thread waits"). */
enum cd_wait_kind {
	CD_WAIT_NONE = 0,       /* running, or nothing known */
	CD_WAIT_MUTEX,
	CD_WAIT_RWLOCK,
	CD_WAIT_JOIN,
	CD_WAIT_CONDVAR,
	CD_WAIT_SEMAPHORE,
	CD_WAIT_FUTEX,          /* another futex */
	CD_WAIT_SYSCALL,        /* another blocking system call */
};

enum cd_thread_state { CD_STATE_UNKNOWN = 0, CD_STATE_RUNNING, CD_STATE_BLOCKED };

/* The wait of one thread: the raw facts its answer took from its
 * interrupted context, and what the coordinator decoded from them. */
struct cd_wait {
	int state;              /* enum cd_thread_state */
	long sysno;             /* the system call, -1 when not known */
	uint64_t arg[3];        /* rdi, rsi, rdx at the interruption */
	int64_t cpu_ns;         /* the thread's CPU time, -1 when not known */
	int kind;               /* enum cd_wait_kind, decoded */
	uintptr_t address;      /* the object waited on, 0 none */
	int fd;                 /* for a call on one descriptor, else -1 */
	pid_t owner;            /* 0: none known */
	int owner_slot;         /* with owner: its slot, -1 when it is not listed */
	int owner_alive;        /* with owner: a thread of the process still */
	int in_deadlock;        /* a member of a cycle of the wait-for graph */
};

/* One listed thread.  Followed in memory by pcs[frames], then
 * exact[frames] (frames: the view's). */
struct cd_slot {
	int state;             /* (round << 8) | phase, atomic; see dump/round.c */
	pid_t tid;
	int missing;           /* enum cd_missing */
	int origin;            /* enum cd_origin */
	int nframes;
	int cut;               /* enum cd_cut */
	int signalled;         /* received the signal that started the dump */
	int crashed;           /* received a fatal signal */
	uintptr_t created_by;  /* pthread origin: return address into the creator */
	char name[CD_NAME_LEN];
	struct cd_wait wait;
	int stack_id;          /* its group's rank, 1 the largest; 0 not dumped */
};

/* Dumped threads with the same frames and the same wait (kind, object):
 * members group_slots[first .. first + count), in tid order. */
struct cd_group {
	int first;
	int count;
};

struct cd_dump_view {
	const struct cd_trigger *trigger;
	pid_t pid;
	long long time;        /* seconds since the epoch */
	int listed;            /* threads listed, the report's "real" count */
	int listed_incomplete; /* enum cd_listed */
	int pooled;            /* registry records left by exited threads */
	int relayed;           /* threads sent the relay signal */
	int dumped;
	int max_frames;
	int64_t start_ns;      /* CLOCK_MONOTONIC at the start of the dump */
	/* The slots: nslots of them, stride bytes apart, slot 0 the
	 * signalled (or crashed) thread; each holds room for frames pcs. */
	char *slots;
	size_t stride;
	int nslots;
	int frames;
	/* The deadlocks: ndeadlocks cycles; cycle k is the slot indices
	 * cycle_slots[cycle_start[k] .. cycle_start[k + 1]), each thread
	 * waiting for the next, the last for the first. */
	int ndeadlocks;
	const int *cycle_start;
	const int *cycle_slots;
	/* The groups, largest first: groups[K - 1] is stack_id K. */
	int ngroups;
	const struct cd_group *groups;
	const int *group_slots;
};

static inline struct cd_slot *cd_view_slot(const struct cd_dump_view *v, int i)
{
	return (struct cd_slot *)(void *)(v->slots + (size_t)i * v->stride);
}

static inline uintptr_t *cd_slot_pcs(struct cd_slot *s)
{
	return (uintptr_t *)(void *)(s + 1);
}

static inline uint8_t *cd_slot_exact(struct cd_slot *s, int frames)
{
	return (uint8_t *)(cd_slot_pcs(s) + frames);
}

#endif
