/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pci-sva: the endpoint interface between a PCIe device and iommu-sva for
 * address translation services (ATS), page requests (PRI) and device-TLB
 * invalidation, per PASID.
 *
 * QEMU 10.0's PCIIOMMUOps has no such interface; QEMU 10.1 added one
 * (pci_ats_request_translation, pci_pri_request_page,
 * pci_pri_register_notifier, pci_iommu_register_iotlb_notifier,
 * pci_iommu_get_iotlb_info, pcie_pasid_init, pcie_pri_init). Every function
 * here has the same arguments and meaning as its 10.1 namesake with
 * "pci_sva_"/"pcie_sva_" in place of "pci_"/"pci_iommu_"/"pcie_", so a
 * port to 10.1+ is a rename.
 *
 * How a device finds the interface without changing PCIIOMMUOps: the
 * AddressSpace that pci_device_iommu_address_space() returns for a device
 * behind iommu-sva has as its root a container MemoryRegion owned by the
 * iommu-sva object. pci_sva_*() look at that owner; if it is not an
 * iommu-sva (no IOMMU, or another one), they fail with -ENODEV (or return
 * false from pci_sva_available()) and the device carries on without ATS.
 *
 * Translated addresses are guest-physical: a device accesses them through
 * the returned entry's target_as (address_space_memory), as PCIe
 * translated requests bypass the IOMMU. Untranslated DMA keeps using
 * pci_dma_*() and goes through the IOMMU (requests without PASID).
 *
 * A device unregisters its notifiers before it goes away (exit or
 * unrealize): the IOMMU keeps per-(bus, devfn) state across hot-unplug.
 *
 * Calling context: any thread. Translation requests take the IOMMU's own
 * lock; page requests, PRI responses and device-TLB notifications run with
 * the BQL held (page requests take it if the caller does not hold it).
 * Device-TLB notifiers are called synchronously from the invalidation
 * queue, before any later wait descriptor completes: when a notifier
 * returns, the device must no longer use the invalidated translations.
 */
#ifndef HW_IOMMU_SVA_PCI_SVA_H
#define HW_IOMMU_SVA_PCI_SVA_H

#include "exec/memory.h"
#include "hw/pci/pci_device.h"

/* Requests without PASID */
#define PCI_SVA_NO_PASID        UINT32_MAX

/* PRI page group response codes (PCIe 10.4.2.2) */
#define PCI_SVA_PRI_SUCCESS     0x0
#define PCI_SVA_PRI_INVALID     0x1
#define PCI_SVA_PRI_FAILURE     0xf

/* Mirrors QEMU 10.1 IOMMUPRIResponse */
typedef struct PCISVAPRIResponse {
    uint8_t response_code;
    uint16_t prgi;
} PCISVAPRIResponse;

typedef struct PCISVAPRINotifier PCISVAPRINotifier;
typedef void (*PCISVAPRINotify)(PCISVAPRINotifier *notifier,
                                PCISVAPRIResponse *response);

/* Mirrors QEMU 10.1 IOMMUPRINotifier; embed it in the device state */
struct PCISVAPRINotifier {
    PCISVAPRINotify notify;
};

/* Page group response as decoded from the invalidation queue */
typedef struct PCISVAPageResponse {
    uint32_t pasid;             /* PCI_SVA_NO_PASID if none */
    uint16_t prgi;
    uint8_t code;
} PCISVAPageResponse;

/* True if @dev sits behind an iommu-sva unit */
bool pci_sva_available(PCIDevice *dev);

/*
 * pci_sva_get_iotlb_info: the IOMMU's input address width and the smallest
 * page it maps, to size a device IOTLB. Returns -ENODEV without iommu-sva.
 */
int pci_sva_get_iotlb_info(PCIDevice *dev, uint8_t *addr_width,
                           uint32_t *min_page_size);

/*
 * pci_sva_ats_request_translation: translate [@addr, @addr + @length) for
 * @pasid (PCI_SVA_NO_PASID: the context's RID_PASID) as an ATS translation
 * request. Fills up to @result_length entries (one per page, each with
 * iova, translated_addr, addr_mask and perm; perm IOMMU_NONE for a page the
 * IOMMU refused: the device may then issue a page request), stopping at
 * the first refused page. Returns the number of entries filled, or a
 * negative errno: -ENODEV (no iommu-sva), -EPERM (ATS not enabled for the
 * device in its context entry), -EINVAL (bad arguments), -EFAULT (the page
 * at @addr can never be translated for this PASID, VT-d's Unsupported
 * Request: a non-canonical address, or @priv_req when the PASID entry has
 * SRE clear; no page request can help, so the device must not send one).
 * Such a page later in the range ends the entries before it. @err_count
 * counts refused pages. With @no_write the IOMMU neither grants write nor sets
 * Dirty; otherwise a writable page comes back writable with Dirty set.
 * Faults of translation requests are not recorded (VT-d 4.2.3).
 */
ssize_t pci_sva_ats_request_translation(PCIDevice *dev, uint32_t pasid,
                                        bool priv_req, bool exec_req,
                                        hwaddr addr, size_t length,
                                        bool no_write,
                                        IOMMUTLBEntry *result,
                                        size_t result_length,
                                        uint32_t *err_count);

/*
 * pci_sva_pri_register_notifier: deliver page group responses for @pasid
 * to @notifier. One notifier per (device, PASID); registering again
 * replaces it. Returns 0 or -ENODEV.
 */
int pci_sva_pri_register_notifier(PCIDevice *dev, uint32_t pasid,
                                  PCISVAPRINotifier *notifier);
void pci_sva_pri_unregister_notifier(PCIDevice *dev, uint32_t pasid);

/*
 * pci_sva_pri_request_page: a PRI page request. The IOMMU writes it into
 * the guest's page request queue and raises the page request event, or,
 * when the queue is full (PRS.PRO) or PRI is unusable, answers it itself:
 * a request with @lpig gets a response through the registered notifier
 * (on overflow PCI_SVA_PRI_SUCCESS, so the device retries, unless the
 * unit's prq-overflow property says otherwise; PCI_SVA_PRI_INVALID if
 * page requests are not enabled for the device; PCI_SVA_PRI_FAILURE if
 * the queue is misprogrammed), delivered from a bottom half, never from
 * within this call, so no device waits forever. Returns 0 if queued,
 * -ENOSPC on overflow, -EPERM if page requests are not enabled, -EIO if
 * the queue is misprogrammed, -ENODEV/-EINVAL otherwise.
 */
int pci_sva_pri_request_page(PCIDevice *dev, uint32_t pasid, bool priv_req,
                             bool exec_req, hwaddr addr, bool lpig,
                             uint16_t prgi, bool is_read, bool is_write);

/*
 * Device-TLB invalidation notifiers (QEMU 10.1 registers an IOMMUNotifier
 * with IOMMU_NOTIFIER_DEVIOTLB_UNMAP per PASID). The notifier receives an
 * IOMMUTLBEvent of type IOMMU_NOTIFIER_DEVIOTLB_UNMAP whose entry gives
 * iova and addr_mask (all ones: everything) of the range to drop.
 */
void pci_sva_init_iotlb_notifier(PCIDevice *dev, IOMMUNotifier *n,
                                 IOMMUNotify fn, void *opaque);
int pci_sva_register_iotlb_notifier(PCIDevice *dev, uint32_t pasid,
                                    IOMMUNotifier *n);
void pci_sva_unregister_iotlb_notifier(PCIDevice *dev, uint32_t pasid,
                                       IOMMUNotifier *n);

/*
 * Extended capabilities next to pcie_ats_init(). PASID: width in bits,
 * execute and privileged mode support. PRI: outstanding request capacity;
 * status advertises "stopped" and, with @prg_response_pasid_req, "PRG
 * response PASID required" (the Linux driver expects both).
 */
void pcie_sva_pasid_init(PCIDevice *dev, uint16_t offset,
                         uint8_t pasid_width, bool exec_perm, bool priv_mod);
void pcie_sva_pri_init(PCIDevice *dev, uint16_t offset,
                       uint32_t outstanding_pr_cap,
                       bool prg_response_pasid_req);
bool pcie_sva_pasid_enabled(PCIDevice *dev);
bool pcie_sva_pri_enabled(PCIDevice *dev);

#endif
