/* sink.h - where a report goes: stderr, an inherited fd, or a new file.
 * Context: AS-safe (called by the dump coordinator inside a signal handler). */
#ifndef CRASHDUMP_SINK_H
#define CRASHDUMP_SINK_H

#include "base/config.h"

struct cd_sink {
	int fd;          /* where to write the report */
	int owned;       /* 1: a file we created; close it after the report */
	char path[CD_PATH_LEN]; /* the file created, when owned */
	char why[256];   /* when a file could not be created: one line saying why
	                    (without "\n"), to be written before the report; else "" */
};

/* AS-safe.  Opens the report destination for a report made now:
 * expands the template (%p pid, %t seconds since the epoch, %e executable
 * base name `exe_base`, %% percent) and creates the file with
 * O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600; when the name
 * exists, tries NAME.1, NAME.2 ... (CD_FILE_TRIES); when it cannot create
 * one, falls back to stderr (fd 2) and fills `why`. */
void cd_sink_open(const struct cd_config *cfg, const char *exe_base, struct cd_sink *sink);

/* AS-safe.  Closes what cd_sink_open opened. */
void cd_sink_close(struct cd_sink *sink);

#endif
