/* symbols_unit.c - unit checks of shim/symbols.c, linked with its object.
 * Context: normal program; prints facts for tests/symbols.bats to compare
 * with addr2line and readelf, and "symbols_unit: ok" when every check passed.
 *
 *   symbols_unit                    with the system's debug files
 *   symbols_unit --no-debug-files   as on a system without libc6-dbg
 *   symbols_unit --reload DIR       DIR/one.so (first_version) is replaced
 *                                   by DIR/two.so (second_versio) under one name
 */
#include "symbols/symbols.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

extern const char *cd_symbols_debug_root;

/* ---- allocation counters: the lookups must never allocate ------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static volatile unsigned long allocs;

void *malloc(size_t n)
{
	allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t k)
{
	allocs++;
	return __libc_calloc(n, k);
}

void *realloc(void *p, size_t n)
{
	allocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (p)
		allocs++;
	__libc_free(p);
}

int posix_memalign(void **p, size_t a, size_t n)
{
	allocs++;
	*p = __libc_memalign(a, n);
	return *p ? 0 : 12;
}

void *aligned_alloc(size_t a, size_t n)
{
	allocs++;
	return __libc_memalign(a, n);
}

/* ---- checks ------------------------------------------------------------ */

static int failures;
static unsigned long allocs_in_lookups;

#define CHECK(cond, ...)                                          \
	do {                                                      \
		if (!(cond)) {                                    \
			failures++;                               \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                      \
			printf("\n");                             \
		}                                                 \
	} while (0)

/* Every lookup goes through here, so the allocation count covers them all,
 * the first (lazy, table-reading) ones included. */
static struct cd_frame_info sym(uintptr_t pc, int is_ret)
{
	struct cd_frame_info fi;
	unsigned long before = allocs;
	cd_symbolize(pc, is_ret, &fi);
	allocs_in_lookups += allocs - before;
	return fi;
}

static const char *name_or(const char *s)
{
	return s ? s : "??";
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static volatile int sink;

__attribute__((noinline, noclone, used)) static int local_fn(int n)
{
	int acc = 0;
	for (int i = 0; i < n; i++)
		acc += i * sink;
	return acc;
}

static jmp_buf jb;
static void *ra_of_last_call;

__attribute__((noinline, noclone, noreturn)) static void record_and_leave(void)
{
	ra_of_last_call = __builtin_return_address(0);
	longjmp(jb, 1);
}

/* Ends with a call that does not return: its return address is the first
 * byte after the function, which only the pc - 1 rule attributes to it. */
__attribute__((noinline, noclone)) static void ends_in_call(void)
{
	record_and_leave();
}

static void *thread_ra;

static void *thread_main(void *arg)
{
	(void)arg;
	thread_ra = __builtin_return_address(0);
	return NULL;
}

static int exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Copies the first `len` bytes of src (all of it when 0) to a new file. */
static int copy_file(const char *src, const char *dst, size_t len)
{
	char buf[4096];
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0755);
	int ok = in >= 0 && out >= 0;
	for (size_t done = 0; ok && (!len || done < len);) {
		size_t want = len && len - done < sizeof buf ? len - done : sizeof buf;
		ssize_t n = read(in, buf, want);
		if (n <= 0) {
			ok = n == 0 && !len;
			break;
		}
		ok = write(out, buf, (size_t)n) == n;
		done += (size_t)n;
	}
	close(in);
	close(out);
	return ok;
}

/* Puts `file` at `plugin` (a new inode, as a rebuild makes) and loads it;
 * the address of its function `fn`, 0 when that failed. */
static uintptr_t load_as(const char *plugin, const char *file, const char *fn, void **h)
{
	unlink(plugin);
	CHECK(link(file, plugin) == 0, "link %s", file);
	*h = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
	uintptr_t f = *h ? (uintptr_t)dlsym(*h, fn) : 0;
	CHECK(f, "%s: %s not found", plugin, fn);
	return f;
}

/* Loads `orig` as `plugin`, then puts `len` bytes of `other` in its place.
 * Each call must load a build other than the last one loaded at that place,
 * or the record of the last one is rightly taken again. */
static void replaced_on_disk(const char *plugin, const char *orig, const char *fn, const char *other,
                             size_t len, const char *orig_id)
{
	void *h;
	uintptr_t f = load_as(plugin, orig, fn, &h);
	if (!f)
		return;
	unlink(plugin);
	CHECK(copy_file(other, plugin, len), "copy of %s", other);
	cd_symbols_begin_report();
	struct cd_frame_info r = sym(f + 1, 0);
	const char *path, *id;
	uintptr_t base;
	cd_symbols_module(0, &path, &base, &id);
	CHECK(r.module && strcmp(r.module, plugin) == 0 && !r.function && r.module_index == 0 &&
	      r.module_offset == f + 1 - base && id && strcmp(id, orig_id) == 0,
	      "%s replaced by %s: module %s function %s build-id %s", orig, other, r.module,
	      name_or(r.function), id);
	dlclose(h);
}

/* A plugin rebuilt and reloaded under the same path: the loader may give
 * it the old link_map and the old addresses; only the build-id tells.  The
 * two libraries are built alike so that everything else can match. */
static void reload_checks(const char *dir)
{
	char one[4096], two[4096], plugin[4096];
	snprintf(one, sizeof one, "%s/one.so", dir);
	snprintf(two, sizeof two, "%s/two.so", dir);
	snprintf(plugin, sizeof plugin, "%s/plugin.so", dir);

	void *h1, *h2;
	uintptr_t f1 = load_as(plugin, one, "first_version", &h1);
	if (!f1)
		return;
	cd_symbols_begin_report();
	struct cd_frame_info r1 = sym(f1 + 1, 0);
	CHECK(r1.function && strcmp(r1.function, "first_version") == 0 && r1.offset == 1,
	      "first_version+1 named %s", name_or(r1.function));
	dlclose(h1);

	uintptr_t f2 = load_as(plugin, two, "second_versio", &h2);
	if (!f2)
		return;
	printf("reload: link_map %s, address %s\n", h2 == h1 ? "reused" : "new",
	       f2 == f1 ? "reused" : "new");
	/* Same report on purpose: the old record is still listed. */
	struct cd_frame_info r2 = sym(f2 + 1, 0);
	CHECK(r2.function && strcmp(r2.function, "second_versio") == 0 && r2.offset == 1,
	      "second_versio+1 named %s", name_or(r2.function));
	CHECK(r2.module_index == 1 && cd_symbols_module_count() == 2,
	      "reloaded module index %d of %d", r2.module_index, cd_symbols_module_count());
	const char *p0, *p1, *id0, *id1;
	uintptr_t b0, b1;
	cd_symbols_module(0, &p0, &b0, &id0);
	cd_symbols_module(1, &p1, &b1, &id1);
	CHECK(id0 && id1 && strcmp(id0, id1) != 0, "build-ids %s and %s", id0, id1);
	printf("buildid %s %s\n", one, id0 ? id0 : "none");
	printf("buildid %s %s\n", two, id1 ? id1 : "none");
	dlclose(h2);

	/* Loaded, then replaced on disk before the first lookup, by another
	 * build or by a truncated copy: the module is still reported, from
	 * memory, without names (the other build's would be wrong). */
	replaced_on_disk(plugin, one, "first_version", two, 0, id0);
	replaced_on_disk(plugin, two, "second_versio", two, 1024, id1);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--reload") == 0) {
		reload_checks(argv[2]);
		CHECK(allocs_in_lookups == 0, "%lu allocation calls inside cd_symbolize", allocs_in_lookups);
		printf("symbols_unit: %s\n", failures ? "failed" : "ok");
		return failures != 0;
	}

	int no_debug = argc > 1 && strcmp(argv[1], "--no-debug-files") == 0;
	if (no_debug)
		cd_symbols_debug_root = "/nonexistent/libcrashdump-test/";
	setvbuf(stdout, NULL, _IONBF, 0);

	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;

	uintptr_t local = (uintptr_t)local_fn;
	uintptr_t getpid_addr = (uintptr_t)dlsym(RTLD_DEFAULT, "getpid");
	pthread_t t;
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_join(t, NULL);
	if (setjmp(jb) == 0)
		ends_in_call();
	void *anon = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* Loads: the first lookup in a module reads its table. */
	cd_symbols_begin_report();
	double t0 = now_ms();
	struct cd_frame_info a = sym(local + 5, 0);
	double t1 = now_ms();
	struct cd_frame_info g = sym(getpid_addr, 0);
	double t2 = now_ms();
	printf("load exe_ms %.3f libc_ms %.3f\n", t1 - t0, t2 - t1);

	/* A static function of the program: name, offset, module. */
	CHECK(a.function && strcmp(a.function, "local_fn") == 0, "local_fn+5 named %s", name_or(a.function));
	CHECK(a.offset == 5, "local_fn offset %#lx", (unsigned long)a.offset);
	CHECK(a.module && strcmp(a.module, exe) == 0, "local_fn module %s", a.module);
	CHECK(a.module_index == 0, "first module index %d", a.module_index);
	if (a.module)
		printf("local %s %#lx\n", a.module, (unsigned long)a.module_offset);

	/* A libc function, by its address: getpid or an alias at that address. */
	CHECK(g.function && g.offset == 0 &&
	      (strcmp(g.function, "getpid") == 0 ||
	       (uintptr_t)dlsym(RTLD_DEFAULT, g.function) == getpid_addr),
	      "getpid named %s+%#lx", name_or(g.function), (unsigned long)g.offset);
	CHECK(g.module && strstr(g.module, "libc.so.6"), "getpid module %s", g.module);
	CHECK(g.module_index == 1, "second module index %d", g.module_index);
	printf("getpid %s\n", name_or(g.function));

	/* Functions .symtab knows by versioned names ("pthread_kill@@GLIBC_2.34"
	 * in libc's debug file) are named without the version. */
	static const char *const versioned[] = { "pthread_kill", "__libc_start_main", "pthread_cond_wait" };
	for (size_t i = 0; i < sizeof versioned / sizeof versioned[0]; i++) {
		uintptr_t at = (uintptr_t)dlsym(RTLD_DEFAULT, versioned[i]);
		struct cd_frame_info v = sym(at, 0);
		CHECK(v.function && !strchr(v.function, '@') && v.offset == 0 &&
		      (strcmp(v.function, versioned[i]) == 0 || (uintptr_t)dlsym(RTLD_DEFAULT, v.function) == at),
		      "%s named %s+%#lx", versioned[i], name_or(v.function), (unsigned long)v.offset);
		printf("versioned %s %s\n", versioned[i], name_or(v.function));
	}

	/* pc - 1 for return addresses. */
	struct cd_frame_info e = sym((uintptr_t)ra_of_last_call, 1);
	CHECK(e.function && strcmp(e.function, "ends_in_call") == 0,
	      "return address after ends_in_call named %s", name_or(e.function));
	CHECK(e.offset == (uintptr_t)ra_of_last_call - (uintptr_t)ends_in_call,
	      "ends_in_call offset %#lx", (unsigned long)e.offset);
	struct cd_frame_info e0 = sym((uintptr_t)ra_of_last_call, 0);
	printf("ends_in_call return address is %s\n",
	       e0.function && strcmp(e0.function, "ends_in_call") == 0 ? "inside" : "past its end");
	struct cd_frame_info before = sym(local, 1);
	CHECK(!before.function || strcmp(before.function, "local_fn") != 0,
	      "the byte before local_fn is named local_fn");

	/* start_thread: named exactly, or not at all (never a neighbour). */
	struct cd_frame_info st = sym((uintptr_t)thread_ra, 1);
	printf("start_thread %s\n", name_or(st.function));
	CHECK(!st.function || strcmp(st.function, "start_thread") == 0,
	      "thread start return address named %s+%#lx", st.function, (unsigned long)st.offset);

	/* The vdso, read from memory. */
	void *vdso = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	uintptr_t vfn = vdso ? (uintptr_t)dlsym(vdso, "__vdso_clock_gettime") : 0;
	if (vfn) {
		struct cd_frame_info v = sym(vfn + 1, 0);
		CHECK(v.module && strcmp(v.module, "linux-vdso.so.1") == 0, "vdso module %s", v.module);
		CHECK(v.function && v.offset == 1 && (uintptr_t)dlsym(vdso, v.function) == vfn,
		      "vdso clock_gettime named %s+%#lx", name_or(v.function), (unsigned long)v.offset);
		printf("vdso %s\n", name_or(v.function));
	} else {
		printf("vdso not found\n");
	}

	/* Anonymous memory: no module at all. */
	struct cd_frame_info an = sym((uintptr_t)anon + 16, 0);
	CHECK(!an.module && an.module_index == -1 && !an.function, "anonymous memory gave module %s index %d",
	      an.module, an.module_index);

	/* The report's module list: each once, in order of first use. */
	int count = cd_symbols_module_count();
	int want = vfn ? 3 : 2;
	CHECK(count == want, "module count %d, want %d", count, want);
	for (int i = 0; i < count; i++) {
		const char *path, *id;
		uintptr_t base;
		cd_symbols_module(i, &path, &base, &id);
		printf("buildid %s %s\n", path, id ? id : "none");
		if (i == 0)
			CHECK(strcmp(path, exe) == 0 && base + a.module_offset == local + 5,
			      "module 0 %s base %#lx", path, (unsigned long)base);
		if (i == 1)
			CHECK(strcmp(path, g.module) == 0 && base + g.module_offset == getpid_addr,
			      "module 1 %s base %#lx", path, (unsigned long)base);
		if (i == 1 && id && !no_debug) {
			char dbg[256];
			snprintf(dbg, sizeof dbg, "/usr/lib/debug/.build-id/%.2s/%s.debug", id, id + 2);
			int have = exists(dbg);
			printf("libc debug file %s: %s\n", dbg, have ? "present" : "absent");
			/* With the debug file, start_thread must be found. */
			CHECK(!have || (st.function && strcmp(st.function, "start_thread") == 0),
			      "libc debug file present but start_thread named %s", name_or(st.function));
		}
	}
	if (no_debug)
		CHECK(!st.function, "without debug files start_thread named %s", st.function);
	struct cd_frame_info again = sym(local, 0);
	CHECK(again.module_index == 0 && cd_symbols_module_count() == count, "a known module listed again");

	cd_symbols_begin_report();
	CHECK(cd_symbols_module_count() == 0, "begin_report left %d modules", cd_symbols_module_count());
	struct cd_frame_info g2 = sym(getpid_addr, 0);
	CHECK(g2.module_index == 0 && cd_symbols_module_count() == 1, "after begin_report libc index %d",
	      g2.module_index);
	struct cd_frame_info a2 = sym(local, 0);
	CHECK(a2.module_index == 1 && a2.function && a2.offset == 0, "after begin_report exe index %d",
	      a2.module_index);

	/* Cost of a lookup once tables are loaded: 1000 threads x 10 frames. */
	uintptr_t pcs[4] = { local + 3, getpid_addr + 2, (uintptr_t)thread_ra, (uintptr_t)ra_of_last_call };
	double t3 = now_ms();
	for (int i = 0; i < 10000; i++) {
		struct cd_frame_info f = sym(pcs[i & 3], i & 1);
		sink = f.module_index;
	}
	double t4 = now_ms();
	printf("lookups 10000 ms %.3f ns_each %.0f\n", t4 - t3, (t4 - t3) * 1e6 / 10000);

	/* dlclose + dlopen: the second library may reuse the first one's
	 * addresses and even its link_map; it must still get its own names. */
	cd_symbols_begin_report();
	void *h1 = dlopen("libresolv.so.2", RTLD_NOW | RTLD_LOCAL);
	uintptr_t f1 = h1 ? (uintptr_t)dlsym(h1, "__b64_pton") : 0;
	CHECK(f1, "libresolv.so.2 or __b64_pton not found");
	if (f1) {
		struct cd_frame_info r1 = sym(f1, 0);
		CHECK(r1.module && strstr(r1.module, "libresolv.so.2") && r1.function && r1.offset == 0 &&
		      (uintptr_t)dlsym(h1, r1.function) == f1,
		      "__b64_pton named %s in %s", name_or(r1.function), r1.module);
		dlclose(h1);
		void *h2 = dlopen("libthread_db.so.1", RTLD_LAZY | RTLD_LOCAL);
		uintptr_t f2 = h2 ? (uintptr_t)dlsym(h2, "td_ta_new") : 0;
		CHECK(f2, "libthread_db.so.1 or td_ta_new not found");
		if (f2) {
			struct cd_frame_info r2 = sym(f2, 0);
			printf("dlopen after dlclose: link_map %s, load bias %s\n",
			       h2 == h1 ? "reused" : "new",
			       f2 - r2.module_offset == f1 - r1.module_offset ? "reused" : "new");
			CHECK(r2.module && strstr(r2.module, "libthread_db.so.1") && r2.function &&
			      r2.offset == 0 && (uintptr_t)dlsym(h2, r2.function) == f2,
			      "td_ta_new named %s in %s", name_or(r2.function), r2.module);
			CHECK(r2.module_index == 1 && cd_symbols_module_count() == 2,
			      "replaced module index %d count %d", r2.module_index, cd_symbols_module_count());
			cd_symbols_begin_report();
			struct cd_frame_info r3 = sym(f2 + 1, 0);
			CHECK(r3.function && r3.offset == 1 && r3.module_index == 0 &&
			      strcmp(r3.module, r2.module) == 0, "td_ta_new+1 named %s", name_or(r3.function));
		}
	}

	/* The counters do see libc's own allocations. */
	unsigned long before_dup = allocs;
	free(strdup("x"));
	CHECK(allocs - before_dup == 2, "allocation counters missed strdup + free (%lu)", allocs - before_dup);

	CHECK(allocs_in_lookups == 0, "%lu allocation calls inside cd_symbolize", allocs_in_lookups);
	printf("allocations in lookups %lu\n", allocs_in_lookups);

	if (failures) {
		printf("symbols_unit: %d failed\n", failures);
		return 1;
	}
	printf("symbols_unit: ok\n");
	return 0;
}
