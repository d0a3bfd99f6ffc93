/* config.h - the library's configuration, read once from the environment.
 * Context: filled in normal context at load; only read afterwards (AS-safe). */
#ifndef CRASHDUMP_CONFIG_H
#define CRASHDUMP_CONFIG_H

#include <stdint.h>
#include "base/bounds.h"

enum cd_format { CD_FORMAT_TEXT, CD_FORMAT_JSON };
enum cd_output { CD_OUTPUT_STDERR, CD_OUTPUT_FD, CD_OUTPUT_FILE };

struct cd_config {
	int disabled;                 /* CRASHDUMP_DISABLE=1 */
	enum cd_output output;        /* CRASHDUMP_OUTPUT */
	int output_fd;                /* with CD_OUTPUT_FD */
	const char *output_template;  /* with CD_OUTPUT_FILE: absolute, %-codes unexpanded */
	enum cd_format format;        /* CRASHDUMP_FORMAT */
	uint64_t fatal_signals;       /* CRASHDUMP_SIGNALS: bit (1 << signo) per handled signal */
	uint64_t dump_on;             /* CRASHDUMP_DUMP_ON: the same, signals dumped on, then
	                                 given their own course */
	int quit_continue;            /* CRASHDUMP_ON_QUIT=continue */
	long watchdog_ms;             /* CRASHDUMP_WATCHDOG, 0 = off */
	long deadlock_ms;             /* CRASHDUMP_DEADLOCK_WATCH, 0 = off */
	int deadlock_abort;           /* with ",abort": end by SIGABRT after the report */
	long timeout_ms;              /* CRASHDUMP_TIMEOUT_MS */
	int max_frames;               /* CRASHDUMP_MAX_FRAMES, 1..CD_MAX_FRAMES */
};

extern struct cd_config cd_cfg;

/* Normal context only.  Fills *cfg from the environment; every bad value
 * prints one line "libcrashdump: warning: CRASHDUMP_X=...: <why>; using
 * <default>" on stderr and takes the default.  Relative report paths are
 * made absolute against the working directory at load; in a program with
 * raised privileges (AT_SECURE) the file template is ignored.  Never fails. */
void cd_config_load(struct cd_config *cfg);

/* Normal context only.  A set variable that this process cannot honour:
 * the same warning line as for a bad value ("...: WHY; using DFLT"). */
void cd_config_refuse(const char *var, const char *dflt, const char *why);

#endif
