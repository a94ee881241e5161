/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd robustness: random descriptors, register writes and doorbells
 * from a seeded generator. Nothing may abort QEMU; every completion the
 * device writes carries a status from enum awd_status, and after a device
 * reset a normal request still works. AWD_FUZZ_SEED picks the seed,
 * AWD_FUZZ_ROUNDS the length.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "accel-wd-util.h"

static uint64_t pick_addr(GRand *r, uint64_t ram, uint64_t ram_len)
{
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
        return 0;
    case 1:
        return 0xfee00000ull + g_rand_int_range(r, 0, 4096);   /* MSI */
    case 2:
        return 0xb0000000ull;                                  /* ECAM */
    case 3:
        return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
    case 4:
        return ~0ull - g_rand_int_range(r, 0, 4096);
    default:
        return ram + g_rand_int_range(r, 0, ram_len);
    }
}

static uint32_t pick_len(GRand *r)
{
    switch (g_rand_int_range(r, 0, 6)) {
    case 0:
        return 0;
    case 1:
        return g_rand_int(r);
    case 2:
        return g_rand_int_range(r, 0, 64);
    default:
        return g_rand_int_range(r, 1, 65536);
    }
}

static void random_desc(GRand *r, struct awd_desc *d, uint64_t ram,
                        uint64_t ram_len)
{
    memset(d, 0, sizeof(*d));
    d->opcode = g_rand_int_range(r, 0, 8) ? g_rand_int_range(r, 0, 4) :
                g_rand_int(r);
    d->flags = g_rand_int_range(r, 0, 4) ? g_rand_int_range(r, 0, 16) :
               g_rand_int(r);
    d->tag = g_rand_int(r);
    d->src = pick_addr(r, ram, ram_len);
    d->dst = pick_addr(r, ram, ram_len);
    d->src_len = pick_len(r);
    d->dst_len = pick_len(r);
    if (g_rand_boolean(r)) {
        d->ctx = pick_addr(r, ram, ram_len) & ~63ull;
    }
    if (d->opcode == AWD_OP_RSA || !g_rand_int_range(r, 0, 8)) {
        d->key = pick_addr(r, ram, ram_len);
        d->src_len = g_rand_int_range(r, 60, 520);
    }
    d->param = g_rand_int_range(r, 0, 4) ?
               (g_rand_int_range(r, 0, 3) | g_rand_int_range(r, 0, 11) << 4) :
               g_rand_int(r);
    if (!g_rand_int_range(r, 0, 16)) {
        d->rsvd1 = g_rand_int(r);
    }
}

static void test_fuzz(void)
{
    const char *seed_env = g_getenv("AWD_FUZZ_SEED");
    const char *rounds_env = g_getenv("AWD_FUZZ_ROUNDS");
    guint32 seed = seed_env ? atoi(seed_env) : 0xacd0;
    unsigned rounds = rounds_env ? atoi(rounds_env) : 40;
    GRand *r = g_rand_new_with_seed(seed);
    uint64_t ram, ram_len = 8 << 20;
    AwdDev d;
    AwdQ q;

    g_test_message("seed %u rounds %u", seed, rounds);
    awd_dev_start(&d, ",max-xfer=1048576,num-queues=4");
    ram = awd_alloc(&d, ram_len, 4096);
    {
        g_autofree uint8_t *fill = awd_test_data(ram_len, seed);

        awd_write_buf(&d, ram, fill, ram_len);
    }

    for (unsigned round = 0; round < rounds; round++) {
        unsigned qi = g_rand_int_range(r, 0, 4);
        unsigned n = g_rand_int_range(r, 1, 16);

        awd_q_setup(&d, &q, qi, 4);
        for (unsigned i = 0; i < n; i++) {
            struct awd_desc desc;

            random_desc(r, &desc, ram, ram_len);
            awd_q_put(&q, &desc);
        }
        awd_doorbell(&d, qi, AWD_DB_SQ_TAIL, q.tail);
        for (unsigned i = 0; i < n; i++) {
            struct awd_cpl c;

            if (!awd_q_wait(&q, &c, 20000)) {
                /*
                 * the queue may have stopped (a descriptor overwrote the
                 * rings): it must say why
                 */
                g_assert_true(awd_qreg(&d, qi, AWD_Q_STATUS) &
                              (AWD_QSTS_ERROR | AWD_QSTS_IDLE));
                break;
            }
            g_assert_cmpuint(c.status, <, AWD_STS_MAX);
        }
        /* random register and doorbell writes, then reset the queue */
        for (unsigned i = 0; i < 8; i++) {
            uint32_t off = g_rand_int_range(r, 0, AWD_REGS_SIZE / 4) * 4;

            if (off == AWD_REG_CTRL) {
                continue;
            }
            awd_reg_write(&d, off, g_rand_int(r));
            awd_doorbell(&d, g_rand_int_range(r, 0, 4),
                         g_rand_int_range(r, 0, 2) * 4, g_rand_int(r));
        }
        for (unsigned k = 0; k < 4; k++) {
            awd_qreg_write(&d, k, AWD_Q_CTRL, AWD_QCTRL_RESET);
            for (int w = 0; w < 20000 &&
                 (awd_qreg(&d, k, AWD_Q_CTRL) & AWD_QCTRL_RESET); w++) {
                g_usleep(100);
            }
            g_assert_cmphex(awd_qreg(&d, k, AWD_Q_CTRL), ==, 0);
        }
        awd_reg_write(&d, AWD_REG_ERR, ~0u);
        awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    }

    /* still a working device */
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_RESET);
    awd_reg_write(&d, AWD_REG_CTRL, AWD_CTRL_ENABLE);
    awd_q_setup(&d, &q, 0, 3);
    {
        struct awd_desc nop = { .opcode = AWD_OP_NOP, .tag = 1 };

        g_assert_cmpuint(awd_q_run(&q, &nop).status, ==, AWD_STS_OK);
    }
    g_assert_cmphex(awd_reg(&d, AWD_REG_MAGIC), ==, AWD_MAGIC);
    g_rand_free(r);
    awd_dev_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/fuzz/random", test_fuzz);
    return g_test_run();
}
