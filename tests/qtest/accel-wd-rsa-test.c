/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd RSA in plain bus-master DMA mode: public, private and
 * CRT results for 1024/2048/4096-bit keys equal OpenSSL's (vectors from
 * tests/unit/gen-rsa-vectors.py), and malformed keys give an error status.
 */
#include "qemu/osdep.h"
#include "accel-wd-util.h"
#include "accel-wd-rsa-vectors.h"

typedef struct RsaBufs {
    uint64_t key;
    uint64_t in;
    uint64_t out;
} RsaBufs;

static struct awd_cpl rsa_run(AwdQ *q, const RsaBufs *b, unsigned form,
                              size_t len, const uint8_t *key, size_t klen,
                              const uint8_t *in)
{
    struct awd_desc desc = {
        .opcode = AWD_OP_RSA, .tag = 0x3000 + form, .src = b->in,
        .dst = b->out, .src_len = len, .dst_len = len, .key = b->key,
        .param = form,
    };

    awd_write_buf(q->d, b->key, key, klen);
    awd_write_buf(q->d, b->in, in, len);
    return awd_q_run(q, &desc);
}

static void test_vectors(void)
{
    AwdDev d;
    AwdQ q;
    RsaBufs b;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 6, 3);
    b.key = awd_alloc(&d, 4 * 512, 4096);
    b.in = awd_alloc(&d, 512, 4096);
    b.out = awd_alloc(&d, 512, 4096);
    for (size_t i = 0; i < G_N_ELEMENTS(rsa_vectors); i++) {
        const struct rsa_vector *v = &rsa_vectors[i];
        g_autofree uint8_t *key = g_malloc(2 * v->len);
        g_autofree uint8_t *out = g_malloc(v->len);
        struct awd_cpl c;

        memcpy(key, v->n, v->len);
        memcpy(key + v->len, v->e, v->len);
        c = rsa_run(&q, &b, AWD_RSA_PUBLIC, v->len, key, 2 * v->len, v->msg);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        g_assert_cmpuint(c.produced, ==, v->len);
        awd_read_buf(&d, b.out, out, v->len);
        g_assert_cmpmem(out, v->len, v->pub, v->len);

        memcpy(key + v->len, v->d, v->len);
        c = rsa_run(&q, &b, AWD_RSA_PRIVATE, v->len, key, 2 * v->len,
                    v->msg);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        awd_read_buf(&d, b.out, out, v->len);
        g_assert_cmpmem(out, v->len, v->priv, v->len);

        c = rsa_run(&q, &b, AWD_RSA_CRT, v->len, v->crt, 5 * v->len / 2,
                    v->msg);
        g_assert_cmpuint(c.status, ==, AWD_STS_OK);
        awd_read_buf(&d, b.out, out, v->len);
        g_assert_cmpmem(out, v->len, v->priv, v->len);
    }
    awd_dev_stop(&d);
}

static void test_bad_keys(void)
{
    const struct rsa_vector *v = &rsa_vectors[0];
    size_t len = v->len;
    g_autofree uint8_t *key = g_malloc(2 * len);
    g_autofree uint8_t *big = g_malloc(len);
    AwdDev d;
    AwdQ q;
    RsaBufs b;
    struct awd_cpl c;
    struct awd_desc desc;

    awd_dev_start(&d, NULL);
    awd_q_setup(&d, &q, 0, 4);
    b.key = awd_alloc(&d, 4 * 512, 4096);
    b.in = awd_alloc(&d, 512, 4096);
    b.out = awd_alloc(&d, 512, 4096);

    memcpy(key, v->n, len);
    memcpy(key + len, v->e, len);
    key[len - 1] &= ~1;                     /* even modulus */
    c = rsa_run(&q, &b, AWD_RSA_PUBLIC, len, key, 2 * len, v->msg);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    memset(key, 0, len);                    /* zero modulus */
    c = rsa_run(&q, &b, AWD_RSA_PUBLIC, len, key, 2 * len, v->msg);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    memcpy(key, v->n, len);
    key[0] = 0;                             /* shorter than src_len */
    c = rsa_run(&q, &b, AWD_RSA_PUBLIC, len, key, 2 * len, v->msg);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    memcpy(key, v->n, len);
    memset(big, 0xff, len);                 /* input >= modulus */
    c = rsa_run(&q, &b, AWD_RSA_PUBLIC, len, key, 2 * len, big);
    g_assert_cmpuint(c.status, ==, AWD_STS_INPUT_RANGE);
    c = rsa_run(&q, &b, AWD_RSA_CRT, len, v->crt, 5 * len / 2, big);
    g_assert_cmpuint(c.status, ==, AWD_STS_INPUT_RANGE);

    /* lengths: below 512 bits, above 4096, odd for CRT, zero */
    desc = (struct awd_desc) {
        .opcode = AWD_OP_RSA, .src = b.in, .dst = b.out, .key = b.key,
        .src_len = 32, .dst_len = 512, .param = AWD_RSA_PUBLIC,
    };
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    desc.src_len = 513;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    desc.src_len = 129;
    desc.param = AWD_RSA_CRT;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_BAD_KEY);
    desc.src_len = 0;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_LEN);
    /* unknown key form, stream flags, a context */
    desc.src_len = len;
    desc.param = 3;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
    desc.param = AWD_RSA_PUBLIC;
    desc.flags = AWD_DF_STREAM;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_FLAGS);
    desc.flags = 0;
    desc.ctx = b.in;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_INVALID_PARAM);
    desc.ctx = 0;
    /* destination too small: the size needed comes back */
    desc.dst_len = len - 1;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_DST_TOO_SMALL);
    g_assert_cmpuint(c.produced, ==, len);
    /* output over the key */
    desc.dst_len = len;
    desc.dst = b.key + 8;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_OVERLAP);
    /* key beyond RAM */
    desc.dst = b.out;
    desc.key = 0x7000000000ull;
    c = awd_q_run(&q, &desc);
    g_assert_cmpuint(c.status, ==, AWD_STS_DMA_ERROR);
    g_assert_cmphex(c.fault_addr, ==, 0x7000000000ull);
    g_assert_cmphex(awd_qreg(&d, 0, AWD_Q_ERROR), ==, AWD_QERR_NONE);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/rsa/vectors", test_vectors);
    qtest_add_func("/accel-wd/rsa/bad-keys", test_bad_keys);
    return g_test_run();
}
