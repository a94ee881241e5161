/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd translation client. Behind iommu-sva, queues with a PASID (and,
 * with ATS enabled, requests without one) go through the device's ATC
 * (accel-wd-atc.c). Otherwise plain bus-master DMA: addresses are bus
 * addresses in the device's PCI address space (through any IOMMU that
 * translates requests without PASID). Only RAM is mapped: a request that
 * hits MMIO or nothing fails, so a worker thread never needs the BQL.
 */
#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"
#include "accel-wd-xlate.h"
#include "accel-wd-atc.h"
#include "accel_wd_hw.h"
#include "trace.h"

void awd_mapping_add(AwdMapping *m, void *p, uint64_t len)
{
    if (m->sgl.nseg == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->sgl.seg = g_renew(AwdSeg, m->sgl.seg, m->cap);
        m->seg_len = g_renew(uint64_t, m->seg_len, m->cap);
    }
    m->sgl.seg[m->sgl.nseg].base = p;
    m->sgl.seg[m->sgl.nseg].len = len;
    m->seg_len[m->sgl.nseg] = len;
    m->sgl.nseg++;
    m->sgl.total += len;
}

/* Is [addr, addr + *len) direct-access RAM? Trims *len to one section. */
static bool range_is_ram(AddressSpace *as, hwaddr addr, hwaddr *len,
                         bool is_write)
{
    MemoryRegion *mr;
    hwaddr xlat;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(as, addr, &xlat, len, is_write,
                                 MEMTXATTRS_UNSPECIFIED);
    return memory_access_is_direct(mr, is_write, MEMTXATTRS_UNSPECIFIED);
}

uint32_t awd_xlate_map(AwdXlateCtx *x, uint64_t addr, size_t len,
                       bool is_write, AwdMapping *m, uint64_t *fault_addr)
{
    AddressSpace *as = pci_get_address_space(x->pdev);
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    uint32_t st;

    m->sgl.nseg = 0;
    m->sgl.total = 0;
    m->is_write = is_write;
    m->atc = false;
    if (awd_atc_wanted(x)) {
        st = awd_atc_map(x, addr, len, is_write, m, fault_addr);
        if (st != AWD_ATC_FALLBACK) {
            return st;
        }
    } else if (x->pasid_en) {
        /* nothing translates this PASID (no ATS, or PASID disabled) */
        *fault_addr = addr;
        return AWD_STS_FAULT;
    }
    if (len && addr + len - 1 < addr) {
        *fault_addr = addr;
        return AWD_STS_DMA_ERROR;
    }
    while (len) {
        hwaddr l = len;
        dma_addr_t plen;
        void *p;

        if (!range_is_ram(as, addr, &l, is_write) || !l) {
            goto fail;
        }
        plen = l;
        p = dma_memory_map(as, addr, &plen, dir, MEMTXATTRS_UNSPECIFIED);
        if (!p || !plen) {
            goto fail;
        }
        awd_mapping_add(m, p, plen);
        addr += plen;
        len -= plen;
    }
    return AWD_STS_OK;

fail:
    trace_accel_wd_dma_error(addr, len, is_write);
    *fault_addr = addr;
    awd_xlate_unmap(x, m, 0);
    return AWD_STS_DMA_ERROR;
}

void awd_xlate_unmap(AwdXlateCtx *x, AwdMapping *m, size_t access_len)
{
    AddressSpace *as = pci_get_address_space(x->pdev);
    DMADirection dir = m->is_write ? DMA_DIRECTION_FROM_DEVICE :
                                     DMA_DIRECTION_TO_DEVICE;
    unsigned i;

    if (m->atc) {
        awd_atc_unmap(x, m, access_len);
        return;
    }
    for (i = 0; i < m->sgl.nseg; i++) {
        uint64_t l = m->seg_len[i];
        uint64_t done = MIN(l, access_len);

        dma_memory_unmap(as, m->sgl.seg[i].base, l, dir, done);
        access_len -= done;
    }
    m->sgl.nseg = 0;
    m->sgl.total = 0;
}

bool awd_xlate_on_demand(AwdXlateCtx *x)
{
    return x->atc && awd_atc_wanted(x);
}

bool awd_xlate_is_atc(const AwdMapping *m)
{
    return m->atc;
}

uint32_t awd_xlate_extend(AwdXlateCtx *x, AwdMapping *m, size_t add,
                          uint64_t *fault_addr)
{
    if (!m->atc) {
        *fault_addr = m->addr + m->len;
        return AWD_STS_DMA_ERROR;
    }
    return awd_atc_extend(x, m, add, fault_addr);
}

bool awd_xlate_checkpoint(AwdXlateCtx *x)
{
    return !x->atc || awd_atc_checkpoint(x);
}

void awd_xlate_prefetch(AwdXlateCtx *x, AwdMapping *m, size_t len)
{
    if (m->atc && len) {
        awd_atc_prefetch(x, m->addr + m->len, len, m->is_write);
    }
}

void awd_mapping_free(AwdMapping *m)
{
    g_free(m->sgl.seg);
    g_free(m->seg_len);
    memset(m, 0, sizeof(*m));
}

static uint32_t xlate_copy(AwdXlateCtx *x, uint64_t addr, void *buf,
                           size_t len, bool is_write, uint64_t *fault_addr)
{
    AwdMapping m = { 0 };
    uint8_t *b = buf;
    uint32_t st;
    unsigned i;

    st = awd_xlate_map(x, addr, len, is_write, &m, fault_addr);
    if (st == AWD_STS_OK) {
        for (i = 0; i < m.sgl.nseg; i++) {
            if (is_write) {
                memcpy(m.sgl.seg[i].base, b, m.sgl.seg[i].len);
            } else {
                memcpy(b, m.sgl.seg[i].base, m.sgl.seg[i].len);
            }
            b += m.sgl.seg[i].len;
        }
        awd_xlate_unmap(x, &m, is_write ? len : 0);
    }
    awd_mapping_free(&m);
    return st;
}

uint32_t awd_xlate_read(AwdXlateCtx *x, uint64_t addr, void *buf,
                        size_t len, uint64_t *fault_addr)
{
    return xlate_copy(x, addr, buf, len, false, fault_addr);
}

uint32_t awd_xlate_write(AwdXlateCtx *x, uint64_t addr, const void *buf,
                         size_t len, uint64_t *fault_addr)
{
    return xlate_copy(x, addr, (void *)buf, len, true, fault_addr);
}
