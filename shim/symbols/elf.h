/* elf.h - ELF images read in place (symbols/ only).
 * Context: AS-safe. */
#ifndef CRASHDUMP_ELF_H
#define CRASHDUMP_ELF_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

/* AS-safe.  Byte loops: libc's are not all guaranteed AS-safe. */
static inline void cd_bytes_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static inline int cd_bytes_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

static inline size_t cd_align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

size_t cd_page_size(void);

/* The build-id recorded in an ELF file's note sections. */
size_t cd_elf_file_build_id(const unsigned char *img, size_t len, const unsigned char **id);
/* The symbol table of type `type` and its string table, both inside img. */
int cd_elf_find_table(const unsigned char *img, size_t len, uint32_t type,
                      const Elf64_Shdr **symtab, const Elf64_Shdr **strtab);
/* The build-id in the notes of a loaded module whose ELF header is at
 * start; 0 when it has none or one longer than we keep. */
size_t cd_elf_memory_build_id(uintptr_t start, uintptr_t end, uintptr_t bias,
                              const unsigned char **id);

#endif
