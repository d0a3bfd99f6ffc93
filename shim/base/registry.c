/* registry.c - a fixed array of thread records with a free list (the pool).
 * Context: alloc/release in normal context under a mutex; counters and
 * records are read lock-free by the dump (AS-safe readers). */
#include "base/registry.h"
#include "base/bounds.h"

#include <pthread.h>

static struct cd_record records[CD_MAX_RECORDS];
static int extent;      /* records[0..extent) have been handed out at least once */
static int free_head = -1;
static int pooled;      /* free and used once */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void cd_registry_lock(void)
{
	pthread_mutex_lock(&lock);
}

void cd_registry_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

struct cd_record *cd_registry_alloc(void)
{
	struct cd_record *r = NULL;
	pthread_mutex_lock(&lock);
	if (free_head >= 0) {
		r = &records[free_head];
		free_head = r->next_free;
		if (r->used)
			__atomic_sub_fetch(&pooled, 1, __ATOMIC_RELAXED);
	} else if (extent < CD_MAX_RECORDS) {
		r = &records[extent];
		__atomic_store_n(&extent, extent + 1, __ATOMIC_RELEASE);
	}
	if (r) {
		r->used = 1;
		r->next_free = -1;
		__atomic_store_n(&r->state, CD_REC_STARTING, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void cd_registry_release(struct cd_record *r)
{
	pthread_mutex_lock(&lock);
	__atomic_store_n(&r->last_tid, r->tid, __ATOMIC_RELEASE);
	__atomic_store_n(&r->tid, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&r->state, CD_REC_FREE, __ATOMIC_RELEASE);
	r->next_free = free_head;
	free_head = (int)(r - records);
	__atomic_add_fetch(&pooled, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
}

/* Runs in the child after fork, single-threaded, with the lock taken by the
 * prepare handler: the parent's other threads do not exist here. */
void cd_registry_after_fork(struct cd_record *keep)
{
	free_head = -1;
	pooled = 0;
	for (int i = extent - 1; i >= 0; i--) {
		struct cd_record *r = &records[i];
		if (r == keep)
			continue;
		r->tid = 0;
		r->last_tid = 0;
		r->state = CD_REC_FREE;
		r->used = 0;
		r->next_free = free_head;
		free_head = i;
	}
}

int cd_registry_pooled(void)
{
	return __atomic_load_n(&pooled, __ATOMIC_RELAXED);
}

int cd_registry_extent(void)
{
	return __atomic_load_n(&extent, __ATOMIC_ACQUIRE);
}

struct cd_record *cd_registry_at(int i)
{
	return &records[i];
}
