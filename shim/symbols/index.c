/* index.c - a module's function symbols as a sorted index: the preferred
 * name of each start (global over weak over local, fewer leading
 * underscores, the shorter name), its largest extent, found by binary
 * search.  Built in an anonymous mapping of its own, once per module.
 * Context: AS-safe (mmap, no allocation). */
#include "symbols/index.h"
#include "symbols/elf.h"
#include "base/bounds.h"
#include "base/out.h"

#include <sys/mman.h>

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
	size_t len = cd_align_up(n * sizeof *v, cd_page_size());
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
		cd_bytes_copy(v, src, n * sizeof *v);
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

/* Builds an index from a symbol table inside img.  The index lives in an
 * anonymous mapping of its own; names stay in img, which must outlive it.
 * With `writable` (a private file mapping made writable), version suffixes are cut off in
 * place: .symtab keeps the assembler's names for .symver'd functions, such
 * as "__libc_start_main@@GLIBC_2.34", and the report wants the function's
 * name (as gdb shows it).  A string that shares the cut one's tail (string
 * tables merge suffixes) either starts after the '@' and is untouched, or
 * holds that '@' and is versioned too. */
/* The wanted symbols of the table, copied into v (room for n); names
 * trimmed of their version when `writable`.  Returns how many. */
static size_t copy_syms(struct cd_sym *v, size_t n, const unsigned char *img, int writable,
                        const Elf64_Shdr *symtab, const Elf64_Shdr *strtab)
{
	const Elf64_Sym *syms = (const void *)(img + symtab->sh_offset);
	size_t total = symtab->sh_size / sizeof(Elf64_Sym);
	const char *str = (const char *)img + strtab->sh_offset;
	size_t k = 0;
	for (size_t i = 0; i < total && k < n; i++) {
		const Elf64_Sym *s = &syms[i];
		if (!wanted(s, str, strtab->sh_size))
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
	return k;
}

/* Aliases: the first of each start is the preferred name, and takes the
 * largest extent among them (the offset is from the same start). */
static size_t merge_aliases(struct cd_sym *v, size_t k)
{
	size_t out = 0;
	for (size_t i = 0; i < k; i++) {
		if (out > 0 && v[out - 1].start == v[i].start) {
			if (v[i].size > v[out - 1].size)
				v[out - 1].size = v[i].size;
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

int cd_index_build(struct cd_symtab *t, const unsigned char *img, int writable,
                   const Elf64_Shdr *symtab, const Elf64_Shdr *strtab)
{
	const Elf64_Sym *syms = (const void *)(img + symtab->sh_offset);
	size_t total = symtab->sh_size / sizeof(Elf64_Sym);
	const char *str = (const char *)img + strtab->sh_offset;
	size_t n = 0;
	for (size_t i = 0; i < total; i++)
		if (wanted(&syms[i], str, strtab->sh_size))
			n++;
	if (n == 0)
		return 0;
	if (n > CD_MAX_MODULE_SYMBOLS)
		n = CD_MAX_MODULE_SYMBOLS;

	size_t len = cd_align_up(n * sizeof(struct cd_sym), cd_page_size());
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	struct cd_sym *v = p;
	size_t k = copy_syms(v, n, img, writable, symtab, strtab);
	sort_syms(v, k, str);
	size_t out = merge_aliases(v, k);
	size_t used = cd_align_up(out * sizeof(struct cd_sym), cd_page_size());
	if (used < len)
		munmap((char *)p + used, len - used);
	mprotect(p, used, PROT_READ);
	t->syms = v;
	t->n = out;
	t->len = used;
	t->strtab = str;
	return 1;
}

/* The symbol whose extent holds `addr` (a link-time address), or NULL.
 * Binary search for the last start <= addr; a few entries back are tried
 * too, for a symbol nested inside a larger one. */
const struct cd_sym *cd_index_find(const struct cd_symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, tries = 0; i > 0 && tries < CD_SYMBOL_NESTING; i--, tries++) {
		const struct cd_sym *s = &t->syms[i - 1];
		if (addr - s->start < s->size)
			return s;
	}
	return NULL;
}
