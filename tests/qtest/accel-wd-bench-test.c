/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd benchmark (plain DMA mode): device throughput against the same
 * library on the host, on the same data, in the same run.
 *
 *  - compress level 1 and 6, and decompress, with 4 KiB, 64 KiB and 1 MiB
 *    requests with engine=zlib: device MB/s, host zlib MB/s, ratio;
 *  - the same for compress level 1 and decompress with engine=isal (the
 *    host column is still zlib);
 *  - one queue against two queues on two worker threads;
 *  - RSA-2048 CRT ops/s against host GMP (same algorithm) and
 *    `openssl speed rsa2048` when the tool exists.
 *
 * The corpus is built from text files on the machine (/usr/include,
 * /usr/share/common-licenses), sorted, so runs are comparable.
 * By default a quick pass runs (seconds, no thresholds: it only proves the
 * benchmark works). AWD_BENCH=1 runs the full sizes; AWD_BENCH_OUT=<file>
 * appends the result lines to a file.
 */
#include "qemu/osdep.h"
#include <dlfcn.h>
#include <gmp.h>
#include "qemu/bswap.h"
#include "accel-wd-util.h"
#include "accel-wd-rsa-vectors.h"

#define COMP_PARAM(fmt, level) \
    (((fmt) << AWD_PARAM_FMT_SHIFT) | ((level) << AWD_PARAM_LEVEL_SHIFT))

static bool full;
static FILE *out_file;

static void report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void report(const char *fmt, ...)
{
    g_autofree char *line = NULL;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_test_message("bench: %s", line);
    if (out_file) {
        fprintf(out_file, "%s\n", line);
        fflush(out_file);
    }
}

/* ---- corpus ----------------------------------------------------------- */

static void add_dir(GByteArray *buf, const char *dir, const char *suffix,
                    size_t limit)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    if (!d) {
        return;
    }
    while ((n = g_dir_read_name(d))) {
        if (!suffix || g_str_has_suffix(n, suffix)) {
            g_ptr_array_add(names, g_build_filename(dir, n, NULL));
        }
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len && buf->len < limit; i++) {
        g_autofree char *text = NULL;
        gsize len;

        if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR) &&
            g_file_get_contents(names->pdata[i], &text, &len, NULL)) {
            g_byte_array_append(buf, (guint8 *)text,
                                MIN(len, limit - buf->len));
        }
    }
}

static uint8_t *corpus(size_t len)
{
    GByteArray *buf = g_byte_array_new();
    static const char *const dirs[] = {
        "/usr/include", "/usr/include/linux", "/usr/include/x86_64-linux-gnu",
        "/usr/include/glib-2.0/glib", "/usr/share/common-licenses",
    };
    uint8_t *p;

    for (unsigned i = 0; i < G_N_ELEMENTS(dirs) && buf->len < len; i++) {
        add_dir(buf, dirs[i], i < 4 ? ".h" : NULL, len);
    }
    if (buf->len < len) {
        g_autofree uint8_t *fill = awd_test_data(len - buf->len, 1);

        g_byte_array_append(buf, fill, len - buf->len);
    }
    p = g_byte_array_free(buf, false);
    return p;
}

/* ---- device runs ------------------------------------------------------ */

typedef struct Job {
    unsigned op;
    unsigned fmt;
    unsigned level;
    size_t req;             /* request size (input) */
    size_t count;           /* distinct requests (buffers) */
    size_t laps;            /* each request is run this many times */
    uint64_t src;           /* guest: count inputs, packed */
    size_t src_stride;
    uint64_t dst;
    size_t dst_stride;
    size_t *in_len;         /* per-request input length */
} Job;

/*
 * Submit @count descriptors @laps times, split over @nq queues (request r
 * to queue r % nq, so every queue gets the same mix), ring every doorbell,
 * wait for the last completion of each queue. Returns seconds.
 */
static double run_queues(AwdQ *qs, unsigned nq, const Job *j)
{
    size_t per_lap = j->count / nq, per_q = per_lap * j->laps;
    gint64 t0, t1;

    for (unsigned k = 0; k < nq; k++) {
        AwdQ *q = &qs[k];
        size_t n = 1u << q->order;
        g_autofree struct awd_desc *ring = g_new0(struct awd_desc, n);

        g_assert_cmpuint(per_q, <, n);
        for (size_t i = 0; i < per_q; i++) {
            size_t r = (i % per_lap) * nq + k;
            struct awd_desc *d = &ring[(q->tail + i) % n];

            d->opcode = j->op;
            d->tag = cpu_to_le32(r);
            d->src = cpu_to_le64(j->src + r * j->src_stride);
            d->src_len = cpu_to_le32(j->in_len[r]);
            d->dst = cpu_to_le64(j->dst + r * j->dst_stride);
            d->dst_len = cpu_to_le32(j->dst_stride);
            d->param = cpu_to_le32(COMP_PARAM(j->fmt, j->level));
        }
        /* the ring is written whole; slots not in this batch are unused */
        awd_write_buf(q->d, q->sq, ring, n * sizeof(*ring));
        q->tail = (q->tail + per_q) % n;
    }
    t0 = g_get_monotonic_time();
    for (unsigned k = 0; k < nq; k++) {
        awd_doorbell(qs[k].d, qs[k].index, AWD_DB_SQ_TAIL, qs[k].tail);
    }
    for (unsigned k = 0; k < nq; k++) {
        AwdQ *q = &qs[k];
        size_t n = 1u << q->order;
        uint32_t last = (q->cq_head + per_q - 1) % n;
        unsigned phase = q->phase ^ (q->cq_head + per_q - 1 >= n);
        uint64_t a = q->cq + last * AWD_CPL_SIZE +
                     offsetof(struct awd_cpl, flags);
        gint64 end = g_get_monotonic_time() + 600 * G_USEC_PER_SEC;

        /*
         * Coarse polling: each poll costs CPU in QEMU's main loop, taken
         * from the workers; about 100 polls a measurement (1% error).
         */
        while ((qtest_readl(q->d->qts, a) & AWD_CF_PHASE) != phase) {
            gint64 now = g_get_monotonic_time();

            g_assert_cmpint(now, <, end);
            g_usleep(MAX(500, (now - t0) / 100));
        }
    }
    t1 = g_get_monotonic_time();
    for (unsigned k = 0; k < nq; k++) {
        /* all completions must be OK */
        for (size_t i = 0; i < per_q; i++) {
            struct awd_cpl c;

            g_assert_true(awd_q_wait(&qs[k], &c, 1000));
            g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        }
    }
    return (t1 - t0) / 1e6;
}

/* ---- host runs -------------------------------------------------------- */

static struct {
    typeof(deflateInit2_) *deflateInit2_;
    typeof(deflate) *deflate;
    typeof(deflateReset) *deflateReset;
    typeof(deflateParams) *deflateParams;
    typeof(deflateEnd) *deflateEnd;
    typeof(inflateInit2_) *inflateInit2_;
    typeof(inflate) *inflate;
    typeof(inflateReset) *inflateReset;
    typeof(inflateEnd) *inflateEnd;
    typeof(zlibVersion) *zlibVersion;
} z;

static void z_load(void)
{
    void *h = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);

    g_assert_nonnull(h);
#define SYM(n) do { z.n = dlsym(h, #n); g_assert_nonnull(z.n); } while (0)
    SYM(deflateInit2_);
    SYM(deflate);
    SYM(deflateReset);
    SYM(deflateParams);
    SYM(deflateEnd);
    SYM(inflateInit2_);
    SYM(inflate);
    SYM(inflateReset);
    SYM(inflateEnd);
    SYM(zlibVersion);
#undef SYM
}

/* Same work on the host: one reused z_stream, like a device worker. */
static double host_run(const Job *j, const uint8_t *in, uint8_t *out)
{
    z_stream zs = { 0 };
    int wbits = awd_fmt_wbits(j->fmt);
    gint64 t0;

    if (j->op == AWD_OP_COMPRESS) {
        g_assert_cmpint(z.deflateInit2_(&zs, j->level, Z_DEFLATED, wbits, 8,
                                        Z_DEFAULT_STRATEGY, z.zlibVersion(),
                                        sizeof(zs)), ==, Z_OK);
    } else {
        g_assert_cmpint(z.inflateInit2_(&zs, wbits, z.zlibVersion(),
                                        sizeof(zs)), ==, Z_OK);
    }
    t0 = g_get_monotonic_time();
    for (size_t i = 0; i < j->count * j->laps; i++) {
        size_t r = i % j->count;

        zs.next_in = (Bytef *)in + r * j->src_stride;
        zs.avail_in = j->in_len[r];
        zs.next_out = out + r * j->dst_stride;
        zs.avail_out = j->dst_stride;
        if (j->op == AWD_OP_COMPRESS) {
            g_assert_cmpint(z.deflate(&zs, Z_FINISH), ==, Z_STREAM_END);
            z.deflateReset(&zs);
        } else {
            g_assert_cmpint(z.inflate(&zs, Z_FINISH), ==, Z_STREAM_END);
            z.inflateReset(&zs);
        }
    }
    t0 = g_get_monotonic_time() - t0;
    if (j->op == AWD_OP_COMPRESS) {
        z.deflateEnd(&zs);
    } else {
        z.inflateEnd(&zs);
    }
    return t0 / 1e6;
}

/* ---- compression benchmark -------------------------------------------- */

static void bench_comp(AwdDev *d, AwdQ *qs, const uint8_t *data,
                       size_t data_len, unsigned op, unsigned level,
                       size_t req, size_t count, unsigned nq_max)
{
    size_t dst_stride = req + req / 8 + 1024;
    g_autofree size_t *in_len = g_new(size_t, count);
    g_autofree uint8_t *in = NULL, *out = g_malloc(count * dst_stride);
    size_t src_stride = op == AWD_OP_COMPRESS ? req : dst_stride;
    uint64_t total = 0;
    double dev_t, host_t, dev2_t = 0;
    int reps = full ? 3 : 1;
    Job j = {
        .op = op, .fmt = AWD_FMT_ZLIB, .level = level, .req = req,
        .count = count, .src_stride = src_stride, .dst_stride = dst_stride,
        .in_len = in_len,
        /* long enough that polling and wake-ups are noise (~0.1 s+) */
        .laps = full && req >= 65536 ? 4 : 1,
    };

    /* inputs: corpus slices, or their host compression for decompress */
    in = g_malloc(count * src_stride);
    for (size_t r = 0; r < count; r++) {
        const uint8_t *slice = data + (r * req) % (data_len - req + 1);

        if (op == AWD_OP_COMPRESS) {
            memcpy(in + r * src_stride, slice, req);
            in_len[r] = req;
        } else {
            long n = awd_host_deflate(15, 6, slice, req, in + r * src_stride,
                                      src_stride);

            g_assert_cmpint(n, >, 0);
            in_len[r] = n;
        }
        total += req * j.laps;  /* uncompressed bytes either way */
    }
    j.src = awd_alloc(d, count * src_stride, 4096);
    j.dst = awd_alloc(d, count * dst_stride, 4096);
    awd_write_buf(d, j.src, in, count * src_stride);

    dev_t = host_t = 1e9;
    for (int i = 0; i < reps; i++) {
        dev_t = MIN(dev_t, run_queues(qs, 1, &j));
        host_t = MIN(host_t, host_run(&j, in, out));
    }
    report("%s L%u %zu KiB x %zu: device %.1f MB/s, host zlib %.1f MB/s, "
           "ratio %.2f", op == AWD_OP_COMPRESS ? "compress" : "decompress",
           op == AWD_OP_COMPRESS ? level : 0, req / 1024, count * j.laps,
           total / dev_t / 1e6, total / host_t / 1e6, host_t / dev_t);
    if (nq_max > 1) {
        dev2_t = 1e9;
        for (int i = 0; i < reps; i++) {
            dev2_t = MIN(dev2_t, run_queues(qs, 2, &j));
        }
        report("  two queues: %.1f MB/s, %.2fx one queue",
               total / dev2_t / 1e6, dev_t / dev2_t);
    }
}

/* ---- RSA benchmark ---------------------------------------------------- */

static double host_gmp_crt(const struct rsa_vector *v, unsigned count)
{
    void *h = dlopen("libgmp.so.10", RTLD_NOW | RTLD_LOCAL);
    typeof(mpz_init) *init;
    typeof(mpz_clear) *clear;
    typeof(mpz_import) *import;
    typeof(mpz_powm_sec) *powm_sec;
    typeof(mpz_mod) *mod;
    typeof(mpz_sub) *sub;
    typeof(mpz_mul) *mul;
    typeof(mpz_add) *add;
    size_t hl = v->len / 2;
    mpz_t p, q, dp, dq, qi, c, m1, m2, t;
    gint64 t0;

    if (!h) {
        return 0;
    }
    init = dlsym(h, "__gmpz_init");
    clear = dlsym(h, "__gmpz_clear");
    import = dlsym(h, "__gmpz_import");
    powm_sec = dlsym(h, "__gmpz_powm_sec");
    mod = dlsym(h, "__gmpz_mod");
    sub = dlsym(h, "__gmpz_sub");
    mul = dlsym(h, "__gmpz_mul");
    add = dlsym(h, "__gmpz_add");
    if (!init || !clear || !import || !powm_sec || !mod || !sub || !mul ||
        !add) {
        return 0;
    }
    init(p); init(q); init(dp); init(dq); init(qi);
    init(c); init(m1); init(m2); init(t);
    import(p, hl, 1, 1, 1, 0, v->crt);
    import(q, hl, 1, 1, 1, 0, v->crt + hl);
    import(dp, hl, 1, 1, 1, 0, v->crt + 2 * hl);
    import(dq, hl, 1, 1, 1, 0, v->crt + 3 * hl);
    import(qi, hl, 1, 1, 1, 0, v->crt + 4 * hl);
    import(c, v->len, 1, 1, 1, 0, v->msg);
    t0 = g_get_monotonic_time();
    for (unsigned i = 0; i < count; i++) {
        mod(t, c, p);
        powm_sec(m1, t, dp, p);
        mod(t, c, q);
        powm_sec(m2, t, dq, q);
        sub(t, m1, m2);
        mul(t, t, qi);
        mod(t, t, p);
        mul(t, t, q);
        add(t, t, m2);
    }
    t0 = g_get_monotonic_time() - t0;
    clear(p); clear(q); clear(dp); clear(dq); clear(qi);
    clear(c); clear(m1); clear(m2); clear(t);
    return count / (t0 / 1e6);
}

static double openssl_speed_rsa2048(void)
{
    g_autofree char *out = NULL;
    g_autofree char *path = g_find_program_in_path("openssl");
    char **lines;
    double sign = 0;
    int status;

    if (!path || !g_spawn_command_line_sync("openssl speed -seconds 1 "
                                            "rsa2048", &out, NULL, &status,
                                            NULL) || !out) {
        return 0;
    }
    lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        double s, v, ss, vs;

        /* "rsa 2048 bits 0.000734s 0.000022s   1362.0  45012.7" */
        if (sscanf(*l, "rsa 2048 bits %lfs %lfs %lf %lf", &s, &v, &ss,
                   &vs) == 4) {
            sign = ss;
        }
    }
    g_strfreev(lines);
    return sign;
}

static void bench_rsa(AwdDev *d, AwdQ *q, unsigned count)
{
    const struct rsa_vector *v = &rsa_vectors[1];
    size_t n = 1u << q->order;
    g_autofree struct awd_desc *ring = g_new0(struct awd_desc, n);
    uint64_t key = awd_alloc(d, 5 * v->len / 2, 4096);
    uint64_t in = awd_alloc(d, v->len, 4096);
    uint64_t out = awd_alloc(d, count * v->len, 4096);
    double dev_ops, gmp_ops, ossl_ops;
    gint64 t0;

    g_assert_cmpuint(v->len, ==, 256);
    g_assert_cmpuint(count, <, n);
    awd_write_buf(d, key, v->crt, 5 * v->len / 2);
    awd_write_buf(d, in, v->msg, v->len);
    for (unsigned i = 0; i < count; i++) {
        struct awd_desc *r = &ring[(q->tail + i) % n];

        r->opcode = AWD_OP_RSA;
        r->tag = cpu_to_le32(i);
        r->src = cpu_to_le64(in);
        r->dst = cpu_to_le64(out + i * v->len);
        r->src_len = cpu_to_le32(v->len);
        r->dst_len = cpu_to_le32(v->len);
        r->key = cpu_to_le64(key);
        r->param = cpu_to_le32(AWD_RSA_CRT);
    }
    awd_write_buf(d, q->sq, ring, n * sizeof(*ring));
    q->tail = (q->tail + count) % n;
    t0 = g_get_monotonic_time();
    awd_doorbell(d, q->index, AWD_DB_SQ_TAIL, q->tail);
    {
        /* wait for the last completion only, polling coarsely */
        uint32_t last = (q->cq_head + count - 1) % n;
        unsigned phase = q->phase ^ (q->cq_head + count - 1 >= n);
        uint64_t a = q->cq + last * AWD_CPL_SIZE +
                     offsetof(struct awd_cpl, flags);

        while ((qtest_readl(d->qts, a) & AWD_CF_PHASE) != phase) {
            g_usleep(500);
        }
    }
    dev_ops = count / ((g_get_monotonic_time() - t0) / 1e6);
    for (unsigned i = 0; i < count; i++) {
        struct awd_cpl c;

        g_assert_true(awd_q_wait(q, &c, 60000));
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
    }
    gmp_ops = host_gmp_crt(v, count);
    ossl_ops = full ? openssl_speed_rsa2048() : 0;
    report("rsa2048 crt x %u: device %.0f ops/s, host GMP %.0f ops/s "
           "(ratio %.2f), openssl speed %s%.0f sign/s", count, dev_ops,
           gmp_ops, gmp_ops ? dev_ops / gmp_ops : 0,
           ossl_ops ? "" : "(not run) ", ossl_ops);
}

static void test_bench(void)
{
    size_t data_len = full ? 8 << 20 : 1 << 20;
    g_autofree uint8_t *data = corpus(data_len);
    AwdDev d;
    AwdQ qs[2];
    char extra[64];
    bool isal;

    z_load();
    snprintf(extra, sizeof(extra), ",max-xfer=%u,engine=zlib", 2 << 20);
    awd_dev_start(&d, extra);
    awd_q_setup(&d, &qs[0], 0, 11);
    awd_q_setup(&d, &qs[1], 1, 11);
    report("corpus %zu bytes from /usr/include and common-licenses",
           data_len);
    for (unsigned op = AWD_OP_COMPRESS; op <= AWD_OP_DECOMPRESS; op++) {
        for (unsigned li = 0; li < (op == AWD_OP_COMPRESS ? 2 : 1); li++) {
            unsigned level = li ? 6 : 1;

            bench_comp(&d, qs, data, data_len, op, level, 4096,
                       full ? 2000 : 64, 1);
            bench_comp(&d, qs, data, data_len, op, level, 65536,
                       full ? 256 : 8, 2);
            bench_comp(&d, qs, data, data_len, op, level, 1 << 20,
                       full ? 24 : 2, full ? 2 : 1);
        }
    }
    bench_rsa(&d, &qs[0], full ? 1000 : 20);
    isal = awd_dev_has_engine(&d, "isal");
    awd_dev_stop(&d);

    /* L1 compression and decompression with the ISA-L engine */
    if (!isal) {
        report("engine=isal: not built (no libisal), skipped");
        return;
    }
    snprintf(extra, sizeof(extra), ",max-xfer=%u,engine=isal", 2 << 20);
    awd_dev_start(&d, extra);
    awd_q_setup(&d, &qs[0], 0, 11);
    awd_q_setup(&d, &qs[1], 1, 11);
    report("engine=isal (ISA-L for L1-3 and inflate; host column is zlib):");
    for (unsigned op = AWD_OP_COMPRESS; op <= AWD_OP_DECOMPRESS; op++) {
        bench_comp(&d, qs, data, data_len, op, 1, 65536, full ? 256 : 8, 1);
        bench_comp(&d, qs, data, data_len, op, 1, 1 << 20, full ? 24 : 2,
                   1);
    }
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    const char *o = g_getenv("AWD_BENCH_OUT");
    int ret;

    full = g_strcmp0(g_getenv("AWD_BENCH"), "1") == 0;
    if (o) {
        out_file = fopen(o, "a");
    }
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/bench", test_bench);
    ret = g_test_run();
    if (out_file) {
        fclose(out_file);
    }
    return ret;
}
