/* modules.c - the module table: which loaded object holds an address (the
 * loader's lock-free _dl_find_object, checked against what we recorded, so
 * that a module unloaded or replaced is seen), its build-id and path, and
 * its symbols, read on first need: the file's .symtab, else the separate
 * debug file's (by build-id), else the file's .dynsym; the vdso's from
 * memory.
 * Context: AS-safe: open/mmap/read only; one caller at a time (the dump
 * coordinator). */
#include "symbols/modules.h"
#include "symbols/elf.h"
#include "base/out.h"
#include "base/runtime.h"

#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where separate debug files live, by build-id.  A variable, not a macro,
 * so that the unit test can point it at an empty directory and check the
 * .dynsym-only path (Debian's libc6 without libc6-dbg). */
const char *cd_symbols_debug_root = "/usr/lib/debug/.build-id/";

static struct cd_module g_mods[CD_MAX_MODULES];
/* Paths apart from the small records: only the pages of used slots are ever
 * touched, and the records stay dense for the lookup. */
static char g_paths[CD_MAX_MODULES][CD_PATH_LEN];
/* Live modules by start address; ranges never overlap. */
static int g_by_start[CD_MAX_MODULES];
static int g_nlive;

static unsigned g_gen = 1;
static int g_report[CD_MAX_MODULES];
static int g_nreport;

static char g_debug_path[CD_PATH_LEN];

/* Does the file carry the same build-id as the loaded module?  A module
 * without one in memory cannot be checked and is taken as matching. */
static int file_matches(const struct cd_module *m, const unsigned char *img, size_t len)
{
	if (!m->build_id_len)
		return 1;
	const unsigned char *id;
	size_t k = cd_elf_file_build_id(img, len, &id);
	return k == m->build_id_len && cd_bytes_equal(id, m->build_id_raw, k);
}

/* Maps a whole regular file, private and read-only; NULL when it cannot. */
static const unsigned char *map_file(const char *path, size_t *len)
{
	/* O_NONBLOCK: a path that has become a FIFO must not hang the dump. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *p = MAP_FAILED;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= (off_t)sizeof(Elf64_Ehdr))
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return p;
}

/* Lowercase hex of n bytes, 2n characters, no terminator. */
static char *hex_bytes(char *dst, const unsigned char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		*dst++ = hex[src[i] >> 4];
		*dst++ = hex[src[i] & 15];
	}
	return dst;
}

static const char *debug_file_path(const struct cd_module *m)
{
	size_t root = cd_strlen(cd_symbols_debug_root);
	/* root + "xx/" + the rest of the id in hex + ".debug" + NUL */
	if (m->build_id_len < 2 || root + 3 + 2 * m->build_id_len + 7 > CD_PATH_LEN)
		return NULL;
	char *p = g_debug_path;
	cd_bytes_copy(p, cd_symbols_debug_root, root);
	p += root;
	p = hex_bytes(p, m->build_id_raw, 1);
	*p++ = '/';
	p = hex_bytes(p, m->build_id_raw + 1, m->build_id_len - 1);
	cd_bytes_copy(p, ".debug", 7);
	return g_debug_path;
}

/* Uses the table found in a mapped file; the mapping is kept for the names.
 * Only the string table is made writable, and only while names are trimmed:
 * private writable pages count against the commit limit. */
static int use_file(struct cd_module *m, const unsigned char *img, size_t len, uint32_t type)
{
	const Elf64_Shdr *symtab, *strtab;
	if (!cd_elf_find_table(img, len, type, &symtab, &strtab))
		return 0;
	size_t ps = cd_page_size();
	size_t lo = strtab->sh_offset & ~(ps - 1);
	size_t span = cd_align_up(strtab->sh_offset + strtab->sh_size, ps) - lo;
	int writable = mprotect((void *)(img + lo), span, PROT_READ | PROT_WRITE) == 0;
	int ok = cd_index_build(&m->tab, img, writable, symtab, strtab);
	if (writable)
		mprotect((void *)(img + lo), span, PROT_READ);
	if (!ok)
		return 0;
	m->file_map = img;
	m->file_len = len;
	return 1;
}

/* The file's .symtab; else the separate debug file's (by build-id); else
 * the file's .dynsym.  A file whose build-id differs from the loaded
 * module's (replaced on disk since) is not used: no name beats a wrong one. */
static void read_file_symbols(struct cd_module *m)
{
	size_t len = 0;
	const char *path = g_paths[m - g_mods];
	/* /proc/self/exe still opens a deleted or moved executable. */
	const unsigned char *img = m->is_main ? map_file("/proc/self/exe", &len) : NULL;
	if (!img)
		img = map_file(path, &len);
	int img_ok = img && file_matches(m, img, len);

	if (img_ok && use_file(m, img, len, SHT_SYMTAB))
		return;

	const char *dpath = debug_file_path(m);
	size_t dlen = 0;
	const unsigned char *dimg = dpath ? map_file(dpath, &dlen) : NULL;
	if (dimg) {
		if (file_matches(m, dimg, dlen) && use_file(m, dimg, dlen, SHT_SYMTAB)) {
			if (img)
				munmap((void *)img, len);
			return;
		}
		munmap((void *)dimg, dlen);
	}

	if (img_ok && use_file(m, img, len, SHT_DYNSYM))
		return;
	if (img)
		munmap((void *)img, len);
}

/* The vdso has no file: its image (section headers included) is mapped in
 * whole pages from its start; only the pages up to the end of its segment
 * are sure to be there. */
static void read_vdso_symbols(struct cd_module *m)
{
	size_t len = cd_align_up(m->end, cd_page_size()) - m->start;
	const unsigned char *img = (const void *)m->start;
	const Elf64_Shdr *symtab, *strtab;
	if (cd_elf_find_table(img, len, SHT_SYMTAB, &symtab, &strtab) ||
	    cd_elf_find_table(img, len, SHT_DYNSYM, &symtab, &strtab))
		cd_index_build(&m->tab, img, 0, symtab, strtab);
}

void cd_module_load_symbols(struct cd_module *m)
{
	if (m->sym_state != SYMS_UNREAD)
		return;
	m->sym_state = SYMS_READ;
	if (m->is_vdso)
		read_vdso_symbols(m);
	else
		read_file_symbols(m);
}

/* Is `m` still the object _dl_find_object reported?  The loader's link_map
 * and range are compared first: only when they match is the memory at
 * m->start known to be mapped, and read.  A library rebuilt and reloaded
 * at the same place under the same name differs only by its build-id. */
static int same_module(const struct cd_module *m, const struct dl_find_object *r)
{
	const struct link_map *lm = r->dlfo_link_map;
	if (m->map != lm || m->bias != lm->l_addr || m->start != (uintptr_t)r->dlfo_map_start ||
	    m->end != (uintptr_t)r->dlfo_map_end)
		return 0;
	if (m->is_main ? lm->l_name[0] != 0
	               : !cd_strneq(g_paths[m - g_mods], lm->l_name, CD_PATH_LEN - 1))
		return 0;
	/* A build-id note in the first page (after the ELF header, where
	 * linkers put it) is compared where it was: that page of whatever is
	 * mapped at start now is readable, and other bytes there mean another
	 * build.  Anywhere else, the notes are read again. */
	uintptr_t at = (uintptr_t)m->build_id_mem;
	if (m->build_id_len && at >= m->start && at + m->build_id_len <= m->start + cd_page_size())
		return cd_bytes_equal(m->build_id_mem, m->build_id_raw, m->build_id_len);
	const unsigned char *id = NULL;
	size_t k = cd_elf_memory_build_id(m->start, m->end, m->bias, &id);
	return k == m->build_id_len && cd_bytes_equal(id, m->build_id_raw, k);
}

/* First index in g_by_start whose module starts at or after `start`. */
static int live_lower_bound(uintptr_t start)
{
	int lo = 0, hi = g_nlive;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (g_mods[g_by_start[mid]].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void live_remove(int pos)
{
	g_mods[g_by_start[pos]].live = 0;
	for (int i = pos; i + 1 < g_nlive; i++)
		g_by_start[i] = g_by_start[i + 1];
	g_nlive--;
}

static void release(struct cd_module *m)
{
	if (m->tab.syms)
		munmap((void *)m->tab.syms, m->tab.len);
	if (m->file_map && m->file_len)
		munmap((void *)m->file_map, m->file_len);
	*m = (struct cd_module){ 0 };
}

/* A slot for a new module: a free one, else one whose module is known to
 * be unloaded, else one that _dl_find_object no longer confirms.  Slots
 * named by the current report are never taken (their strings are in use). */
static struct cd_module *take_slot(void)
{
	for (int i = 0; i < CD_MAX_MODULES; i++)
		if (!g_mods[i].in_use)
			return &g_mods[i];
	for (int i = 0; i < CD_MAX_MODULES; i++) {
		struct cd_module *m = &g_mods[i];
		if (!m->live && m->report_gen != g_gen) {
			release(m);
			return m;
		}
	}
	for (int pos = 0; pos < g_nlive; pos++) {
		struct cd_module *m = &g_mods[g_by_start[pos]];
		struct dl_find_object r;
		if (m->report_gen == g_gen)
			continue;
		if (_dl_find_object((void *)m->start, &r) != 0 || !same_module(m, &r)) {
			live_remove(pos);
			release(m);
			return m;
		}
	}
	return NULL;
}

/* The module holding addr, created on first sight; NULL for code the
 * loader does not know (JIT, anonymous memory) or when the table is full. */
struct cd_module *cd_module_for(uintptr_t addr)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)addr, &r) != 0 || !r.dlfo_link_map)
		return NULL;
	uintptr_t start = (uintptr_t)r.dlfo_map_start, end = (uintptr_t)r.dlfo_map_end;

	int pos = live_lower_bound(start);
	if (pos < g_nlive) {
		struct cd_module *m = &g_mods[g_by_start[pos]];
		if (m->start == start && same_module(m, &r))
			return m;
	}

	/* New, or replaced: whatever overlaps the new range has been unloaded. */
	while (pos > 0 && g_mods[g_by_start[pos - 1]].end > start)
		pos--;
	while (pos < g_nlive && g_mods[g_by_start[pos]].start < end)
		live_remove(pos);

	struct cd_module *m = take_slot();
	if (!m)
		return NULL;
	const struct link_map *lm = r.dlfo_link_map;
	m->in_use = 1;
	m->map = lm;
	m->bias = lm->l_addr;
	m->start = start;
	m->end = end;
	m->is_main = lm->l_name[0] == 0;
	m->is_vdso = start == getauxval(AT_SYSINFO_EHDR);
	cd_strlcpy(g_paths[m - g_mods], m->is_main ? cd_exe_path() : lm->l_name, CD_PATH_LEN);
	const unsigned char *id = NULL;
	m->build_id_len = cd_elf_memory_build_id(start, end, m->bias, &id);
	cd_bytes_copy(m->build_id_raw, id, m->build_id_len);
	m->build_id_mem = id;
	*hex_bytes(m->build_id, id, m->build_id_len) = 0;

	pos = live_lower_bound(start); /* take_slot may have removed entries */
	for (int i = g_nlive; i > pos; i--)
		g_by_start[i] = g_by_start[i - 1];
	g_by_start[pos] = (int)(m - g_mods);
	g_nlive++;
	m->live = 1;
	return m;
}

int cd_module_holds(const struct cd_module *m, uintptr_t addr)
{
	struct dl_find_object r;
	return _dl_find_object((void *)addr, &r) == 0 && r.dlfo_link_map &&
	       (uintptr_t)r.dlfo_map_start == m->start && m->live && same_module(m, &r);
}

const char *cd_module_path(const struct cd_module *m)
{
	return g_paths[m - g_mods];
}

int cd_module_slot(const struct cd_module *m)
{
	return (int)(m - g_mods);
}

struct cd_module *cd_module_at(int slot)
{
	return &g_mods[slot];
}

unsigned cd_modules_begin_report(void)
{
	if (++g_gen == 0) /* 0 is the generation of records never listed */
		g_gen = 1;
	g_nreport = 0;
	return g_gen;
}

int cd_modules_list(struct cd_module *m)
{
	if (m->report_gen != g_gen) {
		m->report_gen = g_gen;
		m->report_index = g_nreport;
		g_report[g_nreport++] = (int)(m - g_mods);
	}
	return m->report_index;
}

int cd_modules_listed(void)
{
	return g_nreport;
}

struct cd_module *cd_modules_listed_at(int index)
{
	return index >= 0 && index < g_nreport ? &g_mods[g_report[index]] : NULL;
}
