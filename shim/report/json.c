/* json.c - the machine-readable report, format "crashdump/1"
 * (README "What you get"): one JSON object, then a newline.
 * Context: AS-safe (runs in the dump coordinator's signal handler). */
#include "report/part.h"
#include "base/runtime.h"
#include "report/names.h"
#include "base/sigtab.h"
#include "symbols/symbols.h"

static void key(struct cd_out *o, const char *k)
{
	cd_out_json_str(o, k);
	cd_out_char(o, ':');
}

/* "k":v, -- one member of an object, and the comma after it. */
static void member_int(struct cd_out *o, const char *k, long long v)
{
	key(o, k);
	cd_out_dec(o, v);
	cd_out_char(o, ',');
}

static void member_bool(struct cd_out *o, const char *k, int v)
{
	key(o, k);
	cd_out_str(o, v ? "true," : "false,");
}

static void member_str(struct cd_out *o, const char *k, const char *v)
{
	key(o, k);
	cd_out_json_str(o, v);
	cd_out_char(o, ',');
}

static void str_or_null(struct cd_out *o, const char *s)
{
	if (s)
		cd_out_json_str(o, s);
	else
		cd_out_str(o, "null");
}

static void hex_str(struct cd_out *o, unsigned long long v)
{
	cd_out_char(o, '"');
	cd_out_hex(o, v);
	cd_out_char(o, '"');
}

/* "NAME_KEY":name,"OFF_KEY":"0xoff", both null when the name is unknown. */
static void named_offset(struct cd_out *o, const char *name_key, const char *name,
                         const char *off_key, uintptr_t off)
{
	key(o, name_key);
	str_or_null(o, name);
	cd_out_char(o, ',');
	key(o, off_key);
	if (name)
		hex_str(o, off);
	else
		cd_out_str(o, "null");
}

/* {"pc", "function", "offset", "module", "module_offset"} members. */
static void location(struct cd_out *o, uintptr_t pc, int is_return)
{
	struct cd_frame_info fi;
	cd_symbolize(pc, is_return, &fi);
	key(o, "pc");
	hex_str(o, pc);
	cd_out_char(o, ',');
	named_offset(o, "function", fi.function, "offset", fi.offset);
	cd_out_char(o, ',');
	named_offset(o, "module", fi.module, "module_offset", fi.module_offset);
}

static void signal_obj(struct cd_out *o, const struct cd_dump_view *v)
{
	const struct cd_trigger *t = v->trigger;
	if (t->reason != CD_REASON_SIGNAL) {
		cd_out_str(o, "null");
		return;
	}
	int code = t->info->si_code;
	cd_out_char(o, '{');
	member_int(o, "number", t->signo);
	key(o, "name");
	str_or_null(o, cd_sig_name(t->signo));
	cd_out_char(o, ',');
	key(o, "code");
	const char *cname = cd_sicode_name(t->signo, code);
	if (cname)
		cd_out_json_str(o, cname);
	else
		cd_out_dec(o, code);
	cd_out_char(o, ',');
	key(o, "address");
	if (cd_signal_has_address(t->signo, code))
		hex_str(o, (uintptr_t)t->info->si_addr);
	else
		cd_out_str(o, "null");
	cd_out_char(o, ',');
	key(o, "sender_pid");
	if (cd_sicode_has_sender(code))
		cd_out_dec(o, t->info->si_pid);
	else
		cd_out_str(o, "null");
	cd_out_char(o, ',');
	key(o, "thread");
	cd_out_dec(o, cd_view_slot(v, 0)->tid);
	cd_out_char(o, ',');
	key(o, "reraised");
	cd_out_str(o, t->reraised ? "true" : "false");
	cd_out_char(o, '}');
}

/* The signalled thread's registers for a fatal signal, else null. */
static void registers_obj(struct cd_out *o, const struct cd_dump_view *v, int wanted)
{
	struct cd_reg regs[24];
	int n = wanted && v->trigger->fatal ? cd_report_registers(v, regs) : 0;
	if (!n) {
		cd_out_str(o, "null");
		return;
	}
	cd_out_char(o, '{');
	for (int r = 0; r < n; r++) {
		if (r)
			cd_out_char(o, ',');
		key(o, regs[r].name);
		hex_str(o, regs[r].value);
	}
	cd_out_char(o, '}');
}

/* "k":v, or "k":null when !known; and the comma. */
static void dec_or_null(struct cd_out *o, const char *k, int known, long long v)
{
	key(o, k);
	if (known)
		cd_out_dec(o, v);
	else
		cd_out_str(o, "null");
	cd_out_char(o, ',');
}

/* "state", "cpu_ms" and "wait" (README "Why each thread waits"). */
static void wait_members(struct cd_out *o, const struct cd_wait *w, int faulted)
{
	member_str(o, "state", cd_state_name(w->state));
	key(o, "cpu_ms");
	if (w->cpu_ns >= 0) {
		cd_out_dec(o, w->cpu_ns / 1000000);
		cd_out_char(o, '.');
		cd_out_dec(o, w->cpu_ns / 100000 % 10);
	} else {
		cd_out_str(o, "null");
	}
	cd_out_char(o, ',');
	key(o, "wait");
	if (w->state != CD_STATE_BLOCKED || faulted) {
		cd_out_str(o, "null");
		return;
	}
	cd_out_char(o, '{');
	member_str(o, "kind", cd_wait_kind_name(w->kind ? w->kind : CD_WAIT_SYSCALL));
	key(o, "syscall");
	str_or_null(o, w->sysno >= 0 ? cd_syscall_name(w->sysno) : NULL);
	cd_out_char(o, ',');
	dec_or_null(o, "fd", w->fd >= 0, w->fd);
	key(o, "address");
	if (w->address)
		hex_str(o, w->address);
	else
		cd_out_str(o, "null");
	cd_out_char(o, ',');
	struct cd_frame_info fi = { .module = NULL };
	if (w->address)
		cd_symbolize(w->address, 0, &fi);
	named_offset(o, "module", fi.module, "module_offset", fi.module_offset);
	cd_out_char(o, ',');
	dec_or_null(o, "owner", w->owner != 0, w->owner);
	key(o, "owner_alive");
	cd_out_str(o, !w->owner ? "null" : w->owner_alive ? "true" : "false");
	cd_out_char(o, '}');
}

/* One thread object.  `faulted`: writing it faulted once; the same
 * members again, from our own slot only (no name read from the process's
 * memory), so that readers need no special case. */
static void thread_obj(struct cd_out *o, const struct cd_dump_view *v, struct cd_slot *s, int first,
                       int faulted)
{
	cd_out_char(o, '{');
	member_int(o, "tid", s->tid);
	member_str(o, "name", faulted ? "" : s->name);
	member_int(o, "stack_id", s->stack_id);
	member_bool(o, "signalled", s->signalled);
	member_bool(o, "crashed", s->crashed);
	member_str(o, "origin", cd_origin_name(s->origin));
	member_bool(o, "truncated", faulted || s->cut != CD_CUT_NONE);
	key(o, "created_by");
	if (s->created_by && !faulted) {
		cd_out_char(o, '{');
		location(o, s->created_by, 1);
		cd_out_char(o, '}');
	} else {
		cd_out_str(o, "null");
	}
	cd_out_char(o, ',');
	key(o, "registers");
	registers_obj(o, v, first && !faulted);
	cd_out_char(o, ',');
	wait_members(o, &s->wait, faulted);
	cd_out_char(o, ',');
	key(o, "frames");
	cd_out_char(o, '[');
	uintptr_t *pcs = cd_slot_pcs(s);
	uint8_t *exact = cd_slot_exact(s, v->frames);
	for (int k = 0; !faulted && k < s->nframes; k++) {
		if (k)
			cd_out_char(o, ',');
		cd_out_char(o, '{');
		location(o, pcs[k], !exact[k]);
		cd_out_char(o, '}');
	}
	cd_out_char(o, ']');
	if (faulted) {
		cd_out_char(o, ',');
		key(o, "error");
		cd_out_json_str(o, "fault while writing this thread");
	}
	cd_out_char(o, '}');
}

static void part_head(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	const struct cd_trigger *t = v->trigger;
	(void)unused;
	member_str(o, "format", "crashdump/1");
	member_int(o, "pid", v->pid);
	member_str(o, "exe", cd_exe_path());
	member_int(o, "time", v->time);
	member_str(o, "reason", t->reason == CD_REASON_WATCHDOG   ? "watchdog"
	                        : t->reason == CD_REASON_DEADLOCK ? "deadlock"
	                                                          : "signal");
	key(o, "signal");
	signal_obj(o, v);
	cd_out_char(o, ',');
}

static void part_thread(struct cd_out *o, const struct cd_dump_view *v, int i)
{
	thread_obj(o, v, cd_view_slot(v, i), i == 0, 0);
}

static void part_missing(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	int any = 0;
	(void)unused;
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		if (s->missing == CD_DUMPED)
			continue;
		if (any++)
			cd_out_char(o, ',');
		cd_out_char(o, '{');
		member_int(o, "tid", s->tid);
		member_str(o, "name", s->name);
		key(o, "reason");
		cd_out_json_str(o, cd_missing_reason(s->missing));
		cd_out_char(o, ',');
		wait_members(o, &s->wait, 0);
		cd_out_char(o, '}');
	}
}

static void part_modules(struct cd_out *o, const struct cd_dump_view *v, int unused)
{
	(void)v;
	(void)unused;
	for (int m = 0; m < cd_symbols_module_count(); m++) {
		const char *path, *build_id;
		uintptr_t base;
		cd_symbols_module(m, &path, &base, &build_id);
		if (m)
			cd_out_char(o, ',');
		cd_out_char(o, '{');
		key(o, "path");
		cd_out_json_str(o, path);
		cd_out_char(o, ',');
		key(o, "base");
		hex_str(o, base);
		cd_out_char(o, ',');
		key(o, "build_id");
		str_or_null(o, build_id);
		cd_out_char(o, '}');
	}
}

static void threads_member(struct cd_out *o, const struct cd_dump_view *v, int *faults)
{
	key(o, "threads");
	cd_out_char(o, '[');
	for (int i = 0, any = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		if (s->missing != CD_DUMPED)
			continue;
		if (any++)
			cd_out_char(o, ',');
		if (cd_report_part(o, v, part_thread, i, faults) < 0)
			thread_obj(o, v, s, i == 0, 1);
	}
	cd_out_str(o, "],");
}

/* "errors": the parts lost to a fault, when any was. */
static void errors_member(struct cd_out *o, int lost_head, int lost_missing, int lost_modules)
{
	if (!lost_head && !lost_missing && !lost_modules)
		return;
	key(o, "errors");
	cd_out_char(o, '[');
	cd_out_str(o, lost_head ? "\"fault while writing the head\"" : "");
	cd_out_str(o, lost_head && (lost_missing || lost_modules) ? "," : "");
	cd_out_str(o, lost_missing ? "\"fault while writing the missing threads\"" : "");
	cd_out_str(o, lost_missing && lost_modules ? "," : "");
	cd_out_str(o, lost_modules ? "\"fault while writing the modules\"" : "");
	cd_out_str(o, "],");
}

/* Last, so that it counts the whole report but the final write. */
static void trailer_members(struct cd_out *o, const struct cd_dump_view *v)
{
	long long us = cd_report_elapsed_us(v);
	member_int(o, "threads_dumped", v->dumped);
	key(o, "elapsed_ms");
	cd_out_dec(o, us / 1000);
	cd_out_char(o, '.');
	char frac[3] = { (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10) };
	cd_out_mem(o, frac, 3);
}

/* "deadlocks": each cycle's threads and edges, from our own slots. */
static void deadlocks_member(struct cd_out *o, const struct cd_dump_view *v)
{
	key(o, "deadlocks");
	cd_out_char(o, '[');
	for (int c = 0; c < v->ndeadlocks; c++) {
		int a = v->cycle_start[c], b = v->cycle_start[c + 1];
		cd_out_str(o, c ? ",{" : "{");
		key(o, "threads");
		cd_out_char(o, '[');
		for (int k = a; k < b; k++) {
			if (k > a)
				cd_out_char(o, ',');
			cd_out_dec(o, cd_view_slot(v, v->cycle_slots[k])->tid);
		}
		cd_out_str(o, "],");
		key(o, "edges");
		cd_out_char(o, '[');
		for (int k = a; k < b; k++) {
			struct cd_slot *s = cd_view_slot(v, v->cycle_slots[k]);
			cd_out_str(o, k > a ? ",{" : "{");
			member_int(o, "tid", s->tid);
			member_str(o, "kind", cd_wait_kind_name(s->wait.kind));
			key(o, "address");
			hex_str(o, s->wait.address);
			cd_out_char(o, ',');
			key(o, "owner");
			cd_out_dec(o, s->wait.owner);
			cd_out_char(o, '}');
		}
		cd_out_str(o, "]}");
	}
	cd_out_str(o, "],");
}

/* "groups": each stack_id's count and threads, largest first. */
static void groups_member(struct cd_out *o, const struct cd_dump_view *v)
{
	key(o, "groups");
	cd_out_char(o, '[');
	for (int g = 0; g < v->ngroups; g++) {
		const struct cd_group *gr = &v->groups[g];
		cd_out_str(o, g ? ",{" : "{");
		member_int(o, "stack_id", g + 1);
		member_int(o, "count", gr->count);
		key(o, "tids");
		cd_out_char(o, '[');
		for (int k = gr->first; k < gr->first + gr->count; k++) {
			if (k > gr->first)
				cd_out_char(o, ',');
			cd_out_dec(o, cd_view_slot(v, v->group_slots[k])->tid);
		}
		cd_out_str(o, "]}");
	}
	cd_out_str(o, "],");
}

/* Each part is written under a fault guard and taken back whole when it
 * faults, so the object stays valid JSON; "errors" lists what was lost. */
void cd_report_json(struct cd_out *o, const struct cd_dump_view *v)
{
	int faults = 0, lost_head = 0, lost_missing, lost_modules;
	cd_out_char(o, '{');
	if (cd_report_part(o, v, part_head, 0, &faults) < 0) {
		lost_head = 1;
		member_str(o, "format", "crashdump/1");
	}
	member_int(o, "threads_real", v->listed);
	member_int(o, "threads_pooled", v->pooled);
	member_int(o, "relayed", v->relayed);
	member_bool(o, "threads_listed_incomplete", v->listed_incomplete != CD_LISTED_ALL);
	threads_member(o, v, &faults);
	key(o, "missing");
	cd_out_char(o, '[');
	lost_missing = cd_report_part(o, v, part_missing, 0, &faults) < 0;
	cd_out_str(o, "],");
	deadlocks_member(o, v);
	groups_member(o, v);
	key(o, "modules");
	cd_out_char(o, '[');
	lost_modules = cd_report_part(o, v, part_modules, 0, &faults) < 0;
	cd_out_str(o, "],");
	errors_member(o, lost_head, lost_missing, lost_modules);
	trailer_members(o, v);
	cd_out_char(o, '}');
	cd_out_eol(o);
}
