/* index.h - a sorted index of one module's function symbols (symbols/ only).
 * Context: AS-safe. */
#ifndef CRASHDUMP_INDEX_H
#define CRASHDUMP_INDEX_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* One function symbol.  `name` is an offset into the module's string table
 * (30 bits: tables of 1 GiB or more are refused); `rank` orders aliases at
 * the same address (0 global, 1 weak, 2 local) and only matters while the
 * index is built. */
struct cd_sym {
	uint64_t start;
	uint32_t size;
	uint32_t name : 30;
	uint32_t rank : 2;
};

struct cd_symtab {
	const struct cd_sym *syms;
	size_t n;
	size_t len;           /* bytes mapped at syms */
	const char *strtab;   /* inside the image the index was built from */
};

/* AS-safe.  Builds t from a symbol table inside img (which must outlive
 * it); with `writable`, version suffixes are cut off the names in place.
 * 1, or 0 when there is nothing to index or no memory. */
int cd_index_build(struct cd_symtab *t, const unsigned char *img, int writable,
                   const Elf64_Shdr *symtab, const Elf64_Shdr *strtab);

/* AS-safe.  The symbol whose extent holds addr (a link-time address), or
 * NULL. */
const struct cd_sym *cd_index_find(const struct cd_symtab *t, uint64_t addr);

#endif
