/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd: a PCIe accelerator with PASID, ATS and PRI that runs deflate
 * and RSA on buffers named by (process) virtual addresses.
 *
 * This file is the device shell: QOM type, properties, config space and
 * capabilities, BAR0 global registers, BAR2 doorbell pages, MSI-X in BAR4,
 * reset and migration. The queue core lives in accel-wd-queue.c and
 * accel-wd-exec.c, the queue formats in accel-wd-fmt-*.c, address
 * translation in accel-wd-xlate.c and the engines in engine-*.c.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "hw/iommu-sva/pci-sva.h"
#include "accel-wd.h"
#include "accel-wd-atc.h"
#include "accel-wd-fmt.h"
#include "trace.h"

#define AWD_MSIX_VECTORS(s)   ((s)->params.num_queues + 1)
#define AWD_ERR_VECTOR(s)     ((s)->params.num_queues)

/* ---- device errors ---------------------------------------------------- */

static void awd_notify_vector(AccelWdState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

/* Called with the BQL held. */
void accel_wd_raise_error(AccelWdState *s, uint32_t err)
{
    uint32_t old = s->err;

    s->err |= err;
    trace_accel_wd_dev_error(err, s->err);
    if (s->err != old) {
        awd_notify_vector(s, AWD_ERR_VECTOR(s));
    }
}

/*
 * ---- fatal device error (fault injection) -----------------------------
 *
 * A real device goes fatal on an internal error it cannot contain (a
 * parity error, a hung engine). This model goes fatal when the host says
 * so, either through QMP (qom-set <dev> inject-fatal true) or at the
 * fetch of request fatal-after + 1 (counted over all queues since
 * realize; it fires once). Then AWD_STATUS_FATAL reads 1, every queue
 * stops where it is (the request in flight gets no completion, doorbells
 * and enables are refused) and AWD_ERR_FATAL interrupts. A whole reset
 * (AWD_CTRL_RESET, FLR, system reset) clears it: the recovery a driver
 * does.
 */

/* Called with the BQL held. */
static void awd_enter_fatal(AccelWdState *s, const char *why)
{
    unsigned i;

    trace_accel_wd_fatal(why);
    qatomic_set(&s->fatal, true);
    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_halt(&s->queues[i]);
    }
    accel_wd_raise_error(s, AWD_ERR_FATAL);
}

static void awd_fatal_bh(void *opaque)
{
    AccelWdState *s = opaque;

    /* a reset in between recovered already */
    if (qatomic_read(&s->fatal)) {
        awd_enter_fatal(s, "fatal-after");
    }
}

/*
 * The queue core fetched a request (worker thread, no lock): true if the
 * device is fatal now, so that the request is dropped like an aborted one.
 */
bool accel_wd_fatal_on_fetch(AccelWdState *s)
{
    if (qatomic_read(&s->fatal)) {
        return true;
    }
    if (!s->params.fatal_after || qatomic_read(&s->fatal_fired) ||
        qatomic_fetch_inc(&s->fetched) < s->params.fatal_after) {
        return false;
    }
    if (qatomic_xchg(&s->fatal_fired, true)) {
        return false;
    }
    /* stop fetching at once; interrupt and halt from the main loop */
    qatomic_set(&s->fatal, true);
    qemu_bh_schedule(s->fatal_bh);
    return true;
}

uint32_t accel_wd_qerr_mask(AccelWdState *s, unsigned first)
{
    uint32_t mask = 0;
    unsigned i;

    for (i = first; i < first + 32 && i < s->params.num_queues; i++) {
        if (awd_queue_in_error(&s->queues[i])) {
            mask |= 1u << (i - first);
        }
    }
    return mask;
}

uint32_t accel_wd_caps(AccelWdState *s)
{
    uint32_t cap = AWD_CAP_DEFLATE | AWD_CAP_INFLATE | AWD_CAP_RSA |
                   AWD_CAP_STREAM | AWD_CAP_WBITS | AWD_CAP_TELEMETRY |
                   (s->params.isal ? 0 : AWD_CAP_ZLIB_EXACT);

    /*
     * PASID, ATS and PRI need the IOMMU endpoint interface: without
     * iommu-sva the device does plain bus-master DMA and says so.
     */
    if (s->params.ats && pci_sva_available(PCI_DEVICE(s))) {
        cap |= AWD_CAP_ATS;
        if (s->params.pasid_bits) {
            cap |= AWD_CAP_PASID;
        }
        if (s->params.pri) {
            cap |= AWD_CAP_PRI;
        }
    }
    return cap;
}

/* ---- BAR0: control registers ------------------------------------------ */

static void awd_soft_reset(AccelWdState *s)
{
    unsigned i;

    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_reset(&s->queues[i]);
    }
    s->ctrl = 0;
    s->err = 0;
    qatomic_set(&s->fatal, false);
    s->tm_sel = 0;
    s->tm_latch = 0;
}

static uint32_t awd_global_read(AccelWdState *s, hwaddr addr)
{
    switch (addr) {
    case AWD_REG_MAGIC:
        return AWD_MAGIC;
    case AWD_REG_VERSION:
        return AWD_VERSION;
    case AWD_REG_CAP:
        return accel_wd_caps(s);
    case AWD_REG_NUM_QUEUES:
        return s->params.num_queues;
    case AWD_REG_RING_ORDER_MAX:
        return s->params.ring_order_max;
    case AWD_REG_PASID_BITS:
        return (accel_wd_caps(s) & AWD_CAP_PASID) ? s->params.pasid_bits : 0;
    case AWD_REG_MAX_XFER:
        return s->params.max_xfer;
    case AWD_REG_RSA_MAX_BITS:
        return AWD_RSA_MAX_BITS;
    case AWD_REG_CTRL:
        return s->ctrl;
    case AWD_REG_STATUS:
        if (qatomic_read(&s->fatal)) {
            return AWD_STATUS_FATAL;
        }
        return (s->ctrl & AWD_CTRL_ENABLE) ? AWD_STATUS_READY : 0;
    case AWD_REG_ERR:
        return s->err;
    case AWD_REG_ERR_VECTOR:
        return AWD_ERR_VECTOR(s);
    case AWD_REG_QERR_LO:
        return accel_wd_qerr_mask(s, 0);
    case AWD_REG_QERR_HI:
        return accel_wd_qerr_mask(s, 32);
    case AWD_REG_STREAM_CTX_SIZE:
        return AWD_STREAM_CTX_BYTES;
    case AWD_REG_FORMAT:
        return s->fmt->id;
    case AWD_REG_FMT_PARAM(0) ... AWD_REG_FMT_PARAM(AWD_FMT_PARAMS - 1):
        return s->fmt->param(s, (addr - AWD_REG_FMT_PARAM(0)) / 4);
    case AWD_REG_TM_SEL:
    case AWD_REG_TM_DATA_LO:
    case AWD_REG_TM_DATA_HI:
        return awd_tm_reg_read(s, addr);
    default:
        return 0;
    }
}

static void awd_global_write(AccelWdState *s, hwaddr addr, uint32_t val)
{
    switch (addr) {
    case AWD_REG_CTRL:
        if (val & ~(AWD_CTRL_ENABLE | AWD_CTRL_RESET)) {
            AWD_GUEST_ERR(trace_accel_wd_err_reg(addr, val),
                          "reserved CTRL bits 0x%x", val);
        }
        if (val & AWD_CTRL_RESET) {
            awd_soft_reset(s);
            return;
        }
        s->ctrl = val & AWD_CTRL_ENABLE;
        for (unsigned i = 0; i < s->params.num_queues; i++) {
            awd_queue_kick(&s->queues[i]);
        }
        return;
    case AWD_REG_ERR:
        s->err &= ~val;
        return;
    case AWD_REG_TM_SEL:
        awd_tm_reg_write(s, addr, val);
        return;
    default:
        AWD_GUEST_ERR(trace_accel_wd_err_reg(addr, val),
                      "write 0x%x to read-only register 0x%" HWADDR_PRIx,
                      val, addr);
        s->err |= AWD_ERR_BAD_ACCESS;
        return;
    }
}

static bool awd_queue_reg_decode(AccelWdState *s, hwaddr addr,
                                 AwdQueue **q, unsigned *off)
{
    uint64_t qi;

    if (addr < AWD_QREG_BASE) {
        return false;
    }
    qi = (addr - AWD_QREG_BASE) / AWD_QREG_STRIDE;
    if (qi >= s->params.num_queues) {
        return false;
    }
    *q = &s->queues[qi];
    *off = (addr - AWD_QREG_BASE) % AWD_QREG_STRIDE;
    return true;
}

static uint64_t awd_regs_read(void *opaque, hwaddr addr, unsigned size)
{
    AccelWdState *s = opaque;
    AwdQueue *q;
    unsigned off;
    uint32_t val;

    if (awd_queue_reg_decode(s, addr, &q, &off)) {
        val = awd_queue_reg_read(q, off);
    } else if (addr < AWD_QREG_BASE) {
        val = awd_global_read(s, addr);
    } else {
        val = 0;
    }
    trace_accel_wd_reg_read(addr, size, val);
    return val;
}

static void awd_regs_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    AccelWdState *s = opaque;
    AwdQueue *q;
    unsigned off;

    trace_accel_wd_reg_write(addr, size, val);
    if (awd_queue_reg_decode(s, addr, &q, &off)) {
        awd_queue_reg_write(q, off, val);
    } else if (addr < AWD_QREG_BASE) {
        awd_global_write(s, addr, val);
    } else {
        AWD_GUEST_ERR(trace_accel_wd_err_reg(addr, val),
                      "write to unimplemented register 0x%" HWADDR_PRIx,
                      addr);
        s->err |= AWD_ERR_BAD_ACCESS;
    }
}

static const MemoryRegionOps awd_regs_ops = {
    .read = awd_regs_read,
    .write = awd_regs_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* ---- BAR2: doorbell pages --------------------------------------------- */

static uint64_t awd_db_read(void *opaque, hwaddr addr, unsigned size)
{
    AccelWdState *s = opaque;
    uint64_t qi = addr / AWD_DB_STRIDE;

    if (qi >= s->params.num_queues) {
        return 0;
    }
    return awd_queue_doorbell_read(&s->queues[qi], addr % AWD_DB_STRIDE,
                                   size);
}

static void awd_db_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    AccelWdState *s = opaque;
    uint64_t qi = addr / AWD_DB_STRIDE;

    trace_accel_wd_doorbell(addr, val);
    if (qi >= s->params.num_queues) {
        AWD_GUEST_ERR(trace_accel_wd_err_reg(addr, val),
                      "doorbell write past the last queue at 0x%"
                      HWADDR_PRIx, addr);
        return;
    }
    awd_queue_doorbell(&s->queues[qi], addr % AWD_DB_STRIDE, val, size);
}

/*
 * 64-bit accesses are valid (a portal takes an address in one write):
 * the queue core counts the access once and hands the format its two
 * 32-bit halves, low first.
 */
static const MemoryRegionOps awd_db_ops = {
    .read = awd_db_read,
    .write = awd_db_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* ---- config space ----------------------------------------------------- */

static void awd_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                             int len)
{
    AccelWdState *s = ACCEL_WD(pdev);

    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
    if (s->params.pri) {
        awd_pcie_pri_write_config(pdev, AWD_PRI_OFFSET, addr, val, len);
    }
}

/* ---- realize / exit --------------------------------------------------- */

/* The queue format named by format=, with its own properties checked */
static bool awd_pick_format(AccelWdState *s, Error **errp)
{
    const char *name = s->params.format ? s->params.format : "ring";

    s->fmt = awd_format_find(name);
    if (!s->fmt) {
        g_autofree char *names = awd_format_names();

        error_setg(errp, "format '%s' unknown; this device knows %s", name,
                   names);
        return false;
    }
    return !s->fmt->check_params || s->fmt->check_params(s, errp);
}

/*
 * The deflate engine named by engine= (isal=on|off is its deprecated
 * alias): "isal" (ISA-L for single-shot compression at levels 1-3 and
 * single-shot decompression, zlib for the rest) or "zlib" (zlib for
 * everything, byte-identical to zlib's deflate). Default: isal when the
 * build has libisal. After realize engine= reads back the one in use.
 */
static bool awd_pick_engine(AccelWdState *s, Error **errp)
{
    AccelWdParams *p = &s->params;
    const char *name = p->engine;

    if (p->isal_alias != ON_OFF_AUTO_AUTO) {
        const char *alias = p->isal_alias == ON_OFF_AUTO_ON ? "isal" : "zlib";

        if (name && strcmp(name, alias)) {
            error_setg(errp, "isal=%s contradicts engine=%s (isal=on|off is "
                       "a deprecated alias of engine=isal|zlib)",
                       p->isal_alias == ON_OFF_AUTO_ON ? "on" : "off", name);
            return false;
        }
        warn_report("accel-wd: isal=%s is deprecated, use engine=%s",
                    p->isal_alias == ON_OFF_AUTO_ON ? "on" : "off", alias);
        name = alias;
    }
    if (!name) {
        name = awd_isal_available() ? "isal" : "zlib";
    }
    if (!strcmp(name, "isal") && !awd_isal_available()) {
        error_setg(errp, "engine=isal: this QEMU was built without libisal "
                   "(ISA-L); engine=zlib is the one it has");
        return false;
    }
    if (strcmp(name, "isal") && strcmp(name, "zlib")) {
        error_setg(errp, "engine '%s' unknown; this device knows %s", name,
                   awd_isal_available() ? "isal, zlib" : "zlib (and isal "
                   "with libisal)");
        return false;
    }
    p->isal = !strcmp(name, "isal");
    if (name != p->engine) {
        g_free(p->engine);
        p->engine = g_strdup(name);
    }
    return true;
}

static bool awd_check_params(AccelWdState *s, Error **errp)
{
    AccelWdParams *p = &s->params;

    if (!awd_pick_format(s, errp) || !awd_pick_engine(s, errp)) {
        return false;
    }

    if (p->num_queues < 1 || p->num_queues > AWD_MAX_QUEUES) {
        error_setg(errp, "num-queues must be 1..%d", AWD_MAX_QUEUES);
        return false;
    }
    if (p->pasid_bits > 20) {
        error_setg(errp, "pasid-bits must be 0..20");
        return false;
    }
    if (p->ring_order_max < AWD_RING_ORDER_MIN ||
        p->ring_order_max > AWD_RING_ORDER_MAX) {
        error_setg(errp, "ring-order-max must be %d..%d",
                   AWD_RING_ORDER_MIN, AWD_RING_ORDER_MAX);
        return false;
    }
    if (p->max_xfer < 4 * KiB || p->max_xfer > 256 * MiB) {
        error_setg(errp, "max-xfer must be 4 KiB..256 MiB");
        return false;
    }
    if (p->workers > p->num_queues) {
        error_setg(errp, "workers must be 0 (one per queue) .. num-queues");
        return false;
    }
    if (p->sync && (p->workers || p->pri)) {
        /* a page request waits for the guest, which cannot run meanwhile */
        error_setg(errp, "sync=on needs workers=0 and pri=off");
        return false;
    }
    if (p->pri && !p->ats) {
        error_setg(errp, "pri=on needs ats=on");
        return false;
    }
    if (p->pri && !p->pasid_bits) {
        error_setg(errp, "pri=on needs pasid-bits > 0");
        return false;
    }
    if (p->pri_max_requests < 1) {
        error_setg(errp, "pri-max-requests must be at least 1");
        return false;
    }
    if (p->pri_batch < 1 || p->pri_batch > AWD_PRI_BATCH_MAX) {
        error_setg(errp, "pri-batch must be 1..%u", AWD_PRI_BATCH_MAX);
        return false;
    }
    if (p->atc_entries < 4 || p->atc_entries > 65536) {
        error_setg(errp, "atc-entries must be 4..65536");
        return false;
    }
    if (p->pri_timeout_ms < 1 || p->pri_timeout_ms > 600000) {
        error_setg(errp, "pri-timeout-ms must be 1..600000");
        return false;
    }
    if (p->pri_delay_ms > 60000) {
        error_setg(errp, "pri-delay-ms must be 0..60000");
        return false;
    }
    return true;
}

static void awd_vm_state_change(void *opaque, bool running, RunState state)
{
    AccelWdState *s = opaque;
    unsigned i;

    s->running = running;
    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_pause(&s->queues[i], !running);
    }
}

static void awd_realize(PCIDevice *pdev, Error **errp)
{
    AccelWdState *s = ACCEL_WD(pdev);
    uint64_t db_size;
    unsigned i;

    if (!awd_check_params(s, errp)) {
        return;
    }
    if (!pci_bus_is_express(pci_get_bus(pdev))) {
        error_setg(errp, "accel-wd must be plugged into a PCI Express bus");
        return;
    }

    pci_config_set_revision(pdev->config, AWD_PCI_REVISION);
    pci_config_set_prog_interface(pdev->config, AWD_PCI_CLASS_CODE & 0xff);
    pci_set_word(pdev->config + PCI_SUBSYSTEM_VENDOR_ID,
                 AWD_PCI_SUBSYS_VENDOR_ID);
    pci_set_word(pdev->config + PCI_SUBSYSTEM_ID, AWD_PCI_SUBSYS_ID);
    pci_config_set_interrupt_pin(pdev->config, 1);

    memory_region_init_io(&s->regs, OBJECT(s), &awd_regs_ops, s,
                          "accel-wd-regs", AWD_REGS_SIZE);
    pci_register_bar(pdev, AWD_BAR_REGS,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->regs);

    db_size = pow2ceil((uint64_t)s->params.num_queues * AWD_DB_STRIDE);
    memory_region_init_io(&s->doorbells, OBJECT(s), &awd_db_ops, s,
                          "accel-wd-doorbells", db_size);
    pci_register_bar(pdev, AWD_BAR_DOORBELL,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->doorbells);

    if (pcie_endpoint_cap_init(pdev, AWD_PCIE_CAP_OFFSET) < 0) {
        error_setg(errp, "accel-wd: PCIe capability init failed");
        return;
    }
    /* pcie_cap_init() advertises the end-end TLP prefix (DEVCAP2 bit 21) */
    pcie_cap_deverr_init(pdev);
    pcie_cap_flr_init(pdev);

    if (msix_init_exclusive_bar(pdev, AWD_MSIX_VECTORS(s), AWD_BAR_MSIX,
                                errp)) {
        return;
    }
    for (i = 0; i < AWD_MSIX_VECTORS(s); i++) {
        msix_vector_use(pdev, i);
    }

    if (s->params.ats) {
        pcie_ats_init(pdev, AWD_ATS_OFFSET, true);
    }
    if (s->params.pasid_bits) {
        pcie_sva_pasid_init(pdev, AWD_PASID_OFFSET, s->params.pasid_bits,
                            true, true);
    }
    if (s->params.pri) {
        pcie_sva_pri_init(pdev, AWD_PRI_OFFSET, s->params.pri_max_requests,
                          true);
    }
    if (s->params.ats) {
        AwdAtcConfig cfg = {
            .ats_offset = AWD_ATS_OFFSET,
            .pri_offset = s->params.pri ? AWD_PRI_OFFSET : 0,
            .entries = s->params.atc_entries,
            .pri_max_requests = s->params.pri_max_requests,
            .pri_batch = s->params.pri_batch,
            .pri_timeout_ms = s->params.pri_timeout_ms,
            .check = s->params.atc_check,
            .pri_fail_every = s->params.pri_fail_every,
            .pri_delay_ms = s->params.pri_delay_ms,
        };

        s->atc = awd_atc_new(pdev, &cfg);
    }

    s->fatal_bh = qemu_bh_new_guarded(awd_fatal_bh, s,
                                      &DEVICE(s)->mem_reentrancy_guard);
    awd_timing_realize(s);
    /* before the queues: they start paused unless the VM runs (hotplug) */
    s->running = runstate_is_running();
    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_init(s, &s->queues[i], i);
    }
    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_start(&s->queues[i]);
    }
    awd_pool_start(s);
    s->vmstate_change = qemu_add_vm_change_state_handler(awd_vm_state_change,
                                                         s);
}

static void awd_exit(PCIDevice *pdev)
{
    AccelWdState *s = ACCEL_WD(pdev);
    unsigned i;

    if (s->vmstate_change) {
        qemu_del_vm_change_state_handler(s->vmstate_change);
        s->vmstate_change = NULL;
    }
    awd_pool_stop(s);
    for (i = 0; i < s->params.num_queues; i++) {
        awd_queue_exit(&s->queues[i]);
    }
    qemu_bh_delete(s->fatal_bh);
    s->fatal_bh = NULL;
    awd_timing_unrealize(s);
    awd_atc_free(s->atc);
    s->atc = NULL;
    msix_uninit_exclusive_bar(pdev);
}

static void awd_reset_hold(Object *obj, ResetType type)
{
    AccelWdState *s = ACCEL_WD(obj);
    PCIDevice *pdev = PCI_DEVICE(obj);

    trace_accel_wd_reset();
    awd_soft_reset(s);
    if (s->params.ats) {
        pci_set_word(pdev->config + AWD_ATS_OFFSET + PCI_ATS_CTRL, 0);
    }
    if (s->params.pasid_bits) {
        pci_set_word(pdev->config + AWD_PASID_OFFSET + PCI_PASID_CTRL, 0);
    }
    if (s->params.pri) {
        awd_pcie_pri_reset(pdev, AWD_PRI_OFFSET);
    }
    msix_reset(pdev);
}

/* ---- migration -------------------------------------------------------- */

static int awd_post_load(void *opaque, int version_id)
{
    AccelWdState *s = opaque;

    if (s->ctrl & ~AWD_CTRL_ENABLE) {
        return -EINVAL;
    }
    return 0;
}

/* The telemetry selector, when the guest has set it */
static bool awd_tm_sel_needed(void *opaque)
{
    AccelWdState *s = opaque;

    return s->tm_sel || s->tm_latch;
}

static const VMStateDescription vmstate_awd_tm = {
    .name = "accel-wd/telemetry",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = awd_tm_sel_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(tm_sel, AccelWdState),
        VMSTATE_UINT32(tm_latch, AccelWdState),
        VMSTATE_END_OF_LIST()
    },
};

static bool awd_fatal_needed(void *opaque)
{
    AccelWdState *s = opaque;

    return qatomic_read(&s->fatal) || s->fatal_fired;
}

/* A device that went fatal stays so on the destination */
static const VMStateDescription vmstate_awd_fatal = {
    .name = "accel-wd/fatal",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = awd_fatal_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(fatal, AccelWdState),
        VMSTATE_BOOL(fatal_fired, AccelWdState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_awd = {
    .name = "accel-wd",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = awd_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, AccelWdState),
        VMSTATE_MSIX(parent_obj, AccelWdState),
        VMSTATE_UINT32_EQUAL(params.num_queues, AccelWdState, NULL),
        VMSTATE_UINT32(ctrl, AccelWdState),
        VMSTATE_UINT32(err, AccelWdState),
        VMSTATE_STRUCT_VARRAY_UINT32(queues, AccelWdState,
                                     params.num_queues, 1,
                                     vmstate_awd_queue, AwdQueue),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_awd_tm,
        &vmstate_awd_fatal,
        NULL
    },
};

/* ---- QOM -------------------------------------------------------------- */

static const Property awd_properties[] = {
    DEFINE_PROP_STRING("format", AccelWdState, params.format),
    /* format parameters; each format checks its own (accel-wd-fmt-*.c) */
    DEFINE_PROP_UINT32("sgl-max-entries", AccelWdState,
                       params.sgl_max_entries, 1024),
    DEFINE_PROP_UINT32("sgl-max-lists", AccelWdState, params.sgl_max_lists,
                       64),
    DEFINE_PROP_UINT32("crec-max-batch", AccelWdState, params.crec_max_batch,
                       64),
    DEFINE_PROP_UINT32("num-queues", AccelWdState, params.num_queues,
                       AWD_DEFAULT_QUEUES),
    DEFINE_PROP_UINT8("pasid-bits", AccelWdState, params.pasid_bits, 8),
    DEFINE_PROP_UINT8("ring-order-max", AccelWdState, params.ring_order_max,
                      12),
    DEFINE_PROP_UINT32("max-xfer", AccelWdState, params.max_xfer, 16 * MiB),
    DEFINE_PROP_UINT32("workers", AccelWdState, params.workers, 0),
    DEFINE_PROP_BOOL("sync", AccelWdState, params.sync, false),
    DEFINE_PROP_UINT32("pri-max-requests", AccelWdState,
                       params.pri_max_requests, 512),
    DEFINE_PROP_UINT32("pri-batch", AccelWdState, params.pri_batch, 32),
    DEFINE_PROP_UINT32("atc-entries", AccelWdState, params.atc_entries, 512),
    DEFINE_PROP_UINT32("pri-timeout-ms", AccelWdState, params.pri_timeout_ms,
                       10000),
    DEFINE_PROP_BOOL("atc-check", AccelWdState, params.atc_check, false),
    DEFINE_PROP_UINT32("pri-fail-every", AccelWdState, params.pri_fail_every,
                       0),
    DEFINE_PROP_UINT32("pri-delay-ms", AccelWdState, params.pri_delay_ms, 0),
    /* fault injection: go fatal at fetch N + 1 (once); 0: never */
    DEFINE_PROP_UINT32("fatal-after", AccelWdState, params.fatal_after, 0),
    /* fault injection: a reset of an enabled queue never completes */
    DEFINE_PROP_BOOL("qreset-hang", AccelWdState, params.qreset_hang, false),
    DEFINE_PROP_STRING("engine", AccelWdState, params.engine),
    DEFINE_PROP_ON_OFF_AUTO("isal", AccelWdState, params.isal_alias,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("ats", AccelWdState, params.ats, true),
    DEFINE_PROP_BOOL("pri", AccelWdState, params.pri, true),
};

static void awd_get_stats(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);
    unsigned i, n = DEVICE(obj)->realized ? s->params.num_queues : 0;

    if (!visit_start_list(v, name, NULL, 0, errp)) {
        return;
    }
    for (i = 0; i < n; i++) {
        AwdQueueStats st;

        qemu_mutex_lock(&s->queues[i].lock);
        st = s->queues[i].stats;
        qemu_mutex_unlock(&s->queues[i].lock);
        if (!visit_start_struct(v, NULL, NULL, 0, errp)) {
            break;
        }
        visit_type_uint64(v, "ops", &st.ops, errp);
        visit_type_uint64(v, "bytes-in", &st.bytes_in, errp);
        visit_type_uint64(v, "bytes-out", &st.bytes_out, errp);
        visit_type_uint64(v, "errors", &st.errors, errp);
        awd_xlate_visit_stats(&s->queues[i].xlate, v, errp);
        visit_check_struct(v, errp);
        visit_end_struct(v, NULL);
    }
    visit_end_list(v, NULL);
}

/*
 * qom-set <dev> inject-fatal true: the device goes fatal now (see
 * awd_enter_fatal); qom-get reads AWD_STATUS_FATAL.
 */
static bool awd_get_fatal(Object *obj, Error **errp)
{
    return qatomic_read(&ACCEL_WD(obj)->fatal);
}

static void awd_set_fatal(Object *obj, bool val, Error **errp)
{
    AccelWdState *s = ACCEL_WD(obj);

    if (!DEVICE(obj)->realized) {
        error_setg(errp, "inject-fatal: the device is not realized");
        return;
    }
    if (val) {
        awd_enter_fatal(s, "qmp");
    }
}

/* The engines this build has: "zlib gmp", plus "isal" with libisal */
static char *awd_get_engines(Object *obj, Error **errp)
{
    return g_strdup(awd_isal_available() ? "zlib gmp isal" : "zlib gmp");
}

static void awd_instance_init(Object *obj)
{
    object_property_add(obj, "stats", "AccelWdStats", awd_get_stats,
                        NULL, NULL, NULL);
    object_property_add_str(obj, "engines", awd_get_engines, NULL);
    object_property_add_bool(obj, "inject-fatal", awd_get_fatal,
                             awd_set_fatal);
    object_property_set_description(obj, "inject-fatal",
        "true: a fatal device error now (AWD_STATUS_FATAL); reset clears it");
    awd_timing_instance_init(ACCEL_WD(obj));
}

static void awd_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = awd_realize;
    k->exit = awd_exit;
    k->config_write = awd_write_config;
    k->vendor_id = AWD_PCI_VENDOR_ID;
    k->device_id = AWD_PCI_DEVICE_ID;
    k->revision = AWD_PCI_REVISION;
    k->class_id = AWD_PCI_CLASS_CODE >> 8;
    k->subsystem_vendor_id = AWD_PCI_SUBSYS_VENDOR_ID;
    k->subsystem_id = AWD_PCI_SUBSYS_ID;
    rc->phases.hold = awd_reset_hold;
    dc->desc = "accel-wd SVA accelerator (deflate, RSA)";
    dc->vmsd = &vmstate_awd;
    device_class_set_props(dc, awd_properties);
    awd_timing_class_init(klass);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo awd_info = {
    .name = TYPE_ACCEL_WD,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(AccelWdState),
    .instance_init = awd_instance_init,
    .class_init = awd_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void awd_register_types(void)
{
    type_register_static(&awd_info);
}

type_init(awd_register_types)
