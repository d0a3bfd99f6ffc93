/* handlers.h - installing the library's signal handlers.
 * Context: installation in normal context; the handlers themselves are AS-safe. */
#ifndef CRASHDUMP_HANDLERS_H
#define CRASHDUMP_HANDLERS_H

/* Normal context only.  Picks the relay signal and installs the relay and
 * SIGQUIT handlers (and arms the watchdog).  0, or -1 with *why set. */
int cd_handlers_install(const char **why);

/* Normal context only (fork child): the watchdog timer is not inherited. */
void cd_handlers_after_fork(void);

#endif
