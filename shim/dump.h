/* dump.h - the all-thread dump: one coordinator, one directed relay signal
 * per other live thread, one deadline, one writer.
 * Context: AS-safe (runs inside signal handlers, static and mmap'd memory). */
#ifndef CRASHDUMP_DUMP_H
#define CRASHDUMP_DUMP_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <ucontext.h>

enum cd_reason { CD_REASON_SIGNAL, CD_REASON_WATCHDOG };

/* What started a dump. */
struct cd_trigger {
	enum cd_reason reason;
	int signo;             /* CD_REASON_SIGNAL */
	const siginfo_t *info; /* CD_REASON_SIGNAL */
	ucontext_t *uc;        /* the coordinator's interrupted context */
	int fatal;             /* a fatal signal: registers and "crashed" are reported */
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

/* One listed thread.  Followed in memory by pcs[max_frames], then
 * exact[max_frames]. */
struct cd_slot {
	int state;             /* (round << 8) | phase, atomic; see dump.c */
	pid_t tid;
	int missing;           /* enum cd_missing */
	int origin;            /* enum cd_origin */
	int nframes;
	int cut;               /* enum cd_cut */
	int signalled;         /* received the signal that started the dump */
	int crashed;           /* received a fatal signal */
	uintptr_t created_by;  /* pthread origin: return address into the creator */
	char name[16];
};

/* Whether the listing holds every thread of the process. */
enum cd_listed {
	CD_LISTED_ALL = 0,
	CD_LISTED_LIMIT,      /* more threads than CD_MAX_TASKS */
	CD_LISTED_REGISTRY,   /* the kernel's list was unreadable: the registry's threads */
	CD_LISTED_NO_MEMORY,  /* no memory for more slots than those reserved at load */
};

/* A finished dump, as the report writers see it. */
struct cd_dump_view {
	const struct cd_trigger *trigger;
	pid_t pid;
	long long time;        /* seconds since the epoch */
	int listed;            /* tids the kernel listed (threads_real) */
	int listed_incomplete; /* enum cd_listed */
	int pooled;            /* registry records left by exited threads */
	int relayed;           /* threads sent the relay signal */
	int dumped;
	int max_frames;
	int64_t start_ns;      /* CLOCK_MONOTONIC at the start of the dump */
};

/* Normal context only (load).  Reserves the slots of a dump that finds no
 * memory; 0 or -1. */
int cd_dump_prepare(void);

/* AS-safe.  Slot i (0 is the coordinator) of the last dump. */
struct cd_slot *cd_slot_at(int i);
uintptr_t *cd_slot_pcs(struct cd_slot *s);
uint8_t *cd_slot_exact(struct cd_slot *s);

/* AS-safe.  Runs a whole dump and writes its report.  The caller owns the
 * dump (cd_dump_claim succeeded). */
void cd_dump(const struct cd_trigger *t);

/* AS-safe.  Claims the right to coordinate a dump for the calling thread:
 * 1 claimed, 0 another thread is dumping, -1 this thread already is. */
int cd_dump_claim(pid_t self);
void cd_dump_release(void);

/* AS-safe.  1 when info is one of our relays (not the application's own
 * use of the relay signal's number). */
int cd_dump_is_relay(const siginfo_t *info);

/* AS-safe.  The relay handler's work: answer the coordinator's request
 * carried in info, a relay (stale requests are ignored). */
void cd_dump_answer(const siginfo_t *info, ucontext_t *uc);

/* AS-safe.  A thread that crashes after it answered the current round
 * replaces its answer with the stack of its fault, marked crashed, while
 * the coordinator has not begun to read the answers; 1 when it did. */
int cd_dump_crashed_late(pid_t self, ucontext_t *uc);

/* Normal context only (fork child): forget any dump in progress. */
void cd_dump_after_fork(void);

#endif
