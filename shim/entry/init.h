/* init.h - arming the library once per process, whoever comes first: our
 * constructor, or a pthread_create from another library's constructor.
 * Context: normal context only. */
#ifndef CRASHDUMP_INIT_H
#define CRASHDUMP_INIT_H

/* Normal context only.  Idempotent and thread-safe; returns cd_rt.active. */
int cd_init(void);

#endif
