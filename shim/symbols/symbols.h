/* symbols.h - code address -> module, module offset, build-id and function.
 * Context: AS-safe.  Tables are read lazily, on the first dump that needs
 * them, with open/mmap/read only; no malloc, no locks, no dladdr/dl_iterate_phdr. */
#ifndef CRASHDUMP_SYMBOLS_H
#define CRASHDUMP_SYMBOLS_H

#include <stdint.h>

struct cd_frame_info {
	const char *function;     /* NULL when unknown (the pc is in no symbol's extent) */
	uintptr_t offset;         /* pc - symbol start, when function != NULL */
	const char *module;       /* path of the module, NULL when unknown (JIT, anonymous) */
	uintptr_t module_offset;  /* pc - the module's load bias, when module != NULL */
	int module_index;         /* index into the report's module list, -1 when unknown */
};

/* AS-safe.  Starts a new report's module list (modules used by no frame of
 * this report are not listed). */
void cd_symbols_begin_report(void);

/* AS-safe.  Describes `pc`.  `is_return_address` is 1 for frames whose pc
 * is a return address (every frame except the interrupted one and those
 * right after a signal frame): the lookup then uses pc - 1, so that a call
 * at the very end of a function is attributed to it.  Offsets are from pc. */
void cd_symbolize(uintptr_t pc, int is_return_address, struct cd_frame_info *out);

/* AS-safe.  The modules used since cd_symbols_begin_report, in order of
 * first use.  `build_id` is a lowercase hex string, or NULL when the module
 * has none. */
int cd_symbols_module_count(void);
void cd_symbols_module(int index, const char **path, uintptr_t *base,
                       const char **build_id);

#endif
