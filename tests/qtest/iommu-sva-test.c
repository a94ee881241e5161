/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for iommu-sva: identification and capability registers checked
 * against the model's own header, property effects, register state after
 * system_reset, refusal of interrupt remapping.
 */
#include "qemu/osdep.h"
#include "../libqtest.h"
#include "hw/iommu-sva/iommu-sva-acpi.h"
#include "hw/iommu-sva/iommu-sva-regs.h"

/* What every configuration advertises */
#define SVA_TEST_ECAP_ALWAYS (SVA_ECAP_C | SVA_ECAP_QI | SVA_ECAP_PASID |   \
                              SVA_ECAP_PDS | SVA_ECAP_SMTS |              \
                              SVA_ECAP_FLTS | SVA_ECAP_SMPWC)
/* What it never advertises: no second stage, IR, nesting, VCS */
#define SVA_TEST_ECAP_NEVER  (SVA_ECAP_IR | SVA_ECAP_EIM | SVA_ECAP_SLTS |  \
                              SVA_ECAP_NEST | SVA_ECAP_VCS |              \
                              SVA_ECAP_SLADS | SVA_ECAP_MHMV_MASK |       \
                              SVA_ECAP_PMS)
#define SVA_TEST_CAP_NEVER   (SVA_CAP_CM | SVA_CAP_SAGAW_MASK |             \
                              SVA_CAP_SLLPS_MASK | SVA_CAP_PI |           \
                              SVA_CAP_RWBF | SVA_CAP_PLMR | SVA_CAP_PHMR)

static uint64_t rdq(QTestState *qts, uint64_t reg)
{
    return qtest_readq(qts, IOMMU_SVA_MMIO_BASE + reg);
}

static uint32_t rdl(QTestState *qts, uint64_t reg)
{
    return qtest_readl(qts, IOMMU_SVA_MMIO_BASE + reg);
}

static void wrl(QTestState *qts, uint64_t reg, uint32_t val)
{
    qtest_writel(qts, IOMMU_SVA_MMIO_BASE + reg, val);
}

static void wrq(QTestState *qts, uint64_t reg, uint64_t val)
{
    qtest_writeq(qts, IOMMU_SVA_MMIO_BASE + reg, val);
}

static QTestState *sva_start(const char *props)
{
    return qtest_initf("-M q35 -nodefaults -device iommu-sva%s%s",
                       props ? "," : "", props ? props : "");
}

static void test_caps_default(void)
{
    QTestState *qts = sva_start(NULL);
    uint64_t cap = rdq(qts, SVA_REG_CAP);
    uint64_t ecap = rdq(qts, SVA_REG_ECAP);

    g_assert_cmphex(rdl(qts, SVA_REG_VER), ==, SVA_VER_VALUE);

    g_assert_cmphex(ecap & SVA_TEST_ECAP_ALWAYS, ==, SVA_TEST_ECAP_ALWAYS);
    g_assert_cmphex(ecap & SVA_TEST_ECAP_NEVER, ==, 0);
    /* Defaults: device-TLB, pass-through, page requests on */
    g_assert_true(ecap & SVA_ECAP_DT);
    g_assert_true(ecap & SVA_ECAP_PT);
    g_assert_true(ecap & SVA_ECAP_PRS);
    /* PASID width 10: PSS = 9 */
    g_assert_cmpuint((ecap & SVA_ECAP_PSS_MASK) >> SVA_ECAP_PSS_SHIFT, ==,
                     10 - 1);
    g_assert_cmpuint((ecap & SVA_ECAP_IRO_MASK) >> SVA_ECAP_IRO_SHIFT, ==,
                     SVA_REG_IVA / 16);

    g_assert_cmphex(cap & SVA_TEST_CAP_NEVER, ==, 0);
    g_assert_cmphex(cap & SVA_CAP_ND_MASK, ==, SVA_CAP_ND_64K);
    g_assert_true(cap & SVA_CAP_FL1GP);
    g_assert_true(cap & SVA_CAP_FL5LP);
    g_assert_true(cap & SVA_CAP_PSI);
    g_assert_cmpuint((cap & SVA_CAP_MGAW_MASK) >> SVA_CAP_MGAW_SHIFT, ==,
                     48 - 1);
    g_assert_cmpuint((cap & SVA_CAP_FRO_MASK) >> SVA_CAP_FRO_SHIFT, ==,
                     SVA_REG_FRCD / 16);
    g_assert_cmpuint((cap & SVA_CAP_NFR_MASK) >> SVA_CAP_NFR_SHIFT, ==,
                     4 - 1);
    g_assert_cmpuint((cap & SVA_CAP_MAMV_MASK) >> SVA_CAP_MAMV_SHIFT, ==,
                     SVA_MAMV);

    /* Out of reset: translation and QI off, events masked */
    g_assert_cmphex(rdl(qts, SVA_REG_GSTS), ==, 0);
    g_assert_cmphex(rdl(qts, SVA_REG_FECTL), ==, SVA_ECTL_IM);
    g_assert_cmphex(rdl(qts, SVA_REG_IECTL), ==, SVA_ECTL_IM);
    g_assert_cmphex(rdl(qts, SVA_REG_PECTL), ==, SVA_ECTL_IM);
    qtest_quit(qts);
}

static void test_caps_props(void)
{
    QTestState *qts = sva_start("pasid-bits=8,fl5lp=off,fl1gp=off,"
                                "aw-bits=57,device-iotlb=off,prs=off,pt=off,"
                                "fault-records=8");
    uint64_t cap = rdq(qts, SVA_REG_CAP);
    uint64_t ecap = rdq(qts, SVA_REG_ECAP);

    g_assert_cmphex(ecap & SVA_TEST_ECAP_ALWAYS, ==, SVA_TEST_ECAP_ALWAYS);
    g_assert_false(ecap & SVA_ECAP_DT);
    g_assert_false(ecap & SVA_ECAP_PT);
    g_assert_false(ecap & SVA_ECAP_PRS);
    g_assert_cmpuint((ecap & SVA_ECAP_PSS_MASK) >> SVA_ECAP_PSS_SHIFT, ==,
                     8 - 1);
    g_assert_false(cap & SVA_CAP_FL1GP);
    g_assert_false(cap & SVA_CAP_FL5LP);
    g_assert_cmpuint((cap & SVA_CAP_MGAW_MASK) >> SVA_CAP_MGAW_SHIFT, ==,
                     57 - 1);
    g_assert_cmpuint((cap & SVA_CAP_NFR_MASK) >> SVA_CAP_NFR_SHIFT, ==,
                     SVA_FRCD_MAX - 1);
    qtest_quit(qts);
}

static void test_reset(void)
{
    QTestState *qts = sva_start(NULL);
    uint8_t before[SVA_REG_USED], after[SVA_REG_USED];
    uint64_t cap = rdq(qts, SVA_REG_CAP);

    qtest_memread(qts, IOMMU_SVA_MMIO_BASE, before, sizeof(before));

    /* Program what a driver programs */
    wrl(qts, SVA_REG_FEDATA, 0x4021);
    wrl(qts, SVA_REG_FEADDR, 0xfee00000);
    wrl(qts, SVA_REG_FECTL, 0);
    wrq(qts, SVA_REG_IQA, 0x100000 | SVA_IQA_DW | 1);
    wrq(qts, SVA_REG_IQT, 0);
    wrq(qts, SVA_REG_PQA, 0x200000 | 4);
    wrq(qts, SVA_REG_RTADDR, 0x300000 | SVA_RTADDR_TTM_SM);
    wrl(qts, SVA_REG_GCMD, SVA_GCMD_SRTP);
    g_assert_cmphex(rdl(qts, SVA_REG_GSTS), ==, SVA_GSTS_RTPS);
    wrl(qts, SVA_REG_GCMD, SVA_GCMD_QIE);
    g_assert_cmphex(rdl(qts, SVA_REG_GSTS), ==,
                    SVA_GSTS_RTPS | SVA_GSTS_QIES);
    /* GCMD reads as zero; read-only registers ignore writes */
    g_assert_cmphex(rdl(qts, SVA_REG_GCMD), ==, 0);
    wrq(qts, SVA_REG_CAP, 0);
    wrq(qts, SVA_REG_ECAP, 0);
    g_assert_cmphex(rdq(qts, SVA_REG_CAP), ==, cap);

    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(qts, "RESET");

    qtest_memread(qts, IOMMU_SVA_MMIO_BASE, after, sizeof(after));
    g_assert(memcmp(before, after, sizeof(before)) == 0);
    qtest_quit(qts);
}

/* A guest cannot crash the unit with accesses it does not expect */
static void test_bad_access(void)
{
    QTestState *qts = sva_start(NULL);

    /* Unimplemented offsets read as zero, writes are dropped */
    wrl(qts, SVA_REG_WINDOW - 4, 0xffffffff);
    g_assert_cmphex(rdl(qts, SVA_REG_WINDOW - 4), ==, 0);
    /* Unsupported commands: interrupt remapping, fault log, WBF */
    wrl(qts, SVA_REG_GCMD, SVA_GCMD_IRE | SVA_GCMD_SIRTP | SVA_GCMD_SFL |
        SVA_GCMD_WBF);
    g_assert_cmphex(rdl(qts, SVA_REG_GSTS), ==, 0);
    /* Byte access is outside .valid: the access fails, QEMU lives */
    qtest_writeb(qts, IOMMU_SVA_MMIO_BASE + SVA_REG_FECTL, 0);
    g_assert_cmphex(rdl(qts, SVA_REG_VER), ==, SVA_VER_VALUE);
    qtest_quit(qts);
}

static void test_refuse(const char *props, const char *msg)
{
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    cmd = g_strdup_printf("%s -M q35 -nodefaults -display none -accel qtest "
                          "-qtest null -device iommu-sva,%s",
                          g_getenv("QTEST_QEMU_BINARY"), props);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(err, msg)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, msg));
}

static void test_refuse_intremap(void)
{
    test_refuse("intremap=on", "no interrupt remapping");
}

static void test_refuse_params(void)
{
    test_refuse("aw-bits=40", "aw-bits");
    test_refuse("pasid-bits=21", "pasid-bits");
    test_refuse("fault-records=0", "fault-records");
    test_refuse("prq-overflow=maybe", "prq-overflow");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/iommu-sva/caps/default", test_caps_default);
    qtest_add_func("/iommu-sva/caps/props", test_caps_props);
    qtest_add_func("/iommu-sva/regs/reset", test_reset);
    qtest_add_func("/iommu-sva/regs/bad-access", test_bad_access);
    qtest_add_func("/iommu-sva/realize/intremap-refused",
                   test_refuse_intremap);
    qtest_add_func("/iommu-sva/realize/bad-params", test_refuse_params);
    return g_test_run();
}
