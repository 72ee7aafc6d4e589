#include "ppcmig/machine/spapr.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/machine/compat.hpp"

namespace ppcmig::machine {

namespace {

constexpr uint64_t kFdtSize = 64 * 1024;

// Under kvm-hv, the PCR in force gates instructions newer than the compat level and the
// facilities it disables (real QEMU TCG does not gate on PCR; the tcg model does not either).
bool pcr_gate(const cpu::Cpu& c, const isa::InsnSpec& s) {
    const uint64_t pcr = c.s.spr[cpu::sprn::PCR];
    if (pcr == 0) return false;
    isa::IsaLevel max = isa::IsaLevel::v3_1;
    if (pcr & pcr::COMPAT_2_05) max = isa::IsaLevel::v2_05;
    else if (pcr & pcr::COMPAT_2_06) max = isa::IsaLevel::v2_06;
    else if (pcr & pcr::COMPAT_2_07) max = isa::IsaLevel::v2_07;
    else if (pcr & pcr::COMPAT_3_00) max = isa::IsaLevel::v3_0;
    if (s.level > max) return true;
    if ((pcr & pcr::TM_DIS) && s.category == isa::Category::Tm) return true;
    if ((pcr & pcr::VSX_DIS) && s.category == isa::Category::Vsx) return true;
    if ((pcr & pcr::VEC_DIS) && s.category == isa::Category::Vmx) return true;
    return false;
}

// KVM-HV only runs vCPUs with the host's PVR: a model of the host's family (POWER8E or
// POWER8NVL on a POWER8 host) presents the host PVR (QEMU's PVR work-around).
uint32_t presented_pvr(const MachineConfig& cfg, const cpu::CpuModel& m) {
    if (cfg.accel != Accel::KvmHv) return m.pvr;
    const auto host = cpu::find_model(cfg.host_cpu);
    return host && host->family == m.family ? host->pvr : m.pvr;
}

unsigned dec_width(const cpu::Cpu& c) {
    return (c.s.spr[cpu::sprn::LPCR] & cpu::lpcr::LD) ? c.model().dec_bits : 32;
}

}  // namespace

// ---------------------------------------------------------------- Vcpu
Vcpu::Vcpu(SpaprMachine& m, unsigned idx) : index(idx), m_(m) {}

int Vcpu::system_call(cpu::Cpu& c, unsigned lev, uint64_t pc) {
    if (lev == 1 && !(c.s.msr & cpu::msr::PR)) return m_.hcall(*this, c, pc);
    return Environment::system_call(c, lev, pc);  // sc 0 (or hcall from problem state): to the guest OS
}

uint64_t Vcpu::timebase(const cpu::Cpu& c) { return m_.now_ + (c.icount() - round_start_icount); }

void Vcpu::update_decrementer() {
    cpu::Cpu& c = *cpu;
    const unsigned bits = dec_width(c);
    const uint64_t tb = timebase(c);
    const uint64_t elapsed = tb - c.s.dec_base_tb;
    const uint64_t written = c.s.spr[cpu::sprn::DEC];
    const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    const uint64_t sign = uint64_t(1) << (bits - 1);
    const uint64_t now_val = (written - elapsed) & mask;
    const bool negative = (now_val & sign) != 0;
    const bool level = dec_level_sensitive();
    if (negative) {
        if (level || !dec_negative) c.set_pending(cpu::kPendDecrementer);
        dec_negative = true;
        c.set_deadline(~uint64_t(0));
        return;
    }
    dec_negative = false;
    if (level) c.clear_pending(cpu::kPendDecrementer);
    // Fires when the value goes from 0 to all ones: now_val + 1 ticks from now.
    const uint64_t fire_tb = tb + now_val + 1;
    c.set_deadline(round_start_icount + (fire_tb - m_.now_));
}

uint64_t Vcpu::random64(cpu::Cpu& c) {
    uint64_t z = timebase(c) * 0x9E3779B97F4A7C15ull + index;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

bool Vcpu::dec_level_sensitive() const { return cpu->model().level >= isa::IsaLevel::v3_0; }

void Vcpu::on_event(cpu::Cpu&) { update_decrementer(); }
void Vcpu::on_dec_write(cpu::Cpu&) { update_decrementer(); }

bool Vcpu::intercept(cpu::Cpu&, const cpu::InterruptInfo& info) {
    const size_t slot = static_cast<size_t>(info.vector) / 0x20;
    if (slot < interrupts.size()) ++interrupts[slot];
    return false;  // delivered architecturally
}

// ---------------------------------------------------------------- SpaprMachine
SpaprMachine::SpaprMachine(MachineConfig cfg, Behaviour behaviour)
    : cfg_(std::move(cfg)),
      beh_(behaviour),
      mem_(cfg_.ram_bytes),
      xive_(cfg_.smp, cfg_.smp),
      ics_(cfg_.version->nr_xirqs),
      irqs_(allocate_irqs(*cfg_.version)),
      phb_(default_phb(*cfg_.version, beh_.phb_migration, irqs_)) {
    warnings_ = cfg_.warnings;
    vty_.irq = irqs_.vty;
    // Claimed sources carry their type in the ICS (and in its stream): MSI for the event
    // sources and VIO devices, LSI for the PHB's INTx lines.
    auto claim = [&](uint32_t irq, uint8_t type) {
        if (irq >= kXicsIrqBase && irq - kXicsIrqBase < ics_.size()) ics_[irq - kXicsIrqBase].flags = type;
    };
    for (const uint32_t irq : {irqs_.epow, irqs_.vty, irqs_.nvram}) claim(irq, kIcsFlagMsi);
    if (irqs_.hotplug) claim(*irqs_.hotplug, kIcsFlagMsi);
    for (const uint32_t irq : irqs_.phb_lsi) claim(irq, kIcsFlagLsi);
    // Throws ConfigError: the machine refuses to start. Before 2.12 there was nothing to apply.
    if (beh_.spapr_caps) cfg_.apply_caps(warnings_);
    caps_ = cfg_.effective_caps();
    for (unsigned i = 0; i < cfg_.smp; ++i) {
        auto v = std::make_unique<Vcpu>(*this, i);
        v->cpu = std::make_unique<cpu::Cpu>(cfg_.cpu, mem_, *v);
        if (!v->dec_level_sensitive()) v->cpu->set_edge_triggered(cpu::kPendDecrementer);
        if (cfg_.accel == Accel::KvmHv) v->cpu->set_decode_gate(pcr_gate);
        vcpus_.push_back(std::move(v));
    }
}

SpaprMachine::~SpaprMachine() = default;

void SpaprMachine::load_guest(const memory::ElfImage& elf) {
    image_ = elf;
    entry_ = elf.entry;
    have_guest_ = true;
    // The device tree lives near the top of RAM (below 1 GiB so 32-bit guests reach it too).
    const uint64_t top = std::min<uint64_t>(mem_.size(), uint64_t(1) << 30);
    fdt_addr_ = (top - kFdtSize) & ~uint64_t(0xFFFF);
    if (fdt_addr_ < elf.end_address())
        throw memory::ElfError(fmt::format("guest image (end {:#x}) leaves no room for the device tree in {} MiB of RAM",
                                           elf.end_address(), mem_.size() >> 20));
    cas_reboot_ = false;
    reset();
}

void SpaprMachine::set_compat_all(uint32_t compat_pvr) {
    for (auto& v : vcpus_) {
        cpu::Cpu& c = *v->cpu;
        const uint64_t pcr = check_set_compat(c.model(), compat_pvr, beh_.compat);
        v->compat_pvr = compat_pvr;
        c.s.spr[cpu::sprn::PCR] = pcr;
        c.flush_blocks();
    }
}

void SpaprMachine::reset() {
    ++resets_;
    if (!cas_reboot_) {
        ov5_cas_.fill(0);
        // Before CAS the boot-time controller is XICS (dual starts with XICS), XIVE with ic-mode=xive.
        active_ic_ = cfg_.ic_mode() == IcMode::Xive ? IcMode::Xive : IcMode::Xics;
    }
    cas_reboot_ = false;
    xive_.reset();
    // A source keeps its type across reset, as QEMU's ics_reset keeps the flags.
    for (IcsIrq& e : ics_) e = IcsIrq{.flags = e.flags};
    // VIO reset: signal state and CRQ; the vty keeps its input ring (it has no reset of its own).
    vty_.signal_state = 0;
    vty_.crq_qladdr = 0;
    vty_.crq_qsize = vty_.crq_qnext = 0;
    phb_.msi.clear();
    // Like QEMU's ROM blobs, the guest image is copied in again; the rest of RAM persists.
    if (image_) image_->load(mem_);
    for (auto& v : vcpus_) {
        cpu::Cpu& c = *v->cpu;
        const uint64_t icount = c.icount();
        c.s = cpu::CpuState{};
        c.s.spr[cpu::sprn::PVR] = presented_pvr(cfg_, c.model());
        c.s.spr[cpu::sprn::PIR] = v->index;
        c.s.spr[cpu::sprn::LPCR] = (caps_[static_cast<size_t>(CapId::LargeDecr)] ? cpu::lpcr::LD : 0);
        c.s.spr[cpu::sprn::DEC] = 0xFFFFFFFF;  // reset value: no decrementer interrupt pending
        c.set_msr(cpu::msr::SF | cpu::msr::ME);
        c.clear_pending(~0u);
        c.set_icount(icount);
        v->running = false;
        v->ceded = false;
        v->prodded = false;
        v->icp = Icp{};
        v->round_start_icount = icount;
        v->dec_negative = true;  // the reset value (all ones) is negative: no edge at reset
        c.s.dec_base_tb = v->timebase(c);
    }
    set_compat_all(cfg_.max_compat_pvr);
    build_fdt();
    mem_.write(fdt_addr_, fdt_);
    Vcpu& boot = *vcpus_[0];
    boot.cpu->s.nip = entry_;
    boot.cpu->s.gpr[3] = fdt_addr_;
    boot.running = have_guest_;
    for (auto& v : vcpus_) v->update_decrementer();
    // The whole RAM changed meaning: decoded blocks go.
    for (auto& v : vcpus_) v->cpu->flush_blocks();
}

void SpaprMachine::advance(uint64_t ticks) {
    // Between rounds every vCPU's time base equals the machine's: rebase the per-round origin.
    now_ += ticks;
    for (auto& v : vcpus_) v->round_start_icount = v->cpu->icount();
}

std::vector<SpaprMachine::VcpuCounters> SpaprMachine::counters() const {
    std::vector<VcpuCounters> out;
    for (const auto& v : vcpus_) out.push_back({v->cpu->icount(), v->interrupts});
    return out;
}

void SpaprMachine::inherit_counters(std::span<const VcpuCounters> source) {
    for (size_t i = 0; i < vcpus_.size() && i < source.size(); ++i) {
        Vcpu& v = *vcpus_[i];
        const uint64_t done = v.cpu->icount() - v.round_start_icount;
        v.cpu->set_icount(source[i].icount + done);
        v.round_start_icount = v.cpu->icount() - done;
        for (size_t k = 0; k < v.interrupts.size(); ++k) v.interrupts[k] += source[i].interrupts[k];
    }
}

void SpaprMachine::post_migration() {
    // The controller in force follows the migrated CAS option vector 5 (spapr_irq_post_load).
    switch (cfg_.ic_mode()) {
        case IcMode::Dual: active_ic_ = (ov5_cas_[22] & 0x40) ? IcMode::Xive : IcMode::Xics; break;
        case IcMode::Xive: active_ic_ = IcMode::Xive; break;
        default: active_ic_ = IcMode::Xics; break;
    }
    for (size_t i = 0; i < vcpus_.size(); ++i) {
        Vcpu& v = *vcpus_[i];
        v.round_start_icount = v.cpu->icount();
        if (active_ic_ == IcMode::Xive) {
            if (xive_.nsr[i]) v.cpu->set_pending(cpu::kPendExternal);
            else v.cpu->clear_pending(cpu::kPendExternal);
        } else {
            icp_update(v);
        }
        v.update_decrementer();
    }
}

void SpaprMachine::set_time(uint64_t tb) {
    // Keep each decrementer's remaining count: rebase it on the new time.
    std::vector<uint64_t> remaining;
    for (auto& v : vcpus_) {
        cpu::Cpu& c = *v->cpu;
        remaining.push_back(c.s.spr[cpu::sprn::DEC] - (v->timebase(c) - c.s.dec_base_tb));
    }
    now_ = tb;
    for (size_t i = 0; i < vcpus_.size(); ++i) {
        Vcpu& v = *vcpus_[i];
        v.round_start_icount = v.cpu->icount();
        v.cpu->s.spr[cpu::sprn::DEC] = remaining[i];
        v.cpu->s.dec_base_tb = tb;
        v.update_decrementer();
    }
}

void SpaprMachine::request_reset(bool cas_reboot) {
    reset_requested_ = true;
    cas_reboot_ = cas_reboot;
    for (auto& v : vcpus_) v->cpu->request_halt();
}

void SpaprMachine::start_cpu(unsigned index, uint64_t entry, uint64_t r3) {
    Vcpu& v = *vcpus_.at(index);
    cpu::Cpu& c = *v.cpu;
    c.s.nip = entry;
    c.s.gpr[3] = r3;
    c.set_msr(cpu::msr::SF | cpu::msr::ME);
    v.running = true;
    v.ceded = false;
}

void SpaprMachine::resume_in_place() {
    if (beh_.tb_while_paused == TbWhilePaused::Counts && paused_ticks_ != 0) set_time(now_ + paused_ticks_);
    paused_ticks_ = 0;
}

MachineStop SpaprMachine::run(uint64_t ticks, const StepObserver* observer) {
    uint64_t left = ticks;
    while (left > 0) {
        if (powered_off_) return MachineStop::PowerOff;
        const uint64_t slice = std::min(quantum_, left);
        bool any_ran = false;
        for (auto& vp : vcpus_) {
            Vcpu& v = *vp;
            cpu::Cpu& c = *v.cpu;
            v.round_start_icount = c.icount();
            if (!v.running) continue;
            if (v.ceded) {
                v.update_decrementer();
                if (c.pending() != 0 || v.prodded) {
                    v.ceded = false;
                    v.prodded = false;
                } else {
                    continue;
                }
            }
            any_ran = true;
            // Deadlines are instruction counts of this vCPU within the round.
            v.update_decrementer();
            if (observer == nullptr) {
                c.run(slice);
            } else {
                for (uint64_t done = 0; done < slice && !powered_off_ && !reset_requested_;) {
                    const uint64_t pc = c.s.nip;
                    const cpu::RunResult r = c.run(1);
                    done += r.executed;
                    (*observer)(v.index, pc);
                    if (r.reason == cpu::StopReason::Halted || r.executed == 0) break;
                }
            }
            if (powered_off_) {
                // The machine stops at the time it was powered off, not at the end of the slice.
                now_ += c.icount() - v.round_start_icount;
                return MachineStop::PowerOff;
            }
            if (reset_requested_) break;
        }
        if (reset_requested_) {
            reset_requested_ = false;
            advance(slice);
            left -= slice;
            reset();
            continue;
        }
        if (!any_ran) {
            // Everything idle or stopped: jump to the earliest timer, or report the hang.
            uint64_t next = ~uint64_t(0);
            for (auto& vp : vcpus_) {
                Vcpu& v = *vp;
                if (!v.running || !v.ceded) continue;
                cpu::Cpu& c = *v.cpu;
                const unsigned bits = dec_width(c);
                const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
                const uint64_t val = (c.s.spr[cpu::sprn::DEC] - (now_ - c.s.dec_base_tb)) & mask;
                next = std::min(next, now_ + val + 1);
            }
            if (next == ~uint64_t(0) || next - now_ > left) {
                advance(left);
                return MachineStop::AllIdle;
            }
            left -= next - now_;
            advance(next - now_);
            continue;
        }
        advance(slice);
        left -= slice;
    }
    return powered_off_ ? MachineStop::PowerOff : MachineStop::Budget;
}

nlohmann::json SpaprMachine::state_json() const {
    using nlohmann::json;
    auto hex = [](uint64_t v) { return fmt::format("{:#018x}", v); };
    json cpus = json::array();
    for (const auto& vp : vcpus_) {
        const Vcpu& v = *vp;
        const cpu::Cpu& c = *v.cpu;
        json gprs = json::array();
        for (uint64_t g : c.s.gpr) gprs.push_back(hex(g));
        json irqs = json::object();
        for (size_t i = 0; i < v.interrupts.size(); ++i)
            if (v.interrupts[i]) irqs[fmt::format("{:#x}", i * 0x20)] = v.interrupts[i];
        const unsigned bits = dec_width(c);
        const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
        const uint64_t tb = now_;
        cpus.push_back({
            {"index", v.index},
            {"running", v.running},
            {"ceded", v.ceded},
            {"pvr", fmt::format("{:#010x}", c.s.spr[cpu::sprn::PVR])},
            {"compat_pvr", fmt::format("{:#010x}", v.compat_pvr)},
            {"pcr", hex(c.s.spr[cpu::sprn::PCR])},
            {"lpcr", hex(c.s.spr[cpu::sprn::LPCR])},
            {"msr", hex(c.s.msr)},
            {"nip", hex(c.s.nip)},
            {"gpr", gprs},
            {"cr", fmt::format("{:#010x}", c.s.cr)},
            {"lr", hex(c.s.lr)},
            {"ctr", hex(c.s.ctr)},
            {"xer", hex(c.s.xer)},
            {"fpscr", hex(c.s.fpscr)},
            {"dec", hex((c.s.spr[cpu::sprn::DEC] - (tb - c.s.dec_base_tb)) & mask)},
            {"tb", hex(tb)},
            {"icount", c.icount()},
            {"interrupts", irqs},
        });
    }
    json caps = json::object();
    for (const auto& ci : cap_table()) caps[std::string(ci.name)] = cap_value_text(ci.id, caps_[static_cast<size_t>(ci.id)]);
    return json{
        {"machine", cfg_.version->name},
        {"config", cfg_.to_args()},
        {"accel", std::string(to_string(cfg_.accel))},
        {"caps", caps},
        {"ic_mode", std::string(to_string(cfg_.ic_mode()))},
        {"active_interrupt_controller", std::string(to_string(active_ic_))},
        {"time_base", now_},
        {"resets", resets_},
        {"powered_off", powered_off_},
        {"cpus", cpus},
        {"console", console_},
        {"vty", {{"reg", fmt::format("{:#x}", Vty::kReg)}, {"irq", fmt::format("{:#x}", vty_.irq)},
                 {"signal_state", vty_.signal_state}, {"input_pending", vty_.in - vty_.out}}},
        {"phb", {{"buid", hex(phb_.buid)}, {"dma_liobn", fmt::format("{:#x}", phb_.dma_liobn)},
                 {"mem_win", {hex(phb_.mem_win_addr), hex(phb_.mem_win_size)}},
                 {"mem64_win", {hex(phb_.mem64_win_addr), hex(phb_.mem64_win_size)}},
                 {"io_win", {hex(phb_.io_win_addr), hex(phb_.io_win_size)}},
                 {"lsi", {phb_.lsi_irq[0], phb_.lsi_irq[1], phb_.lsi_irq[2], phb_.lsi_irq[3]}},
                 {"msi", phb_.msi.size()}}},
        {"warnings", warnings_},
        {"errors", errors_},
    };
}

}  // namespace ppcmig::machine
