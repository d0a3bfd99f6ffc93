/* symbols.c - code address -> module (path, load bias, build-id) ->
 * function + offset, for a report: the interface over the module table,
 * with a memo of the addresses a report has looked up already.
 * Context: signal handler (AS-safe); one caller at a time (the dump
 * coordinator). */
#include "symbols/symbols.h"
#include "symbols/modules.h"
#include "base/bounds.h"

#include <errno.h>

/* Addresses already looked up in this report: a thousand threads parked
 * alike share a handful of pcs.  A hit still asks the loader which module
 * holds the address (a module can be replaced while a report is written,
 * by the threads that go on running), and only skips the symbol search. */
struct pc_memo {
	uintptr_t addr;
	unsigned gen;
	int mod;
	const struct cd_sym *sym;
};
static struct pc_memo g_memo[CD_PC_MEMO];
static unsigned g_gen;

void cd_symbols_begin_report(void)
{
	g_gen = cd_modules_begin_report();
}

void cd_symbolize(uintptr_t pc, int is_return_address, struct cd_frame_info *out)
{
	int saved = errno;
	*out = (struct cd_frame_info){ .module_index = -1 };
	uintptr_t addr = is_return_address && pc > 0 ? pc - 1 : pc;
	struct pc_memo *memo = &g_memo[(addr ^ addr >> 10) % CD_PC_MEMO];
	struct cd_module *m;
	const struct cd_sym *s;

	if (memo->gen == g_gen && memo->addr == addr && cd_module_holds(cd_module_at(memo->mod), addr)) {
		m = cd_module_at(memo->mod);
		s = memo->sym;
	} else {
		m = cd_module_for(addr);
		if (!m)
			goto done;
		cd_modules_list(m);
		cd_module_load_symbols(m);
		s = cd_index_find(&m->tab, addr - m->bias);
		*memo = (struct pc_memo){ .addr = addr, .gen = g_gen, .mod = cd_module_slot(m), .sym = s };
	}
	out->module = cd_module_path(m);
	out->module_offset = pc - m->bias;
	out->module_index = m->report_index;
	if (s) {
		out->function = m->tab.strtab + s->name;
		out->offset = pc - m->bias - s->start;
	}
done:
	errno = saved;
}

int cd_symbols_module_count(void)
{
	return cd_modules_listed();
}

void cd_symbols_module(int index, const char **path, uintptr_t *base, const char **build_id)
{
	const struct cd_module *m = cd_modules_listed_at(index);
	*path = m ? cd_module_path(m) : NULL;
	*base = m ? m->bias : 0;
	*build_id = m && m->build_id_len ? m->build_id : NULL;
}
