/* text.c - the human-readable report (README "What you get").
 * Context: AS-safe (runs in the dump coordinator's signal handler). */
#include "report/part.h"
#include "base/config.h"
#include "base/runtime.h"
#include "report/names.h"
#include "base/sigtab.h"
#include "symbols/symbols.h"


/* "name+0xoff", or "??" when the name is unknown. */
static void name_plus(struct cd_out *o, const char *name, uintptr_t off)
{
	if (!name) {
		cd_out_str(o, "??");
		return;
	}
	cd_out_text(o, name);
	cd_out_char(o, '+');
	cd_out_hex(o, off);
}

/* "name+0xoff (module+0xoff)" for one address. */
static void where(struct cd_out *o, uintptr_t pc, int is_return)
{
	struct cd_frame_info fi;
	cd_symbolize(pc, is_return, &fi);
	name_plus(o, fi.function, fi.offset);
	cd_out_str(o, " (");
	name_plus(o, fi.module, fi.module_offset);
	cd_out_char(o, ')');
}

static void first_line(struct cd_out *o, const struct cd_dump_view *v)
{
	const struct cd_trigger *t = v->trigger;
	cd_out_str(o, "crashdump: ");
	if (t->reason == CD_REASON_WATCHDOG || t->reason == CD_REASON_DEADLOCK) {
		long ms = t->reason == CD_REASON_WATCHDOG ? cd_cfg.watchdog_ms : t->held_ms;
		cd_out_str(o, t->reason == CD_REASON_WATCHDOG ? "watchdog after " : "deadlock for ");
		cd_out_udec(o, (unsigned long long)(ms / 1000));
		cd_out_char(o, '.');
		cd_out_udec(o, (unsigned long long)(ms % 1000 / 100));
		cd_out_str(o, " s");
	} else {
		const char *name = cd_sig_name(t->signo);
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
	cd_out_text(o, cd_exe_base());
	cd_out_char(o, ')');
	if (t->reason == CD_REASON_SIGNAL && cd_sicode_has_sender(t->info->si_code)) {
		cd_out_str(o, ", sent by pid ");
		cd_out_dec(o, t->info->si_pid);
	}
	if (t->reraised)
		cd_out_str(o, ", raised again by the program's handler");
	cd_out_eol(o);
}

/* 'TID "NAME"': how every line of the report names a thread. */
static void tid_name(struct cd_out *o, pid_t tid, const char *name)
{
	cd_out_dec(o, tid);
	cd_out_str(o, " \"");
	cd_out_text(o, name);
	cd_out_char(o, '"');
}

static void thread_header(struct cd_out *o, struct cd_slot *s)
{
	cd_out_str(o, "thread ");
	tid_name(o, s->tid, s->name);
	cd_out_str(o, " (");
	cd_out_str(o, cd_origin_name(s->origin));
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
	uint8_t *exact = cd_slot_exact(s, v->frames);
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
		cd_out_str(o, s->cut == CD_CUT_FAULT      ? "(truncated: fault while unwinding)"
		              : s->cut == CD_CUT_NO_STACK ? "(truncated: no stack to unwind on)"
		                                          : "(truncated: unreadable frame)");
		cd_out_eol(o);
	}
}

static void part_head(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	char date[32];
	(void)unused;
	first_line(o, v);

	cd_out_str(o, "crashdump: executable ");
	cd_out_text(o, cd_exe_path());
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
	static const char *const incomplete[] = {
		[CD_LISTED_LIMIT] = "more threads than the listing limit; only the first are reported",
		[CD_LISTED_REGISTRY] = "the kernel's thread list could not be read; only main and "
		                       "the threads made by pthread_create are reported",
		[CD_LISTED_NO_MEMORY] = "no memory for more threads; only the first are reported",
	};
	if (v->listed_incomplete != CD_LISTED_ALL) {
		cd_out_str(o, "crashdump: threads listed incomplete: ");
		cd_out_str(o, incomplete[v->listed_incomplete]);
		cd_out_eol(o);
	}
}

/* What a thread waits on, in a word: the primitive, or for any other
 * system call its name. */
static const char *wait_word(const struct cd_wait *w)
{
	const char *call = w->sysno >= 0 ? cd_syscall_name(w->sysno) : NULL;
	if (w->kind && w->kind != CD_WAIT_SYSCALL)
		return cd_wait_kind_name(w->kind);
	return call ? call : "syscall";
}

#define SUMMARY_WORDS 24

/* "crashdump: summary: N threads: R running, B blocked (M mutex, P poll,
 * ...), U unknown, K missing, D deadlocks, S distinct stacks": what a person
 * reads first.  Words are static strings, told apart by address. */
static void part_summary(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	const char *words[SUMMARY_WORDS];
	int counts[SUMMARY_WORDS], nwords = 0, running = 0, blocked = 0, unknown = 0, missing = 0;
	(void)unused;
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		missing += s->missing != CD_DUMPED;
		if (s->wait.state == CD_STATE_RUNNING) {
			running++;
			continue;
		}
		if (s->wait.state != CD_STATE_BLOCKED) {
			unknown++;
			continue;
		}
		blocked++;
		const char *w = wait_word(&s->wait);
		int k = 0;
		while (k < nwords && words[k] != w)
			k++;
		if (k == nwords && nwords == SUMMARY_WORDS)
			w = "other", k = nwords - 1; /* the last word stands for the rest */
		if (k == nwords) {
			words[nwords] = w;
			counts[nwords++] = 0;
		}
		counts[k]++;
	}
	for (int a = 1; a < nwords; a++) /* most first; a few words: insertion */
		for (int b = a; b > 0 && counts[b] > counts[b - 1]; b--) {
			int c = counts[b];
			const char *w = words[b];
			counts[b] = counts[b - 1], words[b] = words[b - 1];
			counts[b - 1] = c, words[b - 1] = w;
		}
	cd_out_str(o, "crashdump: summary: ");
	cd_out_dec(o, v->nslots);
	cd_out_str(o, " threads: ");
	cd_out_dec(o, running);
	cd_out_str(o, " running, ");
	cd_out_dec(o, blocked);
	cd_out_str(o, " blocked");
	for (int k = 0; k < nwords; k++) {
		cd_out_str(o, k ? ", " : " (");
		cd_out_dec(o, counts[k]);
		cd_out_char(o, ' ');
		cd_out_str(o, words[k]);
	}
	cd_out_str(o, nwords ? ")" : "");
	if (unknown) {
		cd_out_str(o, ", ");
		cd_out_dec(o, unknown);
		cd_out_str(o, " unknown");
	}
	if (missing) {
		cd_out_str(o, ", ");
		cd_out_dec(o, missing);
		cd_out_str(o, " missing");
	}
	cd_out_str(o, ", ");
	cd_out_dec(o, v->ndeadlocks);
	cd_out_str(o, v->ndeadlocks == 1 ? " deadlock, " : " deadlocks, ");
	cd_out_dec(o, v->ngroups);
	cd_out_str(o, v->ngroups == 1 ? " distinct stack" : " distinct stacks");
	cd_out_eol(o);
}

static void part_registers(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	struct cd_reg regs[24];
	int n = cd_report_registers(v, regs);
	(void)unused;
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

/* ' held by thread TID "NAME"' (" (gone)" when it is no longer one). */
static void held_by(struct cd_out *o, const struct cd_dump_view *v, const struct cd_wait *w)
{
	cd_out_str(o, w->kind == CD_WAIT_JOIN ? " of thread " : " held by thread ");
	if (w->owner_slot >= 0)
		tid_name(o, w->owner, cd_view_slot(v, w->owner_slot)->name);
	else
		cd_out_dec(o, w->owner);
	if (!w->owner_alive)
		cd_out_str(o, " (gone)");
}

/* "KIND [SYSCALL] [fd N] [0xADDR (MODULE+0xOFF)] [held by ...]". */
static void wait_words(struct cd_out *o, const struct cd_dump_view *v, const struct cd_wait *w)
{
	const char *call = w->sysno >= 0 ? cd_syscall_name(w->sysno) : NULL;
	cd_out_str(o, cd_wait_kind_name(w->kind ? w->kind : CD_WAIT_SYSCALL));
	if ((w->kind == CD_WAIT_SYSCALL || !w->kind) && call) {
		cd_out_char(o, ' ');
		cd_out_str(o, call);
	} else if ((w->kind == CD_WAIT_SYSCALL || !w->kind) && w->sysno >= 0) {
		cd_out_char(o, ' ');
		cd_out_dec(o, (unsigned long long)w->sysno); /* a call without a name here */
	}
	if (w->fd >= 0) {
		cd_out_str(o, " fd ");
		cd_out_dec(o, w->fd);
	}
	if (w->address) {
		struct cd_frame_info fi;
		cd_symbolize(w->address, 0, &fi);
		cd_out_char(o, ' ');
		cd_out_hex(o, w->address);
		if (fi.module) {
			cd_out_str(o, " (");
			name_plus(o, fi.module, fi.module_offset);
			cd_out_char(o, ')');
		}
	}
	if (w->owner)
		held_by(o, v, w);
}

static void part_thread(struct cd_out *o, const struct cd_dump_view *v, int i)
{
	struct cd_slot *s = cd_view_slot(v, i);
	cd_out_eol(o);
	thread_header(o, s);
	if (s->wait.state == CD_STATE_BLOCKED) {
		cd_out_str(o, "waiting: ");
		wait_words(o, v, &s->wait);
		cd_out_eol(o);
	}
	if (i == 0 && v->trigger->fatal)
		part_registers(o, v, 0);
	frames(o, v, s);
}

/* The signalled and the crashed threads are printed alone, first. */
static int alone(const struct cd_slot *s)
{
	return s->signalled || s->crashed;
}

#define GROUP_NAMES 4

/* '"NAME"' when the group's threads share one, '"A", "B"' for a few,
 * else their common beginning and a star, '"worker-*"'. */
static void group_names(struct cd_out *o, const struct cd_dump_view *v, const struct cd_group *g)
{
	const char *names[GROUP_NAMES], *first = NULL;
	int nnames = 0, many = 0;
	size_t common = 0;
	for (int k = g->first; k < g->first + g->count; k++) {
		struct cd_slot *s = cd_view_slot(v, v->group_slots[k]);
		if (alone(s))
			continue;
		if (!first) {
			first = s->name;
			common = cd_strlen(first);
		}
		size_t c = 0;
		while (c < common && s->name[c] == first[c])
			c++;
		common = c;
		int seen = 0;
		for (int j = 0; j < nnames && !seen; j++)
			seen = cd_strlen(names[j]) == cd_strlen(s->name) &&
			       cd_strneq(names[j], s->name, cd_strlen(s->name));
		if (!seen && nnames < GROUP_NAMES)
			names[nnames++] = s->name;
		else if (!seen)
			many = 1;
	}
	if (!many) {
		for (int j = 0; j < nnames; j++) {
			cd_out_str(o, j ? ", \"" : "\"");
			cd_out_text(o, names[j]);
			cd_out_char(o, '"');
		}
		return;
	}
	char prefix[CD_NAME_LEN];
	cd_strlcpy(prefix, first, common + 1 < sizeof prefix ? common + 1 : sizeof prefix);
	cd_out_char(o, '"');
	cd_out_text(o, prefix);
	cd_out_str(o, "*\"");
}

/* The index of the group's next member at or after k not printed alone. */
static int next_member(const struct cd_dump_view *v, const struct cd_group *g, int k)
{
	while (k < g->first + g->count && alone(cd_view_slot(v, v->group_slots[k])))
		k++;
	return k;
}

static pid_t member_tid(const struct cd_dump_view *v, int k)
{
	return cd_view_slot(v, v->group_slots[k])->tid;
}

/* " A-B" for consecutive tids, " A-B/S" for three or more S apart (threads
 * made in turn by pools that interleave), else " A". */
static void group_tids(struct cd_out *o, const struct cd_dump_view *v, const struct cd_group *g)
{
	int end = g->first + g->count;
	for (int k = next_member(v, g, g->first); k < end;) {
		int second = next_member(v, g, k + 1), last = second, n = 2;
		pid_t a = member_tid(v, k);
		cd_out_char(o, ' ');
		cd_out_dec(o, a);
		if (second == end)
			break;
		pid_t step = member_tid(v, second) - a;
		int j = next_member(v, g, second + 1);
		while (j < end && member_tid(v, j) - member_tid(v, last) == step) {
			last = j, n++;
			j = next_member(v, g, j + 1);
		}
		if (step == 1 || n >= 3) {
			cd_out_char(o, '-');
			cd_out_dec(o, member_tid(v, last));
			if (step != 1) {
				cd_out_char(o, '/');
				cd_out_dec(o, step);
			}
			k = j;
		} else {
			k = second;
		}
	}
}

/* "group K: N threads NAMES (ORIGIN, created by ...): TIDS", the tids in
 * runs; then the shared wait and the stack, once. */
static void part_group(struct cd_out *o, const struct cd_dump_view *v, int gi)
{
	const struct cd_group *g = &v->groups[gi];
	struct cd_slot *lead = NULL;
	int n = 0, same_origin = 1, same_creator = 1;
	struct cd_wait w;
	for (int k = g->first; k < g->first + g->count; k++) {
		struct cd_slot *s = cd_view_slot(v, v->group_slots[k]);
		if (alone(s))
			continue;
		if (!lead) {
			lead = s;
			w = s->wait;
		}
		n++;
		same_origin &= s->origin == lead->origin;
		same_creator &= s->created_by == lead->created_by;
		if (s->wait.fd != w.fd)
			w.fd = -1;
		if (s->wait.owner != w.owner)
			w.owner = 0;
	}
	cd_out_eol(o);
	cd_out_str(o, "group ");
	cd_out_dec(o, gi + 1);
	cd_out_str(o, ": ");
	cd_out_dec(o, n);
	cd_out_str(o, " threads ");
	group_names(o, v, g);
	cd_out_str(o, " (");
	cd_out_str(o, same_origin ? cd_origin_name(lead->origin) : "mixed");
	if (same_creator && lead->created_by) {
		cd_out_str(o, ", created by ");
		where(o, lead->created_by, 1);
	}
	cd_out_str(o, "):");
	group_tids(o, v, g);
	cd_out_eol(o);
	if (w.state == CD_STATE_BLOCKED) {
		cd_out_str(o, "waiting: ");
		wait_words(o, v, &w);
		cd_out_eol(o);
	}
	frames(o, v, lead);
}

static void part_missing(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	int blank = 0;
	(void)unused;
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		if (s->missing == CD_DUMPED)
			continue;
		if (!blank++)
			cd_out_eol(o);
		cd_out_str(o, "missing thread ");
		tid_name(o, s->tid, s->name);
		cd_out_str(o, ": ");
		cd_out_str(o, cd_missing_reason(s->missing));
		if (s->wait.state == CD_STATE_BLOCKED) {
			cd_out_str(o, "; waiting: ");
			wait_words(o, v, &s->wait);
		}
		cd_out_eol(o);
	}
}

/* One line a cycle: each thread, and what it waits for. */
static void part_deadlocks(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	(void)unused;
	for (int c = 0; c < v->ndeadlocks; c++) {
		if (c == 0)
			cd_out_eol(o);
		cd_out_str(o, "crashdump: deadlock:");
		for (int k = v->cycle_start[c]; k < v->cycle_start[c + 1]; k++) {
			struct cd_slot *s = cd_view_slot(v, v->cycle_slots[k]);
			cd_out_str(o, k > v->cycle_start[c] ? "; thread " : " thread ");
			tid_name(o, s->tid, s->name);
			cd_out_str(o, " waits for ");
			wait_words(o, v, &s->wait);
		}
		cd_out_eol(o);
	}
}

static void part_modules(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	(void)v;
	(void)unused;
	cd_out_eol(o);
	for (int m = 0; m < cd_symbols_module_count(); m++) {
		const char *path, *build_id;
		uintptr_t base;
		cd_symbols_module(m, &path, &base, &build_id);
		cd_out_str(o, "module ");
		cd_out_text(o, path);
		cd_out_char(o, ' ');
		cd_out_hex(o, base);
		cd_out_char(o, ' ');
		cd_out_str(o, build_id ? build_id : "-");
		cd_out_eol(o);
	}
}

static void note(struct cd_out *o, const char *what, long long tid)
{
	cd_out_str(o, "crashdump: fault while writing ");
	cd_out_str(o, what);
	if (tid > 0) {
		cd_out_char(o, ' ');
		cd_out_dec(o, tid);
	}
	cd_out_str(o, "; skipped");
	cd_out_eol(o);
}

/* Each part is written under a fault guard, riskiest (names read from
 * mapped files and link maps) inside; the trailer is always written. */
void cd_report_text(struct cd_out *o, const struct cd_dump_view *v)
{
	int faults = 0;
	if (cd_report_part(o, v, part_head, 0, &faults) < 0)
		note(o, "the report's head", 0);
	if (cd_report_part(o, v, part_summary, 0, &faults) < 0)
		note(o, "the summary", 0);
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		if (s->missing == CD_DUMPED && alone(s) && cd_report_part(o, v, part_thread, i, &faults) < 0)
			note(o, "thread", s->tid);
	}
	/* Then the groups, largest first; a group of one prints as a thread. */
	for (int g = 0; g < v->ngroups; g++) {
		int n = 0, one = -1;
		for (int k = v->groups[g].first; k < v->groups[g].first + v->groups[g].count; k++)
			if (!alone(cd_view_slot(v, v->group_slots[k])))
				n++, one = v->group_slots[k];
		if (n == 1 && cd_report_part(o, v, part_thread, one, &faults) < 0)
			note(o, "thread", cd_view_slot(v, one)->tid);
		if (n > 1 && cd_report_part(o, v, part_group, g, &faults) < 0)
			note(o, "group", g + 1);
	}
	if (cd_report_part(o, v, part_missing, 0, &faults) < 0)
		note(o, "the missing threads", 0);
	if (cd_report_part(o, v, part_deadlocks, 0, &faults) < 0)
		note(o, "the deadlocks", 0);
	if (cd_report_part(o, v, part_modules, 0, &faults) < 0)
		note(o, "the modules", 0);

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
