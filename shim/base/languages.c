/* languages.c - the language runtimes that own their process's signals
 * (Go, a JVM, .NET, Mono): one list, read when the library arms (is one
 * present?) and by the virtual sigaction (is this caller one?).
 * Context: cd_language_present in normal context only (dl_iterate_phdr);
 * cd_language_of_module is AS-safe (no allocation, no locks). */
#include "base/languages.h"
#include "base/out.h"

#include <elf.h>
#include <link.h>

/* Module names by which a runtime is known, and what the user is told. */
static const struct {
	const char *module;
	const char *name;
} table[] = {
	{ "libjvm.so", "a JVM" },     { "libjli.so", "a JVM" },
	{ "libcoreclr.so", ".NET" },  { "libmonosgen", "Mono" },
	{ "libmono-", "Mono" },
};

const char *cd_language_of_module(const char *path)
{
	for (const char *p = path; p && *p; p++) {
		if (*p != 'l') /* every name starts "lib": most places are no match */
			continue;
		for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
			if (cd_strneq(p, table[i].module, cd_strlen(table[i].module)))
				return table[i].name;
	}
	return NULL;
}

/* Go's linker writes a note named "Go" of type 4 (its build ID) into every
 * Go program and Go shared library, in a PT_NOTE segment: the one mark
 * that does not depend on which of its symbols the build left dynamic
 * (Debian's Go 1.19 keeps _cgo_init local, and exports x_cgo_init). */
#define GO_NOTE_BUILDID 4

static int has_go_note(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
			const char *name = p + sizeof *n;
			size_t nsz = (n->n_namesz + 3) & ~3u, dsz = (n->n_descsz + 3) & ~3u;
			if (n->n_type == GO_NOTE_BUILDID && n->n_namesz == 3 &&
			    name + 3 <= end && cd_strneq(name, "Go", 3))
				return 1;
			p = name + nsz + dsz;
		}
	}
	return 0;
}

static int find_runtime(struct dl_phdr_info *info, size_t size, void *data)
{
	const char **found = data;
	(void)size;
	if (has_go_note(info))
		*found = "Go";
	else
		*found = cd_language_of_module(info->dlpi_name);
	return *found != NULL;
}

/* Resolved by the loader with our other symbols, to NULL when no object
 * exports them: a Go build that keeps its note out still has one. */
extern char _cgo_init[] __attribute__((weak, visibility("default")));
extern char x_cgo_init[] __attribute__((weak, visibility("default")));

const char *cd_language_present(void)
{
	const char *found = NULL;
	if (_cgo_init != NULL || x_cgo_init != NULL)
		return "Go";
	dl_iterate_phdr(find_runtime, &found);
	return found;
}
