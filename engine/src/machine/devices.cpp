#include "ppcmig/machine/devices.hpp"

namespace ppcmig::machine {

namespace {
constexpr uint32_t kFirstIrq = 0x1000;  // XICS_IRQ_BASE: source numbers start here
constexpr uint32_t kIrqVio = 0x1100, kIrqPciLsi = 0x1200;
constexpr uint32_t kNvramReg = 0x71000001;  // the second VIO device, after the vty

constexpr uint64_t kBaseBuid = 0x800000020000000ULL;
constexpr uint32_t kLiobnBase = 0x80000000;  // SPAPR_PCI_LIOBN(index, window)
// Legacy placement (pseries-2.7 and older).
constexpr uint64_t kLegacyWindowBase = 0x10000000000ULL, kLegacyMmioOff = 0xA0000000, kLegacyIoOff = 0x80000000;
constexpr uint64_t kLegacyMemWin = 0xF80000000ULL, kLegacyMemWin22 = 0x20000000;
// 32-bit MMIO below 4 GiB on the bus, from the 2 GiB bus offset: what daa2369 splits off.
constexpr uint64_t kMem32WinSize = (uint64_t(1) << 32) - 0x80000000ULL;
constexpr uint64_t kMem64WinSize = 0x10000000000ULL;  // 1 TiB
constexpr uint64_t kPciBase = uint64_t(1) << 45;      // 32 TiB
constexpr uint64_t kIoWinSize = 0x10000;
}  // namespace

IrqAllocation allocate_irqs(const MachineVersion& v) {
    IrqAllocation a;
    const bool hotplug = !at_most(v, 2, 7);  // pseries-2.7: use_hotplug_event_source=false
    if (v.legacy_irq_allocation || at_most(v, 3, 0)) {
        uint32_t next = kFirstIrq;
        a.epow = next++;
        if (hotplug) a.hotplug = next++;
        a.vty = next++;
        a.nvram = next++;
        for (auto& lsi : a.phb_lsi) lsi = next++;
    } else {
        a.epow = kFirstIrq;
        a.hotplug = kFirstIrq + 1;
        a.vty = kIrqVio | (Vty::kReg & 0xFF);
        a.nvram = kIrqVio | (kNvramReg & 0xFF);
        for (uint32_t i = 0; i < a.phb_lsi.size(); ++i) a.phb_lsi[i] = kIrqPciLsi + i;
    }
    return a;
}

Phb default_phb(const MachineVersion& v, PhbMigration mig, const IrqAllocation& irqs) {
    Phb p;
    p.buid = kBaseBuid;
    p.dma_liobn = kLiobnBase;
    p.lsi_irq = irqs.phb_lsi;
    if (at_most(v, 2, 7)) {
        p.mem_win_addr = kLegacyWindowBase + kLegacyMmioOff;
        p.mem_win_size = at_most(v, 2, 2) ? kLegacyMemWin22 : kLegacyMemWin;
        p.io_win_addr = kLegacyWindowBase + kLegacyIoOff;
        p.io_win_size = kIoWinSize;
        // daa2369's realize converts an old-style window larger than the 32-bit part.
        if (mig != PhbMigration::Equal && p.mem_win_size > kMem32WinSize) {
            p.mem64_win_addr = p.mem_win_addr + kMem32WinSize;
            p.mem64_win_size = p.mem_win_size - kMem32WinSize;
            p.mem_win_size = kMem32WinSize;
        }
    } else {
        p.io_win_addr = kPciBase;
        p.io_win_size = kIoWinSize;
        p.mem_win_addr = kPciBase + kMem32WinSize;
        p.mem_win_size = kMem32WinSize;
        p.mem64_win_addr = kPciBase + kMem64WinSize;
        p.mem64_win_size = kMem64WinSize;
    }
    return p;
}

}  // namespace ppcmig::machine
