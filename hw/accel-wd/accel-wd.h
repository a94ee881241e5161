/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd: internal state shared by the device shell (accel-wd.c), the
 * queue core (accel-wd-queue.c, accel-wd-exec.c), the queue format front
 * ends (accel-wd-fmt-*.c, see accel-wd-fmt.h) and the translation client
 * (accel-wd-xlate.c). The guest-visible layouts live in accel_wd_hw.h and
 * one header per queue format.
 */
#ifndef HW_ACCEL_WD_H
#define HW_ACCEL_WD_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "accel_wd_hw.h"
#include "accel-wd-xlate.h"
#include "accel-wd-timing.h"

#define TYPE_ACCEL_WD "accel-wd"
OBJECT_DECLARE_SIMPLE_TYPE(AccelWdState, ACCEL_WD)

/* Config space layout */
#define AWD_PCIE_CAP_OFFSET     0x80
#define AWD_ATS_OFFSET          0x100
#define AWD_PASID_OFFSET        0x110
#define AWD_PRI_OFFSET          0x120

#define AWD_STREAM_CTX_BYTES    AWD_ENGINE_STREAM_CTX_SIZE

/*
 * Report a guest programming error: one LOG_GUEST_ERROR line and one trace
 * event, never an assert.
 */
#define AWD_GUEST_ERR(trace, fmt, ...) \
    do { \
        (trace); \
        qemu_log_mask(LOG_GUEST_ERROR, "accel-wd: " fmt "\n", ## __VA_ARGS__); \
    } while (0)

struct AwdFormat;
struct AwdExtents;

typedef struct AccelWdParams {
    char *format;               /* queue format name, see accel-wd-fmt.h */
    uint32_t sgl_max_entries;
    uint32_t sgl_max_lists;
    uint32_t crec_max_batch;
    uint32_t num_queues;
    uint8_t pasid_bits;
    uint8_t ring_order_max;
    uint32_t max_xfer;
    uint32_t workers;           /* 0: a worker thread per queue */
    bool sync;                  /* no threads: the main loop runs requests */
    uint32_t pri_max_requests;
    uint32_t pri_batch;
    char *engine;               /* engine=isal|zlib, see awd_pick_engine */
    OnOffAuto isal_alias;       /* isal=on|off: deprecated engine= alias */
    bool isal;                  /* realized: the ISA-L engine is in use */
    uint32_t atc_entries;
    uint32_t pri_timeout_ms;
    uint32_t pri_fail_every;
    uint32_t pri_delay_ms;
    uint32_t fatal_after;       /* fault injection: see accel-wd.c */
    bool qreset_hang;           /* fault injection: see accel-wd-queue.c */
    bool atc_check;
    bool ats;
    bool pri;
} AccelWdParams;

/* Per-queue statistics, readable with qom-get <dev> stats */
typedef struct AwdQueueStats {
    uint64_t ops;
    uint64_t bytes_in;
    uint64_t bytes_out;
    uint64_t errors;
} AwdQueueStats;

typedef struct AwdQueue {
    struct AccelWdState *dev;
    uint32_t index;

    /* Registers (guest-visible), protected by lock */
    uint32_t ctrl;
    uint32_t pasid;
    uint32_t error;             /* enum awd_qerr */
    uint64_t sq_base;
    uint64_t cq_base;
    uint32_t ring_order;
    uint32_t sq_head;
    uint32_t sq_tail;
    uint32_t cq_tail;
    uint32_t cq_head;
    uint64_t fault_addr;
    uint8_t phase;              /* phase written in the next completion */
    /* guest-visible counters (enum awd_qcnt), cleared at enable */
    uint64_t cnt[AWD_QCNT_NR];
    uint64_t cnt_ats_base;      /* xlate statistics at enable */
    uint64_t cnt_prs_base;

    /*
     * Format state beyond the ring registers, migrated by the core: the
     * submissions a portal accepted (crec) and its latched low half.
     */
    uint64_t *fifo;
    uint32_t fifo_size;
    uint64_t portal_lo;
    bool portal_lo_valid;

    /* Worker */
    QemuThread thread;
    QemuMutex lock;
    QemuCond wake;              /* work, reset or stop for the worker */
    QemuCond idle_cond;         /* the worker went idle */
    bool busy;                  /* a descriptor is being executed */
    bool reset_pending;         /* reset once the in-flight op stopped */
    bool reset_hung;            /* qreset-hang: RESET never completes */
    bool drain_pending;
    bool abort;                 /* stop the in-flight op (no completion) */
    bool paused;                /* VM stopped: fetch nothing */
    bool raise_error;           /* device error interrupt still to raise */
    bool irq_pending;           /* completion interrupt still to raise */
    QEMUBH *irq_bh;             /* raises both with the BQL (main loop) */
    bool stop;                  /* thread exit */
    AwdXlateCtx xlate;
    AwdDeflateEngine *engine;   /* per-worker zlib state */
    AwdIsal *isal;              /* ISA-L state with engine=isal, else NULL */
    uint8_t *stream_ctx;        /* bounce copy of a stream context */
    /* listed buffers of the running request, bounced (worker only) */
    struct AwdExtents *src_ext, *dst_ext;
    uint8_t *bounce_src, *bounce_dst;
    size_t bounce_src_size, bounce_dst_size;
    /* destination mapped on demand while an engine runs (worker only) */
    AwdMapping *dst_map;
    uint64_t dst_fault;
    uint32_t dst_status;        /* AWD_STS_OK, or why mapping more failed */
    bool restart;               /* a page moved under the engine: run again */

    AwdQueueStats stats;
    AwdQueueTm tm;              /* timing model, telemetry */
} AwdQueue;

struct AccelWdState {
    PCIDevice parent_obj;

    AccelWdParams params;
    const struct AwdFormat *fmt; /* the queue format front end */

    MemoryRegion regs;
    MemoryRegion doorbells;

    uint32_t ctrl;
    uint32_t err;
    bool fatal;                 /* AWD_STATUS_FATAL; atomic */

    /* fatal-after=N: the fetch that goes fatal (once), see accel-wd.c */
    uint32_t fetched;
    bool fatal_fired;
    QEMUBH *fatal_bh;

    bool running;               /* VM runstate allows DMA */
    VMChangeStateEntry *vmstate_change;

    struct AwdAtc *atc;         /* translation cache (accel-wd-atc.c) */

    AwdTiming tm;               /* timing model (accel-wd-timing.c) */
    uint32_t tm_sel;            /* AWD_REG_TM_SEL */
    uint32_t tm_latch;          /* AWD_REG_TM_DATA_HI */

    /* Shared worker pool (workers > 0), see accel-wd-queue.c */
    QemuMutex pool_lock;
    QemuCond pool_cond;
    uint64_t pool_gen;          /* bumped whenever some queue may have work */
    bool pool_stop;
    QemuThread *pool_threads;
    QEMUBH *sync_bh;            /* sync=on: runs the requests */

    AwdQueue queues[AWD_MAX_QUEUES];
};

/* accel-wd.c */
uint32_t accel_wd_caps(AccelWdState *s);
void accel_wd_raise_error(AccelWdState *s, uint32_t err);
uint32_t accel_wd_qerr_mask(AccelWdState *s, unsigned first);
bool accel_wd_fatal_on_fetch(AccelWdState *s);

/* accel-wd-queue.c */
bool awd_queue_enabled(AwdQueue *q);
void awd_queue_init(AccelWdState *s, AwdQueue *q, uint32_t index);
void awd_queue_start(AwdQueue *q);
void awd_queue_exit(AwdQueue *q);
void awd_queue_reset(AwdQueue *q);
void awd_queue_pause(AwdQueue *q, bool pause);
void awd_queue_kick(AwdQueue *q);
void awd_queue_halt(AwdQueue *q);
void awd_pool_start(AccelWdState *s);
void awd_pool_stop(AccelWdState *s);
uint32_t awd_queue_reg_read(AwdQueue *q, unsigned off);
void awd_queue_reg_write(AwdQueue *q, unsigned off, uint32_t val);
void awd_queue_doorbell(AwdQueue *q, unsigned off, uint64_t val,
                        unsigned size);
uint64_t awd_queue_doorbell_read(AwdQueue *q, unsigned off, unsigned size);
bool awd_queue_in_error(AwdQueue *q);
extern const VMStateDescription vmstate_awd_queue;

/*
 * accel-wd-pcie.c: PRI capability behaviour; the PASID and PRI
 * capabilities themselves come from pcie_sva_pasid_init/pcie_sva_pri_init
 */
void awd_pcie_pri_write_config(PCIDevice *dev, uint16_t offset,
                               uint32_t addr, uint32_t val, int len);
void awd_pcie_pri_reset(PCIDevice *dev, uint16_t offset);

#endif /* HW_ACCEL_WD_H */
