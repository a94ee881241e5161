/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd RSA engine: modular exponentiation with GMP for public,
 * private and CRT private keys of 512..4096 bits, big-endian operands.
 * Private exponents use mpz_powm_sec (constant time). Every key is checked
 * before use: odd non-zero moduli of exactly the operand length, exponents
 * in range, input below the modulus.
 */
#include "qemu/osdep.h"
#include <gmp.h>
#include "accel_wd_hw.h"
#include "engine.h"

#define MIN_LEN (AWD_RSA_MIN_BITS / 8)
#define MAX_LEN (AWD_RSA_MAX_BITS / 8)

size_t awd_rsa_key_len(unsigned form, size_t len)
{
    if (len < MIN_LEN || len > MAX_LEN) {
        return 0;
    }
    switch (form) {
    case AWD_RSA_PUBLIC:
    case AWD_RSA_PRIVATE:
        return 2 * len;
    case AWD_RSA_CRT:
        return len % 2 ? 0 : 5 * (len / 2);
    default:
        return 0;
    }
}

static void import(mpz_t z, const uint8_t *p, size_t n)
{
    mpz_import(z, n, 1, 1, 1, 0, p);
}

static void export(uint8_t *out, size_t len, const mpz_t z)
{
    size_t n = (mpz_sizeinbase(z, 2) + 7) / 8;
    size_t count = 0;

    memset(out, 0, len);
    if (mpz_sgn(z) == 0) {
        return;
    }
    /* callers guarantee z < 2^(8 * len) */
    mpz_export(out + len - n, &count, 1, 1, 1, 0, z);
}

/* Odd, and its top byte non-zero so that it is exactly @n bytes long. */
static bool modulus_ok(const mpz_t m, size_t n)
{
    return mpz_odd_p(m) && mpz_sizeinbase(m, 256) == n &&
           mpz_cmp_ui(m, 3) >= 0;
}

static uint32_t rsa_plain(const AwdRsaOp *op)
{
    size_t len = op->len;
    mpz_t n, e, in, out;
    uint32_t st = AWD_STS_OK;

    mpz_inits(n, e, in, out, NULL);
    import(n, op->key, len);
    import(e, op->key + len, len);
    import(in, op->in, len);
    if (!modulus_ok(n, len) || mpz_sgn(e) == 0 || mpz_cmp(e, n) >= 0) {
        st = AWD_STS_BAD_KEY;
    } else if (mpz_cmp(in, n) >= 0) {
        st = AWD_STS_INPUT_RANGE;
    } else {
        if (op->form == AWD_RSA_PUBLIC) {
            mpz_powm(out, in, e, n);
        } else {
            mpz_powm_sec(out, in, e, n);
        }
        export(op->out, len, out);
    }
    mpz_clears(n, e, in, out, NULL);
    return st;
}

static uint32_t rsa_crt(const AwdRsaOp *op)
{
    size_t h = op->len / 2;
    const uint8_t *k = op->key;
    mpz_t p, q, dp, dq, qinv, n, in, m1, m2, t;
    uint32_t st = AWD_STS_OK;

    mpz_inits(p, q, dp, dq, qinv, n, in, m1, m2, t, NULL);
    import(p, k, h);
    import(q, k + h, h);
    import(dp, k + 2 * h, h);
    import(dq, k + 3 * h, h);
    import(qinv, k + 4 * h, h);
    import(in, op->in, op->len);
    mpz_mul(n, p, q);

    if (!mpz_odd_p(p) || !mpz_odd_p(q) || mpz_cmp_ui(p, 3) < 0 ||
        mpz_cmp_ui(q, 3) < 0 || mpz_sizeinbase(n, 256) != op->len ||
        mpz_sgn(dp) == 0 || mpz_cmp(dp, p) >= 0 ||
        mpz_sgn(dq) == 0 || mpz_cmp(dq, q) >= 0 ||
        mpz_sgn(qinv) == 0 || mpz_cmp(qinv, p) >= 0) {
        st = AWD_STS_BAD_KEY;
        goto out;
    }
    /* qinv * q == 1 (mod p), else the recombination is garbage */
    mpz_mul(t, qinv, q);
    mpz_mod(t, t, p);
    if (mpz_cmp_ui(t, 1) != 0) {
        st = AWD_STS_BAD_KEY;
        goto out;
    }
    if (mpz_cmp(in, n) >= 0) {
        st = AWD_STS_INPUT_RANGE;
        goto out;
    }
    mpz_mod(t, in, p);
    mpz_powm_sec(m1, t, dp, p);
    mpz_mod(t, in, q);
    mpz_powm_sec(m2, t, dq, q);
    /* m = m2 + q * (qinv * (m1 - m2) mod p) */
    mpz_sub(t, m1, m2);
    mpz_mul(t, t, qinv);
    mpz_mod(t, t, p);
    mpz_mul(t, t, q);
    mpz_add(t, t, m2);
    export(op->out, op->len, t);
out:
    mpz_clears(p, q, dp, dq, qinv, n, in, m1, m2, t, NULL);
    return st;
}

uint32_t awd_rsa_run(const AwdRsaOp *op)
{
    if (!awd_rsa_key_len(op->form, op->len)) {
        return op->form > AWD_RSA_CRT ? AWD_STS_INVALID_PARAM :
                                        AWD_STS_BAD_KEY;
    }
    return op->form == AWD_RSA_CRT ? rsa_crt(op) : rsa_plain(op);
}
