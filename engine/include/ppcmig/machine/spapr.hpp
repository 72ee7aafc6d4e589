// The pseries (sPAPR) machine: vCPUs over shared guest RAM, booted like QEMU boots a kernel,
// with PAPR hypercalls, CAS, RTAS, time base and decrementer, and XICS presentation.
// Deterministic: vCPUs run in a fixed round-robin, virtual time advances with instructions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/machine/compat.hpp"
#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/devices.hpp"
#include "ppcmig/machine/schema_edit.hpp"
#include "ppcmig/machine/xive.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/memory/guest_memory.hpp"

namespace ppcmig::machine {

/// Release-dependent behaviours (the engine-builds issue switches them per build; these
/// defaults are the newest QEMU's).
/// Which streams carry the spapr/cap/hpt-mps subsection (C8).
enum class HptMpsSending : uint8_t {
    Absent,    ///< <= 4.0: the subsection does not exist (never sent, unknown on load)
    Always,    ///< 0b8c89be7f7b: sent for every machine version
    NotPre41,  ///< 3725ef1a944b: not for pseries-4.0 and older
};

/// How the cpu section's "sanity" fields (msr_mask, insns_flags, insns_flags2, nb_BATs) travel.
enum class CpuSanity : uint8_t {
    Equal,    ///< <= 2.7: _EQUAL checks against the destination's own CPU class (C1)
    Scratch,  ///< 16a2497bd44c + 146c11f16f12: read into scratch, forged on save for pre-2.8 machines
};

/// What the time base does while the VM is paused (the monitor's `stop`) before a migration (C14).
enum class TbWhilePaused : uint8_t {
    Counts,          ///< <= 2.9: the guest clock runs on while paused; the stream carries it
    FrozenReread,    ///< 42043e4f1241: frozen while paused, but pre_save re-reads the host clock
    Frozen,          ///< d14f33976282: a VM paused before migration sends its frozen time base
};

/// Whether compat_pvr travels (cpu/compat) and the incoming PVR/compat mode is validated (C4).
enum class CompatMigration : uint8_t {
    None,       ///< <= 2.9: not sent; the destination keeps its own reset compat state, ignores the PVR
    Always,     ///< 2.8-compat-rfc: sent whenever compat_pvr != 0, for every machine version
    NotPre210,  ///< d5fc133eed86 (2.10): not for pseries-2.9 and older (pre-2.10-migration)
};

/// The main RAM block's id string (C15).
enum class RamBlockNaming : uint8_t {
    Region,            ///< <= 4.2: a plain memory region, "ppc_spapr.ram"
    BackendUnfixed,    ///< 5.0 development: a memory backend, canonical path for pseries <= 3.1
    Backend,           ///< d96c4d5f193e: the backend keeps the legacy id for every machine version
};

struct Behaviour {
    bool cas_prefers_compat = true;  ///< 2.10+: newest compat mode first, raw only as fallback
    bool dual_ic_mode = true;        ///< ic-mode=dual selects the controller at CAS
    bool cas_reboot_on_ic_change = false;  ///< older QEMU rebooted the guest into the new controller
    bool dec_migrated = true;        ///< 8.2+ (TCG): the live DEC travels in spr[DECR] and is re-armed
    /// <= 2.9: XICS has an ICP per possible server (maxcpus), each sent as icp/server.
    bool icps_for_all_servers = false;
    /// 2.10+: pseries-2.9 and older register never-sent dummy icp/server entries for the
    /// possible-but-absent vCPUs, so an old stream's extra ICPs load (and are discarded).
    bool dummy_icps = true;
    HptMpsSending hpt_mps_sending = HptMpsSending::NotPre41;
    CpuSanity cpu_sanity = CpuSanity::Scratch;
    /// Whose CPU class flags the release has: 26 = QEMU 2.6, 27 = 2.7 and later (4e0806110c8b and
    /// siblings added PPC_64H, PPC_64BX (POWER7), PPC_CILDST, PPC2_PM_ISA206).
    unsigned insns_flags_release = 27;
    /// bce009645b9f: the forged mig_insns_flags always carry PPC_MEM_TLBIE (C2).
    bool forge_tlbie = true;
    CompatMigration compat_migration = CompatMigration::NotPre210;
    /// 2.8-compat-rfc only: post_load installs the complement of the mode's PCR bits.
    bool rfc_compat_pcr_complement = false;
    /// The newest CPU family whose models the release has.
    cpu::Family newest_family = cpu::Family::Power10;
    CompatRules compat;
    RamBlockNaming ram_block_naming = RamBlockNaming::Backend;
    /// "spapr: Migrate ail-mode-3 spapr cap" (Jul 2024): before it the cap had no subsection and
    /// took no part in the post-migration caps check (C12).
    bool ail_mode_3_migrated = true;
    /// 4.2-capxics only: the proposed cap-xics/cap-xive (Oct 2019) replace ic-mode's state as two
    /// caps with the generic sending rule and the post-migration check (C10).
    bool ic_caps = false;
    /// "pseries: Make cpu_update during CAS unconditional" (compat rework): CAS re-applies the
    /// negotiated mode to every vCPU even when it did not change.
    bool cas_update_unconditional = true;
    TbWhilePaused tb_while_paused = TbWhilePaused::Frozen;
    /// 3.0: a per-vCPU `spapr_cpu` section (VPA state), not for pre-3.0-migration machines.
    bool spapr_cpu_state = true;
    /// 2.12: spapr capabilities — checked when the machine starts, migrated as subsections,
    /// compared after load. Before, nothing of the kind existed (no cap-* properties).
    bool spapr_caps = true;
    /// The PHB's MMIO windows and how they travel in `spapr_pci` (C3).
    PhbMigration phb_migration = PhbMigration::Scratch;
    /// User changesets: edits of the vmstate schemas, applied in order after the migration layer
    /// builds a machine's sections (empty for the shipped builds).
    std::vector<SchemaEdit> schema_edits;
};

/// Interrupt presentation state of one vCPU under XICS (the ICP).
struct Icp {
    uint32_t xirr = 0;            ///< CPPR (top byte) || XISR
    uint8_t pending_priority = 0xFF;
    uint8_t mfrr = 0xFF;
    friend bool operator==(const Icp&, const Icp&) = default;
};

/// One XICS interrupt source (ICS entry); the machine has nr_xirqs of them, numbered from
/// kXicsIrqBase.
struct IcsIrq {
    uint32_t server = 0;
    uint8_t priority = 0xFF;        ///< 0xFF: masked
    uint8_t saved_priority = 0xFF;  ///< restored by ibm,int-on
    uint8_t status = 0;
    uint8_t flags = 0;              ///< LSI/MSI, claimed
    friend bool operator==(const IcsIrq&, const IcsIrq&) = default;
};
inline constexpr uint32_t kXicsIrqBase = 0x1000;
/// IcsIrq::flags source types (XICS_FLAGS_IRQ_LSI, XICS_FLAGS_IRQ_MSI).
inline constexpr uint8_t kIcsFlagLsi = 0x1, kIcsFlagMsi = 0x2;

/// What stopped a machine run.
enum class MachineStop : uint8_t { Budget, PowerOff, AllIdle, Error };

class SpaprMachine;

/// Per-vCPU glue between the CPU and the machine.
class Vcpu final : public cpu::Environment {
public:
    Vcpu(SpaprMachine& m, unsigned index);
    int system_call(cpu::Cpu& c, unsigned lev, uint64_t pc) override;
    uint64_t timebase(const cpu::Cpu& c) override;
    void on_event(cpu::Cpu& c) override;
    void on_dec_write(cpu::Cpu& c) override;
    bool intercept(cpu::Cpu& c, const cpu::InterruptInfo& info) override;
    /// darn: derived from the time base (which migrates), never from host state.
    uint64_t random64(cpu::Cpu& c) override;

    unsigned index;
    std::unique_ptr<cpu::Cpu> cpu;
    bool running = false;       ///< started (vCPU 0 at boot, others via RTAS start-cpu)
    bool ceded = false;         ///< idle in H_CEDE
    bool prodded = false;       ///< H_PROD received
    uint32_t compat_pvr = 0;    ///< 0: raw mode
    Icp icp;
    std::array<uint64_t, 4096 / 0x20> interrupts{};  ///< taken, by vector / 0x20
    uint64_t round_start_icount = 0;
    bool dec_negative = true;   ///< DEC's top bit as last seen (edge detection before ISA 3.0)

    /// Recomputes the decrementer's pending state and timer deadline. Before ISA 3.0 the
    /// exception is raised when DEC's top bit goes from 0 to 1 and cleared when taken; from
    /// POWER9 on it is level-sensitive (pending while the top bit is set).
    void update_decrementer();
    [[nodiscard]] bool dec_level_sensitive() const;

private:
    SpaprMachine& m_;
};

class SpaprMachine {
public:
    /// Creates the machine; the configuration's caps are applied (a fatal cap error is a start
    /// failure: ConfigError). Warnings go to warnings().
    explicit SpaprMachine(MachineConfig cfg, Behaviour behaviour = {});
    ~SpaprMachine();
    SpaprMachine(const SpaprMachine&) = delete;
    SpaprMachine& operator=(const SpaprMachine&) = delete;

    /// Loads a guest ELF into RAM and resets the machine to boot it.
    void load_guest(const memory::ElfImage& elf);
    /// Machine reset: compat modes back to max-cpu-compat, CAS state cleared (unless this is a
    /// CAS-requested reboot), vCPU 0 at the guest entry with r3 = device tree.
    void reset();

    /// Called after every instruction of a stepped run: the vCPU, the address the instruction
    /// was fetched from, and whether the instruction ended the vCPU's slice (halt, reset).
    using StepObserver = std::function<void(unsigned vcpu, uint64_t pc)>;
    /// Runs for `ticks` of virtual time (time-base ticks; one per instruction of a running vCPU).
    /// With an observer, each vCPU's share of a round runs one instruction at a time, calling it
    /// after each: the same schedule and the same end state as without (the differential
    /// oracle's lockstep replay relies on it).
    MachineStop run(uint64_t ticks, const StepObserver* observer = nullptr);
    /// The VM continues in place after pause(): under a build whose guest clock runs on while
    /// paused (TbWhilePaused::Counts) the guest sees the pause as time passing; otherwise not.
    /// What a reference run does where the migrated run stopped for a migration.
    void resume_in_place();
    /// vCPUs take turns in slices of this many ticks. Stopping between two slices (at a
    /// multiple of the quantum) leaves the interleaving of vCPUs exactly as in an uninterrupted
    /// run, so migration points are taken there.
    [[nodiscard]] uint64_t quantum() const { return quantum_; }

    [[nodiscard]] const MachineConfig& config() const { return cfg_; }
    [[nodiscard]] const Behaviour& behaviour() const { return beh_; }
    [[nodiscard]] memory::GuestMemory& memory() { return mem_; }
    [[nodiscard]] const memory::GuestMemory& memory() const { return mem_; }
    [[nodiscard]] std::vector<std::unique_ptr<Vcpu>>& vcpus() { return vcpus_; }
    [[nodiscard]] const std::vector<std::unique_ptr<Vcpu>>& vcpus() const { return vcpus_; }
    [[nodiscard]] const std::string& console() const { return console_; }
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
    [[nodiscard]] uint64_t now() const { return now_; }
    /// The VM stays paused (host time passes, the guest does not run) for `ticks` before what
    /// follows, typically a migration; accumulates.
    void pause(uint64_t ticks) { paused_ticks_ += ticks; }
    /// The time base a stream saved now carries, under this build's pause semantics.
    [[nodiscard]] uint64_t saved_timebase() const {
        return beh_.tb_while_paused == TbWhilePaused::Frozen ? now_ : now_ + paused_ticks_;
    }
    [[nodiscard]] const CapValues& effective_caps() const { return caps_; }
    [[nodiscard]] IcMode active_ic() const { return active_ic_; }
    [[nodiscard]] const Xive& xive() const { return xive_; }
    [[nodiscard]] const std::vector<IcsIrq>& ics() const { return ics_; }
    /// Interrupt-controller state for the migration layer to save and load.
    [[nodiscard]] Xive& xive_state() { return xive_; }
    [[nodiscard]] std::vector<IcsIrq>& ics_state() { return ics_; }
    /// The platform devices (state saved and loaded by the migration layer).
    [[nodiscard]] Phb& phb() { return phb_; }
    [[nodiscard]] const Phb& phb() const { return phb_; }
    [[nodiscard]] Vty& vty() { return vty_; }
    [[nodiscard]] const Vty& vty() const { return vty_; }
    /// The source numbers the machine version allocated (devices' _EQUAL-checked irqs).
    [[nodiscard]] const IrqAllocation& irqs() const { return irqs_; }
    /// The controllers the machine instantiates (and registers for migration).
    [[nodiscard]] bool has_xics() const { return cfg_.ic_mode() != IcMode::Xive; }
    [[nodiscard]] bool has_xive() const { return cfg_.ic_mode() == IcMode::Xive || cfg_.ic_mode() == IcMode::Dual; }
    [[nodiscard]] uint64_t fdt_address() const { return fdt_addr_; }
    [[nodiscard]] bool powered_off() const { return powered_off_; }
    /// Hypercalls made so far (RTAS included). The machine's own state — interrupt controllers,
    /// devices, CAS results, power — changes only through them (or a reset they request), so a
    /// comparison between two runs can skip it over a stretch in which neither made one.
    [[nodiscard]] uint64_t hcalls() const { return hcalls_; }
    [[nodiscard]] uint64_t resets() const { return resets_; }

    /// State as JSON: per vCPU registers, compat, interrupts taken; machine caps, controller,
    /// console.
    [[nodiscard]] nlohmann::json state_json() const;

    /// Logs a message the machine itself prints (QEMU's stderr), e.g. CAS failures.
    void log_error(std::string msg) { errors_.push_back(std::move(msg)); }

    // --- used by migration (state that travels in the spapr section) ---
    /// Sets virtual time (the destination's time base after a load) and re-arms every vCPU's
    /// decrementer relative to it.
    void set_time(uint64_t tb);
    [[nodiscard]] std::array<uint8_t, 32>& ov5_cas() { return ov5_cas_; }
    [[nodiscard]] const std::array<uint8_t, 32>& ov5_cas() const { return ov5_cas_; }
    void set_active_ic(IcMode m) { active_ic_ = m; }
    /// After a load: re-derive interrupt lines (XICS presenters, decrementers) and the active
    /// interrupt controller (ic-mode=dual: from the negotiated option vector 5) from the state.
    void post_migration();
    /// Per-vCPU counters that do not travel in a stream (instructions executed, interrupts taken).
    struct VcpuCounters {
        uint64_t icount = 0;
        std::array<uint64_t, 4096 / 0x20> interrupts{};
    };
    [[nodiscard]] std::vector<VcpuCounters> counters() const;
    /// Continues the source's per-vCPU counters so a migrated run reports them over the whole
    /// run (the source's, possibly from another process).
    void inherit_counters(std::span<const VcpuCounters> source);
    void inherit_counters(const SpaprMachine& source) { inherit_counters(source.counters()); }

    // --- used by the hypercall and RTAS layers ---
    int hcall(Vcpu& v, cpu::Cpu& c, uint64_t pc);
    void set_compat_all(uint32_t compat_pvr);
    void request_reset(bool cas_reboot);
    void power_off() { powered_off_ = true; }
    void start_cpu(unsigned index, uint64_t entry, uint64_t r3);
    void icp_update(Vcpu& v);

private:
    friend class Vcpu;
    void build_fdt();
    void advance(uint64_t ticks);
    int h_cas(Vcpu& v, cpu::Cpu& c);
    int h_rtas(Vcpu& v, cpu::Cpu& c);
    int h_xive(Vcpu& v, cpu::Cpu& c, uint64_t nr);

    MachineConfig cfg_;
    Behaviour beh_;
    CapValues caps_;
    memory::GuestMemory mem_;
    std::vector<std::unique_ptr<Vcpu>> vcpus_;
    std::string console_;
    std::vector<std::string> warnings_, errors_;
    uint64_t now_ = 0;                 ///< virtual time (TB ticks) at the start of the round
    uint64_t paused_ticks_ = 0;        ///< host time spent paused by the user (not guest time)
    uint64_t quantum_ = 1000;          ///< ticks per round-robin slice
    uint64_t entry_ = 0;
    std::optional<memory::ElfImage> image_;  ///< restored on every reset, as QEMU restores -kernel
    uint64_t fdt_addr_ = 0;
    std::vector<uint8_t> fdt_;
    IcMode active_ic_ = IcMode::Xics;
    std::array<uint8_t, 32> ov5_cas_{};  ///< negotiated option vector 5 (bytes 1..32)
    Xive xive_;
    std::vector<IcsIrq> ics_;
    IrqAllocation irqs_;
    Phb phb_;
    Vty vty_;
    bool have_guest_ = false;
    bool powered_off_ = false;
    bool reset_requested_ = false;
    bool cas_reboot_ = false;
    uint64_t resets_ = 0;
    uint64_t hcalls_ = 0;
};

}  // namespace ppcmig::machine
