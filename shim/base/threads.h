/* threads.h - threads created through the pthread_create wrapper: their
 * records, from creation to exit, and after fork.
 * Context: normal context only. */
#ifndef CRASHDUMP_THREADS_H
#define CRASHDUMP_THREADS_H

#include <pthread.h>
#include <stdint.h>

/* Normal context only.  Creates the exit key; 0 or -1. */
int cd_threads_init(void);

/* Normal context only.  pthread_create with a record for the new thread
 * (created_by: the return address into the creator); without a record
 * (none left, or no key) the thread is created all the same. */
int cd_threads_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                      void *arg, uintptr_t created_by);

/* Normal context only (fork child, the registry's lock held): only the
 * forking thread's record is kept. */
void cd_threads_fork_child(void);

#endif
