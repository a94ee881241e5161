/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: translation caches (VT-d 6.2). Context cache keyed by source
 * ID, PASID cache keyed by (source ID, PASID) and tagged with the domain,
 * IOTLB keyed by (domain, PASID, page, level). Only present entries and
 * successful translations are cached (CM=0: software does not invalidate
 * after making something present). Every flush bumps a generation, so a
 * walk that raced with an invalidation does not insert a stale result.
 * All under IOMMUSVAState.lock; callable from any thread.
 */

#include "qemu/osdep.h"
#include "iommu-sva.h"
#include "trace.h"

/* Page-selective invalidations up to 2^this pages go by key */
#define SVA_FLUSH_BY_KEY_AM     4
/* Bounds on the caches that are not the user-sized IOTLB */
#define SVA_CTX_CACHE_MAX       1024
#define SVA_PASID_CACHE_MAX     4096

typedef struct SVACtxEntry {
    uint64_t ce[4];
} SVACtxEntry;

typedef struct SVAPasidKey {
    uint16_t sid;
    uint32_t pasid;
} SVAPasidKey;

typedef struct SVAPasidEntry {
    SVAPasidKey key;
    uint64_t pe[8];
} SVAPasidEntry;

typedef struct SVAIotlbKey {
    uint64_t vpn;               /* iova >> level's page shift */
    uint32_t pasid;
    uint16_t did;
    uint8_t level;              /* 1: 4 KiB, 2: 2 MiB, 3: 1 GiB */
} SVAIotlbKey;

typedef struct SVAIotlbItem {
    SVAIotlbKey key;
    SVAIotlbEntry e;
} SVAIotlbItem;

static guint sva_pasid_hash(gconstpointer v)
{
    const SVAPasidKey *k = v;

    return k->sid ^ (k->pasid * 2654435761u);
}

static gboolean sva_pasid_equal(gconstpointer a, gconstpointer b)
{
    const SVAPasidKey *x = a, *y = b;

    return x->sid == y->sid && x->pasid == y->pasid;
}

static guint sva_iotlb_hash(gconstpointer v)
{
    const SVAIotlbKey *k = v;
    uint64_t h = k->vpn * 0x9e3779b97f4a7c15ULL;

    h ^= ((uint64_t)k->pasid << 20) ^ ((uint64_t)k->did << 44) ^ k->level;
    return h ^ (h >> 32);
}

static gboolean sva_iotlb_equal(gconstpointer a, gconstpointer b)
{
    const SVAIotlbKey *x = a, *y = b;

    return x->vpn == y->vpn && x->pasid == y->pasid && x->did == y->did &&
           x->level == y->level;
}

static unsigned sva_level_shift(unsigned level)
{
    return SVA_PAGE_SHIFT + SVA_FL_LEVEL_BITS * (level - 1);
}

void iommu_sva_caches_init(IOMMUSVAState *s)
{
    s->ctx_cache = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                         NULL, g_free);
    s->pasid_cache = g_hash_table_new_full(sva_pasid_hash, sva_pasid_equal,
                                           NULL, g_free);
    s->iotlb = g_hash_table_new_full(sva_iotlb_hash, sva_iotlb_equal,
                                     NULL, g_free);
}

uint64_t iommu_sva_cache_gen(IOMMUSVAState *s)
{
    return qatomic_read(&s->cache_gen);
}

static void sva_gen_bump(IOMMUSVAState *s)
{
    qatomic_set(&s->cache_gen, s->cache_gen + 1);
}

/* Context cache */

void iommu_sva_ctx_insert(IOMMUSVAState *s, uint16_t sid, const uint64_t *ce,
                          uint64_t gen)
{
    SVACtxEntry *e;

    QEMU_LOCK_GUARD(&s->lock);
    if (gen != s->cache_gen || !s->p.iotlb_size) {
        return;
    }
    if (g_hash_table_size(s->ctx_cache) >= SVA_CTX_CACHE_MAX) {
        g_hash_table_remove_all(s->ctx_cache);
    }
    e = g_new(SVACtxEntry, 1);
    memcpy(e->ce, ce, sizeof(e->ce));
    g_hash_table_replace(s->ctx_cache, GUINT_TO_POINTER(sid + 1u), e);
}

/* PASID cache */

void iommu_sva_pasid_insert(IOMMUSVAState *s, uint16_t sid, uint32_t pasid,
                            const uint64_t *pe, uint64_t gen)
{
    SVAPasidEntry *e;

    QEMU_LOCK_GUARD(&s->lock);
    if (gen != s->cache_gen || !s->p.iotlb_size) {
        return;
    }
    if (g_hash_table_size(s->pasid_cache) >= SVA_PASID_CACHE_MAX) {
        g_hash_table_remove_all(s->pasid_cache);
    }
    e = g_new(SVAPasidEntry, 1);
    e->key.sid = sid;
    e->key.pasid = pasid;
    memcpy(e->pe, pe, sizeof(e->pe));
    g_hash_table_replace(s->pasid_cache, &e->key, e);
}

/* IOTLB */

bool iommu_sva_iotlb_lookup(IOMMUSVAState *s, uint16_t did, uint32_t pasid,
                            uint64_t addr, SVAIotlbEntry *out)
{
    unsigned level;

    QEMU_LOCK_GUARD(&s->lock);
    for (level = 1; level <= 3; level++) {
        SVAIotlbKey k = {
            .vpn = addr >> sva_level_shift(level),
            .pasid = pasid,
            .did = did,
            .level = level,
        };
        SVAIotlbItem *it = g_hash_table_lookup(s->iotlb, &k);

        if (it) {
            *out = it->e;
            return true;
        }
    }
    return false;
}

void iommu_sva_iotlb_insert(IOMMUSVAState *s, const SVAIotlbEntry *e,
                            uint64_t gen)
{
    SVAIotlbItem *it;
    unsigned level = 1;

    while (level < 3 && e->mask >= (1ULL << sva_level_shift(level + 1)) - 1) {
        level++;
    }
    QEMU_LOCK_GUARD(&s->lock);
    if (gen != s->cache_gen || !s->p.iotlb_size) {
        return;
    }
    if (g_hash_table_size(s->iotlb) >= s->p.iotlb_size) {
        g_hash_table_remove_all(s->iotlb);
    }
    it = g_new(SVAIotlbItem, 1);
    it->key = (SVAIotlbKey) {
        .vpn = e->iova >> sva_level_shift(level),
        .pasid = e->pasid,
        .did = e->did,
        .level = level,
    };
    it->e = *e;
    g_hash_table_replace(s->iotlb, &it->key, it);
}

/*
 * Everything a translation that hits needs, in one lock round: the
 * context entry, the PASID entry of the request's PASID (RID_PASID for
 * requests without one, from the cached context entry) and the IOTLB
 * entry for @addr in that PASID's domain. Returns SVA_HIT_* bits.
 */
unsigned iommu_sva_cache_lookup(IOMMUSVAState *s, uint16_t sid,
                                uint32_t pasid, uint64_t addr, uint64_t *ce,
                                uint64_t *pe, SVAIotlbEntry *e)
{
    SVACtxEntry *c;
    SVAPasidEntry *p;
    SVAPasidKey pk;
    unsigned level;

    QEMU_LOCK_GUARD(&s->lock);
    c = g_hash_table_lookup(s->ctx_cache, GUINT_TO_POINTER(sid + 1u));
    if (!c) {
        return 0;
    }
    memcpy(ce, c->ce, sizeof(c->ce));
    if (pasid == SVA_NO_PASID) {
        pasid = (s->ecap & SVA_ECAP_RPS) ? (ce[1] & SVA_CTX_HI_RID_PASID) : 0;
    }
    pk = (SVAPasidKey) { .sid = sid, .pasid = pasid };
    p = g_hash_table_lookup(s->pasid_cache, &pk);
    if (!p) {
        return SVA_HIT_CTX;
    }
    memcpy(pe, p->pe, sizeof(p->pe));
    for (level = 1; level <= 3; level++) {
        SVAIotlbKey k = {
            .vpn = addr >> sva_level_shift(level),
            .pasid = pasid,
            .did = pe[1] & SVA_PE1_DID_MASK,
            .level = level,
        };
        SVAIotlbItem *it = g_hash_table_lookup(s->iotlb, &k);

        if (it) {
            *e = it->e;
            return SVA_HIT_CTX | SVA_HIT_PASID | SVA_HIT_IOTLB;
        }
    }
    return SVA_HIT_CTX | SVA_HIT_PASID;
}

/* Drop one cached translation: a request it refused re-walks (6.2.x) */
void iommu_sva_iotlb_drop(IOMMUSVAState *s, const SVAIotlbEntry *e)
{
    unsigned level;

    QEMU_LOCK_GUARD(&s->lock);
    for (level = 1; level <= 3; level++) {
        SVAIotlbKey k = {
            .vpn = e->iova >> sva_level_shift(level),
            .pasid = e->pasid,
            .did = e->did,
            .level = level,
        };
        g_hash_table_remove(s->iotlb, &k);
    }
}

/* Invalidation */

typedef struct SVAFlushArgs {
    int did;                    /* SVA_FLUSH_ANY_DID: all */
    uint32_t pasid;             /* SVA_NO_PASID: all */
    uint64_t first, last;       /* address range */
    uint16_t sid, sid_mask;
} SVAFlushArgs;

static gboolean sva_iotlb_match(gpointer key, gpointer value, gpointer data)
{
    SVAIotlbItem *it = value;
    SVAFlushArgs *a = data;
    uint64_t first = it->e.iova, last = it->e.iova + it->e.mask;

    if (a->did != SVA_FLUSH_ANY_DID && it->e.did != a->did) {
        return false;
    }
    if (a->pasid != SVA_NO_PASID && it->e.pasid != a->pasid) {
        return false;
    }
    return first <= a->last && a->first <= last;
}

static gboolean sva_pasid_match(gpointer key, gpointer value, gpointer data)
{
    SVAPasidEntry *e = value;
    SVAFlushArgs *a = data;

    if (a->did != SVA_FLUSH_ANY_DID &&
        (e->pe[1] & SVA_PE1_DID_MASK) != a->did) {
        return false;
    }
    return a->pasid == SVA_NO_PASID || e->key.pasid == a->pasid;
}

static gboolean sva_pasid_sid_match(gpointer key, gpointer value,
                                    gpointer data)
{
    SVAPasidEntry *e = value;
    SVAFlushArgs *a = data;

    return (e->key.sid & a->sid_mask) == (a->sid & a->sid_mask);
}

static gboolean sva_ctx_match(gpointer key, gpointer value, gpointer data)
{
    SVAFlushArgs *a = data;
    uint16_t sid = GPOINTER_TO_UINT(key) - 1;

    return (sid & a->sid_mask) == (a->sid & a->sid_mask);
}

/*
 * A small page-selective invalidation for one (domain, PASID): drop the
 * entries of every level that can cover one of the pages by key, rather
 * than scanning the whole IOTLB (Linux's strict mode sends one per unmap).
 */
static void sva_iotlb_remove_range(IOMMUSVAState *s, uint16_t did,
                                   uint32_t pasid, uint64_t first,
                                   unsigned pages)
{
    unsigned i, level;

    for (i = 0; i < pages; i++) {
        uint64_t addr = first + (uint64_t)i * SVA_PAGE_SIZE;

        for (level = 1; level <= 3; level++) {
            SVAIotlbKey k = {
                .vpn = addr >> sva_level_shift(level),
                .pasid = pasid,
                .did = did,
                .level = level,
            };
            g_hash_table_remove(s->iotlb, &k);
        }
    }
}

void iommu_sva_flush_all(IOMMUSVAState *s)
{
    trace_iommu_sva_flush("all", -1, SVA_NO_PASID, 0, 0);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        sva_gen_bump(s);
        g_hash_table_remove_all(s->ctx_cache);
        g_hash_table_remove_all(s->pasid_cache);
        g_hash_table_remove_all(s->iotlb);
    }
    iommu_sva_notify_unmap(s, SVA_FLUSH_ANY_DID, SVA_NO_PASID, 0, UINT64_MAX);
}

/*
 * Context-cache invalidation; PASID-cache entries of the same devices go
 * too, as they hang off the context entry.
 */
void iommu_sva_flush_context(IOMMUSVAState *s, bool all, uint16_t sid,
                             uint16_t sid_mask)
{
    SVAFlushArgs a = { .sid = sid, .sid_mask = all ? 0 : sid_mask };

    trace_iommu_sva_flush("context", all ? -1 : sid, SVA_NO_PASID, 0,
                          sid_mask);
    QEMU_LOCK_GUARD(&s->lock);
    sva_gen_bump(s);
    g_hash_table_foreach_remove(s->ctx_cache, sva_ctx_match, &a);
    g_hash_table_foreach_remove(s->pasid_cache, sva_pasid_sid_match, &a);
}

void iommu_sva_flush_pasid(IOMMUSVAState *s, int did, uint32_t pasid)
{
    SVAFlushArgs a = { .did = did, .pasid = pasid };

    trace_iommu_sva_flush("pasid", did, pasid, 0, 0);
    QEMU_LOCK_GUARD(&s->lock);
    sva_gen_bump(s);
    g_hash_table_foreach_remove(s->pasid_cache, sva_pasid_match, &a);
}

void iommu_sva_flush_iotlb(IOMMUSVAState *s, int did, uint32_t pasid,
                           uint64_t addr, unsigned am)
{
    SVAFlushArgs a = { .did = did, .pasid = pasid };

    if (am >= SVA_FLUSH_ALL_AM - SVA_PAGE_SHIFT) {
        a.first = 0;
        a.last = UINT64_MAX;
    } else {
        uint64_t size = SVA_PAGE_SIZE << am;

        a.first = addr & ~(size - 1);
        a.last = a.first + size - 1;
    }
    trace_iommu_sva_flush("iotlb", did, pasid, a.first, am);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        sva_gen_bump(s);
        if (did != SVA_FLUSH_ANY_DID && pasid != SVA_NO_PASID &&
            am <= SVA_FLUSH_BY_KEY_AM) {
            sva_iotlb_remove_range(s, did, pasid, a.first, 1u << am);
        } else {
            g_hash_table_foreach_remove(s->iotlb, sva_iotlb_match, &a);
        }
    }
    iommu_sva_notify_unmap(s, did, pasid, a.first, a.last);
}
