/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: internal state of the scalable-mode VT-d model, shared by
 * iommu-sva.c (device, registers, events), iommu-sva-qi.c (invalidation
 * queue), iommu-sva-xlate.c (table walks, address spaces),
 * iommu-sva-cache.c (caches), iommu-sva-prq.c (page request queue) and
 * iommu-sva-ep.c (the pci-sva.h endpoint interface).
 *
 * Locking: the register file, the invalidation and page request queues,
 * the per-space notifier tables and the space list are used under the BQL
 * (MMIO, bottom halves; page requests take it). Translation runs in any
 * thread: it reads guest tables without locks, takes IOMMUSVAState.lock
 * for the caches and the space table only, and records faults directly
 * under the BQL or else through fault_bh. Never take the BQL while
 * holding IOMMUSVAState.lock.
 */
#ifndef HW_IOMMU_SVA_H
#define HW_IOMMU_SVA_H

#include "exec/memory.h"
#include "hw/i386/x86-iommu.h"
#include "hw/pci/pci.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "iommu-sva-acpi.h"
#include "iommu-sva-regs.h"

OBJECT_DECLARE_SIMPLE_TYPE(IOMMUSVAState, IOMMU_SVA)

#define TYPE_IOMMU_SVA_MEMORY_REGION "iommu-sva-iommu-memory-region"

/* MSI window: DMA writes here are interrupts, never translated (3.14) */
#define SVA_MSI_BASE            0xfee00000ULL
#define SVA_MSI_SIZE            0x100000ULL

/* Requests without PASID carry this value inside the model */
#define SVA_NO_PASID            UINT32_MAX
/* Invalidation wildcards */
#define SVA_FLUSH_ANY_DID       (-1)
#define SVA_FLUSH_ALL_AM        64

typedef struct IOMMUSVASpace IOMMUSVASpace;

/* One per (bus, devfn): the device's DMA address space */
struct IOMMUSVASpace {
    IOMMUSVAState *s;
    PCIBus *bus;
    uint8_t devfn;
    uint64_t key;               /* hash key: bus pointer and devfn */
    GHashTable *pri;            /* PASID + 1 -> PCISVAPRINotifier */
    GPtrArray *iotlb_notifiers; /* SVAIotlbNotifier */
    MemoryRegion root;          /* container, the AddressSpace's root */
    IOMMUMemoryRegion iommu;    /* translated view (TE=1) */
    MemoryRegion nodmar;        /* alias of system memory (TE=0) */
    MemoryRegion msi;           /* alias of the MSI window, always on */
    AddressSpace as;
    QLIST_ENTRY(IOMMUSVASpace) next;
};

/* User-visible knobs, one Property table over this struct */
typedef struct IOMMUSVAParams {
    uint8_t aw_bits;            /* host/guest address width: 39, 48, 57 */
    uint8_t pasid_bits;         /* 1..20; ECAP.PSS = pasid_bits - 1 */
    uint8_t frcd_count;         /* fault recording registers, 1..8 */
    uint32_t iotlb_size;        /* IOTLB entries; 0 disables caching */
    bool fl1gp;                 /* 1 GiB first-stage pages */
    bool fl5lp;                 /* 5-level first-stage paging */
    bool prs;                   /* page requests */
    char *prq_overflow;         /* answer to a group dropped on overflow */
    int prq_overflow_rc;        /* ... as a response code, -1: none */
} IOMMUSVAParams;

/* Request descriptor for one translation */
typedef struct SVAXlateReq {
    uint16_t sid;
    uint32_t pasid;             /* SVA_NO_PASID: use the RID_PASID */
    uint64_t addr;
    bool read;
    bool write;
    bool exec;
    bool priv;
    bool no_write;              /* ATS: do not grant write (no D update) */
    bool ats;                   /* translation request: never recorded */
} SVAXlateReq;

typedef struct SVAXlateResult {
    uint64_t iova;              /* page-aligned input */
    uint64_t phys;              /* page-aligned output */
    uint64_t mask;              /* page size - 1 */
    bool read;
    bool write;
    bool exec;
    bool priv;
    uint16_t did;
    uint32_t pasid;             /* the PASID used (RID_PASID resolved) */
    uint8_t fault;              /* SVAFaultReason; 0 on success */
    bool fpd;                   /* fault processing disabled */
} SVAXlateResult;

/* A cached first-stage translation */
typedef struct SVAIotlbEntry {
    uint64_t iova;
    uint64_t phys;
    uint64_t mask;
    uint32_t pasid;
    uint16_t did;
    bool rw;                    /* R/W set at every level */
    bool us;                    /* U/S set at every level */
    bool xd;                    /* XD set at some level */
    bool dirty;                 /* leaf D set */
} SVAIotlbEntry;

struct IOMMUSVAState {
    X86IOMMUState parent_obj;

    MemoryRegion mmio;
    uint8_t regs[SVA_REG_USED];
    uint8_t wmask[SVA_REG_USED];
    uint8_t w1cmask[SVA_REG_USED];

    IOMMUSVAParams p;
    uint64_t cap;
    uint64_t ecap;

    /* Derived from registers; rebuilt after reset and migration */
    bool te;                    /* translation enabled */
    bool qie;                   /* queued invalidation enabled */
    uint64_t root;              /* latched RTADDR (SRTP) */
    bool iq_stopped;            /* IQE set: wait for software */
    uint8_t frcd_next;          /* next fault recording register */

    QemuMutex lock;             /* caches */
    uint64_t cache_gen;         /* bumped by every invalidation */
    GHashTable *ctx_cache;      /* sid + 1 -> context entry */
    GHashTable *pasid_cache;    /* (sid, pasid) -> PASID entry */
    GHashTable *iotlb;          /* (did, pasid, page, level) -> entry */
    GHashTable *spaces;         /* (bus, devfn) -> IOMMUSVASpace */
    QLIST_HEAD(, IOMMUSVASpace) space_list;

    /* Faults seen without the BQL, recorded from a BH */
    QemuMutex fault_lock;
    GQueue fault_queue;
    QEMUBH *fault_bh;

    /* Page group responses the IOMMU makes itself, delivered from a BH */
    QEMUBH *resp_bh;
    GQueue resp_queue;
};

/* iommu-sva.c */
uint64_t iommu_sva_get_quad(IOMMUSVAState *s, hwaddr reg);
uint32_t iommu_sva_get_long(IOMMUSVAState *s, hwaddr reg);
void iommu_sva_set_quad(IOMMUSVAState *s, hwaddr reg, uint64_t val);
void iommu_sva_set_long(IOMMUSVAState *s, hwaddr reg, uint32_t val);
void iommu_sva_record_fault(IOMMUSVAState *s, const SVAXlateReq *req,
                            uint8_t reason);
void iommu_sva_report_fault(IOMMUSVAState *s, const SVAXlateReq *req,
                            uint8_t reason);
void iommu_sva_event(IOMMUSVAState *s, hwaddr ctl_reg);
void iommu_sva_iq_error(IOMMUSVAState *s, uint32_t iqei);

/* iommu-sva-qi.c */
void iommu_sva_qi_process(IOMMUSVAState *s);

/* iommu-sva-prq.c */
typedef struct SVAPageRequest {
    uint16_t rid;
    uint32_t pasid;             /* SVA_NO_PASID if none */
    uint64_t addr;
    uint16_t prgi;
    bool priv;
    bool exec;
    bool read;
    bool write;
    bool lpig;
} SVAPageRequest;

void iommu_sva_prq_head_written(IOMMUSVAState *s);
int iommu_sva_prq_write(IOMMUSVAState *s, const SVAPageRequest *pr);

/* iommu-sva-ep.c */
struct PCISVAPageResponse;
void iommu_sva_ep_devtlb_inv(IOMMUSVAState *s, uint16_t sid, uint32_t pasid,
                             bool global, uint64_t addr, uint64_t size);
void iommu_sva_ep_page_response(IOMMUSVAState *s, uint16_t rid,
                                const struct PCISVAPageResponse *resp);
void iommu_sva_ep_init(IOMMUSVAState *s);
void iommu_sva_ep_reset(IOMMUSVAState *s);
void iommu_sva_ep_space_init(IOMMUSVASpace *sp);

/* iommu-sva-xlate.c */
void iommu_sva_xlate(IOMMUSVAState *s, const SVAXlateReq *req,
                     SVAXlateResult *res);
extern const PCIIOMMUOps iommu_sva_pci_ops;
void iommu_sva_notify_unmap(IOMMUSVAState *s, int did, uint32_t pasid,
                            uint64_t first, uint64_t last);

/* iommu-sva-cache.c */
void iommu_sva_caches_init(IOMMUSVAState *s);
uint64_t iommu_sva_cache_gen(IOMMUSVAState *s);
void iommu_sva_ctx_insert(IOMMUSVAState *s, uint16_t sid, const uint64_t *ce,
                          uint64_t gen);
void iommu_sva_pasid_insert(IOMMUSVAState *s, uint16_t sid, uint32_t pasid,
                            const uint64_t *pe, uint64_t gen);
bool iommu_sva_iotlb_lookup(IOMMUSVAState *s, uint16_t did, uint32_t pasid,
                            uint64_t addr, SVAIotlbEntry *out);
void iommu_sva_iotlb_insert(IOMMUSVAState *s, const SVAIotlbEntry *e,
                            uint64_t gen);
void iommu_sva_iotlb_drop(IOMMUSVAState *s, const SVAIotlbEntry *e);
#define SVA_HIT_CTX             1u
#define SVA_HIT_PASID           2u
#define SVA_HIT_IOTLB           4u
unsigned iommu_sva_cache_lookup(IOMMUSVAState *s, uint16_t sid,
                                uint32_t pasid, uint64_t addr, uint64_t *ce,
                                uint64_t *pe, SVAIotlbEntry *e);
IOMMUSVASpace *iommu_sva_find_space(IOMMUSVAState *s, PCIBus *bus,
                                    int devfn);
uint16_t iommu_sva_space_sid(IOMMUSVASpace *sp);
bool iommu_sva_page_request_allowed(IOMMUSVAState *s, uint16_t rid);
void iommu_sva_switch_spaces(IOMMUSVAState *s);
void iommu_sva_flush_all(IOMMUSVAState *s);
void iommu_sva_flush_context(IOMMUSVAState *s, bool all, uint16_t sid,
                             uint16_t sid_mask);
void iommu_sva_flush_pasid(IOMMUSVAState *s, int did, uint32_t pasid);
void iommu_sva_flush_iotlb(IOMMUSVAState *s, int did, uint32_t pasid,
                           uint64_t addr, unsigned am);

#endif
