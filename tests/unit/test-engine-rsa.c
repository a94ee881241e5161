/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit test of the accel-wd RSA engine: public, private and CRT
 * results equal OpenSSL's for 1024/2048/4096-bit keys (vectors generated
 * by gen-rsa-vectors.py), random inputs agree with GMP's mpz_powm, and
 * malformed keys and inputs give the documented status.
 */
#include "qemu/osdep.h"
#include <gmp.h>
#include "accel_wd_hw.h"
#include "engine.h"
#include "accel-wd-rsa-vectors.h"

#include "check.h"

static uint32_t rsa(unsigned form, size_t len, const uint8_t *in,
                    const uint8_t *key, uint8_t *out)
{
    AwdRsaOp op = { .form = form, .len = len, .in = in, .key = key,
                    .out = out };

    return awd_rsa_run(&op);
}

static uint8_t *plain_key(const struct rsa_vector *v, const uint8_t *exp)
{
    uint8_t *k = malloc(2 * v->len);

    memcpy(k, v->n, v->len);
    memcpy(k + v->len, exp, v->len);
    return k;
}

static void test_vectors(void)
{
    for (size_t i = 0; i < sizeof(rsa_vectors) / sizeof(rsa_vectors[0]);
         i++) {
        const struct rsa_vector *v = &rsa_vectors[i];
        uint8_t *pub = plain_key(v, v->e), *priv = plain_key(v, v->d);
        uint8_t *out = malloc(v->len), *back = malloc(v->len);

        CHECK(awd_rsa_key_len(AWD_RSA_CRT, v->len) == 5 * v->len / 2);
        CHECK(rsa(AWD_RSA_PUBLIC, v->len, v->msg, pub, out) == AWD_STS_OK);
        CHECK(memcmp(out, v->pub, v->len) == 0);
        CHECK(rsa(AWD_RSA_PRIVATE, v->len, v->msg, priv, out) == AWD_STS_OK);
        CHECK(memcmp(out, v->priv, v->len) == 0);
        CHECK(rsa(AWD_RSA_CRT, v->len, v->msg, v->crt, out) == AWD_STS_OK);
        CHECK(memcmp(out, v->priv, v->len) == 0);
        /* round trip */
        CHECK(rsa(AWD_RSA_PUBLIC, v->len, out, pub, back) == AWD_STS_OK);
        CHECK(memcmp(back, v->msg, v->len) == 0);
        free(pub);
        free(priv);
        free(out);
        free(back);
    }
}

static void test_random_vs_gmp(void)
{
    const struct rsa_vector *v = &rsa_vectors[1];
    uint8_t *pub = plain_key(v, v->e), *in = malloc(v->len);
    uint8_t *out = malloc(v->len), *ref = calloc(1, v->len);
    mpz_t n, e, x, r;
    size_t cnt;

    mpz_inits(n, e, x, r, NULL);
    mpz_import(n, v->len, 1, 1, 1, 0, v->n);
    mpz_import(e, v->len, 1, 1, 1, 0, v->e);
    srand(5);
    for (int t = 0; t < 20; t++) {
        for (size_t i = 0; i < v->len; i++) {
            in[i] = rand();
        }
        in[0] &= 0x3f;
        if (t == 0) {
            memset(in, 0, v->len);      /* zero input is in range */
        }
        mpz_import(x, v->len, 1, 1, 1, 0, in);
        mpz_powm(r, x, e, n);
        memset(ref, 0, v->len);
        cnt = (mpz_sizeinbase(r, 2) + 7) / 8;
        if (mpz_sgn(r)) {
            mpz_export(ref + v->len - cnt, NULL, 1, 1, 1, 0, r);
        }
        CHECK(rsa(AWD_RSA_PUBLIC, v->len, in, pub, out) == AWD_STS_OK);
        CHECK(memcmp(out, ref, v->len) == 0);
    }
    mpz_clears(n, e, x, r, NULL);
    free(pub);
    free(in);
    free(out);
    free(ref);
}

static void test_bad_keys(void)
{
    const struct rsa_vector *v = &rsa_vectors[0];
    size_t len = v->len, h = len / 2;
    uint8_t *key = plain_key(v, v->e), *crt = malloc(5 * h);
    uint8_t *in = malloc(len), *out = malloc(len);

    memcpy(in, v->msg, len);
    /* even modulus */
    key[len - 1] &= ~1;
    CHECK(rsa(AWD_RSA_PUBLIC, len, in, key, out) == AWD_STS_BAD_KEY);
    /* zero modulus */
    memset(key, 0, len);
    CHECK(rsa(AWD_RSA_PUBLIC, len, in, key, out) == AWD_STS_BAD_KEY);
    /* modulus shorter than the operand length */
    memcpy(key, v->n, len);
    key[0] = 0;
    CHECK(rsa(AWD_RSA_PUBLIC, len, in, key, out) == AWD_STS_BAD_KEY);
    /* zero exponent, exponent >= n */
    memcpy(key, v->n, len);
    memset(key + len, 0, len);
    CHECK(rsa(AWD_RSA_PRIVATE, len, in, key, out) == AWD_STS_BAD_KEY);
    memset(key + len, 0xff, len);
    CHECK(rsa(AWD_RSA_PRIVATE, len, in, key, out) == AWD_STS_BAD_KEY);
    /* input >= modulus */
    memcpy(key + len, v->e, len);
    CHECK(rsa(AWD_RSA_PUBLIC, len, v->n, key, out) ==
          AWD_STS_INPUT_RANGE);
    memset(in, 0xff, len);
    CHECK(rsa(AWD_RSA_PUBLIC, len, in, key, out) == AWD_STS_INPUT_RANGE);
    CHECK(rsa(AWD_RSA_CRT, len, in, v->crt, out) == AWD_STS_INPUT_RANGE);
    memcpy(in, v->msg, len);
    /* lengths outside 512..4096 bits, odd CRT length, unknown form */
    CHECK(rsa(AWD_RSA_PUBLIC, 63, in, key, out) == AWD_STS_BAD_KEY);
    CHECK(rsa(AWD_RSA_PUBLIC, 513, in, key, out) == AWD_STS_BAD_KEY);
    CHECK(rsa(AWD_RSA_CRT, 65, in, v->crt, out) == AWD_STS_BAD_KEY);
    CHECK(rsa(7, len, in, key, out) == AWD_STS_INVALID_PARAM);
    /* CRT: even p, wrong qinv, dp >= p */
    memcpy(crt, v->crt, 5 * h);
    crt[h - 1] &= ~1;
    CHECK(rsa(AWD_RSA_CRT, len, in, crt, out) == AWD_STS_BAD_KEY);
    memcpy(crt, v->crt, 5 * h);
    crt[5 * h - 1] ^= 2;
    CHECK(rsa(AWD_RSA_CRT, len, in, crt, out) == AWD_STS_BAD_KEY);
    memcpy(crt, v->crt, 5 * h);
    memset(crt + 2 * h, 0xff, h);
    CHECK(rsa(AWD_RSA_CRT, len, in, crt, out) == AWD_STS_BAD_KEY);
    free(key);
    free(crt);
    free(in);
    free(out);
}

int main(void)
{
    test_vectors();
    test_random_vs_gmp();
    test_bad_keys();
    printf("engine-rsa: %s (%d failures)\n", failures ? "FAIL" : "ok",
           failures);
    return failures ? 1 : 0;
}
