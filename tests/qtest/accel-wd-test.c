/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest for accel-wd: PCI identity, capabilities and BAR0 identification
 * registers, checked against the one hardware header.
 */
#include "qemu/osdep.h"
#include "../libqtest.h"
#include "../libqos/libqos-pc.h"
#include "../libqos/pci.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci/pcie_regs.h"
#include "hw/accel-wd/accel_wd_hw.h"

/* q35 MCH: PCIEXBAR (ECAM) is off until firmware enables it */
#define Q35_PCIEXBAR        0x60
#define Q35_ECAM_BASE       0xb0000000ull

typedef struct AwdTest {
    QOSState *qs;
    QPCIDevice *dev;
    QPCIBar bar0;
} AwdTest;

static void find_cb(QPCIDevice *dev, int devfn, void *data)
{
    QPCIDevice **found = data;

    g_assert_null(*found);
    *found = dev;
}

static QPCIDevice *awd_find(QPCIBus *bus)
{
    QPCIDevice *dev = NULL;

    qpci_device_foreach(bus, AWD_PCI_VENDOR_ID, AWD_PCI_DEVICE_ID,
                        find_cb, &dev);
    g_assert_nonnull(dev);
    return dev;
}

static void awd_start(AwdTest *t, const char *extra)
{
    t->qs = qtest_pc_boot("-M q35 -nodefaults -device accel-wd%s",
                          extra ? extra : "");
    t->dev = awd_find(t->qs->pcibus);
    qpci_device_enable(t->dev);
    t->bar0 = qpci_iomap(t->dev, AWD_BAR_REGS, NULL);
}

static void awd_stop(AwdTest *t)
{
    g_free(t->dev);
    qtest_pc_shutdown(t->qs);
}

static uint32_t awd_rd(AwdTest *t, uint32_t reg)
{
    return qpci_io_readl(t->dev, t->bar0, reg);
}

static void ecam_enable(QPCIBus *bus)
{
    QPCIDevice *mch = qpci_device_find(bus, 0);

    g_assert_nonnull(mch);
    qpci_config_writel(mch, Q35_PCIEXBAR + 4, 0);
    qpci_config_writel(mch, Q35_PCIEXBAR, Q35_ECAM_BASE | 1);
    g_free(mch);
}

/* Extended config space read through ECAM; devfn as libqos encodes it */
static uint32_t ecam_readl(QTestState *qts, int devfn, uint16_t off)
{
    return qtest_readl(qts, Q35_ECAM_BASE + ((uint64_t)devfn << 12) + off);
}

static uint16_t find_ext_cap(QTestState *qts, int devfn, uint16_t id)
{
    uint16_t off = PCI_CFG_SPACE_SIZE;
    int n = 0;

    while (off && n++ < 64) {
        uint32_t hdr = ecam_readl(qts, devfn, off);

        if (PCI_EXT_CAP_ID(hdr) == id) {
            return off;
        }
        off = PCI_EXT_CAP_NEXT(hdr);
    }
    return 0;
}

static void test_ids(void)
{
    AwdTest t;
    uint8_t pos;
    uint32_t v;

    awd_start(&t, NULL);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_VENDOR_ID), ==,
                    AWD_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_DEVICE_ID), ==,
                    AWD_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(t.dev, PCI_REVISION_ID), ==,
                    AWD_PCI_REVISION);
    v = qpci_config_readl(t.dev, PCI_CLASS_REVISION) >> 8;
    g_assert_cmphex(v, ==, AWD_PCI_CLASS_CODE);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_SUBSYSTEM_VENDOR_ID), ==,
                    AWD_PCI_SUBSYS_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t.dev, PCI_SUBSYSTEM_ID), ==,
                    AWD_PCI_SUBSYS_ID);

    /* Root Complex integrated Endpoint on the q35 root bus */
    pos = qpci_find_capability(t.dev, PCI_CAP_ID_EXP, 0);
    g_assert_cmpint(pos, !=, 0);
    v = qpci_config_readw(t.dev, pos + PCI_EXP_FLAGS);
    g_assert_cmphex((v & PCI_EXP_FLAGS_TYPE) >> 4, ==, PCI_EXP_TYPE_RC_END);
    v = qpci_config_readl(t.dev, pos + PCI_EXP_DEVCAP2);
    g_assert_true(v & PCI_EXP_DEVCAP2_EE_PREFIX);
    v = qpci_config_readl(t.dev, pos + PCI_EXP_DEVCAP);
    g_assert_true(v & PCI_EXP_DEVCAP_FLR);

    /* MSI-X: a vector per queue plus one for device errors */
    pos = qpci_find_capability(t.dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpint(pos, !=, 0);
    g_assert_cmpint(qpci_msix_table_size(t.dev), ==, AWD_DEFAULT_QUEUES + 1);
    v = qpci_config_readl(t.dev, pos + PCI_MSIX_TABLE);
    g_assert_cmpint(v & PCI_MSIX_TABLE_BIR, ==, AWD_BAR_MSIX);
    awd_stop(&t);
}

static void test_regs(void)
{
    AwdTest t;
    uint64_t size;
    QPCIBar db;

    awd_start(&t, NULL);
    g_assert_cmphex(awd_rd(&t, AWD_REG_MAGIC), ==, AWD_MAGIC);
    g_assert_cmphex(awd_rd(&t, AWD_REG_VERSION), ==, AWD_VERSION);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_NUM_QUEUES), ==, AWD_DEFAULT_QUEUES);
    g_assert_true(awd_rd(&t, AWD_REG_CAP) & AWD_CAP_DEFLATE);
    g_assert_true(awd_rd(&t, AWD_REG_CAP) & AWD_CAP_INFLATE);
    g_assert_true(awd_rd(&t, AWD_REG_CAP) & AWD_CAP_RSA);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_RSA_MAX_BITS), ==, AWD_RSA_MAX_BITS);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_ERR_VECTOR), ==, AWD_DEFAULT_QUEUES);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_RING_ORDER_MAX), >=,
                     AWD_RING_ORDER_MIN);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_RING_ORDER_MAX), <=,
                     AWD_RING_ORDER_MAX);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_MAX_XFER), >=, 4096);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_STREAM_CTX_SIZE), >=, 32768);
    g_assert_cmphex(awd_rd(&t, AWD_REG_ERR), ==, 0);
    g_assert_cmphex(awd_rd(&t, AWD_REG_QERR_LO), ==, 0);

    /* One doorbell page per queue */
    db = qpci_iomap(t.dev, AWD_BAR_DOORBELL, &size);
    (void)db;
    g_assert_cmpuint(size, >=, AWD_DEFAULT_QUEUES * AWD_DB_STRIDE);
    awd_stop(&t);
}

static void check_ext_caps(QTestState *qts, int devfn, unsigned pasid_bits)
{
    uint16_t ats, pasid, pri;
    uint32_t v;

    ats = find_ext_cap(qts, devfn, PCI_EXT_CAP_ID_ATS);
    pasid = find_ext_cap(qts, devfn, PCI_EXT_CAP_ID_PASID);
    pri = find_ext_cap(qts, devfn, PCI_EXT_CAP_ID_PRI);
    g_assert_cmpint(ats, !=, 0);
    g_assert_cmpint(pasid, !=, 0);
    g_assert_cmpint(pri, !=, 0);

    v = ecam_readl(qts, devfn, ats + PCI_ATS_CAP);
    g_assert_true(v & PCI_ATS_CAP_PAGE_ALIGNED);

    v = ecam_readl(qts, devfn, pasid + PCI_PASID_CAP) & 0xffff;
    g_assert_true(v & PCI_PASID_CAP_EXEC);
    g_assert_true(v & PCI_PASID_CAP_PRIV);
    g_assert_cmpuint((v & PCI_PASID_CAP_WIDTH) >> 8, ==, pasid_bits);

    v = ecam_readl(qts, devfn, pri + PCI_PRI_CTRL) >> 16;
    g_assert_true(v & PCI_PRI_STATUS_PASID);
    g_assert_true(v & PCI_PRI_STATUS_STOPPED);
    g_assert_cmpuint(ecam_readl(qts, devfn, pri + PCI_PRI_MAX_REQ), >, 0);
}

static void test_ext_caps(void)
{
    AwdTest t;

    awd_start(&t, NULL);
    ecam_enable(t.qs->pcibus);
    check_ext_caps(t.qs->qts, t.dev->devfn, 8);
    awd_stop(&t);
}

/* PRI: "Stopped" follows Enable */
static void test_pri_enable(void)
{
    AwdTest t;
    QTestState *qts;
    uint64_t ctrl;
    uint16_t pri;

    awd_start(&t, NULL);
    qts = t.qs->qts;
    ecam_enable(t.qs->pcibus);
    pri = find_ext_cap(qts, t.dev->devfn, PCI_EXT_CAP_ID_PRI);
    ctrl = Q35_ECAM_BASE + ((uint64_t)t.dev->devfn << 12) + pri +
           PCI_PRI_CTRL;
    qtest_writew(qts, ctrl, PCI_PRI_CTRL_ENABLE);
    g_assert_false(qtest_readw(qts, ctrl + 2) & PCI_PRI_STATUS_STOPPED);
    qtest_writew(qts, ctrl, 0);
    g_assert_true(qtest_readw(qts, ctrl + 2) & PCI_PRI_STATUS_STOPPED);
    awd_stop(&t);
}

static void test_props(void)
{
    AwdTest t;

    awd_start(&t, ",num-queues=4,pasid-bits=10");
    g_assert_cmpuint(awd_rd(&t, AWD_REG_NUM_QUEUES), ==, 4);
    g_assert_cmpuint(awd_rd(&t, AWD_REG_ERR_VECTOR), ==, 4);
    g_assert_cmpint(qpci_msix_table_size(t.dev), ==, 5);
    ecam_enable(t.qs->pcibus);
    check_ext_caps(t.qs->qts, t.dev->devfn, 10);
    awd_stop(&t);
}

/* Behind a root port the device is an ordinary PCIe Endpoint */
static void test_root_port(void)
{
    QOSState *qs;
    QPCIDevice *dev;
    uint8_t pos;
    uint16_t flags;
    int devfn;

    qs = qtest_pc_boot("-M q35 -nodefaults"
                       " -device pcie-root-port,id=rp0,chassis=1,addr=0x4"
                       " -device accel-wd,bus=rp0");
    g_assert_cmpint(qpci_secondary_buses_init(qs->pcibus), >=, 1);
    devfn = 1 << 8;                     /* bus 1, device 0, function 0 */
    dev = qpci_device_find(qs->pcibus, devfn);
    g_assert_nonnull(dev);
    g_assert_cmphex(qpci_config_readw(dev, PCI_VENDOR_ID), ==,
                    AWD_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(dev, PCI_DEVICE_ID), ==,
                    AWD_PCI_DEVICE_ID);
    pos = qpci_find_capability(dev, PCI_CAP_ID_EXP, 0);
    flags = qpci_config_readw(dev, pos + PCI_EXP_FLAGS);
    g_assert_cmphex((flags & PCI_EXP_FLAGS_TYPE) >> 4, ==,
                    PCI_EXP_TYPE_ENDPOINT);
    ecam_enable(qs->pcibus);
    check_ext_caps(qs->qts, devfn, 8);
    g_free(dev);
    qtest_pc_shutdown(qs);
}

/* Bad properties are refused at realize time, with a message */
static void test_bad_props(void)
{
    static const char *const bad[] = {
        "num-queues=0", "num-queues=65", "pasid-bits=21",
        "ring-order-max=16", "max-xfer=1", "ats=off", "workers=17",
        "pri-batch=0", "pri-batch=65",
    };
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");

    g_assert_nonnull(qemu);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *dev = g_strdup_printf("accel-wd,%s", bad[i]);
        g_autofree char *err = NULL;
        const char *argv[] = {
            qemu, "-M", "q35", "-display", "none", "-nodefaults",
            "-accel", "qtest", "-device", dev, NULL,
        };
        int status = 0;

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                                   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, NULL));
        g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_nonnull(strstr(err, dev));
        g_assert_true(strstr(err, " must ") || strstr(err, " needs "));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/accel-wd/ids", test_ids);
    qtest_add_func("/accel-wd/regs", test_regs);
    qtest_add_func("/accel-wd/ext-caps", test_ext_caps);
    qtest_add_func("/accel-wd/pri-enable", test_pri_enable);
    qtest_add_func("/accel-wd/props", test_props);
    qtest_add_func("/accel-wd/root-port", test_root_port);
    qtest_add_func("/accel-wd/bad-props", test_bad_props);
    return g_test_run();
}
