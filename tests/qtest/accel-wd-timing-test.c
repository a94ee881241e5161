/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for the accel-wd timing model and telemetry, in plain bus-master
 * DMA mode: qtest drives the virtual clock, so a completion must appear
 * exactly at its modelled time. Throughput at a modelled rate, engines
 * working in parallel, knobs changed at run time, the telemetry (QMP and
 * the guest's register window) counting exactly the requests made, and
 * nonsensical knobs refused with a message.
 */
#include "qemu/osdep.h"
#include <math.h>
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "accel-wd-util.h"
#include "accel-wd-rsa-vectors.h"

#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))
#define REQ_LEN     (64 * 1024)
#define NREQ        8

static bool cpl_ready(AwdQ *q)
{
    uint32_t flags = qtest_readl(q->d->qts, q->cq +
                                 (uint64_t)q->cq_head * AWD_CPL_SIZE +
                                 offsetof(struct awd_cpl, flags));

    return (flags & AWD_CF_PHASE) == q->phase;
}

/* The virtual clock, after one nanosecond (qtest reads it only so) */
static int64_t clock_now(AwdDev *d)
{
    return qtest_clock_step(d->qts, 1);
}

/*
 * Step the virtual clock by STEP_NS until the next completion appears;
 * the time it was seen, at most STEP_NS after it was published. The model
 * holds completions until their time, so none is there before a step.
 */
#define STEP_NS     1000

static int64_t wait_cpl_virtual(AwdQ *q, struct awd_cpl *c)
{
    int64_t t = clock_now(q->d);

    for (unsigned i = 0; !cpl_ready(q); i++) {
        g_assert_cmpuint(i, <, 100000);
        t = qtest_clock_step(q->d->qts, STEP_NS);
    }
    g_assert_true(awd_q_wait(q, c, 1000));
    return t;
}

typedef struct Batch {
    uint64_t src, dst[NREQ];
    uint8_t *data;
} Batch;

static void batch_setup(AwdDev *d, Batch *b)
{
    b->data = awd_test_data(REQ_LEN, 11);
    b->src = awd_alloc(d, REQ_LEN, 4096);
    awd_write_buf(d, b->src, b->data, REQ_LEN);
    for (unsigned i = 0; i < NREQ; i++) {
        b->dst[i] = awd_alloc(d, 2 * REQ_LEN, 4096);
    }
}

/*
 * Submit NREQ compressions of REQ_LEN with one doorbell at virtual time
 * *t0; return when the last one completed. Each output inflates back.
 */
static int64_t run_batch(AwdQ *q, Batch *b, int64_t *t0, int64_t *done)
{
    g_autofree uint8_t *out = g_malloc(2 * REQ_LEN);
    g_autofree uint8_t *back = g_malloc(REQ_LEN + 1);

    for (unsigned i = 0; i < NREQ; i++) {
        struct awd_desc desc = {
            .opcode = AWD_OP_COMPRESS, .tag = 0x40 + i,
            .src = b->src, .src_len = REQ_LEN,
            .dst = b->dst[i], .dst_len = 2 * REQ_LEN,
            .param = COMP_PARAM(AWD_FMT_RAW, 1),
        };

        awd_q_put(q, &desc);
    }
    *t0 = clock_now(q->d);
    awd_doorbell(q->d, q->index, AWD_DB_SQ_TAIL, q->tail);
    for (unsigned i = 0; i < NREQ; i++) {
        struct awd_cpl c;

        done[i] = wait_cpl_virtual(q, &c);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmphex(c.tag, ==, 0x40 + i);
        g_assert_cmpuint(c.consumed, ==, REQ_LEN);
        awd_read_buf(q->d, b->dst[i], out, c.produced);
        g_assert_cmpint(awd_host_inflate(-15, out, c.produced, back,
                                         REQ_LEN + 1), ==, REQ_LEN);
        g_assert_cmpmem(back, REQ_LEN, b->data, REQ_LEN);
    }
    return done[NREQ - 1];
}

static QDict *telemetry(AwdDev *d)
{
    QDict *rsp = qtest_qmp(d->qts, "{'execute': 'qom-get', 'arguments':"
                           " {'path': '/machine/peripheral/awd0',"
                           " 'property': 'telemetry'}}");

    g_assert_true(qdict_haskey(rsp, "return"));
    return rsp;
}

static QDict *tm_queue(QDict *rsp, unsigned qi)
{
    QList *queues = qdict_get_qlist(qdict_get_qdict(rsp, "return"),
                                    "queues");
    QListEntry *e;

    QLIST_FOREACH_ENTRY(queues, e) {
        QDict *qd = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(qd, "queue") == qi) {
            return qd;
        }
    }
    g_assert_not_reached();
}

static uint64_t hist_sum(QDict *qd)
{
    QList *h = qdict_get_qlist(qd, "latency-histogram");
    QListEntry *e;
    uint64_t sum = 0;
    unsigned n = 0;

    QLIST_FOREACH_ENTRY(h, e) {
        sum += qnum_get_uint(qobject_to(QNum, qlist_entry_obj(e)));
        n++;
    }
    g_assert_cmpuint(n, ==, AWD_TM_HIST_BUCKETS);
    return sum;
}

static uint64_t tm_reg(AwdDev *d, unsigned scope, unsigned item)
{
    uint64_t lo;

    awd_reg_write(d, AWD_REG_TM_SEL, AWD_TM_SEL(scope, item));
    lo = awd_reg(d, AWD_REG_TM_DATA_LO);
    return lo | (uint64_t)awd_reg(d, AWD_REG_TM_DATA_HI) << 32;
}

static void qom_set_int(AwdDev *d, const char *prop, int64_t val)
{
    QDict *rsp = qtest_qmp(d->qts, "{'execute': 'qom-set', 'arguments':"
                           " {'path': '/machine/peripheral/awd0',"
                           " 'property': %s, 'value': %" PRId64 "}}",
                           prop, val);

    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/* Throughput at the modelled rate, exact to the clock */
static void test_throughput(void)
{
    const unsigned rate = 500;          /* MB/s = bytes per microsecond */
    int64_t t0, done[NREQ], t;
    uint64_t expect_ns = (uint64_t)REQ_LEN * 1000 / rate;
    double mbps;
    AwdDev d;
    AwdQ q;
    Batch b;
    QDict *rsp, *qd;

    awd_dev_start(&d, ",id=awd0,timing=on,timing-compress-rate=500,"
                  "timing-req-latency-ns=0,timing-doorbell-latency-ns=0,"
                  "timing-engines=1");
    g_assert_true(awd_reg(&d, AWD_REG_CAP) & AWD_CAP_TELEMETRY);
    awd_q_setup(&d, &q, 1, 4);
    batch_setup(&d, &b);
    t = run_batch(&q, &b, &t0, done);
    mbps = (double)NREQ * REQ_LEN * 1000 / (t - t0);
    g_test_message("modelled %u MB/s, measured %.1f MB/s on the virtual "
                   "clock", rate, mbps);
    g_assert_cmpfloat(fabs(mbps - rate), <=, rate * 0.05);
    /* one engine: completions a request's engine time apart */
    for (unsigned i = 0; i < NREQ; i++) {
        g_assert_cmpint(done[i] - t0, >=, (i + 1) * expect_ns);
        g_assert_cmpint(done[i] - t0, <, (i + 1) * expect_ns + STEP_NS);
    }

    /* telemetry holds exactly these requests, over QMP ... */
    rsp = telemetry(&d);
    g_assert_true(qdict_get_bool(qdict_get_qdict(rsp, "return"), "model"));
    qd = tm_queue(rsp, 1);
    g_assert_cmpuint(qdict_get_int(qd, "requests"), ==, NREQ);
    g_assert_cmpuint(hist_sum(qd), ==, NREQ);
    /* exactly: from the doorbell to the modelled release */
    g_assert_cmpuint(qdict_get_int(qd, "latency-max-ns"), ==,
                     NREQ * expect_ns);
    g_assert_cmpuint(qdict_get_int(qd, "bytes-in"), ==, NREQ * REQ_LEN);
    g_assert_cmpuint(qdict_get_int(qd, "occupancy-max"), ==, NREQ);
    g_assert_cmpuint(hist_sum(tm_queue(rsp, 0)), ==, 0);
    g_assert_cmpuint(qdict_get_int(qdict_get_qdict(qdict_get_qdict(rsp,
                     "return"), "device"), "requests"), ==, NREQ);
    qobject_unref(rsp);
    /* ... and through the guest's register window */
    {
        uint64_t sum = 0;

        g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_REQS), ==, NREQ);
        g_assert_cmpuint(tm_reg(&d, AWD_TM_SCOPE_DEVICE, AWD_TM_REQS), ==,
                         NREQ);
        g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_LAT_MAX_NS), ==,
                         NREQ * expect_ns);
        g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_MODEL), ==, 1);
        for (unsigned i = 0; i < AWD_TM_HIST_BUCKETS; i++) {
            sum += tm_reg(&d, 1, AWD_TM_LAT_HIST(i));
        }
        g_assert_cmpuint(sum, ==, NREQ);
        /* the 64-bit value comes whole: the high half is latched */
        g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_BYTES_IN), ==,
                         NREQ * REQ_LEN);
        g_assert_cmpuint(tm_reg(&d, 0, AWD_TM_REQS), ==, 0);
        g_assert_cmpuint(tm_reg(&d, 77, AWD_TM_REQS), ==, 0);
        g_assert_cmpuint(tm_reg(&d, 1, 0x3f), ==, 0);
    }

    /* reset over QMP: counting starts again */
    rsp = qtest_qmp(d.qts, "{'execute': 'qom-set', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'telemetry-reset', 'value': true}}");
    g_assert_true(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_REQS), ==, 0);

    /* a knob changed at run time applies to the next requests */
    qom_set_int(&d, "timing-compress-rate", 2 * rate);
    t = run_batch(&q, &b, &t0, done);
    mbps = (double)NREQ * REQ_LEN * 1000 / (t - t0);
    g_test_message("after qom-set: modelled %u MB/s, measured %.1f MB/s",
                   2 * rate, mbps);
    g_assert_cmpfloat(fabs(mbps - 2 * rate), <=, 2 * rate * 0.05);
    g_assert_cmpuint(tm_reg(&d, 1, AWD_TM_REQS), ==, NREQ);
    g_free(b.data);
    awd_dev_stop(&d);
}

/* Four engines take four requests at once; one queue completes in order */
static void test_engines(void)
{
    const unsigned rate = 1000, engines = 4, lat = 3000;
    int64_t t0, done[NREQ];
    uint64_t per = (uint64_t)REQ_LEN * 1000 / rate + lat;
    g_autofree char *props = g_strdup_printf(
        ",id=awd0,timing=on,timing-compress-rate=%u,timing-engines=%u,"
        "timing-req-latency-ns=%u,timing-doorbell-latency-ns=500", rate,
        engines, lat);
    AwdDev d;
    AwdQ q;
    Batch b;

    awd_dev_start(&d, props);
    awd_q_setup(&d, &q, 0, 4);
    batch_setup(&d, &b);
    run_batch(&q, &b, &t0, done);
    for (unsigned i = 0; i < NREQ; i++) {
        /* doorbell latency, then rounds of four in parallel */
        int64_t expect = 500 + (i / engines + 1) * per;

        g_assert_cmpint(done[i] - t0, >=, expect);
        g_assert_cmpint(done[i] - t0, <, expect + STEP_NS);
    }
    g_free(b.data);
    awd_dev_stop(&d);
}

/* RSA at its modelled operations per second for the key size */
static void test_rsa(void)
{
    AwdDev d;
    AwdQ q;
    uint64_t key = 0, in, out;

    awd_dev_start(&d, ",id=awd0,timing=on,timing-rsa1024-ops=200000,"
                  "timing-rsa2048-ops=10000,timing-req-latency-ns=0,"
                  "timing-doorbell-latency-ns=0");
    awd_q_setup(&d, &q, 0, 3);
    key = awd_alloc(&d, 1024, 4096);
    in = awd_alloc(&d, 512, 4096);
    out = awd_alloc(&d, 512, 4096);
    for (size_t i = 0; i < G_N_ELEMENTS(rsa_vectors); i++) {
        const struct rsa_vector *v = &rsa_vectors[i];
        g_autofree uint8_t *k = g_malloc(2 * v->len);
        g_autofree uint8_t *res = g_malloc(v->len);
        int64_t expect = v->len == 128 ? 5000 : v->len == 256 ? 100000 : -1;
        struct awd_desc desc = {
            .opcode = AWD_OP_RSA, .tag = i, .src = in, .dst = out,
            .src_len = v->len, .dst_len = v->len, .key = key,
            .param = AWD_RSA_PUBLIC,
        };
        struct awd_cpl c;
        int64_t t0, t;

        if (expect < 0) {
            continue;
        }
        memcpy(k, v->n, v->len);
        memcpy(k + v->len, v->e, v->len);
        awd_write_buf(&d, key, k, 2 * v->len);
        awd_write_buf(&d, in, v->msg, v->len);
        t0 = clock_now(&d);
        awd_q_submit(&q, &desc);
        t = wait_cpl_virtual(&q, &c);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        awd_read_buf(&d, out, res, v->len);
        g_assert_cmpmem(res, v->len, v->pub, v->len);
        g_test_message("RSA-%zu: %" PRId64 " ns on the virtual clock, "
                       "modelled %" PRId64, v->len * 8, t - t0, expect);
        g_assert_cmpint(t - t0, >=, expect);
        g_assert_cmpint(t - t0, <, expect + STEP_NS);
    }
    awd_dev_stop(&d);
}

/* With the model off nothing waits for the virtual clock */
static void test_model_off(void)
{
    AwdDev d;
    AwdQ q;
    struct awd_desc desc = { .opcode = AWD_OP_NOP, .tag = 5 };
    struct awd_cpl c;
    int64_t t0;
    QDict *rsp;

    awd_dev_start(&d, ",id=awd0");
    awd_q_setup(&d, &q, 0, 2);
    t0 = clock_now(&d);
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    g_assert_cmpint(clock_now(&d), ==, t0 + 1);
    g_assert_cmpuint(tm_reg(&d, 0, AWD_TM_MODEL), ==, 0);
    g_assert_cmpuint(tm_reg(&d, 0, AWD_TM_REQS), ==, 1);
    rsp = telemetry(&d);
    g_assert_false(qdict_get_bool(qdict_get_qdict(rsp, "return"), "model"));
    g_assert_cmpuint(hist_sum(tm_queue(rsp, 0)), ==, 1);
    qobject_unref(rsp);
    awd_dev_stop(&d);
}

static void expect_refused(AwdDev *d, const char *prop, int64_t val)
{
    QDict *rsp = qtest_qmp(d->qts, "{'execute': 'qom-set', 'arguments':"
                           " {'path': '/machine/peripheral/awd0',"
                           " 'property': %s, 'value': %" PRId64 "}}",
                           prop, val);
    const char *desc;

    g_assert_true(qdict_haskey(rsp, "error"));
    desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
    g_test_message("qom-set %s=%" PRId64 ": %s", prop, val, desc);
    g_assert_nonnull(strstr(desc, prop));
    g_assert_nonnull(strstr(desc, "must be"));
    qobject_unref(rsp);
}

/* Nonsense is refused at realize (device_add) and over QMP */
static void test_bad_knobs(void)
{
    static const struct {
        const char *prop;
        int64_t val;
    } bad[] = {
        { "timing-compress-rate", 0 },
        { "timing-decompress-rate", -5 },
        { "timing-rsa2048-ops", 0 },
        { "timing-req-latency-ns", 1000000001 },
        { "timing-pr-latency-ns", -1 },
        { "timing-ats-latency-ns", 5000000000 },
        { "timing-doorbell-latency-ns", 2000000000 },
        { "timing-engines", 0 },
        { "timing-engines", 65 },
    };
    AwdDev d;
    QDict *rsp;

    /* a root port to hot-plug into: properties are checked before that */
    awd_dev_start(&d, ",id=awd0 -device pcie-root-port,id=rp0,chassis=1");
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *desc;

        expect_refused(&d, bad[i].prop, bad[i].val);
        rsp = qtest_qmp(d.qts, "{'execute': 'device_add', 'arguments':"
                        " {'driver': 'accel-wd', 'id': 'bad', 'bus': 'rp0',"
                        " %s: %" PRId64 "}}", bad[i].prop, bad[i].val);
        g_assert_true(qdict_haskey(rsp, "error"));
        desc = qdict_get_str(qdict_get_qdict(rsp, "error"), "desc");
        g_test_message("device_add %s=%" PRId64 ": %s", bad[i].prop,
                       bad[i].val, desc);
        g_assert_nonnull(strstr(desc, bad[i].prop));
        g_assert_nonnull(strstr(desc, "must be"));
        qobject_unref(rsp);
    }
    /* not a number at all */
    rsp = qtest_qmp(d.qts, "{'execute': 'qom-set', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'timing-engines', 'value': 'four'}}");
    g_assert_true(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    /* the device still works, with its knobs as they were */
    g_assert_cmphex(awd_reg(&d, AWD_REG_MAGIC), ==, AWD_MAGIC);
    rsp = qtest_qmp(d.qts, "{'execute': 'qom-get', 'arguments':"
                    " {'path': '/machine/peripheral/awd0',"
                    " 'property': 'timing-engines'}}");
    g_assert_cmpint(qdict_get_int(rsp, "return"), ==, 1);
    qobject_unref(rsp);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/timing/throughput", test_throughput);
    qtest_add_func("/accel-wd/timing/engines", test_engines);
    qtest_add_func("/accel-wd/timing/rsa", test_rsa);
    qtest_add_func("/accel-wd/timing/model-off", test_model_off);
    qtest_add_func("/accel-wd/timing/bad-knobs", test_bad_knobs);
    return g_test_run();
}
