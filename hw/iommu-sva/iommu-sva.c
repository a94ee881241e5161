/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: a scalable-mode VT-d DMA remapping unit for shared virtual
 * addressing. First-stage (x86-64 format) and pass-through translation
 * only, no second stage, no interrupt remapping, caching mode off.
 *
 * This file: the QOM device, its properties, the register file (bytes plus
 * write/write-1-to-clear masks, as hw/i386/intel_iommu.c vtd_define_long),
 * global commands, fault recording, event interrupts, reset and migration.
 * The invalidation queue is in iommu-sva-qi.c, table walks and the per
 * device address spaces in iommu-sva-xlate.c.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "exec/address-spaces.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "hw/i386/pc.h"
#include "migration/vmstate.h"
#include "iommu-sva.h"
#include "trace.h"

#define SVA_GUEST_ERR(trace_fn, fmt, ...) do {                      \
        trace_fn;                                                   \
        qemu_log_mask(LOG_GUEST_ERROR, "iommu-sva: " fmt "\n",      \
                      ## __VA_ARGS__);                              \
    } while (0)

/* Register file helpers */

uint64_t iommu_sva_get_quad(IOMMUSVAState *s, hwaddr reg)
{
    return ldq_le_p(&s->regs[reg]);
}

uint32_t iommu_sva_get_long(IOMMUSVAState *s, hwaddr reg)
{
    return ldl_le_p(&s->regs[reg]);
}

void iommu_sva_set_quad(IOMMUSVAState *s, hwaddr reg, uint64_t val)
{
    stq_le_p(&s->regs[reg], val);
}

void iommu_sva_set_long(IOMMUSVAState *s, hwaddr reg, uint32_t val)
{
    stl_le_p(&s->regs[reg], val);
}

static void sva_define_quad(IOMMUSVAState *s, hwaddr reg, uint64_t val,
                            uint64_t wmask, uint64_t w1cmask)
{
    stq_le_p(&s->regs[reg], val);
    stq_le_p(&s->wmask[reg], wmask);
    stq_le_p(&s->w1cmask[reg], w1cmask);
}

static void sva_define_long(IOMMUSVAState *s, hwaddr reg, uint32_t val,
                            uint32_t wmask, uint32_t w1cmask)
{
    stl_le_p(&s->regs[reg], val);
    stl_le_p(&s->wmask[reg], wmask);
    stl_le_p(&s->w1cmask[reg], w1cmask);
}

static void sva_set_clear_long(IOMMUSVAState *s, hwaddr reg, uint32_t clear,
                               uint32_t set)
{
    iommu_sva_set_long(s, reg, (iommu_sva_get_long(s, reg) & ~clear) | set);
}

static void sva_cap_init(IOMMUSVAState *s)
{
    X86IOMMUState *x86 = X86_IOMMU_DEVICE(s);

    /* Every process bound for SVA takes a domain ID: allow 16 bits */
    s->cap = SVA_CAP_ND_64K | SVA_CAP_MGAW(s->p.aw_bits) |
             ((uint64_t)(SVA_REG_FRCD / 16) << SVA_CAP_FRO_SHIFT) |
             ((uint64_t)(s->p.frcd_count - 1) << SVA_CAP_NFR_SHIFT) |
             SVA_CAP_PSI | ((uint64_t)SVA_MAMV << SVA_CAP_MAMV_SHIFT) |
             SVA_CAP_DWD | SVA_CAP_DRD;
    if (s->p.fl1gp) {
        s->cap |= SVA_CAP_FL1GP;
    }
    if (s->p.fl5lp) {
        s->cap |= SVA_CAP_FL5LP;
    }

    s->ecap = SVA_ECAP_C | SVA_ECAP_QI |
              ((uint64_t)(SVA_REG_IVA / 16) << SVA_ECAP_IRO_SHIFT) |
              ((uint64_t)(s->p.pasid_bits - 1) << SVA_ECAP_PSS_SHIFT) |
              SVA_ECAP_PASID | SVA_ECAP_PDS | SVA_ECAP_SMTS |
              SVA_ECAP_FLTS | SVA_ECAP_SMPWC | SVA_ECAP_RPS;
    if (x86->dt_supported) {
        s->ecap |= SVA_ECAP_DT;
    }
    if (x86->pt_supported) {
        s->ecap |= SVA_ECAP_PT;
    }
    if (s->p.prs) {
        s->ecap |= SVA_ECAP_PRS;
    }
}

/* Build the register file; also the reset path */
static void sva_regs_init(IOMMUSVAState *s)
{
    unsigned i;

    memset(s->regs, 0, sizeof(s->regs));
    memset(s->wmask, 0, sizeof(s->wmask));
    memset(s->w1cmask, 0, sizeof(s->w1cmask));

    sva_define_long(s, SVA_REG_VER, SVA_VER_VALUE, 0, 0);
    sva_define_quad(s, SVA_REG_CAP, s->cap, 0, 0);
    sva_define_quad(s, SVA_REG_ECAP, s->ecap, 0, 0);
    sva_define_long(s, SVA_REG_GCMD, 0, SVA_MASK(31, 23), 0);
    sva_define_long(s, SVA_REG_GSTS, 0, 0, 0);
    sva_define_quad(s, SVA_REG_RTADDR, 0,
                    SVA_RTADDR_ADDR_MASK | SVA_RTADDR_TTM_MASK, 0);
    sva_define_quad(s, SVA_REG_CCMD, 0,
                    SVA_MASK(63, 61) | SVA_MASK(33, 0), 0);
    sva_define_long(s, SVA_REG_FSTS, 0, 0,
                    SVA_FSTS_PFO | SVA_FSTS_IQE | SVA_FSTS_ICE |
                    SVA_FSTS_ITE);
    sva_define_long(s, SVA_REG_FECTL, SVA_ECTL_IM, SVA_ECTL_IM, 0);
    sva_define_long(s, SVA_REG_FEDATA, 0, UINT32_MAX, 0);
    sva_define_long(s, SVA_REG_FEADDR, 0, SVA_EADDR_MASK, 0);
    sva_define_long(s, SVA_REG_FEUADDR, 0, UINT32_MAX, 0);

    sva_define_quad(s, SVA_REG_IQH, 0, 0, 0);
    sva_define_quad(s, SVA_REG_IQT, 0, SVA_IQ_PTR_MASK, 0);
    sva_define_quad(s, SVA_REG_IQA, 0,
                    SVA_IQA_ADDR_MASK | SVA_IQA_DW | SVA_IQA_QS_MASK, 0);
    sva_define_long(s, SVA_REG_ICS, 0, 0, SVA_ICS_IWC);
    sva_define_long(s, SVA_REG_IECTL, SVA_ECTL_IM, SVA_ECTL_IM, 0);
    sva_define_long(s, SVA_REG_IEDATA, 0, UINT32_MAX, 0);
    sva_define_long(s, SVA_REG_IEADDR, 0, SVA_EADDR_MASK, 0);
    sva_define_long(s, SVA_REG_IEUADDR, 0, UINT32_MAX, 0);
    sva_define_quad(s, SVA_REG_IQERCD, 0, 0, 0);

    sva_define_quad(s, SVA_REG_PQH, 0, SVA_PQ_PTR_MASK, 0);
    sva_define_quad(s, SVA_REG_PQT, 0, 0, 0);
    sva_define_quad(s, SVA_REG_PQA, 0,
                    SVA_PQA_ADDR_MASK | SVA_PQA_PQS_MASK, 0);
    sva_define_long(s, SVA_REG_PRS, 0, 0, SVA_PRS_PPR | SVA_PRS_PRO);
    sva_define_long(s, SVA_REG_PECTL, SVA_ECTL_IM, SVA_ECTL_IM, 0);
    sva_define_long(s, SVA_REG_PEDATA, 0, UINT32_MAX, 0);
    sva_define_long(s, SVA_REG_PEADDR, 0, SVA_EADDR_MASK, 0);
    sva_define_long(s, SVA_REG_PEUADDR, 0, UINT32_MAX, 0);

    sva_define_quad(s, SVA_REG_IVA, 0,
                    SVA_MASK(63, 12) | SVA_MASK(6, 0), 0);
    sva_define_quad(s, SVA_REG_IOTLB, 0,
                    SVA_IOTLB_IVT | SVA_MASK(61, 60) | SVA_MASK(49, 48) |
                    SVA_MASK(47, 32), 0);

    for (i = 0; i < s->p.frcd_count; i++) {
        hwaddr reg = SVA_REG_FRCD + i * SVA_FRCD_SIZE;

        sva_define_quad(s, reg, 0, 0, 0);
        sva_define_quad(s, reg + 8, 0, 0, SVA_FRCD_HI_F);
    }

    qatomic_set(&s->te, false);
    s->qie = false;
    s->root = 0;
    s->iq_stopped = false;
    s->frcd_next = 0;
}

/* Events: fault (FECTL), invalidation completion (IECTL), page request */

static void sva_send_msi(IOMMUSVAState *s, hwaddr ctl_reg)
{
    uint32_t data = iommu_sva_get_long(s, ctl_reg + 4);
    uint64_t addr = iommu_sva_get_long(s, ctl_reg + 8) & SVA_EADDR_MASK;
    MemTxResult res;

    addr |= (uint64_t)iommu_sva_get_long(s, ctl_reg + 12) << 32;
    trace_iommu_sva_msi(ctl_reg, addr, data);
    /* The APIC's MSI region sits in system memory on x86 */
    address_space_stl_le(&address_space_memory, addr, data,
                         MEMTXATTRS_UNSPECIFIED, &res);
    if (res != MEMTX_OK) {
        SVA_GUEST_ERR(trace_iommu_sva_err_msi(addr, data),
                      "event message to 0x%" PRIx64 " failed", addr);
    }
}

void iommu_sva_event(IOMMUSVAState *s, hwaddr ctl_reg)
{
    uint32_t ctl = iommu_sva_get_long(s, ctl_reg);

    if (ctl & SVA_ECTL_IM) {
        iommu_sva_set_long(s, ctl_reg, ctl | SVA_ECTL_IP);
        return;
    }
    iommu_sva_set_long(s, ctl_reg, ctl & ~SVA_ECTL_IP);
    sva_send_msi(s, ctl_reg);
}

/* Unmasking delivers a pending event */
static void sva_ectl_write(IOMMUSVAState *s, hwaddr ctl_reg)
{
    uint32_t ctl = iommu_sva_get_long(s, ctl_reg);

    if (!(ctl & SVA_ECTL_IM) && (ctl & SVA_ECTL_IP)) {
        iommu_sva_event(s, ctl_reg);
    }
}

/* 7.2.2 Primary fault logging */

static void sva_update_ppf(IOMMUSVAState *s)
{
    uint32_t fsts = iommu_sva_get_long(s, SVA_REG_FSTS);
    bool pending = false;
    unsigned i;

    for (i = 0; i < s->p.frcd_count; i++) {
        hwaddr reg = SVA_REG_FRCD + i * SVA_FRCD_SIZE + 8;

        if (iommu_sva_get_quad(s, reg) & SVA_FRCD_HI_F) {
            pending = true;
        }
    }
    if (pending) {
        fsts |= SVA_FSTS_PPF;
    } else {
        fsts &= ~SVA_FSTS_PPF;
    }
    iommu_sva_set_long(s, SVA_REG_FSTS, fsts);
}

void iommu_sva_record_fault(IOMMUSVAState *s, const SVAXlateReq *req,
                            uint8_t reason)
{
    uint32_t fsts = iommu_sva_get_long(s, SVA_REG_FSTS);
    unsigned idx = s->frcd_next;
    hwaddr reg = SVA_REG_FRCD + idx * SVA_FRCD_SIZE;
    uint64_t hi;

    trace_iommu_sva_fault(req->sid, req->pasid, req->addr, req->write,
                          reason);
    if (fsts & SVA_FSTS_PFO) {
        return;
    }
    if (iommu_sva_get_quad(s, reg + 8) & SVA_FRCD_HI_F) {
        iommu_sva_set_long(s, SVA_REG_FSTS, fsts | SVA_FSTS_PFO);
        iommu_sva_event(s, SVA_REG_FECTL);
        return;
    }

    hi = SVA_FRCD_HI_F | req->sid | ((uint64_t)reason << SVA_FRCD_HI_FR_SHIFT);
    if (!req->write) {
        hi |= SVA_FRCD_HI_T1;
    }
    if (req->pasid != SVA_NO_PASID) {
        hi |= SVA_FRCD_HI_PP |
              (((uint64_t)req->pasid << SVA_FRCD_HI_PV_SHIFT) &
               SVA_FRCD_HI_PV_MASK);
        if (req->priv) {
            hi |= SVA_FRCD_HI_PRIV;
        }
        if (req->exec) {
            hi |= SVA_FRCD_HI_EXE;
        }
    }
    iommu_sva_set_quad(s, reg, req->addr & SVA_FRCD_LO_FI_MASK);
    iommu_sva_set_quad(s, reg + 8, hi);
    s->frcd_next = (idx + 1) % s->p.frcd_count;

    if (!(fsts & SVA_FSTS_PPF)) {
        fsts &= ~SVA_FSTS_FRI_MASK;
        fsts |= SVA_FSTS_PPF | (idx << SVA_FSTS_FRI_SHIFT);
        iommu_sva_set_long(s, SVA_REG_FSTS, fsts);
        iommu_sva_event(s, SVA_REG_FECTL);
    }
}

typedef struct SVAPendingFault {
    SVAXlateReq req;
    uint8_t reason;
} SVAPendingFault;

static void sva_fault_bh(void *opaque)
{
    IOMMUSVAState *s = opaque;
    SVAPendingFault *f;

    for (;;) {
        WITH_QEMU_LOCK_GUARD(&s->fault_lock) {
            f = g_queue_pop_head(&s->fault_queue);
        }
        if (!f) {
            break;
        }
        iommu_sva_record_fault(s, &f->req, f->reason);
        g_free(f);
    }
}

/*
 * Record a fault from any thread. Without the BQL (a device's I/O thread)
 * the record is made from a bottom half: waiting for the BQL here could
 * deadlock against a main loop that drains that very thread. Recording
 * is asynchronous on hardware too.
 */
void iommu_sva_report_fault(IOMMUSVAState *s, const SVAXlateReq *req,
                            uint8_t reason)
{
    SVAPendingFault *f;

    if (bql_locked()) {
        iommu_sva_record_fault(s, req, reason);
        return;
    }
    f = g_new(SVAPendingFault, 1);
    f->req = *req;
    f->reason = reason;
    WITH_QEMU_LOCK_GUARD(&s->fault_lock) {
        /* Beyond what the records can hold, more would only set PFO */
        if (g_queue_get_length(&s->fault_queue) > SVA_FRCD_MAX) {
            g_free(f);
            f = NULL;
        } else {
            g_queue_push_tail(&s->fault_queue, f);
        }
    }
    if (f) {
        qemu_bh_schedule(s->fault_bh);
    }
}

void iommu_sva_iq_error(IOMMUSVAState *s, uint32_t iqei)
{
    uint32_t fsts = iommu_sva_get_long(s, SVA_REG_FSTS);

    s->iq_stopped = true;
    iommu_sva_set_quad(s, SVA_REG_IQERCD, iqei & SVA_IQEI_MASK);
    if (!(fsts & SVA_FSTS_IQE)) {
        iommu_sva_set_long(s, SVA_REG_FSTS, fsts | SVA_FSTS_IQE);
        iommu_sva_event(s, SVA_REG_FECTL);
    }
}

/* 10.4.4 Global command */

static void sva_handle_gcmd(IOMMUSVAState *s)
{
    uint32_t cmd = iommu_sva_get_long(s, SVA_REG_GCMD);
    uint32_t sts = iommu_sva_get_long(s, SVA_REG_GSTS);
    uint32_t changed = (cmd ^ sts) & (SVA_GCMD_TE | SVA_GCMD_QIE);

    trace_iommu_sva_gcmd(cmd, sts);

    if (cmd & (SVA_GCMD_SIRTP | SVA_GCMD_IRE | SVA_GCMD_SFL |
               SVA_GCMD_EAFL | SVA_GCMD_WBF | SVA_GCMD_CFI)) {
        SVA_GUEST_ERR(trace_iommu_sva_err_gcmd(cmd),
                      "unsupported global command 0x%" PRIx32, cmd);
    }

    if (cmd & SVA_GCMD_SRTP) {
        uint64_t rta = iommu_sva_get_quad(s, SVA_REG_RTADDR);

        s->root = rta;
        sts |= SVA_GSTS_RTPS;
        iommu_sva_flush_all(s);
        trace_iommu_sva_root(rta);
    }

    if (changed & SVA_GCMD_QIE) {
        if (cmd & SVA_GCMD_QIE) {
            sts |= SVA_GSTS_QIES;
            s->qie = true;
            s->iq_stopped = false;
        } else {
            sts &= ~SVA_GSTS_QIES;
            s->qie = false;
            iommu_sva_set_quad(s, SVA_REG_IQH, 0);
        }
    }

    if (changed & SVA_GCMD_TE) {
        if (cmd & SVA_GCMD_TE) {
            sts |= SVA_GSTS_TES;
        } else {
            sts &= ~SVA_GSTS_TES;
        }
        qatomic_set(&s->te, !!(cmd & SVA_GCMD_TE));
    }

    iommu_sva_set_long(s, SVA_REG_GSTS, sts);
    /* GCMD reads as zero */
    iommu_sva_set_long(s, SVA_REG_GCMD, 0);

    if (changed & SVA_GCMD_TE) {
        iommu_sva_flush_all(s);
        iommu_sva_switch_spaces(s);
    }
    if ((changed & SVA_GCMD_QIE) && s->qie) {
        iommu_sva_qi_process(s);
    }
}

/* Register-based invalidation: accepted, and acts as global */
static void sva_handle_ccmd(IOMMUSVAState *s)
{
    uint64_t val = iommu_sva_get_quad(s, SVA_REG_CCMD);

    if (!(val & SVA_CCMD_ICC)) {
        return;
    }
    iommu_sva_flush_all(s);
    val &= ~(SVA_CCMD_ICC | SVA_CCMD_CAIG_MASK);
    val |= 1ULL << SVA_CCMD_CAIG_SHIFT;         /* performed globally */
    iommu_sva_set_quad(s, SVA_REG_CCMD, val);
}

static void sva_handle_iotlb(IOMMUSVAState *s)
{
    uint64_t val = iommu_sva_get_quad(s, SVA_REG_IOTLB);

    if (!(val & SVA_IOTLB_IVT)) {
        return;
    }
    iommu_sva_flush_all(s);
    val &= ~(SVA_IOTLB_IVT | SVA_IOTLB_IAIG_MASK);
    val |= 1ULL << SVA_IOTLB_IAIG_SHIFT;
    iommu_sva_set_quad(s, SVA_REG_IOTLB, val);
}

static void sva_handle_fsts(IOMMUSVAState *s)
{
    uint32_t fsts = iommu_sva_get_long(s, SVA_REG_FSTS);

    if (s->iq_stopped && !(fsts & SVA_FSTS_IQE)) {
        /* Software fixed the queue: resume at IQH */
        s->iq_stopped = false;
        iommu_sva_set_quad(s, SVA_REG_IQERCD, 0);
        iommu_sva_qi_process(s);
    }
}

static void sva_handle_ics(IOMMUSVAState *s)
{
    if (!(iommu_sva_get_long(s, SVA_REG_ICS) & SVA_ICS_IWC)) {
        sva_set_clear_long(s, SVA_REG_IECTL, SVA_ECTL_IP, 0);
    }
}

static bool sva_range_hits(hwaddr addr, unsigned size, hwaddr reg,
                           unsigned reg_size)
{
    return addr < reg + reg_size && reg < addr + size;
}

static uint64_t sva_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOMMUSVAState *s = opaque;
    uint64_t val;

    if (addr + size > SVA_REG_USED) {
        return 0;
    }
    val = size == 8 ? ldq_le_p(&s->regs[addr]) : ldl_le_p(&s->regs[addr]);
    trace_iommu_sva_reg_read(addr, size, val);
    return val;
}

static void sva_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    IOMMUSVAState *s = opaque;
    unsigned i;

    trace_iommu_sva_reg_write(addr, size, val);
    if (addr + size > SVA_REG_USED) {
        SVA_GUEST_ERR(trace_iommu_sva_err_reg(addr, size),
                      "write to unimplemented register 0x%" HWADDR_PRIx,
                      addr);
        return;
    }

    for (i = 0; i < size; i++) {
        uint8_t b = val >> (8 * i);
        hwaddr a = addr + i;

        s->regs[a] = (s->regs[a] & ~s->wmask[a]) | (b & s->wmask[a]);
        s->regs[a] &= ~(b & s->w1cmask[a]);
    }

    if (sva_range_hits(addr, size, SVA_REG_GCMD, 4)) {
        sva_handle_gcmd(s);
    } else if (sva_range_hits(addr, size, SVA_REG_CCMD + 4, 4)) {
        sva_handle_ccmd(s);
    } else if (sva_range_hits(addr, size, SVA_REG_FSTS, 4)) {
        sva_handle_fsts(s);
    } else if (sva_range_hits(addr, size, SVA_REG_FECTL, 4)) {
        sva_ectl_write(s, SVA_REG_FECTL);
    } else if (sva_range_hits(addr, size, SVA_REG_IQT, 4)) {
        iommu_sva_qi_process(s);
    } else if (sva_range_hits(addr, size, SVA_REG_ICS, 4)) {
        sva_handle_ics(s);
    } else if (sva_range_hits(addr, size, SVA_REG_IECTL, 4)) {
        sva_ectl_write(s, SVA_REG_IECTL);
    } else if (sva_range_hits(addr, size, SVA_REG_PQH, 4)) {
        iommu_sva_prq_head_written(s);
    } else if (sva_range_hits(addr, size, SVA_REG_PECTL, 4)) {
        sva_ectl_write(s, SVA_REG_PECTL);
    } else if (sva_range_hits(addr, size, SVA_REG_IOTLB + 4, 4)) {
        sva_handle_iotlb(s);
    } else if (addr >= SVA_REG_FRCD) {
        sva_update_ppf(s);
    }
}

static const MemoryRegionOps sva_mmio_ops = {
    .read = sva_mmio_read,
    .write = sva_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
        .unaligned = false,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* Device */

static bool sva_check_params(IOMMUSVAState *s, Error **errp)
{
    X86IOMMUState *x86 = X86_IOMMU_DEVICE(s);

    if (x86_iommu_ir_supported(x86)) {
        error_setg(errp, "iommu-sva has no interrupt remapping; "
                   "use intremap=off (the default)");
        return false;
    }
    if (s->p.aw_bits != 39 && s->p.aw_bits != 48 && s->p.aw_bits != 57) {
        error_setg(errp, "aw-bits must be 39, 48 or 57 (got %u)",
                   s->p.aw_bits);
        return false;
    }
    if (s->p.pasid_bits < 1 || s->p.pasid_bits > 20) {
        error_setg(errp, "pasid-bits must be 1..20 (got %u)",
                   s->p.pasid_bits);
        return false;
    }
    if (s->p.frcd_count < 1 || s->p.frcd_count > SVA_FRCD_MAX) {
        error_setg(errp, "fault-records must be 1..%u (got %u)",
                   SVA_FRCD_MAX, s->p.frcd_count);
        return false;
    }
    if (!s->p.prq_overflow || !strcmp(s->p.prq_overflow, "success")) {
        s->p.prq_overflow_rc = SVA_PGRP_RC_SUCCESS;
    } else if (!strcmp(s->p.prq_overflow, "invalid")) {
        s->p.prq_overflow_rc = SVA_PGRP_RC_INVALID;
    } else if (!strcmp(s->p.prq_overflow, "failure")) {
        s->p.prq_overflow_rc = SVA_PGRP_RC_FAILURE;
    } else if (!strcmp(s->p.prq_overflow, "none")) {
        s->p.prq_overflow_rc = -1;
    } else {
        error_setg(errp, "prq-overflow must be success, invalid, failure "
                   "or none (got %s)", s->p.prq_overflow);
        return false;
    }
    if (s->p.iotlb_size > (1u << 20)) {
        error_setg(errp, "iotlb-size must be at most %u", 1u << 20);
        return false;
    }
    return true;
}

static void sva_realize(DeviceState *dev, Error **errp)
{
    IOMMUSVAState *s = IOMMU_SVA(dev);
    PCMachineState *pcms = PC_MACHINE(qdev_get_machine());

    if (!sva_check_params(s, errp)) {
        return;
    }

    qemu_mutex_init(&s->lock);
    qemu_mutex_init(&s->fault_lock);
    g_queue_init(&s->fault_queue);
    s->fault_bh = qemu_bh_new_guarded(sva_fault_bh, s,
                                      &DEVICE(s)->mem_reentrancy_guard);
    iommu_sva_caches_init(s);
    iommu_sva_ep_init(s);
    s->spaces = g_hash_table_new(g_int64_hash, g_int64_equal);
    QLIST_INIT(&s->space_list);

    sva_cap_init(s);
    sva_regs_init(s);

    memory_region_init_io(&s->mmio, OBJECT(s), &sva_mmio_ops, s,
                          "iommu-sva", SVA_REG_WINDOW);
    sysbus_init_mmio(SYS_BUS_DEVICE(s), &s->mmio);
    sysbus_mmio_map(SYS_BUS_DEVICE(s), 0, IOMMU_SVA_MMIO_BASE);

    pci_setup_iommu(pcms->pcibus, &iommu_sva_pci_ops, s);
}

static void sva_instance_init(Object *obj)
{
    X86IOMMUState *x86 = X86_IOMMU_DEVICE(obj);

    /* No interrupt remapping; device-TLB on by default */
    x86->intr_supported = ON_OFF_AUTO_OFF;
    x86->dt_supported = true;
}

static void sva_reset_hold(Object *obj, ResetType type)
{
    IOMMUSVAState *s = IOMMU_SVA(obj);

    WITH_QEMU_LOCK_GUARD(&s->fault_lock) {
        g_queue_clear_full(&s->fault_queue, g_free);
    }
    sva_regs_init(s);
    iommu_sva_flush_all(s);
    iommu_sva_switch_spaces(s);
    iommu_sva_ep_reset(s);
    trace_iommu_sva_reset();
}

static int sva_post_load(void *opaque, int version_id)
{
    IOMMUSVAState *s = opaque;
    uint32_t gsts = iommu_sva_get_long(s, SVA_REG_GSTS);

    if (s->frcd_next >= s->p.frcd_count) {
        return -EINVAL;
    }
    /* Keep capabilities and masks from this side's configuration */
    iommu_sva_set_quad(s, SVA_REG_CAP, s->cap);
    iommu_sva_set_quad(s, SVA_REG_ECAP, s->ecap);
    qatomic_set(&s->te, !!(gsts & SVA_GSTS_TES));
    s->qie = !!(gsts & SVA_GSTS_QIES);
    iommu_sva_flush_all(s);
    iommu_sva_switch_spaces(s);
    return 0;
}

static const VMStateDescription sva_vmstate = {
    .name = "iommu-sva",
    .version_id = 1,
    .minimum_version_id = 1,
    .priority = MIG_PRI_IOMMU,
    .post_load = sva_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(regs, IOMMUSVAState, SVA_REG_USED),
        VMSTATE_UINT64(root, IOMMUSVAState),
        VMSTATE_BOOL(iq_stopped, IOMMUSVAState),
        VMSTATE_UINT8(frcd_next, IOMMUSVAState),
        VMSTATE_END_OF_LIST()
    }
};

static const Property sva_properties[] = {
    DEFINE_PROP_UINT8("aw-bits", IOMMUSVAState, p.aw_bits, 48),
    DEFINE_PROP_UINT8("pasid-bits", IOMMUSVAState, p.pasid_bits, 10),
    DEFINE_PROP_UINT8("fault-records", IOMMUSVAState, p.frcd_count, 4),
    DEFINE_PROP_UINT32("iotlb-size", IOMMUSVAState, p.iotlb_size, 4096),
    DEFINE_PROP_BOOL("fl1gp", IOMMUSVAState, p.fl1gp, true),
    DEFINE_PROP_BOOL("fl5lp", IOMMUSVAState, p.fl5lp, true),
    DEFINE_PROP_BOOL("prs", IOMMUSVAState, p.prs, true),
    /*
     * What a device gets for a page group the full queue dropped:
     * success (retry), invalid, failure, or none (no answer: for testing
     * a device's own timeout).
     */
    DEFINE_PROP_STRING("prq-overflow", IOMMUSVAState, p.prq_overflow),
};

static void sva_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    X86IOMMUClass *x86_class = X86_IOMMU_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    rc->phases.hold = sva_reset_hold;
    dc->vmsd = &sva_vmstate;
    device_class_set_props(dc, sva_properties);
    dc->hotpluggable = false;
    x86_class->realize = sva_realize;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    dc->desc = "Scalable-mode VT-d IOMMU for shared virtual addressing";
}

static const TypeInfo sva_info = {
    .name          = TYPE_IOMMU_SVA,
    .parent        = TYPE_X86_IOMMU_DEVICE,
    .instance_size = sizeof(IOMMUSVAState),
    .instance_init = sva_instance_init,
    .class_init    = sva_class_init,
};

static void sva_register_types(void)
{
    type_register_static(&sva_info);
}

type_init(sva_register_types)
