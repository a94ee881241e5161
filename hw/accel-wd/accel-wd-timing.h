/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd timing model and telemetry (accel-wd-timing.c).
 *
 * The model is off by default: requests complete as fast as the host runs
 * them. With timing=on a request's completion is released at a modelled
 * time on QEMU_CLOCK_VIRTUAL: its arrival (the doorbell that made it
 * visible) plus the doorbell-to-fetch latency, queued for one of
 * timing-engines modelled engines, then the fixed per-request latency,
 * the engine time at the modelled rate, the ATS latency for each ATC
 * miss, and for each page request group waited for the larger of its
 * round trip and the page-request floor. The queue core
 * (accel-wd-queue.c) holds the completion until then. See
 * docs/timing-model.md.
 *
 * Telemetry is kept in both modes, per queue and for the device, and
 * read over QMP (the "telemetry" property) and by the guest through
 * AWD_REG_TM_SEL/DATA.
 */
#ifndef HW_ACCEL_WD_TIMING_H
#define HW_ACCEL_WD_TIMING_H

#include "qemu/timer.h"
#include "qapi/visitor.h"
#include "accel_wd_hw.h"

#define AWD_TM_MAX_ENGINES      64
#define AWD_TM_ARRIVALS         64      /* doorbells remembered per queue */
#define AWD_TM_MAX_LATENCY_NS   NANOSECONDS_PER_SECOND
#define AWD_TM_MAX_RATE         (1000 * 1000)   /* B/us: 1 TB/s */
#define AWD_TM_MAX_RSA_OPS      (1000 * 1000 * 1000)

/* The knobs, each a device property that QMP may change at run time */
typedef enum AwdTmKnob {
    AWD_TMK_COMPRESS_RATE,      /* uncompressed bytes per microsecond */
    AWD_TMK_DECOMPRESS_RATE,    /* uncompressed (output) bytes per us */
    AWD_TMK_RSA1024_OPS,        /* operations per second, per key size */
    AWD_TMK_RSA2048_OPS,
    AWD_TMK_RSA3072_OPS,
    AWD_TMK_RSA4096_OPS,
    AWD_TMK_REQ_LATENCY,        /* ns, fixed per request */
    AWD_TMK_ENGINES,
    AWD_TMK_ATS_LATENCY,        /* ns per ATS translation request */
    AWD_TMK_PR_LATENCY,         /* ns, floor of a page request round trip */
    AWD_TMK_DOORBELL_LATENCY,   /* ns from doorbell to fetch */
    AWD_TMK_NR,
} AwdTmKnob;

/* Where a queue's worker is with the request the model holds */
typedef enum AwdTmState {
    AWD_TMS_IDLE,               /* no request */
    AWD_TMS_RUNNING,            /* fetched, running; release not known */
    AWD_TMS_READY,              /* ran; waits for the release time */
    AWD_TMS_GO,                 /* released: publishing */
    AWD_TMS_DONE,               /* published */
} AwdTmState;

/* Telemetry of one queue, under its lock */
typedef struct AwdTmQueueStats {
    uint64_t reqs;
    uint64_t lat_sum_ns, lat_max_ns;
    uint64_t lat_hist[AWD_TM_HIST_BUCKETS];
    uint64_t occ_sum, occ_samples, occ_max;
    uint64_t bytes_in, bytes_out;
    /* the translation client's counters at the last reset */
    uint64_t base_hits, base_misses, base_prs, base_pr_waits;
    uint64_t base_pr_sum;
} AwdTmQueueStats;

typedef struct AwdTmArrival {
    uint64_t seq_end;           /* requests submitted up to this doorbell */
    int64_t t;                  /* its virtual time */
} AwdTmArrival;

/* Per-queue model and telemetry state, under the queue's lock */
typedef struct AwdQueueTm {
    AwdTmArrival arr[AWD_TM_ARRIVALS];
    unsigned arr_head, arr_n;
    uint64_t submitted;         /* requests made visible by doorbells */
    uint64_t completed;         /* requests completed (next fetch's seq) */

    /* the request in flight */
    bool model;                 /* it runs under the model */
    int64_t t_arrival;
    int64_t t_start;            /* modelled engine start */
    uint64_t work_ns;           /* modelled engine time of what ran */
    uint64_t misses0, prs_model0;
    int64_t release;            /* modelled completion time */
    int64_t due;                /* what the timer is armed for */
    AwdTmState state;
    bool cb_waiting;            /* the release timer waits for the worker */
    bool cb_irq;                /* ... and raises the interrupt */
    QEMUTimer *timer;
    QemuCond cond;

    AwdTmQueueStats st;
} AwdQueueTm;

/* Device-wide model state and knobs */
typedef struct AwdTiming {
    bool on;
    int64_t knob[AWD_TMK_NR];
    QemuMutex lock;             /* engine_free */
    int64_t engine_free[AWD_TM_MAX_ENGINES];
} AwdTiming;

struct AccelWdState;
struct AwdQueue;
struct AwdReq;
struct AwdResult;

/* accel-wd.c wiring */
void awd_timing_class_init(ObjectClass *oc);
void awd_timing_instance_init(struct AccelWdState *s);
void awd_timing_realize(struct AccelWdState *s);
void awd_timing_unrealize(struct AccelWdState *s);
uint32_t awd_tm_reg_read(struct AccelWdState *s, unsigned off);
void awd_tm_reg_write(struct AccelWdState *s, unsigned off, uint32_t val);

/* queue core */
bool awd_tm_deterministic(void);
int64_t awd_tm_knob(struct AccelWdState *s, AwdTmKnob k);
void awd_tm_queue_init(struct AwdQueue *q, QEMUTimerCB *cb);
void awd_tm_queue_exit(struct AwdQueue *q);
void awd_tm_queue_clear(struct AwdQueue *q);
void awd_tm_submitted(struct AwdQueue *q, uint32_t n);
void awd_tm_begin(struct AwdQueue *q);
int64_t awd_tm_finish(struct AwdQueue *q);
void awd_tm_account(struct AwdQueue *q, const struct AwdReq *r,
                    const struct AwdResult *res);
void awd_tm_completed(struct AwdQueue *q, const struct AwdResult *res,
                      int64_t when);

#endif /* HW_ACCEL_WD_TIMING_H */
