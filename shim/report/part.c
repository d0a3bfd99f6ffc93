/* part.c - what both report writers share: parts written under a fault
 * guard, registers, elapsed time.
 * Context: AS-safe (runs in the dump coordinator's signal handler). */
#include "report/part.h"
#include "base/guard.h"

#include <sys/ucontext.h>

struct part_job {
	void (*fn)(struct cd_out *, const struct cd_dump_view *, int);
	struct cd_out *o;
	const struct cd_dump_view *v;
	int arg;
};

static void part_step(void *p)
{
	struct part_job *j = p;
	j->fn(j->o, j->v, j->arg);
}

/* A part that faults (corrupt memory under a name or a module) is taken
 * back out of the buffer, so the report stays well-formed, and the caller
 * writes a note in its place.  After CD_MAX_FAULTED_PARTS the rest of the
 * report is given up: the trailer still comes. */
int cd_report_part(struct cd_out *o, const struct cd_dump_view *v,
                   void (*fn)(struct cd_out *, const struct cd_dump_view *, int), int arg,
                   int *faults)
{
	if (*faults >= CD_MAX_FAULTED_PARTS)
		return -1;
	if (o->len > o->cap / 2)
		cd_out_flush(o);
	struct part_job j = { fn, o, v, arg };
	o->in_part = 1;
	o->part_start = o->len;
	o->part_flushed = 0;
	int rc = cd_guarded(part_step, &j);
	o->in_part = 0;
	if (rc < 0) {
		++*faults;
		if (!o->part_flushed)
			o->len = o->part_start;
	}
	return rc;
}

long long cd_report_elapsed_us(const struct cd_dump_view *v)
{
	return (cd_now_ns() - v->start_ns) / 1000;
}

int cd_report_registers(const struct cd_dump_view *v, struct cd_reg *regs)
{
	static const struct {
		const char *name;
		int index;
	} order[] = {
		{ "rax", REG_RAX }, { "rbx", REG_RBX }, { "rcx", REG_RCX }, { "rdx", REG_RDX },
		{ "rsi", REG_RSI }, { "rdi", REG_RDI }, { "rbp", REG_RBP }, { "rsp", REG_RSP },
		{ "r8", REG_R8 }, { "r9", REG_R9 }, { "r10", REG_R10 }, { "r11", REG_R11 },
		{ "r12", REG_R12 }, { "r13", REG_R13 }, { "r14", REG_R14 }, { "r15", REG_R15 },
		{ "rip", REG_RIP }, { "rflags", REG_EFL }, { "err", REG_ERR },
		{ "trapno", REG_TRAPNO }, { "cr2", REG_CR2 },
	};
	const ucontext_t *uc = v->trigger->uc;
	int n = 0;
	if (!uc)
		return 0;
	for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) {
		regs[n].name = order[i].name;
		regs[n].value = (unsigned long long)uc->uc_mcontext.gregs[order[i].index];
		n++;
	}
	return n;
}

