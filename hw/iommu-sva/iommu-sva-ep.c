/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: the endpoint interface of pci-sva.h (ATS translation
 * requests, PRI page requests and responses, device-TLB invalidation
 * notifiers) and the PCIe PASID/PRI capability helpers.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "exec/address-spaces.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci_bus.h"
#include "iommu-sva.h"
#include "pci-sva.h"
#include "trace.h"

typedef struct SVAIotlbNotifier {
    uint32_t pasid;
    IOMMUNotifier *n;
} SVAIotlbNotifier;

typedef struct SVAPendingResponse {
    IOMMUSVAState *s;
    PCIBus *bus;
    uint8_t devfn;
    uint32_t pasid;
    PCISVAPRIResponse resp;
} SVAPendingResponse;

/* The key of GHashTable pri: PASID + 1, so PCI_SVA_NO_PASID maps to 0 */
#define SVA_PRI_KEY(pasid)      GUINT_TO_POINTER((guint)(pasid) + 1)

/*
 * Find the device's space: the root of its DMA address space is a space's
 * container, owned by the iommu-sva object (no other region it owns is an
 * address space's root).
 */
static IOMMUSVASpace *sva_dev_space(PCIDevice *dev)
{
    AddressSpace *as = pci_device_iommu_address_space(dev);
    Object *owner;

    if (!as || !as->root) {
        return NULL;
    }
    owner = memory_region_owner(as->root);
    if (!owner || !object_dynamic_cast(owner, TYPE_IOMMU_SVA)) {
        return NULL;
    }
    return container_of(as->root, IOMMUSVASpace, root);
}

void iommu_sva_ep_space_init(IOMMUSVASpace *sp)
{
    sp->pri = g_hash_table_new(g_direct_hash, g_direct_equal);
    sp->iotlb_notifiers = g_ptr_array_new_with_free_func(g_free);
}

bool pci_sva_available(PCIDevice *dev)
{
    return sva_dev_space(dev) != NULL;
}

int pci_sva_get_iotlb_info(PCIDevice *dev, uint8_t *addr_width,
                           uint32_t *min_page_size)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);

    if (!sp) {
        return -ENODEV;
    }
    *addr_width = sp->s->p.fl5lp ? 57 : 48;
    *min_page_size = SVA_PAGE_SIZE;
    return 0;
}

/*
 * Translation requests the PASID entry can never satisfy, whatever the
 * page tables hold: VT-d 4.2.3 answers them with Unsupported Request
 * rather than a translation with no permission, so the device does not
 * ask for the page (Linux would refuse it and log two lines each time).
 * A first-stage input address that is not canonical (3.6), and a
 * supervisor request when SRE is 0 in the PASID entry (3.6.2).
 */
static bool sva_ats_unsupported(uint8_t fault)
{
    return fault == SVA_FR_FS_NON_CANONICAL || fault == SVA_FR_SM_PTE_SRE;
}

ssize_t pci_sva_ats_request_translation(PCIDevice *dev, uint32_t pasid,
                                        bool priv_req, bool exec_req,
                                        hwaddr addr, size_t length,
                                        bool no_write,
                                        IOMMUTLBEntry *result,
                                        size_t result_length,
                                        uint32_t *err_count)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);
    IOMMUSVAState *s;
    uint64_t end, cur;
    size_t n = 0;

    *err_count = 0;
    if (!sp) {
        return -ENODEV;
    }
    if (!length || !result_length || addr + length - 1 < addr ||
        (pasid != PCI_SVA_NO_PASID && (pasid >> 20))) {
        return -EINVAL;
    }
    s = sp->s;
    end = addr + length - 1;
    cur = addr & ~(SVA_PAGE_SIZE - 1);

    while (n < result_length) {
        IOMMUTLBEntry *e = &result[n];
        SVAXlateReq req = {
            .sid = iommu_sva_space_sid(sp),
            .pasid = pasid == PCI_SVA_NO_PASID ? SVA_NO_PASID : pasid,
            .addr = cur,
            .read = true,
            .priv = priv_req,
            .exec = exec_req,
            .no_write = no_write,
            .ats = true,
        };
        SVAXlateResult res;

        if (!qatomic_read(&s->te)) {
            /* Translation disabled: untranslated address is the answer */
            res = (SVAXlateResult) {
                .iova = cur, .phys = cur, .mask = SVA_PAGE_SIZE - 1,
                .read = true, .write = !no_write,
            };
        } else {
            iommu_sva_xlate(s, &req, &res);
        }
        if (res.fault && sva_ats_unsupported(res.fault)) {
            trace_iommu_sva_ats_ur(req.sid, pasid, cur, res.fault);
            /*
             * The pages before it are answered; a request that begins
             * with this page gets the Unsupported Request.
             */
            if (!n) {
                (*err_count)++;
                return -EFAULT;
            }
            break;
        }
        *e = (IOMMUTLBEntry) {
            .target_as = &address_space_memory,
            .iova = res.iova,
            .translated_addr = res.phys,
            .addr_mask = res.mask,
            .perm = (res.read ? IOMMU_RO : 0) | (res.write ? IOMMU_WO : 0),
        };
        trace_iommu_sva_ats(req.sid, pasid, cur, res.phys, e->perm,
                            res.fault);
        n++;
        if (res.fault) {
            e->iova = cur;
            e->translated_addr = 0;
            e->addr_mask = SVA_PAGE_SIZE - 1;
            e->perm = IOMMU_NONE;
            (*err_count)++;
            if (res.fault == SVA_FR_SM_CTX_DTE) {
                return -EPERM;
            }
            break;
        }
        if (res.iova + res.mask >= end || res.iova + res.mask + 1 == 0) {
            break;
        }
        cur = res.iova + res.mask + 1;
    }
    return n;
}

int pci_sva_pri_register_notifier(PCIDevice *dev, uint32_t pasid,
                                  PCISVAPRINotifier *notifier)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);

    if (!sp) {
        return -ENODEV;
    }
    BQL_LOCK_GUARD();
    g_hash_table_insert(sp->pri, SVA_PRI_KEY(pasid), notifier);
    return 0;
}

void pci_sva_pri_unregister_notifier(PCIDevice *dev, uint32_t pasid)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);

    if (sp) {
        BQL_LOCK_GUARD();
        g_hash_table_remove(sp->pri, SVA_PRI_KEY(pasid));
    }
}

static void sva_deliver_response(IOMMUSVASpace *sp, uint32_t pasid,
                                 PCISVAPRIResponse *resp)
{
    PCISVAPRINotifier *n = g_hash_table_lookup(sp->pri, SVA_PRI_KEY(pasid));

    trace_iommu_sva_pri_response(iommu_sva_space_sid(sp), pasid, resp->prgi,
                                 resp->response_code, n != NULL);
    if (n && n->notify) {
        n->notify(n, resp);
    }
}

static void sva_resp_bh(void *opaque)
{
    IOMMUSVAState *s = opaque;
    SVAPendingResponse *p;

    while ((p = g_queue_pop_head(&s->resp_queue))) {
        IOMMUSVASpace *sp = iommu_sva_find_space(s, p->bus, p->devfn);

        if (sp) {
            sva_deliver_response(sp, p->pasid, &p->resp);
        }
        g_free(p);
    }
}

/* A response the IOMMU makes itself; never re-enters the requester */
static void sva_auto_respond(IOMMUSVASpace *sp, uint32_t pasid,
                             uint16_t prgi, uint8_t code)
{
    SVAPendingResponse *p = g_new0(SVAPendingResponse, 1);

    p->s = sp->s;
    p->bus = sp->bus;
    p->devfn = sp->devfn;
    p->pasid = pasid;
    p->resp.prgi = prgi;
    p->resp.response_code = code;
    g_queue_push_tail(&sp->s->resp_queue, p);
    qemu_bh_schedule(sp->s->resp_bh);
}

/* Reset: responses not yet delivered belong to the old world */
void iommu_sva_ep_reset(IOMMUSVAState *s)
{
    SVAPendingResponse *p;

    while ((p = g_queue_pop_head(&s->resp_queue))) {
        g_free(p);
    }
}

void iommu_sva_ep_init(IOMMUSVAState *s)
{
    g_queue_init(&s->resp_queue);
    s->resp_bh = qemu_bh_new_guarded(sva_resp_bh, s,
                                     &DEVICE(s)->mem_reentrancy_guard);
}

int pci_sva_pri_request_page(PCIDevice *dev, uint32_t pasid, bool priv_req,
                             bool exec_req, hwaddr addr, bool lpig,
                             uint16_t prgi, bool is_read, bool is_write)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);
    IOMMUSVAState *s;
    SVAPageRequest pr;
    bool ce_ok;
    int ret;

    if (!sp) {
        return -ENODEV;
    }
    if (prgi >= (1u << 9) || (pasid != PCI_SVA_NO_PASID && (pasid >> 20))) {
        return -EINVAL;
    }
    s = sp->s;
    pr = (SVAPageRequest) {
        .rid = iommu_sva_space_sid(sp),
        .pasid = pasid == PCI_SVA_NO_PASID ? SVA_NO_PASID : pasid,
        .addr = addr,
        .prgi = prgi,
        .priv = priv_req,
        .exec = exec_req,
        .read = is_read,
        .write = is_write,
        .lpig = lpig,
    };

    BQL_LOCK_GUARD();
    ce_ok = iommu_sva_page_request_allowed(s, pr.rid);
    trace_iommu_sva_pri_request(pr.rid, pasid, addr, prgi, lpig, is_read,
                                is_write);
    if (!(s->ecap & SVA_ECAP_PRS) || !ce_ok) {
        if (lpig) {
            sva_auto_respond(sp, pasid, prgi, PCI_SVA_PRI_INVALID);
        }
        return -EPERM;
    }
    ret = iommu_sva_prq_write(s, &pr);
    if (ret == -ENOSPC && lpig && s->p.prq_overflow_rc >= 0) {
        /* Overflow: answer (Success by default) so the device retries */
        sva_auto_respond(sp, pasid, prgi, s->p.prq_overflow_rc);
    } else if (ret < 0 && ret != -ENOSPC && lpig) {
        /* Queue not usable: the group fails */
        sva_auto_respond(sp, pasid, prgi, PCI_SVA_PRI_FAILURE);
    }
    return ret;
}

void iommu_sva_ep_page_response(IOMMUSVAState *s, uint16_t rid,
                                const PCISVAPageResponse *r)
{
    IOMMUSVASpace *sp;
    PCISVAPRIResponse resp = {
        .response_code = r->code,
        .prgi = r->prgi,
    };

    QLIST_FOREACH(sp, &s->space_list, next) {
        if (iommu_sva_space_sid(sp) == rid) {
            sva_deliver_response(sp, r->pasid, &resp);
            return;
        }
    }
    trace_iommu_sva_pri_response(rid, r->pasid, r->prgi, r->code, false);
}

/* Device-TLB invalidation notifiers */

void pci_sva_init_iotlb_notifier(PCIDevice *dev, IOMMUNotifier *n,
                                 IOMMUNotify fn, void *opaque)
{
    /* As in QEMU 10.1; the device finds itself with container_of() */
    iommu_notifier_init(n, fn, IOMMU_NOTIFIER_DEVIOTLB_UNMAP, 0, HWADDR_MAX,
                        0);
}

int pci_sva_register_iotlb_notifier(PCIDevice *dev, uint32_t pasid,
                                    IOMMUNotifier *n)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);
    SVAIotlbNotifier *e;

    if (!sp) {
        return -ENODEV;
    }
    BQL_LOCK_GUARD();
    e = g_new0(SVAIotlbNotifier, 1);
    e->pasid = pasid;
    e->n = n;
    g_ptr_array_add(sp->iotlb_notifiers, e);
    return 0;
}

void pci_sva_unregister_iotlb_notifier(PCIDevice *dev, uint32_t pasid,
                                       IOMMUNotifier *n)
{
    IOMMUSVASpace *sp = sva_dev_space(dev);
    guint i;

    if (!sp) {
        return;
    }
    BQL_LOCK_GUARD();
    for (i = 0; i < sp->iotlb_notifiers->len; i++) {
        SVAIotlbNotifier *e = g_ptr_array_index(sp->iotlb_notifiers, i);

        if (e->pasid == pasid && e->n == n) {
            g_ptr_array_remove_index(sp->iotlb_notifiers, i);
            return;
        }
    }
}

/*
 * Called from the invalidation queue with the BQL held. @size 0 means the
 * whole address space. @global (PASID device-TLB with G) reaches every
 * PASID of the device.
 */
void iommu_sva_ep_devtlb_inv(IOMMUSVAState *s, uint16_t sid, uint32_t pasid,
                             bool global, uint64_t addr, uint64_t size)
{
    IOMMUSVASpace *sp;

    trace_iommu_sva_devtlb_inv(sid, pasid, global, addr, size);
    QLIST_FOREACH(sp, &s->space_list, next) {
        IOMMUTLBEntry entry = {
            .target_as = &address_space_memory,
            .iova = size ? addr : 0,
            .translated_addr = 0,
            .addr_mask = size ? size - 1 : HWADDR_MAX,
            .perm = IOMMU_NONE,
        };
        uint64_t last = entry.iova + entry.addr_mask;
        guint i;

        if (iommu_sva_space_sid(sp) != sid) {
            continue;
        }
        for (i = 0; i < sp->iotlb_notifiers->len; i++) {
            SVAIotlbNotifier *e = g_ptr_array_index(sp->iotlb_notifiers, i);
            IOMMUNotifier *n = e->n;

            if (!global && e->pasid != pasid) {
                continue;
            }
            if (n->end < entry.iova || n->start > last) {
                continue;
            }
            n->notify(n, &entry);
        }
    }
}

/* PCIe extended capabilities (mirroring QEMU 10.1 pcie_pasid_init/pri) */

void pcie_sva_pasid_init(PCIDevice *dev, uint16_t offset,
                         uint8_t pasid_width, bool exec_perm, bool priv_mod)
{
    uint16_t cap = ((uint16_t)MIN(pasid_width, 20) << 8) &
                   PCI_PASID_CAP_WIDTH;
    uint16_t ctrl_wmask = PCI_PASID_CTRL_ENABLE;

    if (exec_perm) {
        cap |= PCI_PASID_CAP_EXEC;
        ctrl_wmask |= PCI_PASID_CTRL_EXEC;
    }
    if (priv_mod) {
        cap |= PCI_PASID_CAP_PRIV;
        ctrl_wmask |= PCI_PASID_CTRL_PRIV;
    }
    pcie_add_capability(dev, PCI_EXT_CAP_ID_PASID, 1, offset,
                        PCI_EXT_CAP_PASID_SIZEOF);
    pci_set_word(dev->config + offset + PCI_PASID_CAP, cap);
    pci_set_word(dev->config + offset + PCI_PASID_CTRL, 0);
    pci_set_word(dev->wmask + offset + PCI_PASID_CTRL, ctrl_wmask);
}

void pcie_sva_pri_init(PCIDevice *dev, uint16_t offset,
                       uint32_t outstanding_pr_cap,
                       bool prg_response_pasid_req)
{
    uint16_t status = PCI_PRI_STATUS_STOPPED;

    if (prg_response_pasid_req) {
        status |= PCI_PRI_STATUS_PASID;
    }
    pcie_add_capability(dev, PCI_EXT_CAP_ID_PRI, 1, offset,
                        PCI_EXT_CAP_PRI_SIZEOF);
    pci_set_word(dev->config + offset + PCI_PRI_CTRL, 0);
    pci_set_word(dev->wmask + offset + PCI_PRI_CTRL,
                 PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET);
    pci_set_word(dev->config + offset + PCI_PRI_STATUS, status);
    pci_set_word(dev->w1cmask + offset + PCI_PRI_STATUS,
                 PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
    pci_set_long(dev->config + offset + PCI_PRI_MAX_REQ, outstanding_pr_cap);
    pci_set_long(dev->config + offset + PCI_PRI_ALLOC_REQ, 0);
    pci_set_long(dev->wmask + offset + PCI_PRI_ALLOC_REQ, UINT32_MAX);
}

bool pcie_sva_pasid_enabled(PCIDevice *dev)
{
    uint16_t off = pcie_find_capability(dev, PCI_EXT_CAP_ID_PASID);

    return off && (pci_get_word(dev->config + off + PCI_PASID_CTRL) &
                   PCI_PASID_CTRL_ENABLE);
}

bool pcie_sva_pri_enabled(PCIDevice *dev)
{
    uint16_t off = pcie_find_capability(dev, PCI_EXT_CAP_ID_PRI);

    return off && (pci_get_word(dev->config + off + PCI_PRI_CTRL) &
                   PCI_PRI_CTRL_ENABLE);
}
