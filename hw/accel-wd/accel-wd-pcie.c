/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * PRI capability behaviour beyond pcie_sva_pri_init() (hw/iommu-sva/
 * pci-sva.h, which also adds the PASID capability): "Stopped" follows
 * Enable, Reset self-clears, and device reset clears the control state.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "accel-wd.h"

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
