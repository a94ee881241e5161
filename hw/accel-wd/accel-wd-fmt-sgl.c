/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue format "sgl" (include/accel_wd_sgl.h): the ring pair of
 * the ring format, but source and destination are scatter-gather lists
 * in the process's memory, chained. The device walks them through the
 * same translation as the data, so list pages fault in by page request
 * like data pages, and every defect of a list gets its own status.
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "accel-wd-fmt.h"
#include "accel_wd_sgl.h"
#include "trace.h"

#define SGL_PAGE            4096
/* Entries read at once, never past the end of the list's page */
#define SGL_CHUNK           16
#define SGL_MAX_ENTRIES     65536
#define SGL_MAX_LISTS       4096

/* A stretch of list memory already walked for this buffer */
typedef struct SglRun {
    uint64_t start, end;
} SglRun;

typedef struct SglWalk {
    AwdQueue *q;
    AwdExtents *ext;
    SglRun *runs;               /* one per list reached */
    unsigned nruns;
    unsigned max_lists;
    unsigned max_entries;
} SglWalk;

static bool sgl_seen(const SglWalk *w, uint64_t addr)
{
    for (unsigned i = 0; i < w->nruns; i++) {
        if (addr >= w->runs[i].start && addr < w->runs[i].end) {
            return true;
        }
    }
    return false;
}

/* Follow a chain entry to @next; returns an enum awd_status */
static uint32_t sgl_chain(SglWalk *w, uint64_t next, uint32_t len)
{
    if (len) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (next & (AWD_SGL_ALIGN - 1)) {
        return AWD_STS_MISALIGNED;
    }
    if (sgl_seen(w, next)) {
        return AWD_STS_SGL_LOOP;
    }
    if (w->nruns == w->max_lists) {
        return AWD_STS_SGL_TOO_LONG;
    }
    w->runs[w->nruns].start = w->runs[w->nruns].end = next;
    w->nruns++;
    return AWD_STS_OK;
}

/*
 * One entry. Returns AWD_STS_OK to go on, sets *done at the end of the
 * buffer and *chained when the walk moved to another list.
 */
static uint32_t sgl_entry(SglWalk *w, const struct awd_sge *e, bool *done,
                          bool *chained)
{
    uint64_t addr = le64_to_cpu(e->addr);
    uint32_t len = le32_to_cpu(e->len);
    uint32_t flags = le32_to_cpu(e->flags);

    if ((flags & ~AWD_SGE_VALID_MASK) ||
        (flags == (AWD_SGE_CHAIN | AWD_SGE_END))) {
        return AWD_STS_INVALID_FLAGS;
    }
    if (flags & AWD_SGE_CHAIN) {
        *chained = true;
        return sgl_chain(w, addr, len);
    }
    if (!len) {
        return AWD_STS_SGL_ZERO_LEN;
    }
    if (w->ext->n == w->max_entries) {
        return AWD_STS_SGL_TOO_LONG;
    }
    awd_extents_add(w->ext, addr, len);
    *done = flags & AWD_SGE_END;
    return AWD_STS_OK;
}

/* Walk the lists of one buffer from @list; returns an enum awd_status */
static uint32_t sgl_walk(SglWalk *w, uint64_t list, AwdResult *res)
{
    struct awd_sge chunk[SGL_CHUNK];
    uint64_t addr = list;
    bool done = false;

    if (list & (AWD_SGL_ALIGN - 1)) {
        return AWD_STS_MISALIGNED;
    }
    w->runs[0].start = w->runs[0].end = list;
    w->nruns = 1;
    while (!done) {
        unsigned n = MIN(SGL_CHUNK, (SGL_PAGE - (addr & (SGL_PAGE - 1))) /
                                    sizeof(struct awd_sge));
        uint32_t st = awd_xlate_read(&w->q->xlate, addr, chunk,
                                     n * sizeof(struct awd_sge),
                                     &res->fault_addr);
        bool chained = false;

        if (st != AWD_STS_OK) {
            res->flags |= AWD_CF_FAULT_META;
            return st;
        }
        awd_queue_count(w->q, AWD_QCNT_LIST_BYTES,
                        n * sizeof(struct awd_sge));
        for (unsigned i = 0; i < n && !done && !chained; i++) {
            w->runs[w->nruns - 1].end += sizeof(struct awd_sge);
            st = sgl_entry(w, &chunk[i], &done, &chained);
            if (st != AWD_STS_OK) {
                return st;
            }
            addr = chained ? w->runs[w->nruns - 1].start :
                             addr + sizeof(struct awd_sge);
        }
    }
    return AWD_STS_OK;
}

/* Both buffers' lists into the queue's extents; an enum awd_status */
static uint32_t sgl_buffers(AwdQueue *q, AwdReq *r, AwdResult *res)
{
    AccelWdParams *p = &q->dev->params;
    g_autofree SglRun *runs = g_new(SglRun, p->sgl_max_lists);
    SglWalk w = {
        .q = q, .runs = runs, .max_lists = p->sgl_max_lists,
        .max_entries = p->sgl_max_entries,
    };
    uint64_t *list[2] = { &r->src, &r->dst };
    uint32_t *len[2] = { &r->src_len, &r->dst_len };
    AwdExtents *ext[2] = { q->src_ext, q->dst_ext };
    AwdExtents **use[2] = { &r->src_ext, &r->dst_ext };
    uint32_t st;

    for (unsigned i = 0; i < 2; i++) {
        awd_extents_clear(ext[i]);
        if (!*list[i] && !*len[i]) {
            continue;           /* no buffer: the core checks if it may */
        }
        w.ext = ext[i];
        st = sgl_walk(&w, *list[i], res);
        if (st != AWD_STS_OK) {
            return st;
        }
        if (ext[i]->total != *len[i]) {
            return AWD_STS_INVALID_LEN;
        }
        /*
         * One piece is a plain buffer: the engine reaches it directly,
         * as in the ring format. More are gathered or scattered.
         */
        if (ext[i]->n == 1) {
            *list[i] = ext[i]->ext[0].addr;
        } else {
            *list[i] = 0;
            *use[i] = ext[i];
        }
    }
    return AWD_STS_OK;
}

static bool sgl_execute(AwdQueue *q, AwdReq *r, AwdResult *res, bool *irq)
{
    if (r->opcode == AWD_OP_COMPRESS || r->opcode == AWD_OP_DECOMPRESS ||
        r->opcode == AWD_OP_RSA) {
        res->status = sgl_buffers(q, r, res);
        if (res->status != AWD_STS_OK) {
            trace_accel_wd_sgl_error(q->index, r->tag, res->status,
                                     res->fault_addr);
            if (res->status != AWD_STS_FAULT &&
                res->status != AWD_STS_DMA_ERROR) {
                res->fault_addr = 0;
            }
            return true;
        }
    }
    awd_exec(q, r, res);
    return true;
}

static AwdFetch sgl_fetch(AwdQueue *q, AwdReq *r, uint32_t *qerr,
                          uint64_t *fault)
{
    struct awd_sgl_desc d;

    if (awd_ring_fetch_raw(q, &d, r, qerr, fault) != AWD_FETCH_OK) {
        return AWD_FETCH_ERROR;
    }
    r->opcode = d.opcode;
    r->flags = d.flags;
    r->rsvd_set = d.rsvd0 || d.rsvd1 || d.rsvd2;
    r->tag = le32_to_cpu(d.tag);
    r->src = le64_to_cpu(d.src_sgl);
    r->dst = le64_to_cpu(d.dst_sgl);
    r->src_len = le32_to_cpu(d.src_len);
    r->dst_len = le32_to_cpu(d.dst_len);
    r->ctx = le64_to_cpu(d.ctx);
    r->key = le64_to_cpu(d.key);
    r->param = le32_to_cpu(d.param);
    return AWD_FETCH_OK;
}

static uint32_t sgl_param(AccelWdState *s, unsigned i)
{
    switch (i) {
    case AWD_SGL_PARAM_MAX_ENTRIES:
        return s->params.sgl_max_entries;
    case AWD_SGL_PARAM_MAX_LISTS:
        return s->params.sgl_max_lists;
    default:
        return 0;
    }
}

static bool sgl_check_params(AccelWdState *s, Error **errp)
{
    if (s->params.sgl_max_entries < 1 ||
        s->params.sgl_max_entries > SGL_MAX_ENTRIES) {
        error_setg(errp, "sgl-max-entries must be 1..%u", SGL_MAX_ENTRIES);
        return false;
    }
    if (s->params.sgl_max_lists < 1 ||
        s->params.sgl_max_lists > SGL_MAX_LISTS) {
        error_setg(errp, "sgl-max-lists must be 1..%u", SGL_MAX_LISTS);
        return false;
    }
    return true;
}

static uint32_t sgl_check_config(AwdQueue *q)
{
    return awd_ring_check_config(q, AWD_DESC_SIZE);
}

static const AwdFormat sgl_format = {
    .name = "sgl",
    .id = AWD_FORMAT_SGL,
    .param = sgl_param,
    .check_params = sgl_check_params,
    .check_config = sgl_check_config,
    .enable = awd_ring_enable,
    .can_fetch = awd_ring_can_fetch,
    .empty = awd_ring_empty,
    .doorbell = awd_ring_doorbell,
    .doorbell_read = awd_ring_doorbell_read,
    .reg_read = awd_ring_reg_read,
    .fetch = sgl_fetch,
    .execute = sgl_execute,
    .complete = awd_ring_complete,
    .post_load = awd_ring_post_load,
};

AWD_FORMAT_REGISTER(sgl_format)
