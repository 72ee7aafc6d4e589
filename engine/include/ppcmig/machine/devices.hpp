// The pseries machine's platform devices besides CPUs and interrupt controllers: the VIO
// console (spapr-vty) and the default PCI host bridge (spapr-pci-host-bridge, index 0), with
// the interrupt numbers the machine version allocates to them. No PCI device is modelled behind
// the PHB: it exists for its own state (windows, DMA window id, LSIs, MSI map), which is what
// travels in a migration stream.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "ppcmig/machine/machine_version.hpp"

namespace ppcmig::machine {

/// XICS/XIVE source numbers the machine allocates at init (QEMU's spapr_irq_claim order with
/// legacy allocation, fixed numbers otherwise). The nvram VIO device exists in QEMU and takes a
/// number; its own state is not modelled.
struct IrqAllocation {
    uint32_t epow = 0;
    std::optional<uint32_t> hotplug;  ///< pseries-2.8+: the hotplug event source
    uint32_t vty = 0;
    uint32_t nvram = 0;
    std::array<uint32_t, 4> phb_lsi{};  ///< INTA..INTD of PHB 0
};
/// Legacy allocation (pseries-3.0 and older): the next free number in creation order (event
/// sources, VIO devices, then the PHB's LSIs); pseries-3.1+: SPAPR_IRQ_EPOW 0x1000,
/// SPAPR_IRQ_HOTPLUG 0x1001, SPAPR_IRQ_VIO 0x1100 | (reg & 0xff), SPAPR_IRQ_PCI_LSI 0x1200.
IrqAllocation allocate_irqs(const MachineVersion& v);

/// Whether the build's PHB splits the MMIO window into 32- and 64-bit parts, and how its
/// window values travel (C3).
enum class PhbMigration : uint8_t {
    Equal,       ///< <= 2.7: one MMIO window; dma_liobn and the windows are _EQUAL-checked
    SplitEqual,  ///< 2.8 development (daa2369): windows split, the split values still _EQUAL-checked
    Scratch,     ///< 5c4537bded40: read into scratch, sent forged as 2.7 had them for pre-2.8-migration machines only
};

/// The default PHB's state.
struct Phb {
    uint64_t buid = 0;
    uint32_t dma_liobn = 0;
    uint64_t mem_win_addr = 0, mem_win_size = 0;
    uint64_t mem64_win_addr = 0, mem64_win_size = 0;
    uint64_t io_win_addr = 0, io_win_size = 0;
    std::array<uint32_t, 4> lsi_irq{};
    struct Msi {
        uint32_t config_addr = 0, first_irq = 0, num = 0;
        friend bool operator==(const Msi&, const Msi&) = default;
    };
    std::vector<Msi> msi;  ///< ibm,change-msi allocations (none without PCI devices)
    friend bool operator==(const Phb&, const Phb&) = default;
};
/// PHB 0 as machine version `v` places it on a build with `mig`: pseries-2.7 and older at the
/// legacy addresses (1 TiB + 0xA0000000 MMIO, one 0xF80000000 window; 0x20000000 for
/// pseries-2.2 and older), split by builds that have 64-bit windows; newer machines at the
/// 32 TiB placement with a 2 GiB 32-bit and a 1 TiB 64-bit window.
Phb default_phb(const MachineVersion& v, PhbMigration mig, const IrqAllocation& irqs);

/// The console (spapr-vty at reg 0x71000000): VIO state plus the 16-byte input ring.
struct Vty {
    static constexpr uint32_t kReg = 0x71000000;
    uint32_t irq = 0;
    uint64_t signal_state = 0;  ///< H_VIO_SIGNAL mode (bit 0: interrupt on input)
    uint64_t crq_qladdr = 0;    ///< CRQ: unused by a vty, part of every VIO device's state
    uint32_t crq_qsize = 0, crq_qnext = 0;
    uint32_t in = 0, out = 0;   ///< ring indices (free-running, modulo 16)
    std::array<uint8_t, 16> buf{};
    friend bool operator==(const Vty&, const Vty&) = default;
};

}  // namespace ppcmig::machine
