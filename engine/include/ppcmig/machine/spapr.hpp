// The pseries (sPAPR) machine: vCPUs over shared guest RAM, booted like QEMU boots a kernel,
// with PAPR hypercalls, CAS, RTAS, time base and decrementer, and XICS presentation.
// Deterministic: vCPUs run in a fixed round-robin, virtual time advances with instructions.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/machine/config.hpp"
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

    /// Runs for `ticks` of virtual time (time-base ticks; one per instruction of a running vCPU).
    MachineStop run(uint64_t ticks);
    /// vCPUs take turns in slices of this many ticks. Stopping between two slices (at a
    /// multiple of the quantum) leaves the interleaving of vCPUs exactly as in an uninterrupted
    /// run, so migration points are taken there.
    [[nodiscard]] uint64_t quantum() const { return quantum_; }

    [[nodiscard]] const MachineConfig& config() const { return cfg_; }
    [[nodiscard]] const Behaviour& behaviour() const { return beh_; }
    [[nodiscard]] memory::GuestMemory& memory() { return mem_; }
    [[nodiscard]] std::vector<std::unique_ptr<Vcpu>>& vcpus() { return vcpus_; }
    [[nodiscard]] const std::string& console() const { return console_; }
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }
    [[nodiscard]] const std::vector<std::string>& errors() const { return errors_; }
    [[nodiscard]] uint64_t now() const { return now_; }
    [[nodiscard]] const CapValues& effective_caps() const { return caps_; }
    [[nodiscard]] IcMode active_ic() const { return active_ic_; }
    [[nodiscard]] const Xive& xive() const { return xive_; }
    [[nodiscard]] const std::vector<IcsIrq>& ics() const { return ics_; }
    [[nodiscard]] uint64_t fdt_address() const { return fdt_addr_; }
    [[nodiscard]] bool powered_off() const { return powered_off_; }
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
    void set_active_ic(IcMode m) { active_ic_ = m; }
    /// After a load: re-derive interrupt lines (XICS presenters, decrementers) and the active
    /// interrupt controller (ic-mode=dual: from the negotiated option vector 5) from the state.
    void post_migration();
    /// Continues the source's per-vCPU counters (instructions executed, interrupts taken) so a
    /// migrated run reports them over the whole run.
    void inherit_counters(const SpaprMachine& source);

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
    uint64_t quantum_ = 1000;          ///< ticks per round-robin slice
    uint64_t entry_ = 0;
    std::optional<memory::ElfImage> image_;  ///< restored on every reset, as QEMU restores -kernel
    uint64_t fdt_addr_ = 0;
    std::vector<uint8_t> fdt_;
    IcMode active_ic_ = IcMode::Xics;
    std::array<uint8_t, 32> ov5_cas_{};  ///< negotiated option vector 5 (bytes 1..32)
    Xive xive_;
    std::vector<IcsIrq> ics_;
    bool have_guest_ = false;
    bool powered_off_ = false;
    bool reset_requested_ = false;
    bool cas_reboot_ = false;
    uint64_t resets_ = 0;
};

}  // namespace ppcmig::machine
