/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PASID and PRI extended capabilities. QEMU 10.0 has only pcie_ats_init();
 * these mirror the shape of QEMU 10.1's pcie_pasid_init()/pcie_pri_init()
 * so that a port to 10.1 replaces them by the upstream calls.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "accel-wd.h"

#define AWD_PASID_VER       1
#define AWD_PRI_VER         1
#define AWD_PASID_MAX_WIDTH 20
#define AWD_PASID_CAP_WIDTH_SHIFT 8

void awd_pcie_pasid_init(PCIDevice *dev, uint16_t offset, uint8_t pasid_width,
                         bool exec_perm, bool priv_mod)
{
    uint16_t cap;

    assert(pasid_width <= AWD_PASID_MAX_WIDTH);

    pcie_add_capability(dev, PCI_EXT_CAP_ID_PASID, AWD_PASID_VER, offset,
                        PCI_EXT_CAP_PASID_SIZEOF);

    cap = (uint16_t)pasid_width << AWD_PASID_CAP_WIDTH_SHIFT;
    cap |= exec_perm ? PCI_PASID_CAP_EXEC : 0;
    cap |= priv_mod ? PCI_PASID_CAP_PRIV : 0;
    pci_set_word(dev->config + offset + PCI_PASID_CAP, cap);

    /* Everything disabled after reset */
    pci_set_word(dev->config + offset + PCI_PASID_CTRL, 0);
    pci_set_word(dev->wmask + offset + PCI_PASID_CTRL,
                 PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_EXEC |
                 PCI_PASID_CTRL_PRIV);
}

void awd_pcie_pri_init(PCIDevice *dev, uint16_t offset,
                       uint32_t outstanding_pr_cap,
                       bool prg_response_pasid_req)
{
    uint16_t status = PCI_PRI_STATUS_STOPPED;

    if (prg_response_pasid_req) {
        status |= PCI_PRI_STATUS_PASID;
    }

    pcie_add_capability(dev, PCI_EXT_CAP_ID_PRI, AWD_PRI_VER, offset,
                        PCI_EXT_CAP_PRI_SIZEOF);

    pci_set_word(dev->config + offset + PCI_PRI_CTRL, 0);
    pci_set_word(dev->config + offset + PCI_PRI_STATUS, status);
    pci_set_long(dev->config + offset + PCI_PRI_MAX_REQ, outstanding_pr_cap);
    pci_set_long(dev->config + offset + PCI_PRI_ALLOC_REQ, 0);

    pci_set_word(dev->wmask + offset + PCI_PRI_CTRL,
                 PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET);
    pci_set_word(dev->w1cmask + offset + PCI_PRI_STATUS,
                 PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
    pci_set_long(dev->wmask + offset + PCI_PRI_ALLOC_REQ, 0xffffffff);
}

/*
 * Called after pci_default_write_config(): keep "Stopped" in step with
 * Enable (the device has no outstanding requests when it is disabled) and
 * make Reset self-clearing.
 */
void awd_pcie_pri_write_config(PCIDevice *dev, uint16_t offset,
                               uint32_t addr, uint32_t val, int len)
{
    uint16_t ctrl, status;

    if (!ranges_overlap(addr, len, offset + PCI_PRI_CTRL, 2)) {
        return;
    }
    ctrl = pci_get_word(dev->config + offset + PCI_PRI_CTRL);
    status = pci_get_word(dev->config + offset + PCI_PRI_STATUS);
    if (ctrl & PCI_PRI_CTRL_RESET) {
        status &= ~(PCI_PRI_STATUS_RF | PCI_PRI_STATUS_UPRGI);
        ctrl &= ~PCI_PRI_CTRL_RESET;
    }
    if (ctrl & PCI_PRI_CTRL_ENABLE) {
        status &= ~PCI_PRI_STATUS_STOPPED;
    } else {
        status |= PCI_PRI_STATUS_STOPPED;
    }
    pci_set_word(dev->config + offset + PCI_PRI_CTRL, ctrl);
    pci_set_word(dev->config + offset + PCI_PRI_STATUS, status);
}

void awd_pcie_pri_reset(PCIDevice *dev, uint16_t offset)
{
    uint16_t status = pci_get_word(dev->config + offset + PCI_PRI_STATUS);

    status &= PCI_PRI_STATUS_PASID;
    status |= PCI_PRI_STATUS_STOPPED;
    pci_set_word(dev->config + offset + PCI_PRI_CTRL, 0);
    pci_set_word(dev->config + offset + PCI_PRI_STATUS, status);
    pci_set_long(dev->config + offset + PCI_PRI_ALLOC_REQ, 0);
}
