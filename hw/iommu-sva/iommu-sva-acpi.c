/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * iommu-sva: ACPI DMAR table (VT-d specification 8.1 DMA Remapping
 * Reporting Structure). One DRHD with INCLUDE_PCI_ALL covers every PCI
 * device of segment 0, so integrated endpoints need no device scopes; an
 * ATSR with ALL_PORTS lets devices behind root ports use ATS too.
 */

#include "qemu/osdep.h"
#include "qom/object.h"
#include "qapi/error.h"
#include "hw/acpi/aml-build.h"
#include "hw/pci-host/q35.h"
#include "hw/i386/x86-iommu.h"
#include "iommu-sva-acpi.h"

#define DMAR_HOST_ADDR_WIDTH_DEFAULT 48
#define DMAR_DRHD_INCLUDE_PCI_ALL    0x1
#define DMAR_ATSR_ALL_PORTS          0x1
#define DMAR_SCOPE_IOAPIC            0x03
#define DMAR_IOAPIC_ENUM_ID          0x0   /* ACPI_BUILD_IOAPIC_ID */

void iommu_sva_build_dmar(GArray *table_data, BIOSLinker *linker,
                          const char *oem_id, const char *oem_table_id)
{
    Object *unit = OBJECT(x86_iommu_get_default());
    const size_t ioapic_scope_size = 6 + 2;
    uint8_t rsvd10[10] = {};
    int64_t aw_bits = DMAR_HOST_ADDR_WIDTH_DEFAULT;
    AcpiTable table = { .sig = "DMAR", .rev = 1, .oem_id = oem_id,
                        .oem_table_id = oem_table_id };

    if (unit && object_property_find(unit, "aw-bits")) {
        aw_bits = object_property_get_uint(unit, "aw-bits", &error_abort);
    }

    acpi_table_begin(&table, table_data);
    build_append_int_noprefix(table_data, aw_bits - 1, 1); /* Host Addr Width */
    build_append_int_noprefix(table_data, 0, 1);  /* Flags: no INTR_REMAP */
    g_array_append_vals(table_data, rsvd10, sizeof(rsvd10));

    /* 8.3 DMA Remapping Hardware Unit Definition */
    build_append_int_noprefix(table_data, 0, 2);  /* Type: DRHD */
    build_append_int_noprefix(table_data, 16 + ioapic_scope_size, 2);
    build_append_int_noprefix(table_data, DMAR_DRHD_INCLUDE_PCI_ALL, 1);
    build_append_int_noprefix(table_data, 0, 1);  /* Reserved */
    build_append_int_noprefix(table_data, 0, 2);  /* Segment */
    build_append_int_noprefix(table_data, IOMMU_SVA_MMIO_BASE, 8);

    /* 8.3.1 device scope: the root-complex IOAPIC */
    build_append_int_noprefix(table_data, DMAR_SCOPE_IOAPIC, 1);
    build_append_int_noprefix(table_data, ioapic_scope_size, 1);
    build_append_int_noprefix(table_data, 0, 2);  /* Reserved */
    build_append_int_noprefix(table_data, DMAR_IOAPIC_ENUM_ID, 1);
    build_append_int_noprefix(table_data, Q35_PSEUDO_BUS_PLATFORM, 1);
    build_append_int_noprefix(table_data, PCI_SLOT(Q35_PSEUDO_DEVFN_IOAPIC), 1);
    build_append_int_noprefix(table_data, PCI_FUNC(Q35_PSEUDO_DEVFN_IOAPIC), 1);

    /* 8.5 Root Port ATS Capability Reporting */
    build_append_int_noprefix(table_data, 2, 2);  /* Type: ATSR */
    build_append_int_noprefix(table_data, 8, 2);  /* Length */
    build_append_int_noprefix(table_data, DMAR_ATSR_ALL_PORTS, 1);
    build_append_int_noprefix(table_data, 0, 1);  /* Reserved */
    build_append_int_noprefix(table_data, 0, 2);  /* Segment */

    acpi_table_end(linker, &table);
}
