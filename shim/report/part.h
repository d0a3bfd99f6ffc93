/* part.h - inside report/: the two writers (the text report of README
 * "Reports", and JSON "crashdump/1"), and what they share: parts written
 * under a fault guard, registers, elapsed time.
 * Context: AS-safe (called by the dump coordinator in a signal handler). */
#ifndef CRASHDUMP_PART_H
#define CRASHDUMP_PART_H

#include "report/view.h"
#include "base/out.h"

/* AS-safe.  Write the report of the dump in v, slot 0 being the
 * signalled thread. */
void cd_report_text(struct cd_out *o, const struct cd_dump_view *v);
void cd_report_json(struct cd_out *o, const struct cd_dump_view *v);

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

/* AS-safe.  Writes one part of a report, fn(o, v, arg), under a fault
 * guard; 0, or -1 when it faulted (its output is taken back when possible)
 * or too many parts have faulted already.  *faults counts faulted parts. */
int cd_report_part(struct cd_out *o, const struct cd_dump_view *v,
                   void (*fn)(struct cd_out *, const struct cd_dump_view *, int), int arg,
                   int *faults);

#endif
