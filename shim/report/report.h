/* report.h - a finished dump (report/view.h) to bytes on a descriptor: the
 * destination, the buffer, the format.
 * Context: AS-safe (called by the dump coordinator in a signal handler). */
#ifndef CRASHDUMP_REPORT_H
#define CRASHDUMP_REPORT_H

#include "report/view.h"

/* AS-safe.  Writes v's report where CRASHDUMP_OUTPUT says, in
 * CRASHDUMP_FORMAT: a new file, a descriptor, stderr after one line saying
 * why a file could not be made. */
void cd_report_write(const struct cd_dump_view *v);

#endif
