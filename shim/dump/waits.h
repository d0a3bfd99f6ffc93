/* waits.h - why each thread waits: the object, its owner, and the
 * deadlocks of the wait-for graph, decoded from the answers (dump/ only).
 * Context: AS-safe (the dump coordinator, after the round has closed). */
#ifndef CRASHDUMP_WAITS_H
#define CRASHDUMP_WAITS_H

#include "report/view.h"

/* AS-safe.  Decodes each dumped thread's wait (lock memory read under the
 * fault probe) and finds every cycle of the wait-for graph into v. */
void cd_waits_decode(struct cd_dump_view *v);

/* AS-safe.  The owner of the glibc mutex at m that a thread waits on with
 * futex operation futex_op, as its memory names it (the lock word for a
 * priority-inheriting or robust one, __owner else), 0 when none: read32
 * reads one word, or fails (-1) where the memory cannot be read. */
pid_t cd_mutex_owner(uintptr_t m, long futex_op, int (*read32)(uintptr_t, uint32_t *));

/* AS-safe.  Every cycle of a graph of n nodes where node i's one edge
 * goes to succ[i] (-1: none): returns how many; cycle k is members
 * [starts[k] .. starts[k + 1]).  marks: room for n. */
int cd_cycles_find(const int *succ, int n, int *marks, int *starts, int *members);

#endif
