/* report_text.c - the human-readable report (contract section 4).
 * Context: AS-safe (runs in the dump coordinator's signal handler). */
#include "report.h"
#include "config.h"
#include "runtime.h"
#include "signames.h"
#include "symbols.h"
#include "unwind.h"

#include <sys/ucontext.h>

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

/* "name+0xoff (module+0xoff)" for one address. */
static void where(struct cd_out *o, uintptr_t pc, int is_return)
{
	struct cd_frame_info fi;
	cd_symbolize(pc, is_return, &fi);
	if (fi.function) {
		cd_out_str(o, fi.function);
		cd_out_char(o, '+');
		cd_out_hex(o, fi.offset);
	} else {
		cd_out_str(o, "??");
	}
	cd_out_str(o, " (");
	if (fi.module) {
		cd_out_str(o, fi.module);
		cd_out_char(o, '+');
		cd_out_hex(o, fi.module_offset);
	} else {
		cd_out_str(o, "??");
	}
	cd_out_char(o, ')');
}

static void first_line(struct cd_out *o, const struct cd_dump_view *v)
{
	const struct cd_trigger *t = v->trigger;
	cd_out_str(o, "crashdump: ");
	if (t->reason == CD_REASON_WATCHDOG) {
		cd_out_str(o, "watchdog after ");
		cd_out_udec(o, (unsigned long long)(cd_cfg.watchdog_ms / 1000));
		cd_out_char(o, '.');
		cd_out_udec(o, (unsigned long long)(cd_cfg.watchdog_ms % 1000 / 100));
		cd_out_str(o, " s");
	} else {
		const char *name = cd_signal_name(t->signo);
		const char *code = cd_sicode_name(t->signo, t->info->si_code);
		if (name)
			cd_out_str(o, name);
		else {
			cd_out_str(o, "signal ");
			cd_out_dec(o, t->signo);
		}
		cd_out_str(o, " (");
		if (code)
			cd_out_str(o, code);
		else
			cd_out_dec(o, t->info->si_code);
		if (cd_signal_has_address(t->signo, t->info->si_code)) {
			cd_out_str(o, ", address ");
			cd_out_hex(o, (uintptr_t)t->info->si_addr);
		}
		cd_out_char(o, ')');
	}
	cd_out_str(o, " in pid ");
	cd_out_dec(o, v->pid);
	cd_out_str(o, " (");
	cd_out_str(o, cd_rt.exe_base);
	cd_out_char(o, ')');
	if (t->reason == CD_REASON_SIGNAL && cd_sicode_has_sender(t->info->si_code)) {
		cd_out_str(o, ", sent by pid ");
		cd_out_dec(o, t->info->si_pid);
	}
	cd_out_eol(o);
}

static void thread_header(struct cd_out *o, struct cd_slot *s)
{
	static const char *const origins[] = { "main", "pthread", "foreign" };
	cd_out_str(o, "thread ");
	cd_out_dec(o, s->tid);
	cd_out_str(o, " \"");
	cd_out_str(o, s->name);
	cd_out_str(o, "\" (");
	cd_out_str(o, origins[s->origin]);
	if (s->created_by) {
		cd_out_str(o, ", created by ");
		where(o, s->created_by, 1);
	}
	cd_out_char(o, ')');
	if (s->signalled || s->crashed) {
		cd_out_str(o, " [");
		cd_out_str(o, s->signalled ? "signalled" : "");
		cd_out_str(o, s->signalled && s->crashed ? ", " : "");
		cd_out_str(o, s->crashed ? "crashed" : "");
		cd_out_char(o, ']');
	}
	cd_out_eol(o);
}

static void frames(struct cd_out *o, const struct cd_dump_view *v, struct cd_slot *s)
{
	uintptr_t *pcs = cd_slot_pcs(s);
	uint8_t *exact = cd_slot_exact(s);
	for (int k = 0; k < s->nframes; k++) {
		cd_out_char(o, '#');
		cd_out_dec(o, k);
		cd_out_char(o, ' ');
		cd_out_hex(o, pcs[k]);
		cd_out_char(o, ' ');
		where(o, pcs[k], !exact[k]);
		cd_out_eol(o);
	}
	if (s->cut == CD_CUT_LIMIT) {
		cd_out_str(o, "(truncated: frame limit ");
		cd_out_dec(o, v->max_frames);
		cd_out_char(o, ')');
		cd_out_eol(o);
	} else if (s->cut != CD_CUT_NONE) {
		cd_out_str(o, s->cut == CD_CUT_FAULT ? "(truncated: fault while unwinding)"
		                                     : "(truncated: unreadable frame)");
		cd_out_eol(o);
	}
}

void cd_report_text(struct cd_out *o, const struct cd_dump_view *v, int nslots)
{
	char date[32];
	first_line(o, v);

	cd_out_str(o, "crashdump: executable ");
	cd_out_str(o, cd_rt.exe);
	cd_out_str(o, ", ");
	cd_out_mem(o, date, cd_fmt_utc(date, v->time));
	cd_out_eol(o);

	cd_out_str(o, "crashdump: threads: ");
	cd_out_dec(o, v->listed);
	cd_out_str(o, " real, ");
	cd_out_dec(o, v->pooled);
	cd_out_str(o, " pooled, ");
	cd_out_dec(o, v->relayed);
	cd_out_str(o, " relayed");
	cd_out_eol(o);
	if (v->listed_more) {
		cd_out_str(o, "crashdump: more threads than the listing limit; only the first are reported");
		cd_out_eol(o);
	}

	for (int i = 0; i < nslots; i++) {
		struct cd_slot *s = cd_slot_at(i);
		if (s->missing != CD_DUMPED)
			continue;
		cd_out_eol(o);
		thread_header(o, s);
		if (i == 0 && v->trigger->fatal) {
			struct cd_reg regs[24];
			int n = cd_report_registers(v, regs);
			for (int r = 0; r < n; r++) {
				if (r % 6 == 0)
					cd_out_str(o, "registers:");
				cd_out_char(o, ' ');
				cd_out_str(o, regs[r].name);
				cd_out_char(o, ' ');
				cd_out_hex(o, regs[r].value);
				if (r % 6 == 5 || r == n - 1)
					cd_out_eol(o);
			}
		}
		frames(o, v, s);
	}

	int blank = 0;
	for (int i = 0; i < nslots; i++) {
		struct cd_slot *s = cd_slot_at(i);
		if (s->missing == CD_DUMPED)
			continue;
		if (!blank++)
			cd_out_eol(o);
		cd_out_str(o, "missing thread ");
		cd_out_dec(o, s->tid);
		cd_out_str(o, " \"");
		cd_out_str(o, s->name);
		cd_out_str(o, "\": ");
		cd_out_str(o, cd_missing_reason(s->missing));
		cd_out_eol(o);
	}

	cd_out_eol(o);
	for (int m = 0; m < cd_symbols_module_count(); m++) {
		const char *path, *build_id;
		uintptr_t base;
		cd_symbols_module(m, &path, &base, &build_id);
		cd_out_str(o, "module ");
		cd_out_str(o, path);
		cd_out_char(o, ' ');
		cd_out_hex(o, base);
		cd_out_char(o, ' ');
		cd_out_str(o, build_id ? build_id : "-");
		cd_out_eol(o);
	}

	long long us = cd_report_elapsed_us(v);
	cd_out_str(o, "crashdump: ");
	cd_out_dec(o, v->dumped);
	cd_out_str(o, " of ");
	cd_out_dec(o, v->listed);
	cd_out_str(o, " threads dumped in ");
	cd_out_dec(o, us / 1000);
	cd_out_char(o, '.');
	cd_out_dec(o, us / 100 % 10);
	cd_out_str(o, " ms");
	cd_out_eol(o);
}
