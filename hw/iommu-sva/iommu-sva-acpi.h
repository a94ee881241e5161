/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: the ACPI DMAR table that announces the unit to the guest.
 * Called from hw/i386/acpi-build.c through the glue patch.
 */
#ifndef HW_IOMMU_SVA_ACPI_H
#define HW_IOMMU_SVA_ACPI_H

#include "hw/acpi/bios-linker-loader.h"

#define TYPE_IOMMU_SVA "iommu-sva"
/* Where the register file sits; the DMAR DRHD names the same address. */
#define IOMMU_SVA_MMIO_BASE 0xfed90000ULL

void iommu_sva_build_dmar(GArray *table_data, BIOSLinker *linker,
                          const char *oem_id, const char *oem_table_id);

#endif
