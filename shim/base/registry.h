/* registry.h - records of the threads created through pthread_create:
 * who created them, and a bounded pool of records left by exited threads.
 * Context: changed in normal context only (under a mutex); read AS-safe. */
#ifndef CRASHDUMP_REGISTRY_H
#define CRASHDUMP_REGISTRY_H

#include <stdint.h>
#include <sys/types.h>

enum cd_rec_state {
	CD_REC_FREE = 0,   /* in the pool (never used, or its thread has exited) */
	CD_REC_STARTING,   /* pthread_create called, thread not yet running */
	CD_REC_ALIVE,      /* running our trampoline or the start routine */
};

struct cd_record {
	pid_t tid;                 /* kernel tid while ALIVE, else 0 (atomic) */
	pid_t last_tid;            /* tid of the thread that released it (exiting or gone) */
	int state;                 /* enum cd_rec_state (atomic) */
	uintptr_t created_by;      /* return address of the pthread_create call */
	void *(*start)(void *);
	void *arg;
	int next_free;             /* pool link, index or -1 */
	int used;                  /* 1 once some thread has used it (pooled when free) */
};

/* Normal context only.  A record for a thread about to be created, or NULL
 * when all CD_MAX_RECORDS are in use (the thread is then created without
 * one and reported as foreign). */
struct cd_record *cd_registry_alloc(void);

/* Normal context only.  Returns a record to the pool (its thread has exited
 * or was never created). */
void cd_registry_release(struct cd_record *r);

/* Normal context only (fork child).  Forgets every record except `keep`
 * (the forking thread's own, may be NULL): the child starts clean. */
void cd_registry_after_fork(struct cd_record *keep);
void cd_registry_lock(void);
void cd_registry_unlock(void);

/* AS-safe.  Records left by threads that have exited (the pool). */
int cd_registry_pooled(void);

/* AS-safe.  Number of record slots ever handed out (iterate 0..n-1). */
int cd_registry_extent(void);
struct cd_record *cd_registry_at(int i);

#endif
