/* elf.c - reading ELF images, a mapped file or a module in memory: section
 * headers, note blocks and the build-id, symbol and string tables.  Every
 * offset is checked against the image's length: a file may be truncated or
 * hostile.
 * Context: AS-safe (pure functions over memory the caller maps). */
#include "symbols/elf.h"
#include "base/bounds.h"

#include <sys/auxv.h>

size_t cd_page_size(void)
{
	size_t ps = getauxval(AT_PAGESZ);
	return ps ? ps : 4096;
}

/* The section headers of `img`, or NULL when it is not a sane 64-bit
 * little-endian ELF whose headers lie inside it. */
static const Elf64_Shdr *sections(const unsigned char *img, size_t len, size_t *count)
{
	const Elf64_Ehdr *eh = (const void *)img;
	if (len < sizeof *eh || !cd_bytes_equal(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff == 0 ||
	    eh->e_shoff % 8 != 0 || eh->e_shoff > len ||
	    len - eh->e_shoff < sizeof(Elf64_Shdr))
		return NULL;
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	size_t n = eh->e_shnum ? eh->e_shnum : sh[0].sh_size; /* extended numbering */
	if (n == 0 || n > (len - eh->e_shoff) / sizeof(Elf64_Shdr))
		return NULL;
	*count = n;
	return sh;
}

static int section_in(const Elf64_Shdr *s, size_t len)
{
	return s->sh_type != SHT_NOBITS && s->sh_offset <= len && s->sh_size <= len - s->sh_offset;
}

/* The NT_GNU_BUILD_ID descriptor in a block of notes; its length, 0 when
 * there is none. */
static size_t notes_build_id(const unsigned char *p, size_t len, size_t align,
                             const unsigned char **id)
{
	size_t off = 0;
	while (len - off >= sizeof(Elf64_Nhdr)) {
		const Elf64_Nhdr *nh = (const void *)(p + off);
		size_t name_off = off + sizeof *nh;
		if (nh->n_namesz > len - name_off)
			return 0;
		size_t desc_off = cd_align_up(name_off + nh->n_namesz, align);
		if (desc_off > len || nh->n_descsz > len - desc_off)
			return 0;
		if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    cd_bytes_equal(p + name_off, "GNU", 4) && nh->n_descsz > 0) {
			*id = p + desc_off;
			return nh->n_descsz;
		}
		off = cd_align_up(desc_off + nh->n_descsz, align);
		if (off > len)
			return 0;
	}
	return 0;
}

static size_t note_align(uint64_t a)
{
	return a == 8 ? 8 : 4;
}

/* The build-id recorded in an ELF file's note sections. */
size_t cd_elf_file_build_id(const unsigned char *img, size_t len, const unsigned char **id)
{
	size_t n;
	const Elf64_Shdr *sh = sections(img, len, &n);
	if (!sh)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (sh[i].sh_type != SHT_NOTE || !section_in(&sh[i], len) || sh[i].sh_offset % 4)
			continue;
		size_t k = notes_build_id(img + sh[i].sh_offset, sh[i].sh_size,
		                          note_align(sh[i].sh_addralign), id);
		if (k)
			return k;
	}
	return 0;
}

/* The symbol table of type `type` and its string table, both inside img. */
int cd_elf_find_table(const unsigned char *img, size_t len, uint32_t type,
                      const Elf64_Shdr **symtab, const Elf64_Shdr **strtab)
{
	size_t n;
	const Elf64_Shdr *sh = sections(img, len, &n);
	if (!sh)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Shdr *s = &sh[i];
		if (s->sh_type != type || !section_in(s, len) ||
		    s->sh_entsize != sizeof(Elf64_Sym) || s->sh_offset % 8 || s->sh_link >= n)
			continue;
		const Elf64_Shdr *t = &sh[s->sh_link];
		if (t->sh_type != SHT_STRTAB || !section_in(t, len) || t->sh_size == 0 ||
		    t->sh_size >= (1u << 30) || img[t->sh_offset + t->sh_size - 1] != 0)
			continue;
		*symtab = s;
		*strtab = t;
		return 1;
	}
	return 0;
}

/* The build-id in the notes of a loaded module (its ELF header is at
 * `start`, as for every object the loader maps); 0 when it has none or one
 * longer than we keep. */
size_t cd_elf_memory_build_id(uintptr_t start, uintptr_t end, uintptr_t bias,
                              const unsigned char **id)
{
	const Elf64_Ehdr *eh = (const void *)start;
	size_t span = end - start;
	if (span < sizeof *eh || !cd_bytes_equal(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > span || eh->e_phnum > (span - eh->e_phoff) / sizeof(Elf64_Phdr))
		return 0;
	const Elf64_Phdr *ph = (const void *)(start + eh->e_phoff);
	for (size_t i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		uintptr_t at = bias + ph[i].p_vaddr;
		if (at < start || at > end || ph[i].p_memsz > end - at || at % 4)
			continue;
		size_t k = notes_build_id((const void *)at, ph[i].p_memsz, note_align(ph[i].p_align), id);
		if (k)
			return k <= CD_BUILD_ID_MAX ? k : 0;
	}
	return 0;
}

