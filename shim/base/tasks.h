/* tasks.h - the kernel's view of this process's threads (/proc/self/task,
 * and the count in /proc/self/status).
 * Context: AS-safe (raw open/read/getdents64/close, static or caller memory). */
#ifndef CRASHDUMP_TASKS_H
#define CRASHDUMP_TASKS_H

#include <stdint.h>
#include <sys/types.h>

#include "base/bounds.h"

/* AS-safe.  Lists the tids of this process into tids[0..max); returns how
 * many were listed (at most max; *more is set when some did not fit), or
 * -1 when /proc/self/task cannot be read. */
int cd_tasks_list(pid_t *tids, int max, int *more);

/* AS-safe.  The kernel's count of this process's threads (the Threads:
 * line of /proc/self/status), or -1. */
int cd_tasks_count(void);

struct cd_task_status {
	char state;            /* 'R', 'S', 'D', 'T', 't', 'Z', 'X'; 0 when gone */
	uint64_t sigblk;       /* blocked signals, bit (sig-1) */
	uint64_t sigpnd;       /* signals pending for this thread, bit (sig-1) */
	int kernel_worker;     /* a thread the kernel runs in our group (io_uring's
	                          workers): it never runs a signal handler */
	char name[CD_NAME_LEN];
};

/* AS-safe.  Reads /proc/self/task/TID/status and stat: 0, -1 when the
 * thread is gone, -2 when it cannot be told (no /proc mounted, no
 * descriptor left, the open refused): *st is then empty. */
int cd_task_status(pid_t tid, struct cd_task_status *st);

/* AS-safe.  What /proc/self/task/TID/syscall says: 1 with the system call
 * the thread sleeps in and its first nargs (at most 6) arguments, 0 when
 * it is not in one, -1 when that cannot be read (gone, or no /proc). */
int cd_task_syscall(pid_t tid, long *nr, uint64_t *args, int nargs);

#endif
