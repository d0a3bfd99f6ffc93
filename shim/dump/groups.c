/* groups.c - which dumped threads share a stack: the same frames (pcs,
 * how they were cut) and the same wait (kind and object), as the poor man's
 * profiler and panicparse group them, but without the text: a hash of
 * each key, then one in-place heapsort of the slots by (hash, key, tid) so
 * that equal keys lie together, each run a group, and one more of the
 * groups by size.  A group's stack_id is its rank, 1 the largest.
 * Context: AS-safe (the dump coordinator): static arrays, no allocation,
 * no recursion. */
#include "dump/groups.h"
#include "base/bounds.h"

static int order[CD_MAX_TASKS];          /* dumped slots, grouped */
static uint64_t hash_of[CD_MAX_TASKS];   /* by slot */
static struct cd_group groups[CD_MAX_TASKS];

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x;
	return h * 0x100000001b3ull; /* FNV-1a's prime, a word at a time */
}

static uint64_t key_hash(const struct cd_dump_view *v, struct cd_slot *s)
{
	uintptr_t *pcs = cd_slot_pcs(s);
	uint8_t *exact = cd_slot_exact(s, v->frames);
	uint64_t h = 0xcbf29ce484222325ull;
	h = mix(h, (uint64_t)s->nframes << 8 | (uint64_t)s->cut);
	h = mix(h, (uint64_t)s->wait.kind << 1 | (s->wait.state == CD_STATE_BLOCKED));
	h = mix(h, s->wait.address);
	for (int k = 0; k < s->nframes; k++)
		h = mix(h, pcs[k] ^ exact[k]);
	return h;
}

/* <0, 0, >0: slots ordered by key; equal keys compare equal. */
static int key_cmp(const struct cd_dump_view *v, int a, int b)
{
	struct cd_slot *x = cd_view_slot(v, a), *y = cd_view_slot(v, b);
	if (hash_of[a] != hash_of[b])
		return hash_of[a] < hash_of[b] ? -1 : 1;
	if (x->nframes != y->nframes)
		return x->nframes - y->nframes;
	if (x->cut != y->cut)
		return x->cut - y->cut;
	if (x->wait.kind != y->wait.kind)
		return x->wait.kind - y->wait.kind;
	if ((x->wait.state == CD_STATE_BLOCKED) != (y->wait.state == CD_STATE_BLOCKED))
		return x->wait.state == CD_STATE_BLOCKED ? 1 : -1;
	if (x->wait.address != y->wait.address)
		return x->wait.address < y->wait.address ? -1 : 1;
	uintptr_t *p = cd_slot_pcs(x), *q = cd_slot_pcs(y);
	uint8_t *e = cd_slot_exact(x, v->frames), *f = cd_slot_exact(y, v->frames);
	for (int k = 0; k < x->nframes; k++) {
		if (p[k] != q[k])
			return p[k] < q[k] ? -1 : 1;
		if (e[k] != f[k])
			return e[k] - f[k];
	}
	return 0;
}

static int slot_cmp(const struct cd_dump_view *v, int a, int b)
{
	int c = key_cmp(v, a, b);
	if (c)
		return c;
	return cd_view_slot(v, a)->tid < cd_view_slot(v, b)->tid ? -1 : 1;
}

/* Larger first, then the one whose first thread has the lower tid. */
static int group_cmp(const struct cd_dump_view *v, int a, int b)
{
	if (groups[a].count != groups[b].count)
		return groups[b].count - groups[a].count;
	pid_t x = cd_view_slot(v, order[groups[a].first])->tid;
	pid_t y = cd_view_slot(v, order[groups[b].first])->tid;
	return x < y ? -1 : x > y;
}

/* Heapsort of n items through cmp(i, j) and swap(i, j): in place, no
 * recursion, n log n at worst. */
struct sorter {
	const struct cd_dump_view *v;
	int (*cmp)(const struct cd_dump_view *, int, int); /* on the items' values */
	int (*value)(int i);                              /* item i's value for cmp */
	void (*swap)(int i, int j);
};

static void sift(const struct sorter *s, int root, int n)
{
	for (;;) {
		int child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && s->cmp(s->v, s->value(child), s->value(child + 1)) < 0)
			child++;
		if (s->cmp(s->v, s->value(root), s->value(child)) >= 0)
			return;
		s->swap(root, child);
		root = child;
	}
}

static void heapsort(const struct sorter *s, int n)
{
	for (int i = n / 2 - 1; i >= 0; i--)
		sift(s, i, n);
	for (int end = n - 1; end > 0; end--) {
		s->swap(0, end);
		sift(s, 0, end);
	}
}

static int order_value(int i)
{
	return order[i];
}

static void order_swap(int i, int j)
{
	int t = order[i];
	order[i] = order[j];
	order[j] = t;
}

static int group_value(int i)
{
	return i;
}

static void group_swap(int i, int j)
{
	struct cd_group t = groups[i];
	groups[i] = groups[j];
	groups[j] = t;
}

void cd_groups_make(struct cd_dump_view *v)
{
	int n = 0, ng = 0;
	for (int i = 0; i < v->nslots; i++) {
		struct cd_slot *s = cd_view_slot(v, i);
		s->stack_id = 0;
		if (s->missing != CD_DUMPED)
			continue;
		hash_of[i] = key_hash(v, s);
		order[n++] = i;
	}
	struct sorter by_slot = { v, slot_cmp, order_value, order_swap };
	heapsort(&by_slot, n);
	for (int k = 0; k < n; k++) {
		if (k == 0 || key_cmp(v, order[k - 1], order[k]) != 0) {
			groups[ng].first = k;
			groups[ng++].count = 0;
		}
		groups[ng - 1].count++;
	}
	struct sorter by_size = { v, group_cmp, group_value, group_swap };
	heapsort(&by_size, ng);
	for (int g = 0; g < ng; g++)
		for (int k = groups[g].first; k < groups[g].first + groups[g].count; k++)
			cd_view_slot(v, order[k])->stack_id = g + 1;
	v->ngroups = ng;
	v->groups = groups;
	v->group_slots = order;
}
