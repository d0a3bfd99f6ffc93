/* modules.h - the table of loaded modules a report names: identity as the
 * loader reports it, build-id, path, and each one's symbols, read lazily
 * from its file, its separate debug file or its memory (symbols/ only).
 * Context: AS-safe; one caller at a time (the dump coordinator). */
#ifndef CRASHDUMP_MODULES_H
#define CRASHDUMP_MODULES_H

#include <link.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bounds.h"
#include "symbols/index.h"

enum { SYMS_UNREAD, SYMS_READ };

struct cd_module {
	/* Identity, as _dl_find_object last reported it.  A dlclose + dlopen
	 * can reuse the link_map's address, so all of it is compared. */
	const struct link_map *map;
	uintptr_t bias, start, end;
	int is_main, is_vdso;
	int in_use;  /* the slot holds a module */
	int live;    /* listed by start address (not known to be unloaded) */

	unsigned char build_id_raw[CD_BUILD_ID_MAX];
	size_t build_id_len;                  /* 0: none */
	const unsigned char *build_id_mem;    /* where the loader's copy was */
	char build_id[2 * CD_BUILD_ID_MAX + 1];

	int sym_state;
	struct cd_symtab tab;      /* its strtab inside file_map (or the vdso image) */
	const unsigned char *file_map;
	size_t file_len;           /* 0: file_map is not ours to unmap */

	unsigned report_gen;
	int report_index;
};

/* AS-safe.  The module holding addr, created on first sight; NULL for code
 * the loader does not know (JIT, anonymous memory) or when the table is
 * full. */
struct cd_module *cd_module_for(uintptr_t addr);

/* AS-safe.  1 when the same module is still mapped where addr is. */
int cd_module_holds(const struct cd_module *m, uintptr_t addr);

/* AS-safe.  Reads m's symbols, the first time only. */
void cd_module_load_symbols(struct cd_module *m);

/* AS-safe.  Its path, and its slot in the table (for cd_module_at). */
const char *cd_module_path(const struct cd_module *m);
int cd_module_slot(const struct cd_module *m);
struct cd_module *cd_module_at(int slot);

/* AS-safe.  A report's module list: begin (returns the report's
 * generation), add a module (returns its index in the list), read. */
unsigned cd_modules_begin_report(void);
int cd_modules_list(struct cd_module *m);
int cd_modules_listed(void);
struct cd_module *cd_modules_listed_at(int index);

#endif
