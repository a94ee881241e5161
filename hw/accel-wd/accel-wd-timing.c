/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd timing model and telemetry: the knobs (device properties that
 * QMP may change at run time), the model's arithmetic for one request,
 * and the per-queue and device telemetry with its QMP and register
 * views. When a request is released is the queue core's business
 * (accel-wd-queue.c); see accel-wd-timing.h for the model.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "system/cpu-timers.h"
#include "system/qtest.h"
#include "accel-wd.h"
#include "accel-wd-atc.h"
#include "accel-wd-fmt.h"
#include "trace.h"

typedef struct AwdTmKnobInfo {
    const char *name;
    int64_t def, min, max;
    const char *what;
} AwdTmKnobInfo;

static const AwdTmKnobInfo awd_tm_knobs[AWD_TMK_NR] = {
    [AWD_TMK_COMPRESS_RATE] = { "timing-compress-rate", 2000, 1,
        AWD_TM_MAX_RATE, "bytes per microsecond (MB/s)" },
    [AWD_TMK_DECOMPRESS_RATE] = { "timing-decompress-rate", 4000, 1,
        AWD_TM_MAX_RATE, "bytes per microsecond (MB/s)" },
    [AWD_TMK_RSA1024_OPS] = { "timing-rsa1024-ops", 100000, 1,
        AWD_TM_MAX_RSA_OPS, "operations per second" },
    [AWD_TMK_RSA2048_OPS] = { "timing-rsa2048-ops", 20000, 1,
        AWD_TM_MAX_RSA_OPS, "operations per second" },
    [AWD_TMK_RSA3072_OPS] = { "timing-rsa3072-ops", 7000, 1,
        AWD_TM_MAX_RSA_OPS, "operations per second" },
    [AWD_TMK_RSA4096_OPS] = { "timing-rsa4096-ops", 3000, 1,
        AWD_TM_MAX_RSA_OPS, "operations per second" },
    [AWD_TMK_REQ_LATENCY] = { "timing-req-latency-ns", 1000, 0,
        AWD_TM_MAX_LATENCY_NS, "nanoseconds" },
    [AWD_TMK_ENGINES] = { "timing-engines", 1, 1, AWD_TM_MAX_ENGINES,
        "engines" },
    [AWD_TMK_ATS_LATENCY] = { "timing-ats-latency-ns", 500, 0,
        AWD_TM_MAX_LATENCY_NS, "nanoseconds" },
    [AWD_TMK_PR_LATENCY] = { "timing-pr-latency-ns", 5000, 0,
        AWD_TM_MAX_LATENCY_NS, "nanoseconds" },
    [AWD_TMK_DOORBELL_LATENCY] = { "timing-doorbell-latency-ns", 200, 0,
        AWD_TM_MAX_LATENCY_NS, "nanoseconds" },
};

/* ---- knobs ------------------------------------------------------------ */

int64_t awd_tm_knob(AccelWdState *s, AwdTmKnob k)
{
    return qatomic_read(&s->tm.knob[k]);
}

static void tm_get_knob(Object *obj, Visitor *v, const char *name,
                        void *opaque, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);
    int64_t val = awd_tm_knob(s, (uintptr_t)opaque);

    visit_type_int64(v, name, &val, errp);
}

static void tm_set_knob(Object *obj, Visitor *v, const char *name,
                        void *opaque, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);
    const AwdTmKnobInfo *k = &awd_tm_knobs[(uintptr_t)opaque];
    int64_t val;

    if (!visit_type_int64(v, name, &val, errp)) {
        return;
    }
    if (val < k->min || val > k->max) {
        error_setg(errp, "%s must be %" PRId64 "..%" PRId64 " (%s), not %"
                   PRId64, name, k->min, k->max, k->what, val);
        return;
    }
    trace_accel_wd_timing_knob(name, val);
    qatomic_set(&s->tm.knob[(uintptr_t)opaque], val);
}

static bool tm_get_on(Object *obj, Error **errp)
{
    return qatomic_read(&ACCEL_WD(obj)->tm.on);
}

static void tm_set_on(Object *obj, bool on, Error **errp)
{
    trace_accel_wd_timing_knob("timing", on);
    qatomic_set(&ACCEL_WD(obj)->tm.on, on);
}

bool awd_tm_deterministic(void)
{
    /* only there does the guest not run on while a worker computes */
    return icount_enabled() || qtest_enabled();
}

/* ---- the model, per request ------------------------------------------ */

void awd_tm_queue_init(AwdQueue *q, QEMUTimerCB *cb)
{
    q->tm.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, cb, q);
    qemu_cond_init(&q->tm.cond);
}

void awd_tm_queue_exit(AwdQueue *q)
{
    if (q->tm.timer) {
        timer_free(q->tm.timer);
        q->tm.timer = NULL;
        qemu_cond_destroy(&q->tm.cond);
    }
}

/* Queue enabled or reset: no submissions are known. Lock held. */
void awd_tm_queue_clear(AwdQueue *q)
{
    q->tm.arr_head = q->tm.arr_n = 0;
    q->tm.submitted = q->tm.completed = 0;
    q->tm.release = 0;
}

/*
 * A doorbell made @n more requests visible (the format's doorbell hook,
 * lock held, in the vCPU that wrote it): they arrive now.
 */
void awd_tm_submitted(AwdQueue *q, uint32_t n)
{
    AwdQueueTm *tm = &q->tm;
    AccelWdState *s = q->dev;
    int64_t now;

    if (!n) {
        return;
    }
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tm->submitted += n;
    if (tm->arr_n == AWD_TM_ARRIVALS) {
        /* too many doorbells in flight: the latest ones share a time */
        tm->arr[(tm->arr_head + tm->arr_n - 1) % AWD_TM_ARRIVALS].seq_end =
            tm->submitted;
    } else {
        tm->arr[(tm->arr_head + tm->arr_n) % AWD_TM_ARRIVALS] =
            (AwdTmArrival) { .seq_end = tm->submitted, .t = now };
        tm->arr_n++;
    }
    /*
     * With deterministic time, stop the guest here until the worker has
     * run the request: what it reads and translates meanwhile must not
     * depend on how far the guest got in host time.
     */
    if (qatomic_read(&s->tm.on) && tm->state == AWD_TMS_IDLE &&
        awd_tm_deterministic()) {
        tm->due = now;
        timer_mod(tm->timer, tm->due);
    }
}

static int64_t tm_engine_min(AwdTiming *t, unsigned engines, unsigned *which)
{
    int64_t best = t->engine_free[0];

    *which = 0;
    for (unsigned i = 1; i < engines; i++) {
        if (t->engine_free[i] < best) {
            best = t->engine_free[i];
            *which = i;
        }
    }
    return best;
}

/*
 * The worker takes the next request (lock held, before fetching it):
 * when it arrived, the occupancy it saw, and under the model the
 * earliest time it could finish, which the release timer is armed for.
 */
void awd_tm_begin(AwdQueue *q)
{
    AwdQueueTm *tm = &q->tm;
    AccelWdState *s = q->dev;
    uint64_t seq = tm->completed, occ;
    int64_t fetch, first;
    unsigned e;

    while (tm->arr_n && tm->arr[tm->arr_head].seq_end <= seq) {
        tm->arr_head = (tm->arr_head + 1) % AWD_TM_ARRIVALS;
        tm->arr_n--;
    }
    /*
     * None known (after migration, say): it arrives now. Else the time
     * the doorbell's vCPU saw: a worker's own reading of the clock lags
     * behind a running vCPU under icount.
     */
    tm->t_arrival = tm->arr_n ? tm->arr[tm->arr_head].t :
                    qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    occ = tm->submitted > seq ? tm->submitted - seq : 1;
    tm->st.occ_sum += occ;
    tm->st.occ_samples++;
    tm->st.occ_max = MAX(tm->st.occ_max, occ);

    tm->model = qatomic_read(&s->tm.on);
    tm->state = AWD_TMS_RUNNING;
    /* its page requests go out where it yields to the guest (queue.c) */
    q->xlate.pr_at_sync = tm->model && awd_tm_deterministic();
    if (!tm->model) {
        return;
    }
    tm->work_ns = 0;
    tm->misses0 = qatomic_read(&q->xlate.atc_misses);
    q->xlate.pr_floor_ns = awd_tm_knob(s, AWD_TMK_PR_LATENCY);
    tm->prs_model0 = q->xlate.pr_model_ns;
    fetch = tm->t_arrival + awd_tm_knob(s, AWD_TMK_DOORBELL_LATENCY);
    qemu_mutex_lock(&s->tm.lock);
    first = tm_engine_min(&s->tm, awd_tm_knob(s, AWD_TMK_ENGINES), &e);
    qemu_mutex_unlock(&s->tm.lock);
    tm->t_start = MAX(fetch, first);
    tm->due = tm->t_start + awd_tm_knob(s, AWD_TMK_REQ_LATENCY);
    if (awd_tm_deterministic()) {
        /*
         * Never later: the doorbell's hold may still be pending (the
         * worker woke before the vCPU ran its timers, as happens under
         * host load), and moving it would let the guest run beside us.
         */
        timer_mod_anticipate(tm->timer, tm->due);
    }
    trace_accel_wd_timing_begin(q->index, tm->t_arrival, tm->t_start);
}

/* Engine time of one operation that ran (accel-wd-exec.c) */
void awd_tm_account(AwdQueue *q, const AwdReq *r, const AwdResult *res)
{
    AccelWdState *s = q->dev;
    static const unsigned rsa_bits[] = { 1024, 2048, 3072, 4096 };
    uint64_t ns = 0;

    if (!q->tm.model) {
        return;
    }
    switch (r->opcode) {
    case AWD_OP_COMPRESS:
        ns = muldiv64(res->consumed, 1000,
                      awd_tm_knob(s, AWD_TMK_COMPRESS_RATE));
        break;
    case AWD_OP_DECOMPRESS:
        ns = muldiv64(res->produced, 1000,
                      awd_tm_knob(s, AWD_TMK_DECOMPRESS_RATE));
        break;
    case AWD_OP_RSA:
        if (res->status == AWD_STS_OK) {
            uint64_t bits = (uint64_t)r->src_len * 8;
            unsigned i = 0;

            while (i < 3 && bits > rsa_bits[i]) {
                i++;
            }
            /* between the sizes given, the cost grows as bits^3 */
            ns = NANOSECONDS_PER_SECOND /
                 awd_tm_knob(s, AWD_TMK_RSA1024_OPS + i);
            ns = (unsigned __int128)ns * (bits * bits * bits) /
                 ((uint64_t)rsa_bits[i] * rsa_bits[i] * rsa_bits[i]);
        }
        break;
    default:
        break;
    }
    q->tm.work_ns += ns;
}

/*
 * The request ran (lock held): its modelled completion time. The engine
 * it used is busy until then; a queue completes in order.
 */
int64_t awd_tm_finish(AwdQueue *q)
{
    AwdQueueTm *tm = &q->tm;
    AccelWdState *s = q->dev;
    uint64_t misses = qatomic_read(&q->xlate.atc_misses) - tm->misses0;
    uint64_t pr_ns = q->xlate.pr_model_ns - tm->prs_model0;
    int64_t dur, start, done;
    unsigned e;

    dur = awd_tm_knob(s, AWD_TMK_REQ_LATENCY) + tm->work_ns +
          misses * awd_tm_knob(s, AWD_TMK_ATS_LATENCY) + pr_ns;
    qemu_mutex_lock(&s->tm.lock);
    start = MAX(tm->t_start,
                tm_engine_min(&s->tm, awd_tm_knob(s, AWD_TMK_ENGINES), &e));
    done = start + dur;
    s->tm.engine_free[e] = done;
    qemu_mutex_unlock(&s->tm.lock);
    tm->release = MAX(done, tm->release);
    trace_accel_wd_timing_finish(q->index, start, dur, tm->release,
                                 tm->work_ns, misses, pr_ns);
    return tm->release;
}

static unsigned tm_bucket(uint64_t ns)
{
    unsigned b = ns < 2 ? 0 : 63 - clz64(ns);

    return MIN(b, AWD_TM_HIST_BUCKETS - 1);
}

/* A request's completion was published at @when (lock held) */
void awd_tm_completed(AwdQueue *q, const AwdResult *res, int64_t when)
{
    AwdTmQueueStats *st = &q->tm.st;
    uint64_t lat = MAX(when - q->tm.t_arrival, 0);

    q->tm.completed++;
    st->reqs++;
    st->lat_sum_ns += lat;
    st->lat_max_ns = MAX(st->lat_max_ns, lat);
    st->lat_hist[tm_bucket(lat)]++;
    st->bytes_in += res->consumed;
    st->bytes_out += res->produced;
}

/* ---- telemetry --------------------------------------------------------- */

static void tm_queue_reset(AwdQueue *q)
{
    AwdTmQueueStats *st = &q->tm.st;

    qemu_mutex_lock(&q->lock);
    memset(st, 0, sizeof(*st));
    st->base_hits = qatomic_read(&q->xlate.atc_hits);
    st->base_misses = qatomic_read(&q->xlate.atc_misses);
    st->base_prs = qatomic_read(&q->xlate.page_requests);
    st->base_pr_waits = qatomic_read(&q->xlate.pr_waits);
    st->base_pr_sum = qatomic_read(&q->xlate.pr_wait_sum_ns);
    qemu_mutex_unlock(&q->lock);
}

static void tm_reset(AccelWdState *s)
{
    uint64_t inv[3];

    for (unsigned i = 0; i < s->params.num_queues; i++) {
        tm_queue_reset(&s->queues[i]);
    }
    awd_atc_inv_stats(s->atc, inv, true);
    trace_accel_wd_telemetry_reset();
}

/* One item of one queue (lock held); histogram items included */
static uint64_t tm_queue_item(AwdQueue *q, unsigned item)
{
    AwdTmQueueStats *st = &q->tm.st;
    AwdXlateCtx *x = &q->xlate;

    if (item >= AWD_TM_LAT_HIST_BASE &&
        item < AWD_TM_LAT_HIST_BASE + AWD_TM_HIST_BUCKETS) {
        return st->lat_hist[item - AWD_TM_LAT_HIST_BASE];
    }
    switch (item) {
    case AWD_TM_REQS:
        return st->reqs;
    case AWD_TM_LAT_SUM_NS:
        return st->lat_sum_ns;
    case AWD_TM_LAT_MAX_NS:
        return st->lat_max_ns;
    case AWD_TM_OCC_SUM:
        return st->occ_sum;
    case AWD_TM_OCC_SAMPLES:
        return st->occ_samples;
    case AWD_TM_OCC_MAX:
        return st->occ_max;
    case AWD_TM_ATC_HITS:
        return qatomic_read(&x->atc_hits) - st->base_hits;
    case AWD_TM_ATS_REQS:
        return qatomic_read(&x->atc_misses) - st->base_misses;
    case AWD_TM_PAGE_REQS:
        return qatomic_read(&x->page_requests) - st->base_prs;
    case AWD_TM_PR_WAITS:
        return qatomic_read(&x->pr_waits) - st->base_pr_waits;
    case AWD_TM_PR_LAT_SUM_NS:
        return qatomic_read(&x->pr_wait_sum_ns) - st->base_pr_sum;
    case AWD_TM_PR_LAT_MAX_NS:
        /* the longest since the queue was created: a max has no base */
        return qatomic_read(&x->pr_wait_max_ns);
    case AWD_TM_BYTES_IN:
        return st->bytes_in;
    case AWD_TM_BYTES_OUT:
        return st->bytes_out;
    default:
        return 0;
    }
}

static bool tm_item_is_max(unsigned item)
{
    return item == AWD_TM_LAT_MAX_NS || item == AWD_TM_OCC_MAX ||
           item == AWD_TM_PR_LAT_MAX_NS;
}

/* One item of a queue or of the device */
static uint64_t tm_item(AccelWdState *s, unsigned scope, unsigned item)
{
    uint64_t val = 0, inv[3];

    switch (item) {
    case AWD_TM_INV:
    case AWD_TM_INV_WAIT_SUM_NS:
    case AWD_TM_INV_WAIT_MAX_NS:
        if (scope != AWD_TM_SCOPE_DEVICE) {
            return 0;
        }
        awd_atc_inv_stats(s->atc, inv, false);
        return inv[item - AWD_TM_INV];
    case AWD_TM_MODEL:
        return qatomic_read(&s->tm.on);
    }
    for (unsigned i = 0; i < s->params.num_queues; i++) {
        AwdQueue *q = &s->queues[i];
        uint64_t v;

        if (scope != AWD_TM_SCOPE_DEVICE && scope != i) {
            continue;
        }
        qemu_mutex_lock(&q->lock);
        v = tm_queue_item(q, item);
        qemu_mutex_unlock(&q->lock);
        val = tm_item_is_max(item) ? MAX(val, v) : val + v;
    }
    return val;
}

uint32_t awd_tm_reg_read(AccelWdState *s, unsigned off)
{
    uint64_t val;

    switch (off) {
    case AWD_REG_TM_SEL:
        return s->tm_sel;
    case AWD_REG_TM_DATA_LO:
        val = tm_item(s, extract32(s->tm_sel, 16, 8),
                      extract32(s->tm_sel, 0, 8));
        s->tm_latch = val >> 32;
        return val;
    case AWD_REG_TM_DATA_HI:
        return s->tm_latch;
    default:
        return 0;
    }
}

void awd_tm_reg_write(AccelWdState *s, unsigned off, uint32_t val)
{
    if (off != AWD_REG_TM_SEL) {
        return;
    }
    if (val & ~AWD_TM_SEL(0xff, 0xff)) {
        qemu_log_mask(LOG_GUEST_ERROR, "accel-wd: telemetry selector 0x%x "
                      "sets reserved bits\n", val);
    }
    s->tm_sel = val & AWD_TM_SEL(0xff, 0xff);
}

static const char *const tm_item_names[AWD_TM_NR_ITEMS] = {
    [AWD_TM_REQS] = "requests",
    [AWD_TM_LAT_SUM_NS] = "latency-sum-ns",
    [AWD_TM_LAT_MAX_NS] = "latency-max-ns",
    [AWD_TM_OCC_SUM] = "occupancy-sum",
    [AWD_TM_OCC_SAMPLES] = "occupancy-samples",
    [AWD_TM_OCC_MAX] = "occupancy-max",
    [AWD_TM_ATC_HITS] = "atc-hits",
    [AWD_TM_ATS_REQS] = "ats-requests",
    [AWD_TM_PAGE_REQS] = "page-requests",
    [AWD_TM_PR_WAITS] = "page-request-waits",
    [AWD_TM_PR_LAT_SUM_NS] = "page-request-latency-sum-ns",
    [AWD_TM_PR_LAT_MAX_NS] = "page-request-latency-max-ns",
    [AWD_TM_BYTES_IN] = "bytes-in",
    [AWD_TM_BYTES_OUT] = "bytes-out",
    [AWD_TM_INV] = "devtlb-invalidations",
    [AWD_TM_INV_WAIT_SUM_NS] = "devtlb-wait-sum-ns",
    [AWD_TM_INV_WAIT_MAX_NS] = "devtlb-wait-max-ns",
};

static bool tm_visit_scope(AccelWdState *s, Visitor *v, unsigned scope,
                           Error **errp)
{
    uint64_t item[AWD_TM_NR_ITEMS], hist[AWD_TM_HIST_BUCKETS];
    double mean, ratio, occ;

    for (unsigned i = 0; i < AWD_TM_NR_ITEMS; i++) {
        item[i] = tm_item(s, scope, i);
    }
    for (unsigned i = 0; i < AWD_TM_HIST_BUCKETS; i++) {
        hist[i] = tm_item(s, scope, AWD_TM_LAT_HIST(i));
    }
    if (scope != AWD_TM_SCOPE_DEVICE) {
        uint64_t index = scope;

        if (!visit_type_uint64(v, "queue", &index, errp)) {
            return false;
        }
    }
    for (unsigned i = 0; i < AWD_TM_NR_ITEMS; i++) {
        if (!tm_item_names[i] ||
            (scope != AWD_TM_SCOPE_DEVICE && i >= AWD_TM_INV)) {
            continue;
        }
        if (!visit_type_uint64(v, tm_item_names[i], &item[i], errp)) {
            return false;
        }
    }
    /* what a reader wants first, derived here so no one gets it wrong */
    mean = item[AWD_TM_REQS] ?
           (double)item[AWD_TM_LAT_SUM_NS] / item[AWD_TM_REQS] : 0;
    ratio = item[AWD_TM_ATC_HITS] + item[AWD_TM_ATS_REQS] ?
            (double)item[AWD_TM_ATC_HITS] /
            (item[AWD_TM_ATC_HITS] + item[AWD_TM_ATS_REQS]) : 0;
    occ = item[AWD_TM_OCC_SAMPLES] ?
          (double)item[AWD_TM_OCC_SUM] / item[AWD_TM_OCC_SAMPLES] : 0;
    if (!visit_type_number(v, "latency-mean-ns", &mean, errp) ||
        !visit_type_number(v, "atc-hit-ratio", &ratio, errp) ||
        !visit_type_number(v, "occupancy-mean", &occ, errp)) {
        return false;
    }
    if (!visit_start_list(v, "latency-histogram", NULL, 0, errp)) {
        return false;
    }
    for (unsigned i = 0; i < AWD_TM_HIST_BUCKETS; i++) {
        if (!visit_type_uint64(v, NULL, &hist[i], errp)) {
            break;
        }
    }
    if (!visit_check_list(v, errp)) {
        visit_end_list(v, NULL);
        return false;
    }
    visit_end_list(v, NULL);
    return true;
}

/*
 * qom-get <dev> telemetry: {"model", "device": {...}, "queues": [...]};
 * latency-histogram[i] counts requests with a latency in [2^i, 2^(i+1))
 * ns (bucket 0 from 0).
 */
static void tm_get_telemetry(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);
    unsigned n = DEVICE(obj)->realized ? s->params.num_queues : 0;
    bool model = qatomic_read(&s->tm.on);

    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    if (!visit_type_bool(v, "model", &model, errp)) {
        goto out;
    }
    if (n) {
        if (!visit_start_struct(v, "device", NULL, 0, errp)) {
            goto out;
        }
        if (!tm_visit_scope(s, v, AWD_TM_SCOPE_DEVICE, errp) ||
            !visit_check_struct(v, errp)) {
            visit_end_struct(v, NULL);
            goto out;
        }
        visit_end_struct(v, NULL);
    }
    if (!visit_start_list(v, "queues", NULL, 0, errp)) {
        goto out;
    }
    for (unsigned i = 0; i < n; i++) {
        if (!visit_start_struct(v, NULL, NULL, 0, errp)) {
            break;
        }
        if (!tm_visit_scope(s, v, i, errp) || !visit_check_struct(v, errp)) {
            visit_end_struct(v, NULL);
            break;
        }
        visit_end_struct(v, NULL);
    }
    visit_end_list(v, NULL);
    visit_check_struct(v, errp);
out:
    visit_end_struct(v, NULL);
}

/* qom-set <dev> telemetry-reset true: start counting again */
static void tm_set_reset(Object *obj, bool val, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);

    if (val && DEVICE(obj)->realized) {
        tm_reset(s);
    }
}

/* ---- wiring ------------------------------------------------------------ */

void awd_timing_class_init(ObjectClass *oc)
{
    object_class_property_add_bool(oc, "timing", tm_get_on, tm_set_on);
    object_class_property_set_description(oc, "timing",
        "release completions at modelled times on the virtual clock");
    for (uintptr_t k = 0; k < AWD_TMK_NR; k++) {
        object_class_property_add(oc, awd_tm_knobs[k].name, "int",
                                  tm_get_knob, tm_set_knob, NULL, (void *)k);
        object_class_property_set_description(oc, awd_tm_knobs[k].name,
                                              awd_tm_knobs[k].what);
    }
    object_class_property_add(oc, "telemetry", "AccelWdTelemetry",
                              tm_get_telemetry, NULL, NULL, NULL);
    object_class_property_add_bool(oc, "telemetry-reset", NULL,
                                   tm_set_reset);
}

void awd_timing_instance_init(AccelWdState *s)
{
    for (unsigned k = 0; k < AWD_TMK_NR; k++) {
        s->tm.knob[k] = awd_tm_knobs[k].def;
    }
}

void awd_timing_realize(AccelWdState *s)
{
    qemu_mutex_init(&s->tm.lock);
    memset(s->tm.engine_free, 0, sizeof(s->tm.engine_free));
    s->tm_sel = 0;
    s->tm_latch = 0;
}

void awd_timing_unrealize(AccelWdState *s)
{
    qemu_mutex_destroy(&s->tm.lock);
}
