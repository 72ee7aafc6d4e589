#include "ppcmig/migration/machine_preds.hpp"
#include "ppcmig/migration/ppc_cpu.hpp"

#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/machine/compat.hpp"

namespace ppcmig::migration {

namespace {
using FT = FieldType;

Field f(std::string name, FieldType t, uint32_t count = 1, Pred exists = Pred::Always) {
    return make_field(std::move(name), t, count, exists);
}
Field unused(uint32_t bytes) { return bytes_field("unused", FT::Unused, bytes); }

uint32_t crf(const cpu::CpuState& s, unsigned i) { return (s.cr >> (28 - 4 * i)) & 0xF; }


// QEMU's ppc_flags_t bits used below (target/ppc/cpu.h values).
constexpr uint64_t kPpcMemTlbie = 0x20000000;
// 16a2497bd44c's masks: exactly POWER8's 2.6 class flags.
constexpr uint64_t kInsnsCompatMask = 0x8000600fe1ff3a61;
constexpr uint64_t kInsns2CompatMask = 0x3fff6;
constexpr unsigned kSlbEntries = 32;  // env.slb_nr of POWER7 … POWER10

}  // namespace

ClassSanity class_sanity(const cpu::CpuModel& m, unsigned release) {
    // Class values of QEMU 2.6 / 2.7+ (sources: CPU_SANITY_FACTS.md): 2.7 added PPC_64H,
    // PPC_CILDST, PPC2_PM_ISA206 to POWER7/8 and PPC_64BX to POWER7. POWER9 lacks PPC_MEM_TLBIE (the cause of C2); POWER10 is taken as
    // POWER9 [inferred: only its forged, masked value ever travels]. Under pseries the
    // msr_mask has MSR_HV and MSR_EP cleared.
    const bool r26 = release < 27;
    switch (m.family) {
        case cpu::Family::Power7:
            return {0x800000000280ff37, r26 ? 0x8000600fe1ff3a21 : 0x8000600fe1ff7ae1, r26 ? 0x10fb6u : 0x50fb6u, 0};
        case cpu::Family::Power8:
            return {0x800000010280ff37, r26 ? 0x8000600fe1ff3a61 : 0x8000600fe1ff7ae1, r26 ? 0x3fff6u : 0x7fff6u, 0};
        case cpu::Family::Power9:
        case cpu::Family::Power10:
            return {0x800000010280ff37, 0x8000600fc1ff7a61, 0xffff6, 0};
    }
    return {};
}

ClassSanity forged_sanity(const cpu::CpuModel& m, unsigned release, bool tlbie) {
    ClassSanity c = class_sanity(m, release);
    c.insns_flags = (c.insns_flags & kInsnsCompatMask) | (tlbie ? kPpcMemTlbie : 0);
    c.insns_flags2 &= kInsns2CompatMask;
    return c;
}

CpuSchema::CpuSchema(const machine::Behaviour& b) {
    // Version 5. target_ulong fields are 64-bit on ppc64.
    std::vector<Field> fields{unused(8),  // was VMSTATE_UINT64_EQUAL(spr[SPR_PVR])
                              f("gpr", FT::U64, 32), f("crf", FT::U32, 8), f("nip", FT::U64), f("spr", FT::U64, 1024),
                              f("spe_acc", FT::U64), f("reserve_addr", FT::U64), f("msr", FT::U64), f("hflags_nmsr", FT::U64)};
    if (b.cpu_sanity == machine::CpuSanity::Equal) {
        // <= 2.7: the destination's own class values must match (C1).
        for (Field x : {equal_field("msr_mask", FT::U64), equal_field("insns_flags", FT::U64), equal_field("insns_flags2", FT::U64),
                        equal_field("nb_BATs", FT::U32)})
            fields.push_back(std::move(x));
    } else {
        for (Field x : {f("mig_msr_mask", FT::U64, 1, Pred::Pre28Migration), f("mig_insns_flags", FT::U64, 1, Pred::Pre28Migration),
                        f("mig_insns_flags2", FT::U64, 1, Pred::Pre28Migration), f("mig_nb_BATs", FT::U32, 1, Pred::Pre28Migration)})
            fields.push_back(std::move(x));
    }
    cpu = Vmsd{"cpu", 5, 5, std::move(fields), {}, Hook::CpuPreSave, Hook::None, Hook::CpuPostLoad};
    compat_pred_ = b.compat_migration == machine::CompatMigration::None     ? std::nullopt
                   : b.compat_migration == machine::CompatMigration::Always ? std::optional(Pred::CompatPvrSet)
                                                                            : std::optional(Pred::CompatPvrNonZero);
    fpu = Vmsd{"cpu/fpu", 1, 1, {f("fpr", FT::U64, 32), f("fpscr", FT::U64)}, {}};
    altivec = Vmsd{"cpu/altivec", 1, 1, {f("avr", FT::U64, 64), f("vscr", FT::U32)}, {}};
    vsx = Vmsd{"cpu/vsx", 1, 1, {f("vsr", FT::U64, 32)}, {}};
    slb = Vmsd{"cpu/slb", 2, 1, {f("mig_slb_nr", FT::I32, 1, Pred::Pre30Migration), f("slb", FT::U64, 128)}, {}};
    compat = Vmsd{"cpu/compat", 1, 1, {f("compat_pvr", FT::U32)}, {}};
    rtas_stopped = Vmsd{"cpu/rtas_stopped", 1, 1, {f("quiesced", FT::Bool)}, {}};
    cpu.pre_load = Hook::CpuPreLoad;
    common = Vmsd{"cpu_common", 1, 1, {f("halted", FT::U32), f("interrupt_request", FT::U32)}, {}};
    icp = Vmsd{"icp/server", 1, 1, {f("xirr", FT::U32), f("pending_priority", FT::U8), f("mfrr", FT::U8)}, {}};
    spapr_cpu = Vmsd{"spapr_cpu", 1, 1, {}, {}};
    link();
}

CpuSchema::CpuSchema(const CpuSchema& o)
    : cpu(o.cpu), fpu(o.fpu), altivec(o.altivec), vsx(o.vsx), slb(o.slb), compat(o.compat),
      rtas_stopped(o.rtas_stopped), common(o.common), icp(o.icp), spapr_cpu(o.spapr_cpu),
      compat_pred_(o.compat_pred_) {
    link();
}

void CpuSchema::link() {
    cpu.subsections = {Subsection{&fpu, Pred::HasFloat, ""}, Subsection{&altivec, Pred::HasAltivec, ""},
                       Subsection{&vsx, Pred::HasVsx, ""}, Subsection{&slb, Pred::Mmu64, ""}};
    // cpu/compat does not exist before 2.10 (or the RFC series).
    if (compat_pred_) cpu.subsections.push_back(Subsection{&compat, *compat_pred_, ""});
    cpu.subsections.push_back(Subsection{&rtas_stopped, Pred::RtasStopped, ""});
}

uint64_t CpuAccess::get(std::string_view key, uint32_t i) const {
    const cpu::CpuState& s = v_.cpu->s;
    if (key == "gpr") return s.gpr[i];
    if (key == "crf") return crf(s, i);
    if (key == "nip") return s.nip;
    if (key == "spr") {
        // LR, CTR and XER live outside spr[] in the engine; QEMU's pre_save copies them in.
        if (i == cpu::sprn::LR) return s.lr;
        if (i == cpu::sprn::CTR) return s.ctr;
        if (i == cpu::sprn::XER) return s.xer;
        return s.spr[i];
    }
    if (key == "reserve_addr") return s.reserve_addr;
    if (key == "msr") return s.msr;
    if (key == "fpr") return s.vsr[i].hi;
    if (key == "fpscr") return s.fpscr;
    if (key == "avr") return (i & 1) ? s.vsr[32 + i / 2].lo : s.vsr[32 + i / 2].hi;
    if (key == "vscr") return s.vscr;
    if (key == "vsr") return s.vsr[i].lo;
    if (key == "compat_pvr") return v_.compat_pvr;
    if (key == "msr_mask" || key == "insns_flags" || key == "insns_flags2" || key == "nb_BATs" || key.starts_with("mig_")) {
        const auto& b = m_.behaviour();
        const ClassSanity c = key.starts_with("mig_") ? forged_sanity(v_.cpu->model(), b.insns_flags_release, b.forge_tlbie)
                                                      : class_sanity(v_.cpu->model(), b.insns_flags_release);
        if (key.ends_with("msr_mask")) return c.msr_mask;
        if (key.ends_with("insns_flags")) return c.insns_flags;
        if (key.ends_with("insns_flags2")) return c.insns_flags2;
        if (key.ends_with("nb_BATs")) return c.nb_bats;
        if (key == "mig_slb_nr") return kSlbEntries;
    }
    if (key == "halted") return (!v_.running || v_.ceded) ? 1 : 0;
    // QEMU's CPU_INTERRUPT_HARD: an interrupt is pending (an edge-triggered decrementer exception
    // raised but not yet taken must survive the migration).
    if (key == "interrupt_request") return (v_.cpu->pending() & cpu::kPendDecrementer) ? 0x2 : 0;
    if (key == "quiesced") return v_.running ? 0 : 1;
    if (const auto icp = get_icp_field(v_.icp, key)) return *icp;
    return 0;  // spe_acc, hflags_nmsr, the SLB (real mode only) and unbound fields
}

std::optional<uint64_t> get_icp_field(const machine::Icp& icp, std::string_view key) {
    if (key == "xirr") return icp.xirr;
    if (key == "pending_priority") return icp.pending_priority;
    if (key == "mfrr") return icp.mfrr;
    return std::nullopt;
}

bool set_icp_field(machine::Icp& icp, std::string_view key, uint64_t value) {
    if (key == "xirr") icp.xirr = static_cast<uint32_t>(value);
    else if (key == "pending_priority") icp.pending_priority = static_cast<uint8_t>(value);
    else if (key == "mfrr") icp.mfrr = static_cast<uint8_t>(value);
    else return false;
    return true;
}

void CpuAccess::set(std::string_view key, uint32_t i, uint64_t value) {
    cpu::CpuState& s = v_.cpu->s;
    if (key == "gpr") s.gpr[i] = value;
    else if (key == "crf") {
        const unsigned sh = 28 - 4 * i;
        s.cr = (s.cr & ~(0xFu << sh)) | (uint32_t(value & 0xF) << sh);
    } else if (key == "nip") s.nip = value;
    else if (key == "spr") {
        if (i == cpu::sprn::LR) s.lr = value;
        else if (i == cpu::sprn::CTR) s.ctr = value;
        else if (i == cpu::sprn::XER) s.xer = value;
        else s.spr[i] = value;
    } else if (key == "reserve_addr") s.reserve_addr = value;
    else if (key == "msr") v_.cpu->set_msr(value);
    else if (key == "fpr") s.vsr[i].hi = value;
    else if (key == "fpscr") s.fpscr = value;
    else if (key == "avr") ((i & 1) ? s.vsr[32 + i / 2].lo : s.vsr[32 + i / 2].hi) = value;
    else if (key == "vscr") s.vscr = static_cast<uint32_t>(value);
    else if (key == "vsr") s.vsr[i].lo = value;
    else if (key == "compat_pvr") v_.compat_pvr = static_cast<uint32_t>(value);
    else if (key == "halted") halted_ = value != 0;
    else if (key == "interrupt_request") dec_pending_ = (value & 0x2) != 0;
    else if (key == "quiesced") v_.running = value == 0;
    else set_icp_field(v_.icp, key, value);
    // spe_acc, hflags_nmsr, mig_* scratch and the SLB are read and dropped, as QEMU does.
}

bool CpuAccess::predicate(Pred p, std::string_view) const {
    const auto& ver = *m_.config().version;
    const cpu::CpuModel& model = v_.cpu->model();
    if (const auto prop = machine_property(p, ver)) return *prop;
    switch (p) {
        case Pred::HasFloat: return model.has(cpu::kFacFp);
        case Pred::HasAltivec: return model.has(cpu::kFacVmx);
        case Pred::HasVsx: return model.has(cpu::kFacVsx);
        case Pred::MmuIs32Bit: return false;
        case Pred::Mmu64: return true;
        case Pred::TmActive: return (v_.cpu->s.msr & (cpu::msr::TS0 | cpu::msr::TS1)) != 0;
        case Pred::CompatPvrNonZero: return v_.compat_pvr != 0 && !ver.pre_2_10_migration;
        case Pred::CompatPvrSet: return v_.compat_pvr != 0;
        case Pred::RtasStopped: return !v_.running;
        default: return false;
    }
}

bool CpuAccess::guest_dependent(Pred p, std::string_view arg) const {
    // pre-2.10-migration machines never send cpu/compat, whatever the guest negotiates.
    if (p == Pred::CompatPvrNonZero && m_.config().version->pre_2_10_migration) return false;
    return StateAccess::guest_dependent(p, arg);
}

namespace {
// QEMU 8.2+ (TCG): the live decrementer travels in spr[SPR_DECR] and is re-armed on load. Under
// kvm-hv the kernel owns the DEC and QEMU syncs it with the other one_reg SPRs around
// migration, in every build [inferred; see tests/QEMU_DEVIATIONS.md] — C13 is a TCG bug.
bool dec_travels(const machine::SpaprMachine& m) {
    return m.behaviour().dec_migrated || m.config().accel == machine::Accel::KvmHv;
}
}  // namespace

void CpuAccess::run_pre_save(Hook h) {
    if (h != Hook::CpuPreSave) return;
    // Before, the slot held the value last written, stale by the time it travelled.
    if (!dec_travels(m_)) return;
    cpu::Cpu& c = *v_.cpu;
    const uint64_t tb = v_.timebase(c);
    c.s.spr[cpu::sprn::DEC] = c.s.spr[cpu::sprn::DEC] - (tb - c.s.dec_base_tb);
    c.s.dec_base_tb = tb;
}

void CpuAccess::run_pre_load(Hook h) {
    if (h != Hook::CpuPreLoad) return;
    // Running unless cpu/rtas_stopped says otherwise (absent subsection: a running vCPU).
    v_.running = true;
    // Before 8.2 the destination's decrementer timer is never re-armed from the stream: it keeps
    // its own (reset) state whatever spr[DECR] says — the lost decrementer of C13.
    dec_before_ = v_.cpu->s.spr[cpu::sprn::DEC];
    pvr_before_ = v_.cpu->s.spr[cpu::sprn::PVR];
    dec_base_before_ = v_.cpu->s.dec_base_tb;
}

std::optional<std::string> CpuAccess::run_post_load(Hook h, int) {
    if (h != Hook::CpuPostLoad) return std::nullopt;
    cpu::Cpu& c = *v_.cpu;
    v_.ceded = halted_ && v_.running;
    if (dec_pending_) c.set_pending(cpu::kPendDecrementer);
    const cpu::CpuModel& model = c.model();
    const machine::Behaviour& beh = m_.behaviour();
    if (beh.compat_migration == machine::CompatMigration::None) {
        // <= 2.9: the incoming PVR is ignored (the destination's own stays) and no compat state
        // travels: the vCPU keeps the destination's reset compat mode, and KVM's PCR with it (C4).
        c.s.spr[cpu::sprn::PVR] = pvr_before_;
        c.s.spr[cpu::sprn::PCR] = machine::compat_pcr(model, v_.compat_pvr);
    } else if (v_.compat_pvr != 0) {
        // Re-apply the compat mode; an impossible one fails the load with its message.
        try {
            c.s.spr[cpu::sprn::PCR] = machine::check_set_compat(model, v_.compat_pvr, beh.compat);
        } catch (const machine::CompatError& e) {
            return std::string(e.what());
        }
        if (beh.rfc_compat_pcr_complement) {
            // The 2.8 RFC's post_load: the PCR bits the mode does NOT set (see the changeset note).
            const auto* mode = machine::find_compat_by_pvr(v_.compat_pvr);
            c.s.spr[cpu::sprn::PCR] = machine::family_compat(model.family).pcr_mask & ~mode->pcr;
        }
    } else {
        c.s.spr[cpu::sprn::PCR] = 0;
        const uint32_t pvr = static_cast<uint32_t>(c.s.spr[cpu::sprn::PVR]);
        const auto in_model = [&] {
            for (const auto& m : cpu::cpu_models())
                if ((m.pvr & 0xFFFF0000) == (pvr & 0xFFFF0000)) return std::optional<cpu::CpuModel>(m);
            return std::optional<cpu::CpuModel>();
        }();
        if (pvr != model.pvr && !(in_model && in_model->family == model.family))
            return std::string();  // -EINVAL with no message of its own
    }
    if (dec_travels(m_)) {
        // The decrementer restarts from the value that travelled.
        c.s.dec_base_tb = v_.timebase(c);
    } else {
        c.s.spr[cpu::sprn::DEC] = dec_before_;
        c.s.dec_base_tb = dec_base_before_;
    }
    v_.update_decrementer();
    c.flush_blocks();
    return std::nullopt;
}

}  // namespace ppcmig::migration
