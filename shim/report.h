/* report.h - the text (contract section 4) and JSON (section 5) reports.
 * Context: AS-safe (called by the dump coordinator in a signal handler). */
#ifndef CRASHDUMP_REPORT_H
#define CRASHDUMP_REPORT_H

#include "dump.h"
#include "out.h"

/* AS-safe.  Write the report of the dump in v, whose slots are
 * cd_slot_at(0..nslots-1), slot 0 being the signalled thread. */
void cd_report_text(struct cd_out *o, const struct cd_dump_view *v, int nslots);
void cd_report_json(struct cd_out *o, const struct cd_dump_view *v, int nslots);

/* AS-safe.  Shared by both writers. */
struct cd_reg {
	const char *name;
	unsigned long long value;
};
/* Fills regs (room for 24) from the signalled thread's context; returns
 * how many. */
int cd_report_registers(const struct cd_dump_view *v, struct cd_reg *regs);
/* Elapsed time since the dump started, in microseconds. */
long long cd_report_elapsed_us(const struct cd_dump_view *v);

/* Parts that may fault before a report gives up on the rest. */
#define CD_MAX_FAULTED_PARTS 3

/* AS-safe.  Writes one part of a report, fn(o, v, arg), under a fault
 * guard; 0, or -1 when it faulted (its output is taken back when possible)
 * or too many parts have faulted already.  *faults counts faulted parts. */
int cd_report_part(struct cd_out *o, const struct cd_dump_view *v,
                   void (*fn)(struct cd_out *, const struct cd_dump_view *, int), int arg,
                   int *faults);

#endif
