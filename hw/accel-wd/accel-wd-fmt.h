/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd queue formats: the boundary between the format-independent
 * queue core (accel-wd-queue.c: registers, doorbells, workers, reset,
 * drain, counters, migration; accel-wd-exec.c: checks and engines) and a
 * front end per format (accel-wd-fmt-*.c: fetch and validate a
 * descriptor, name its buffers, write its completion).
 *
 * A front end turns what the guest wrote into an AwdReq, a request in the
 * core's own terms, and the core hands back an AwdResult for the front end
 * to publish. A new format is one front-end file that defines an
 * AwdFormat and registers it with awd_format_register() from a
 * constructor (AWD_FORMAT_REGISTER), its header under include/, and one
 * line in meson.build; see docs/queue-formats.md.
 *
 * Threads: hooks marked (lock) run with AwdQueue.lock held, the others
 * in the queue's worker with the lock dropped. No hook takes the BQL.
 *
 * Counters: the core counts doorbell writes and register reads, and
 * awd_write_cpl() the completion bytes; a front end counts the descriptor
 * and list bytes it reads (awd_queue_count()).
 */
#ifndef HW_ACCEL_WD_FMT_H
#define HW_ACCEL_WD_FMT_H

#include "accel-wd.h"

/* A buffer named by pieces of the queue's address space (lists) */
typedef struct AwdExtent {
    uint64_t addr;
    uint32_t len;
} AwdExtent;

typedef struct AwdExtents {
    AwdExtent *ext;
    unsigned n;
    unsigned cap;
    uint64_t total;
} AwdExtents;

void awd_extents_add(AwdExtents *e, uint64_t addr, uint32_t len);
void awd_extents_clear(AwdExtents *e);

/* One request in the core's terms, whatever format carried it. */
typedef struct AwdReq {
    uint8_t opcode;             /* enum awd_opcode */
    uint8_t flags;              /* AWD_DF_* */
    bool rsvd_set;              /* a reserved descriptor field is not 0 */
    uint32_t tag;
    uint64_t src, dst;          /* plain buffers: addresses */
    uint32_t src_len, dst_len;
    uint64_t ctx, key;
    uint32_t param;
    /* buffers named by lists (src_ext/dst_ext non-NULL) */
    AwdExtents *src_ext, *dst_ext;
    uint64_t where;             /* the format's: where it came from */
    uint64_t crec;              /* the format's: where it completes */
    /* set by a format's execute hook: complete() stops the queue */
    uint32_t qerr;              /* enum awd_qerr */
    uint64_t qerr_addr;
} AwdReq;

/* What a request did: the completion record's contents. */
typedef struct AwdResult {
    uint32_t status;            /* enum awd_status */
    uint32_t consumed;
    uint32_t produced;
    uint32_t checksum;
    uint32_t flags;             /* AWD_CF_* but the publish bit */
    uint64_t fault_addr;
} AwdResult;

/* What fetch found */
typedef enum AwdFetch {
    AWD_FETCH_OK,               /* a request to run */
    AWD_FETCH_ERROR,            /* the queue goes into *qerr at *fault */
} AwdFetch;

typedef struct AwdFormat {
    const char *name;           /* the format= property value */
    uint32_t id;                /* AWD_REG_FORMAT, from the format header */
    /* AWD_REG_FMT_PARAM(i) as the device's properties set them */
    uint32_t (*param)(AccelWdState *s, unsigned i);
    /* realize: refuse nonsensical format properties (optional) */
    bool (*check_params)(AccelWdState *s, Error **errp);

    /* enable: the ring configuration; returns an enum awd_qerr (lock) */
    uint32_t (*check_config)(AwdQueue *q);
    /* enable accepted: start from empty (lock) */
    void (*enable)(AwdQueue *q);
    /* a request waits and its completion has room (lock) */
    bool (*can_fetch)(AwdQueue *q);
    /* nothing accepted is left to run (lock) */
    bool (*empty)(AwdQueue *q);
    /* a doorbell page write; returns an enum awd_qerr (lock) */
    uint32_t (*doorbell)(AwdQueue *q, unsigned off, uint32_t val);
    /* a doorbell page read (lock) */
    uint32_t (*doorbell_read)(AwdQueue *q, unsigned off);
    /*
     * a format queue register (ring bases, heads, ...) read (lock); false:
     * not the format's, it reads 0
     */
    bool (*reg_read)(AwdQueue *q, unsigned off, uint32_t *val);

    /* read the next request; on AWD_FETCH_ERROR set *qerr and *fault */
    AwdFetch (*fetch)(AwdQueue *q, AwdReq *r, uint32_t *qerr,
                      uint64_t *fault);
    /*
     * Run @r if the format has its own way (batches), else NULL or
     * return false to let the core run it. Sets *irq if an interrupt
     * is due for what it completed itself.
     */
    bool (*execute)(AwdQueue *q, AwdReq *r, AwdResult *res, bool *irq);
    /*
     * Publish the result of @r and move past it; returns an enum awd_qerr
     * (AWD_QERR_NONE, or the queue stops with *fault). Called without the
     * lock (the record may need a page request); takes q->lock itself to
     * move its indices.
     */
    uint32_t (*complete)(AwdQueue *q, AwdReq *r, const AwdResult *res,
                         uint64_t *fault);
    /* release what fetch allocated in @r (no lock; optional) */
    void (*release)(AwdQueue *q, AwdReq *r);
    /* migration: check the format's queue state after load (lock) */
    bool (*post_load)(AwdQueue *q);
} AwdFormat;

void awd_format_register(const AwdFormat *f);
const AwdFormat *awd_format_find(const char *name);
/* "ring, sgl, crec": for error messages */
char *awd_format_names(void);

#define AWD_FORMAT_REGISTER(fmt) \
    static void __attribute__((constructor)) awd_format_init_##fmt(void) \
    { \
        awd_format_register(&(fmt)); \
    }

/* ---- the core, for front ends ---------------------------------------- */

/* Run @r through the checks and the engines (accel-wd-exec.c) */
void awd_exec(AwdQueue *q, AwdReq *r, AwdResult *res);
/* Count metadata traffic in the queue's counters */
void awd_queue_count(AwdQueue *q, enum awd_qcnt which, uint64_t n);
/*
 * Write a completion record at @addr, flags last with @publish (the phase
 * or done bit) so that software never sees half a record. Returns an
 * enum awd_status.
 */
uint32_t awd_write_cpl(AwdQueue *q, uint64_t addr, const AwdResult *res,
                       uint32_t tag, uint16_t sq_head, uint32_t publish,
                       uint64_t *fault);

/* ring front end helpers, shared with formats that keep the ring pair */
uint32_t awd_ring_check_order(AwdQueue *q);
uint32_t awd_ring_check_config(AwdQueue *q, uint64_t desc_size);
void awd_ring_enable(AwdQueue *q);
bool awd_ring_can_fetch(AwdQueue *q);
bool awd_ring_empty(AwdQueue *q);
uint32_t awd_ring_doorbell(AwdQueue *q, unsigned off, uint32_t val);
uint32_t awd_ring_doorbell_read(AwdQueue *q, unsigned off);
bool awd_ring_reg_read(AwdQueue *q, unsigned off, uint32_t *val);
AwdFetch awd_ring_fetch_raw(AwdQueue *q, void *desc, AwdReq *r,
                            uint32_t *qerr, uint64_t *fault);
uint32_t awd_ring_complete(AwdQueue *q, AwdReq *r, const AwdResult *res,
                           uint64_t *fault);
bool awd_ring_post_load(AwdQueue *q);

#endif /* HW_ACCEL_WD_FMT_H */
