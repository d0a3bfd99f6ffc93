/* symbols.c - code address -> module (path, load bias, build-id) -> function + offset.
 * Context: signal handler (AS-safe); one caller at a time (the dump coordinator). */
#include "symbols.h"
#include "limits.h"
#include "out.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where separate debug files live, by build-id.  A variable, not a macro,
 * so that the unit test can point it at an empty directory and check the
 * .dynsym-only path (Debian's libc6 without libc6-dbg). */
const char *cd_symbols_debug_root = "/usr/lib/debug/.build-id/";

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

enum { SYMS_UNREAD, SYMS_READ };

struct module {
	/* Identity, as _dl_find_object last reported it.  A dlclose + dlopen
	 * can reuse the link_map's address, so all of it is compared. */
	const struct link_map *map;
	uintptr_t bias, start, end;
	int is_main, is_vdso;
	int in_use;  /* the slot holds a module */
	int live;    /* listed in g_by_start (not known to be unloaded) */

	unsigned char build_id_raw[CD_BUILD_ID_MAX];
	size_t build_id_len;                  /* 0: none */
	const unsigned char *build_id_mem;    /* where the loader's copy was */
	char build_id[2 * CD_BUILD_ID_MAX + 1];

	int sym_state;
	const struct cd_sym *syms;
	size_t nsyms;
	size_t syms_len;           /* bytes mapped at syms */
	const char *strtab;        /* inside file_map (or the vdso image) */
	const unsigned char *file_map;
	size_t file_len;           /* 0: file_map is not ours to unmap */

	unsigned report_gen;
	int report_index;
};

static struct module g_mods[CD_MAX_MODULES];
/* Paths apart from the small records: only the pages of used slots are ever
 * touched, and the records stay dense for the lookup. */
static char g_paths[CD_MAX_MODULES][CD_PATH_LEN];
/* Live modules by start address; ranges never overlap. */
static int g_by_start[CD_MAX_MODULES];
static int g_nlive;

static unsigned g_gen = 1;
static int g_report[CD_MAX_MODULES];
static int g_nreport;

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
#define PC_MEMO_SIZE 1024
static struct pc_memo g_memo[PC_MEMO_SIZE];

static char g_exe[CD_PATH_LEN];
static int g_exe_read;
static char g_debug_path[CD_PATH_LEN];

static void bytes_copy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static int bytes_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

static size_t page_size(void)
{
	size_t ps = getauxval(AT_PAGESZ);
	return ps ? ps : 4096;
}

/* ---- ELF images (a mapped file, or the vdso in memory) ---------------- */

/* The section headers of `img`, or NULL when it is not a sane 64-bit
 * little-endian ELF whose headers lie inside it. */
static const Elf64_Shdr *elf_sections(const unsigned char *img, size_t len, size_t *count)
{
	const Elf64_Ehdr *eh = (const void *)img;
	if (len < sizeof *eh || !bytes_equal(eh->e_ident, ELFMAG, SELFMAG) ||
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

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
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
		size_t desc_off = align_up(name_off + nh->n_namesz, align);
		if (desc_off > len || nh->n_descsz > len - desc_off)
			return 0;
		if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    bytes_equal(p + name_off, "GNU", 4) && nh->n_descsz > 0) {
			*id = p + desc_off;
			return nh->n_descsz;
		}
		off = align_up(desc_off + nh->n_descsz, align);
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
static size_t file_build_id(const unsigned char *img, size_t len, const unsigned char **id)
{
	size_t n;
	const Elf64_Shdr *sh = elf_sections(img, len, &n);
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

/* Does the file carry the same build-id as the loaded module?  A module
 * without one in memory cannot be checked and is taken as matching. */
static int file_matches(const struct module *m, const unsigned char *img, size_t len)
{
	if (!m->build_id_len)
		return 1;
	const unsigned char *id;
	size_t k = file_build_id(img, len, &id);
	return k == m->build_id_len && bytes_equal(id, m->build_id_raw, k);
}

/* The symbol table of type `type` and its string table, both inside img. */
static int find_table(const unsigned char *img, size_t len, uint32_t type,
                      const Elf64_Shdr **symtab, const Elf64_Shdr **strtab)
{
	size_t n;
	const Elf64_Shdr *sh = elf_sections(img, len, &n);
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

/* ---- the sorted function index ---------------------------------------- */

static unsigned underscores(const char *s)
{
	unsigned n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

/* Order of the index: by start; among aliases of one start the preferred
 * name first: global, weak, local; then fewer leading underscores (`malloc`
 * over `__libc_malloc`); then the shorter name (`__lll_lock_wait` over
 * glibc's internal `__GI___lll_lock_wait`); the string offset last, so that
 * the order is total and the result deterministic. */
static int sym_before(const struct cd_sym *a, const struct cd_sym *b, const char *str)
{
	if (a->start != b->start)
		return a->start < b->start;
	if (a->rank != b->rank)
		return a->rank < b->rank;
	unsigned ua = underscores(str + a->name), ub = underscores(str + b->name);
	if (ua != ub)
		return ua < ub;
	size_t la = cd_strlen(str + a->name), lb = cd_strlen(str + b->name);
	if (la != lb)
		return la < lb;
	return a->name < b->name;
}

static void sym_swap(struct cd_sym *a, struct cd_sym *b)
{
	struct cd_sym t = *a;
	*a = *b;
	*b = t;
}

static void sift_down(struct cd_sym *v, size_t root, size_t n, const char *str)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && sym_before(&v[child], &v[child + 1], str))
			child++;
		if (!sym_before(&v[root], &v[child], str))
			return;
		sym_swap(&v[root], &v[child]);
		root = child;
	}
}

/* Heap sort: in place, no recursion, O(n log n) whatever the input. */
static void heap_sort_syms(struct cd_sym *v, size_t n, const char *str)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n, str);
	for (size_t end = n; end-- > 1;) {
		sym_swap(&v[0], &v[end]);
		sift_down(v, 0, end, str);
	}
}

/* Aliases of one start, in sym_before order: insertion sort for the usual
 * handful, heap sort for the thousands identical code folding can make. */
static void sort_run(struct cd_sym *v, size_t n, const char *str)
{
	if (n > 16) {
		heap_sort_syms(v, n, str);
		return;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && sym_before(&v[j], &v[j - 1], str); j--)
			sym_swap(&v[j], &v[j - 1]);
}

/* By start with a least-significant-digit radix sort (stable, linear) into
 * a scratch mapping, then each run of one start by sym_before: as
 * sym_before is a total order (entries equal in all of it differ at most in
 * size, which the merge of aliases takes the largest of), the index is the
 * one heap sort alone makes, in a fraction of the time (libc's symbol table
 * is loaded at the first dump).  Heap sort alone for small tables (the
 * scratch mapping would cost more) or without the scratch. */
static void sort_syms(struct cd_sym *v, size_t n, const char *str)
{
	if (n < 512) {
		heap_sort_syms(v, n, str);
		return;
	}
	uint64_t lo = v[0].start, hi = v[0].start;
	for (size_t i = 1; i < n; i++) {
		if (v[i].start < lo)
			lo = v[i].start;
		if (v[i].start > hi)
			hi = v[i].start;
	}
	size_t len = align_up(n * sizeof *v, page_size());
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		heap_sort_syms(v, n, str);
		return;
	}
	struct cd_sym *src = v, *dst = p;
	for (unsigned shift = 0; shift < 64 && ((hi - lo) >> shift) != 0; shift += 8) {
		size_t at[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			at[((src[i].start - lo) >> shift) & 255]++;
		for (size_t d = 0, sum = 0; d < 256; d++) {
			size_t c = at[d];
			at[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[at[((src[i].start - lo) >> shift) & 255]++] = src[i];
		struct cd_sym *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		bytes_copy(v, src, n * sizeof *v);
	munmap(p, len);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].start == v[i].start; j++)
			;
		if (j - i > 1)
			sort_run(v + i, j - i, str);
	}
}

static int wanted(const Elf64_Sym *s, const char *str, size_t strsz)
{
	unsigned type = ELF64_ST_TYPE(s->st_info);
	return (type == STT_FUNC || type == STT_GNU_IFUNC) && s->st_size > 0 &&
	       s->st_shndx != SHN_UNDEF && s->st_name > 0 && s->st_name < strsz &&
	       str[s->st_name] != 0 && str[s->st_name] != '.';
}

static unsigned rank_of(const Elf64_Sym *s)
{
	switch (ELF64_ST_BIND(s->st_info)) {
	case STB_GLOBAL:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

/* Builds m's index from a symbol table inside img.  The index lives in an
 * anonymous mapping of its own; names stay in img, which must outlive it.
 * With `writable` (a private file mapping made writable), version suffixes are cut off in
 * place: .symtab keeps the assembler's names for .symver'd functions, such
 * as "__libc_start_main@@GLIBC_2.34", and the report wants the function's
 * name (as gdb shows it).  A string that shares the cut one's tail (string
 * tables merge suffixes) either starts after the '@' and is untouched, or
 * holds that '@' and is versioned too. */
static int build_index(struct module *m, const unsigned char *img, int writable,
                       const Elf64_Shdr *symtab, const Elf64_Shdr *strtab)
{
	const Elf64_Sym *syms = (const void *)(img + symtab->sh_offset);
	size_t total = symtab->sh_size / sizeof(Elf64_Sym);
	const char *str = (const char *)img + strtab->sh_offset;
	size_t strsz = strtab->sh_size;

	size_t n = 0;
	for (size_t i = 0; i < total; i++)
		if (wanted(&syms[i], str, strsz))
			n++;
	if (n == 0)
		return 0;
	if (n > CD_MAX_MODULE_SYMBOLS)
		n = CD_MAX_MODULE_SYMBOLS;

	size_t len = align_up(n * sizeof(struct cd_sym), page_size());
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	struct cd_sym *v = p;
	size_t k = 0;
	for (size_t i = 0; i < total && k < n; i++) {
		const Elf64_Sym *s = &syms[i];
		if (!wanted(s, str, strsz))
			continue;
		if (writable) {
			char *name = (char *)img + strtab->sh_offset + s->st_name;
			for (size_t j = 1; name[j]; j++)
				if (name[j] == '@') {
					name[j] = 0;
					break;
				}
		}
		v[k].start = s->st_value;
		v[k].size = s->st_size > UINT32_MAX ? UINT32_MAX : (uint32_t)s->st_size;
		v[k].name = s->st_name;
		v[k].rank = rank_of(s);
		k++;
	}
	sort_syms(v, k, str);

	/* Aliases: the first of each start is the preferred name, and takes the
	 * largest extent among them (the offset is from the same start). */
	size_t out = 0;
	for (size_t i = 0; i < k; i++) {
		if (out > 0 && v[out - 1].start == v[i].start) {
			if (v[i].size > v[out - 1].size)
				v[out - 1].size = v[i].size;
			continue;
		}
		v[out++] = v[i];
	}

	size_t used = align_up(out * sizeof(struct cd_sym), page_size());
	if (used < len)
		munmap((char *)p + used, len - used);
	mprotect(p, used, PROT_READ);
	m->syms = v;
	m->nsyms = out;
	m->syms_len = used;
	m->strtab = str;
	return 1;
}

/* ---- reading a module's symbols, lazily ------------------------------- */

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

static const char *debug_file_path(const struct module *m)
{
	size_t root = cd_strlen(cd_symbols_debug_root);
	/* root + "xx/" + the rest of the id in hex + ".debug" + NUL */
	if (m->build_id_len < 2 || root + 3 + 2 * m->build_id_len + 7 > CD_PATH_LEN)
		return NULL;
	char *p = g_debug_path;
	bytes_copy(p, cd_symbols_debug_root, root);
	p += root;
	p = hex_bytes(p, m->build_id_raw, 1);
	*p++ = '/';
	p = hex_bytes(p, m->build_id_raw + 1, m->build_id_len - 1);
	bytes_copy(p, ".debug", 7);
	return g_debug_path;
}

/* Uses the table found in a mapped file; the mapping is kept for the names.
 * Only the string table is made writable, and only while names are trimmed:
 * private writable pages count against the commit limit. */
static int use_file(struct module *m, const unsigned char *img, size_t len, uint32_t type)
{
	const Elf64_Shdr *symtab, *strtab;
	if (!find_table(img, len, type, &symtab, &strtab))
		return 0;
	size_t ps = page_size();
	size_t lo = strtab->sh_offset & ~(ps - 1);
	size_t span = align_up(strtab->sh_offset + strtab->sh_size, ps) - lo;
	int writable = mprotect((void *)(img + lo), span, PROT_READ | PROT_WRITE) == 0;
	int ok = build_index(m, img, writable, symtab, strtab);
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
static void read_file_symbols(struct module *m)
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
static void read_vdso_symbols(struct module *m)
{
	size_t len = align_up(m->end, page_size()) - m->start;
	const unsigned char *img = (const void *)m->start;
	const Elf64_Shdr *symtab, *strtab;
	if (find_table(img, len, SHT_SYMTAB, &symtab, &strtab) ||
	    find_table(img, len, SHT_DYNSYM, &symtab, &strtab))
		build_index(m, img, 0, symtab, strtab);
}

static void load_symbols(struct module *m)
{
	m->sym_state = SYMS_READ;
	if (m->is_vdso)
		read_vdso_symbols(m);
	else
		read_file_symbols(m);
}

/* The symbol whose extent holds `addr` (a link-time address), or NULL.
 * Binary search for the last start <= addr; a few entries back are tried
 * too, for a symbol nested inside a larger one. */
static const struct cd_sym *find_sym(const struct module *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, tries = 0; i > 0 && tries < CD_SYMBOL_NESTING; i--, tries++) {
		const struct cd_sym *s = &m->syms[i - 1];
		if (addr - s->start < s->size)
			return s;
	}
	return NULL;
}

/* ---- the module table ------------------------------------------------- */

/* The build-id in the notes of a loaded module (its ELF header is at
 * `start`, as for every object the loader maps); 0 when it has none or one
 * longer than we keep. */
static size_t memory_build_id(uintptr_t start, uintptr_t end, uintptr_t bias,
                              const unsigned char **id)
{
	const Elf64_Ehdr *eh = (const void *)start;
	size_t span = end - start;
	if (span < sizeof *eh || !bytes_equal(eh->e_ident, ELFMAG, SELFMAG) ||
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

/* The main program's path (its link_map has ""); without /proc, the name
 * it was started by. */
static const char *exe_path(void)
{
	if (!g_exe_read) {
		ssize_t n = readlink("/proc/self/exe", g_exe, sizeof g_exe - 1);
		g_exe[n > 0 ? n : 0] = 0;
		const char *execfn = (const char *)getauxval(AT_EXECFN);
		if (n <= 0 && execfn)
			cd_strlcpy(g_exe, execfn, sizeof g_exe);
		g_exe_read = 1;
	}
	return g_exe;
}

/* Is `m` still the object _dl_find_object reported?  The loader's link_map
 * and range are compared first: only when they match is the memory at
 * m->start known to be mapped, and read.  A library rebuilt and reloaded
 * at the same place under the same name differs only by its build-id. */
static int same_module(const struct module *m, const struct dl_find_object *r)
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
	if (m->build_id_len && at >= m->start && at + m->build_id_len <= m->start + page_size())
		return bytes_equal(m->build_id_mem, m->build_id_raw, m->build_id_len);
	const unsigned char *id = NULL;
	size_t k = memory_build_id(m->start, m->end, m->bias, &id);
	return k == m->build_id_len && bytes_equal(id, m->build_id_raw, k);
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

static void release(struct module *m)
{
	if (m->syms)
		munmap((void *)m->syms, m->syms_len);
	if (m->file_map && m->file_len)
		munmap((void *)m->file_map, m->file_len);
	*m = (struct module){ 0 };
}

/* A slot for a new module: a free one, else one whose module is known to
 * be unloaded, else one that _dl_find_object no longer confirms.  Slots
 * named by the current report are never taken (their strings are in use). */
static struct module *take_slot(void)
{
	for (int i = 0; i < CD_MAX_MODULES; i++)
		if (!g_mods[i].in_use)
			return &g_mods[i];
	for (int i = 0; i < CD_MAX_MODULES; i++) {
		struct module *m = &g_mods[i];
		if (!m->live && m->report_gen != g_gen) {
			release(m);
			return m;
		}
	}
	for (int pos = 0; pos < g_nlive; pos++) {
		struct module *m = &g_mods[g_by_start[pos]];
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
static struct module *module_for(uintptr_t addr)
{
	struct dl_find_object r;
	if (_dl_find_object((void *)addr, &r) != 0 || !r.dlfo_link_map)
		return NULL;
	uintptr_t start = (uintptr_t)r.dlfo_map_start, end = (uintptr_t)r.dlfo_map_end;

	int pos = live_lower_bound(start);
	if (pos < g_nlive) {
		struct module *m = &g_mods[g_by_start[pos]];
		if (m->start == start && same_module(m, &r))
			return m;
	}

	/* New, or replaced: whatever overlaps the new range has been unloaded. */
	while (pos > 0 && g_mods[g_by_start[pos - 1]].end > start)
		pos--;
	while (pos < g_nlive && g_mods[g_by_start[pos]].start < end)
		live_remove(pos);

	struct module *m = take_slot();
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
	cd_strlcpy(g_paths[m - g_mods], m->is_main ? exe_path() : lm->l_name, CD_PATH_LEN);
	const unsigned char *id = NULL;
	m->build_id_len = memory_build_id(start, end, m->bias, &id);
	bytes_copy(m->build_id_raw, id, m->build_id_len);
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

/* ---- the interface ---------------------------------------------------- */

void cd_symbols_begin_report(void)
{
	if (++g_gen == 0) /* 0 is the generation of records never listed */
		g_gen = 1;
	g_nreport = 0;
}

/* The memo's answer for addr, when it still holds: the same module is
 * mapped there as when it was written. */
static int memo_holds(const struct pc_memo *memo, uintptr_t addr)
{
	struct dl_find_object r;
	if (memo->gen != g_gen || memo->addr != addr)
		return 0;
	const struct module *m = &g_mods[memo->mod];
	return _dl_find_object((void *)addr, &r) == 0 && r.dlfo_link_map &&
	       (uintptr_t)r.dlfo_map_start == m->start && m->live && same_module(m, &r);
}

void cd_symbolize(uintptr_t pc, int is_return_address, struct cd_frame_info *out)
{
	int saved = errno;
	*out = (struct cd_frame_info){ .module_index = -1 };
	uintptr_t addr = is_return_address && pc > 0 ? pc - 1 : pc;
	struct pc_memo *memo = &g_memo[(addr ^ addr >> 10) % PC_MEMO_SIZE];
	struct module *m;
	const struct cd_sym *s;

	if (memo_holds(memo, addr)) {
		m = &g_mods[memo->mod];
		s = memo->sym;
	} else {
		m = module_for(addr);
		if (!m)
			goto done;
		if (m->report_gen != g_gen) {
			m->report_gen = g_gen;
			m->report_index = g_nreport;
			g_report[g_nreport++] = (int)(m - g_mods);
		}
		if (m->sym_state == SYMS_UNREAD)
			load_symbols(m);
		s = find_sym(m, addr - m->bias);
		*memo = (struct pc_memo){ .addr = addr, .gen = g_gen, .mod = (int)(m - g_mods), .sym = s };
	}
	out->module = g_paths[m - g_mods];
	out->module_offset = pc - m->bias;
	out->module_index = m->report_index;
	if (s) {
		out->function = m->strtab + s->name;
		out->offset = pc - m->bias - s->start;
	}
done:
	errno = saved;
}

int cd_symbols_module_count(void)
{
	return g_nreport;
}

void cd_symbols_module(int index, const char **path, uintptr_t *base, const char **build_id)
{
	if (index < 0 || index >= g_nreport) {
		*path = NULL;
		*base = 0;
		*build_id = NULL;
		return;
	}
	const struct module *m = &g_mods[g_report[index]];
	*path = g_paths[g_report[index]];
	*base = m->bias;
	*build_id = m->build_id_len ? m->build_id : NULL;
}
