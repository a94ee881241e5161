/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers of the iommu-sva qtests: a q35 machine with iommu-sva and
 * iommu-sva-testdev, tables built in guest RAM, the invalidation queue,
 * fault records. Event messages are pointed at guest RAM so tests see them.
 */
#ifndef TESTS_QTEST_IOMMU_SVA_UTIL_H
#define TESTS_QTEST_IOMMU_SVA_UTIL_H

#include "../libqtest.h"
#include "../libqos/libqos-pc.h"
#include "../libqos/pci.h"
#include "hw/iommu-sva/iommu-sva-acpi.h"
#include "hw/iommu-sva/iommu-sva-regs.h"
#include "hw/iommu-sva/iommu-sva-testdev.h"

#define TD_DEVFN            QPCI_DEVFN(3, 0)
#define TD_SID              TD_DEVFN            /* bus 0 */
#define TD_DID              7
#define TD_PASID            5
#define IQ_ENTRIES          (SVA_PAGE_SIZE / 32)  /* QS=0, 256-bit */
#define EVENT_DATA_FAULT    0xfa17
#define EVENT_DATA_PRQ      0x9e40
#define MIB                 (1ULL << 20)
#define GIB                 (1ULL << 30)
/* Flags of a fully permissive non-leaf entry */
#define FL_TABLE            (SVA_FL_P | SVA_FL_RW | SVA_FL_US)
/* IOMMUAccessFlags as the testdev reports them */
#define PERM_RO             1
#define PERM_WO             2

typedef struct T {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t root, ctx, pdir;
    uint64_t iq;
    uint32_t iq_tail;
    uint64_t status;            /* wait descriptor status word */
    uint32_t seq;
    uint64_t events;            /* event messages land here */
    uint32_t ver;               /* VER at start: the unit still answers */
} T;

uint64_t rdq(T *t, uint64_t reg);
uint32_t rdl(T *t, uint64_t reg);
void wrq(T *t, uint64_t reg, uint64_t v);
void wrl(T *t, uint64_t reg, uint32_t v);
uint64_t td_rd(T *t, uint64_t reg);
void td_wr(T *t, uint64_t reg, uint64_t v);
int32_t td_cmd(T *t, uint32_t cmd);
int32_t td_dma_write(T *t, uint64_t addr, uint64_t val);
int32_t td_dma_read(T *t, uint64_t addr, uint64_t *val);
int32_t td_ats(T *t, uint32_t pasid, uint32_t flags, uint64_t addr);
uint64_t page(T *t);
uint64_t aligned_block(T *t, uint64_t size);
uint64_t mem_rdq(T *t, uint64_t a);
void mem_wrq(T *t, uint64_t a, uint64_t v);
void td_find(QPCIDevice *dev, int devfn, void *data);
void set_context(T *t, uint64_t flags, uint32_t rid_pasid);
uint64_t pasid_entry(T *t, uint32_t pasid);
void set_pasid_fl(T *t, uint32_t pasid, uint64_t flptr, bool five,
                  uint64_t pe2_flags);
void set_pasid_pt(T *t, uint32_t pasid);
uint64_t map(T *t, uint64_t top, int levels, uint64_t va, uint64_t pa,
             int leaf_level, uint64_t leaf_flags);
int walk_entries(T *t, uint64_t top, int levels, uint64_t va,
                 uint64_t *out);
void qi_submit(T *t, const uint64_t *d);
uint64_t wait_desc(T *t, uint32_t data);
void qi_wait(T *t);
void qi_piotlb(T *t, uint32_t pasid, uint64_t addr, unsigned am);
void qi_piotlb_all(T *t, uint32_t pasid);
void start(T *t, const char *props, uint64_t ctx_flags);
void start_dev(T *t, const char *iommu, const char *extra, uint64_t ctx_flags);
void stop(T *t);
void expect_fault(T *t, uint8_t reason, bool write, uint64_t addr,
                  uint32_t pasid);
void expect_no_fault(T *t);

#endif
