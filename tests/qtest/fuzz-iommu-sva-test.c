/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Reproducers of what scripts/fuzz.sh (generic-fuzz, docs/fuzzing.md)
 * found in iommu-sva and its test device, one test each.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "iommu-sva-util.h"

/* The test device alone (no IOMMU), @props appended; four pages at *@buf */
static T td_boot(const char *props, uint64_t *buf)
{
    QOSState *qs = qtest_pc_boot("-M q35 -nodefaults -m 512M "
                                 "-device iommu-sva-testdev,addr=03.0%s",
                                 props);
    T t = { .qs = qs, .qts = qs->qts };

    *buf = guest_alloc(&qs->alloc, 4 * SVA_PAGE_SIZE);
    qpci_device_foreach(qs->pcibus, SVA_TESTDEV_VENDOR_ID,
                        SVA_TESTDEV_DEVICE_ID, td_find, &t.dev);
    g_assert_nonnull(t.dev);
    qpci_device_enable(t.dev);
    t.bar = qpci_iomap(t.dev, 0, NULL);
    return t;
}

/*
 * generic-fuzz, iommu-sva target: a BENCH command ran its LEN x DATA DMA
 * reads inside the MMIO write; with pages in RAM and DATA (repetitions)
 * in the billions QEMU never answered again (the first case). Now more
 * than SVA_TD_BENCH_MAX_READS reads fail at once with -EINVAL, and the
 * device still runs a good one. Found later: LEN 0 with DATA near 2^62
 * (no reads, but as many empty rounds) hung it just the same.
 */
static void test_bench_unbounded(void)
{
    static const uint64_t bad[][2] = {
        { 4, 1ull << 40 },
        { 0x100000000ull, 0x100000000ull },
        { 1, (uint64_t)SVA_TD_BENCH_MAX_READS + 1 },
        { (uint64_t)SVA_TD_BENCH_MAX_READS + 1, 1 },
        { 1024, SVA_TD_BENCH_MAX_READS / 1024 + 1 },
        { UINT64_MAX, UINT64_MAX },
    };
    uint64_t buf;
    T t = td_boot("", &buf);

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        td_wr(&t, SVA_TD_ADDR, buf);
        td_wr(&t, SVA_TD_LEN, bad[i][0]);
        td_wr(&t, SVA_TD_DATA, bad[i][1]);
        g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, -EINVAL);
        /* nothing ran: DATA is not an elapsed time */
        g_assert_cmphex(td_rd(&t, SVA_TD_DATA), ==, bad[i][1]);
    }
    /* no reads, however many rounds: done at once (hung before) */
    td_wr(&t, SVA_TD_LEN, 0);
    td_wr(&t, SVA_TD_DATA, 0x4000000000000018ull);
    g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, 0);
    g_assert_cmpuint(td_rd(&t, SVA_TD_DATA), <, NANOSECONDS_PER_SECOND);
    /* the limit itself and a small one still run */
    td_wr(&t, SVA_TD_LEN, 4);
    td_wr(&t, SVA_TD_DATA, SVA_TD_BENCH_MAX_READS / 4);
    g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, 0);
    td_wr(&t, SVA_TD_LEN, 4);
    td_wr(&t, SVA_TD_DATA, 2);
    g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, 0);
    g_free(t.dev);
    qtest_pc_shutdown(t.qs);
}

/*
 * The fuzz run (bench-max-reads=4096): 2^20 reads per BENCH, thousands of
 * BENCH commands per input, stalled the same run for an hour under ASan.
 */
static void test_bench_bound_property(void)
{
    uint64_t buf;
    T t = td_boot(",bench-max-reads=4096", &buf);

    td_wr(&t, SVA_TD_ADDR, buf);
    td_wr(&t, SVA_TD_LEN, 4);
    td_wr(&t, SVA_TD_DATA, 1025);
    g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, -EINVAL);
    g_assert_cmphex(td_rd(&t, SVA_TD_DATA), ==, 1025);
    td_wr(&t, SVA_TD_DATA, 1024);
    g_assert_cmpint(td_cmd(&t, SVA_TD_CMD_BENCH), ==, 0);
    g_free(t.dev);
    qtest_pc_shutdown(t.qs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/iommu-sva/fuzz/bench-unbounded", test_bench_unbounded);
    qtest_add_func("/iommu-sva/fuzz/bench-bound-property",
                   test_bench_bound_property);
    return g_test_run();
}
