/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva-testdev: PCIe endpoint that lets a qtest drive the pci-sva
 * endpoint interface and DMA through the IOMMU (see iommu-sva-testdev.h).
 * It is also the smallest example of a device using pci-sva.h.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "exec/address-spaces.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "system/dma.h"
#include "migration/vmstate.h"
#include "qemu/timer.h"
#include "hw/qdev-properties.h"
#include "iommu-sva-testdev.h"
#include "pci-sva.h"

OBJECT_DECLARE_SIMPLE_TYPE(SVATestDevState, IOMMU_SVA_TESTDEV)

#define SVA_TD_EXP_OFFSET       0x80
#define SVA_TD_ATS_OFFSET       0x100
#define SVA_TD_PASID_OFFSET     0x110
#define SVA_TD_PRI_OFFSET       0x120
#define SVA_TD_BENCH_STRIDE     0x1000

struct SVATestDevState {
    PCIDevice parent_obj;
    MemoryRegion bar;

    uint64_t addr;
    uint64_t len;
    uint32_t pasid;
    uint32_t flags;
    uint64_t data;
    int32_t status;
    IOMMUTLBEntry res;
    uint32_t err_count;

    PCISVAPRINotifier pri;
    IOMMUNotifier inv;
    uint32_t reg_pasid;
    bool registered;
    uint32_t pri_count;
    uint32_t pri_code;
    uint32_t pri_prgi;
    uint32_t inv_count;
    uint32_t inv_pasid;
    uint64_t inv_iova;
    uint64_t inv_mask;
    uint64_t probe_addr;
    uint32_t probe_val;
    uint32_t bench_max_reads;
};

static void td_pri_notify(PCISVAPRINotifier *n, PCISVAPRIResponse *resp)
{
    SVATestDevState *d = container_of(n, SVATestDevState, pri);

    d->pri_count++;
    d->pri_code = resp->response_code;
    d->pri_prgi = resp->prgi;
}

static void td_inv_notify(IOMMUNotifier *n, IOMMUTLBEntry *e)
{
    SVATestDevState *d = container_of(n, SVATestDevState, inv);
    uint32_t val = 0;

    d->inv_count++;
    d->inv_pasid = d->reg_pasid;
    d->inv_iova = e->iova;
    d->inv_mask = e->addr_mask;
    /* What the wait status location holds while we are being told */
    if (d->probe_addr) {
        dma_memory_read(&address_space_memory, d->probe_addr, &val,
                        sizeof(val), MEMTXATTRS_UNSPECIFIED);
        d->probe_val = le32_to_cpu(val);
    }
}

static void td_unregister(SVATestDevState *d)
{
    PCIDevice *pdev = PCI_DEVICE(d);

    if (d->registered) {
        pci_sva_pri_unregister_notifier(pdev, d->reg_pasid);
        pci_sva_unregister_iotlb_notifier(pdev, d->reg_pasid, &d->inv);
        d->registered = false;
    }
}

static int td_register(SVATestDevState *d)
{
    PCIDevice *pdev = PCI_DEVICE(d);
    int ret;

    td_unregister(d);
    d->reg_pasid = d->pasid;
    d->pri.notify = td_pri_notify;
    ret = pci_sva_pri_register_notifier(pdev, d->pasid, &d->pri);
    if (ret < 0) {
        return ret;
    }
    pci_sva_init_iotlb_notifier(pdev, &d->inv, td_inv_notify, d);
    ret = pci_sva_register_iotlb_notifier(pdev, d->pasid, &d->inv);
    if (ret < 0) {
        pci_sva_pri_unregister_notifier(pdev, d->pasid);
        return ret;
    }
    d->registered = true;
    return 0;
}

static void td_bench(SVATestDevState *d)
{
    PCIDevice *pdev = PCI_DEVICE(d);
    int64_t t0 = get_clock();
    uint64_t r, i, buf;

    /*
     * LEN x DATA reads run in this MMIO write: bounded, or QEMU hangs. No
     * loop runs without reads (LEN 0 with DATA near 2^64 hung it too).
     */
    if (d->len > d->bench_max_reads ||
        (d->len && d->data > d->bench_max_reads / d->len)) {
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva-testdev: benchmark of %"
                      PRIu64 " x %" PRIu64 " reads (at most %u)\n",
                      d->len, d->data, d->bench_max_reads);
        d->status = -EINVAL;
        return;
    }
    d->status = 0;
    for (r = 0; d->len && r < d->data && !d->status; r++) {
        for (i = 0; i < d->len && !d->status; i++) {
            d->status = pci_dma_read(pdev, d->addr + i * SVA_TD_BENCH_STRIDE,
                                     &buf, sizeof(buf));
        }
    }
    d->data = get_clock() - t0;
}

static void td_cmd(SVATestDevState *d, uint32_t cmd)
{
    PCIDevice *pdev = PCI_DEVICE(d);
    uint64_t le;
    ssize_t n;

    switch (cmd) {
    case SVA_TD_CMD_ATS:
        memset(&d->res, 0, sizeof(d->res));
        n = pci_sva_ats_request_translation(pdev, d->pasid,
                                            d->flags & SVA_TD_F_PRIV,
                                            d->flags & SVA_TD_F_EXEC,
                                            d->addr, d->len,
                                            d->flags & SVA_TD_F_NO_WRITE,
                                            &d->res, 1, &d->err_count);
        d->status = n;
        break;
    case SVA_TD_CMD_PRI:
        d->status = pci_sva_pri_request_page(pdev, d->pasid,
                                             d->flags & SVA_TD_F_PRIV,
                                             d->flags & SVA_TD_F_EXEC,
                                             d->addr,
                                             d->flags & SVA_TD_F_LPIG,
                                             d->data,
                                             d->flags & SVA_TD_F_READ,
                                             d->flags & SVA_TD_F_WRITE);
        break;
    case SVA_TD_CMD_DMA_READ:
        d->status = pci_dma_read(pdev, d->addr, &le, sizeof(le));
        d->data = le64_to_cpu(le);
        break;
    case SVA_TD_CMD_DMA_WRITE:
        le = cpu_to_le64(d->data);
        d->status = pci_dma_write(pdev, d->addr, &le, sizeof(le));
        break;
    case SVA_TD_CMD_REGISTER:
        d->status = td_register(d);
        break;
    case SVA_TD_CMD_UNREGISTER:
        td_unregister(d);
        d->status = 0;
        break;
    case SVA_TD_CMD_BENCH:
        td_bench(d);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva-testdev: bad command %u\n",
                      cmd);
        d->status = -EINVAL;
        break;
    }
}

static uint64_t td_read(void *opaque, hwaddr addr, unsigned size)
{
    SVATestDevState *d = opaque;

    switch (addr) {
    case SVA_TD_ID:
        return SVA_TD_ID_VALUE;
    case SVA_TD_ADDR:
        return d->addr;
    case SVA_TD_LEN:
        return d->len;
    case SVA_TD_PASID:
        return d->pasid;
    case SVA_TD_FLAGS:
        return d->flags;
    case SVA_TD_DATA:
        return d->data;
    case SVA_TD_STATUS:
        return (uint32_t)d->status;
    case SVA_TD_RES_IOVA:
        return d->res.iova;
    case SVA_TD_RES_ADDR:
        return d->res.translated_addr;
    case SVA_TD_RES_MASK:
        return d->res.addr_mask;
    case SVA_TD_RES_PERM:
        return d->res.perm;
    case SVA_TD_ERR_COUNT:
        return d->err_count;
    case SVA_TD_PRI_COUNT:
        return d->pri_count;
    case SVA_TD_PRI_CODE:
        return d->pri_code;
    case SVA_TD_PRI_PRGI:
        return d->pri_prgi;
    case SVA_TD_INV_COUNT:
        return d->inv_count;
    case SVA_TD_INV_PASID:
        return d->inv_pasid;
    case SVA_TD_INV_IOVA:
        return d->inv_iova;
    case SVA_TD_INV_MASK:
        return d->inv_mask;
    case SVA_TD_PROBE_ADDR:
        return d->probe_addr;
    case SVA_TD_PROBE_VAL:
        return d->probe_val;
    default:
        return 0;
    }
}

static void td_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    SVATestDevState *d = opaque;

    switch (addr) {
    case SVA_TD_ADDR:
        d->addr = val;
        break;
    case SVA_TD_LEN:
        d->len = val;
        break;
    case SVA_TD_PASID:
        d->pasid = val;
        break;
    case SVA_TD_FLAGS:
        d->flags = val;
        break;
    case SVA_TD_DATA:
        d->data = val;
        break;
    case SVA_TD_CMD:
        td_cmd(d, val);
        break;
    case SVA_TD_PROBE_ADDR:
        d->probe_addr = val;
        break;
    default:
        break;
    }
}

static const MemoryRegionOps td_ops = {
    .read = td_read,
    .write = td_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

static void td_realize(PCIDevice *pdev, Error **errp)
{
    SVATestDevState *d = IOMMU_SVA_TESTDEV(pdev);
    uint32_t devcap2;

    d->pasid = SVA_TD_NO_PASID;
    if (pcie_endpoint_cap_init(pdev, SVA_TD_EXP_OFFSET) < 0) {
        error_setg(errp, "iommu-sva-testdev: no room for the PCIe capability");
        return;
    }
    /* End-end TLP prefix: Linux's pci_enable_pasid() wants it */
    devcap2 = pci_get_long(pdev->config + SVA_TD_EXP_OFFSET +
                           PCI_EXP_DEVCAP2);
    pci_set_long(pdev->config + SVA_TD_EXP_OFFSET + PCI_EXP_DEVCAP2,
                 devcap2 | PCI_EXP_DEVCAP2_EE_PREFIX);
    pcie_ats_init(pdev, SVA_TD_ATS_OFFSET, true);
    pcie_sva_pasid_init(pdev, SVA_TD_PASID_OFFSET, SVA_TESTDEV_PASID_WIDTH,
                        true, true);
    pcie_sva_pri_init(pdev, SVA_TD_PRI_OFFSET, SVA_TESTDEV_PRI_CAPACITY,
                      true);
    memory_region_init_io(&d->bar, OBJECT(d), &td_ops, d,
                          "iommu-sva-testdev", SVA_TESTDEV_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &d->bar);
}

static void td_exit(PCIDevice *pdev)
{
    td_unregister(IOMMU_SVA_TESTDEV(pdev));
}

/* Notifier registrations are rebuilt on the destination */
static int td_post_load(void *opaque, int version_id)
{
    SVATestDevState *d = opaque;
    uint32_t pasid = d->pasid;

    if (d->registered) {
        d->registered = false;
        d->pasid = d->reg_pasid;
        if (td_register(d) < 0) {
            return -EINVAL;
        }
        d->pasid = pasid;
    }
    return 0;
}

static const VMStateDescription td_vmstate = {
    .name = TYPE_IOMMU_SVA_TESTDEV,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = td_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, SVATestDevState),
        VMSTATE_UINT64(addr, SVATestDevState),
        VMSTATE_UINT64(len, SVATestDevState),
        VMSTATE_UINT32(pasid, SVATestDevState),
        VMSTATE_UINT32(flags, SVATestDevState),
        VMSTATE_UINT64(data, SVATestDevState),
        VMSTATE_INT32(status, SVATestDevState),
        VMSTATE_UINT32(err_count, SVATestDevState),
        VMSTATE_BOOL(registered, SVATestDevState),
        VMSTATE_UINT32(reg_pasid, SVATestDevState),
        VMSTATE_UINT32(pri_count, SVATestDevState),
        VMSTATE_UINT32(pri_code, SVATestDevState),
        VMSTATE_UINT32(pri_prgi, SVATestDevState),
        VMSTATE_UINT32(inv_count, SVATestDevState),
        VMSTATE_UINT32(inv_pasid, SVATestDevState),
        VMSTATE_UINT64(inv_iova, SVATestDevState),
        VMSTATE_UINT64(inv_mask, SVATestDevState),
        VMSTATE_UINT64(probe_addr, SVATestDevState),
        VMSTATE_UINT32(probe_val, SVATestDevState),
        VMSTATE_END_OF_LIST()
    }
};

/*
 * A fuzzer issues thousands of BENCH commands: a small bound keeps each
 * input fast (scripts/fuzz.sh sets it), the default suits benchmarks.
 */
static const Property td_properties[] = {
    DEFINE_PROP_UINT32("bench-max-reads", SVATestDevState, bench_max_reads,
                       SVA_TD_BENCH_MAX_READS),
};

static void td_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = td_realize;
    k->exit = td_exit;
    k->vendor_id = SVA_TESTDEV_VENDOR_ID;
    k->device_id = SVA_TESTDEV_DEVICE_ID;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "Test endpoint for iommu-sva qtests (ATS, PRI, DMA)";
    dc->vmsd = &td_vmstate;
    device_class_set_props(dc, td_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo td_info = {
    .name = TYPE_IOMMU_SVA_TESTDEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(SVATestDevState),
    .class_init = td_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void td_register_types(void)
{
    type_register_static(&td_info);
}

type_init(td_register_types)
