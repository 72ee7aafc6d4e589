// Round trip (issue 4, acceptance 1): for every engine build and every machine version it knows,
// save -> load -> save on the same build gives byte-identical streams, and the destination ends
// in the source's state. Guest states are random (RapidCheck) and set through the machine's own
// entry points (reset, RTAS start-cpu, compat modes, H_SET_MODE's LPCR bits, mtspr DEC, H_CEDE,
// the ICP update), or come from a real guest run. Identical inputs give identical streams.
//
// What a destination legitimately does not receive is expected explicitly, never skipped
// (expect_destination_view, hpt_verdict; tests/README.md lists them).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/machine/compat.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/migration/stream.hpp"

using namespace ppcmig;
using machine::MachineConfig;
using machine::SpaprMachine;

namespace {

// ------------------------------------------------------------------ builds and versions

/// One (engine build, machine version it knows) cell.
struct Cell {
    builds::Profile profile;
    const machine::MachineVersion* version;
    [[nodiscard]] std::string name() const { return fmt::format("build {} / {}", profile.name, version->name); }
};

/// The versions a build knows, from the tables: those the build's own lookup resolves.
std::vector<const machine::MachineVersion*> versions_known(const builds::Profile& p) {
    std::vector<const machine::MachineVersion*> out;
    for (const auto& v : machine::machine_versions())
        if (machine::find_machine_version(v.name, *p.newest_machine) == &v) out.push_back(&v);
    return out;
}

std::vector<Cell> all_cells() {
    std::vector<Cell> out;
    for (const auto& b : builds::builds()) {
        const auto p = builds::profile(b.name);
        for (const auto* v : versions_known(p)) out.push_back({p, v});
    }
    return out;
}

// ------------------------------------------------------------------ generation helpers

/// Runs a generating function at full size. RapidCheck scales integers and element picks with a
/// size that starts at 0, and the per-version properties run only a few cases each: at full size
/// every case draws from the whole domain (shrinking still works towards the small values).
template <class F>
auto full_size(F f) {
    return *rc::gen::resize(rc::kNominalSize, rc::gen::exec(std::move(f)));
}

/// A register value: mostly any 64-bit word, sometimes the corner cases.
uint64_t word() {
    return *rc::gen::weightedOneOf<uint64_t>({{8, rc::gen::arbitrary<uint64_t>()},
                                              {1, rc::gen::just(uint64_t(0))},
                                              {1, rc::gen::just(~uint64_t(0))}});
}

// ------------------------------------------------------------------ configurations

/// Builds before 8.2 under TCG do not migrate the live DEC (C13).
bool is_c13_build(const SpaprMachine& m) {
    return !m.behaviour().dec_migrated && m.config().accel == machine::Accel::Tcg;
}

/// A cap value text from the cap's domain.
std::string gen_cap_value(const machine::CapInfo& ci) {
    switch (ci.type) {
        case machine::CapType::Bool: return *rc::gen::element<std::string>("on", "off");
        case machine::CapType::Tristate: return *rc::gen::element<std::string>("broken", "workaround", "fixed");
        case machine::CapType::Ibs:
            return *rc::gen::element<std::string>("broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na");
        case machine::CapType::PageSize: return *rc::gen::element<std::string>("4K", "64K", "16M", "16G");
    }
    return "off";
}

/// Parses a command line for the cell's build and checks its caps against the accelerator, as
/// the machine does at start; the ConfigError when the machine would refuse it.
std::optional<machine::ConfigError> rejected(const Cell& cell, const std::vector<std::string>& args) {
    try {
        const MachineConfig cfg = MachineConfig::parse_args(args, cell.profile.limits());
        std::vector<std::string> warns;
        if (cell.profile.behaviour.spapr_caps) cfg.apply_caps(warns);  // no caps before 2.12
        return std::nullopt;
    } catch (const machine::ConfigError& e) {
        return e;
    }
}

/// A random command line for the cell that the machine accepts: CPU model (the version's default
/// or a POWER7 … POWER10 model), accelerator, SMP (1-4, maxcpus sometimes larger), RAM,
/// max-cpu-compat, ic-mode and cap-* values. A rejected base configuration is repaired the way
/// QEMU's hint says ("Try appending -machine cap-htm=off": TCG and the HTM default of
/// pseries-2.11 and older); extra options the machine rejects are dropped one by one.
/// nullopt: the CPU cannot run this machine at all.
std::optional<std::vector<std::string>> gen_args(const Cell& cell, uint64_t ram_mib, unsigned min_smp) {
    const auto& ver = *cell.version;
    const bool kvm = *rc::gen::arbitrary<bool>();
    std::vector<std::string> cpu_names{"POWER7", "POWER8", "POWER9", "POWER10"};
    for (const auto& m : cpu::cpu_models()) cpu_names.emplace_back(m.name);
    if (kvm) cpu_names.emplace_back("host");
    const bool use_default_cpu = *rc::gen::weightedElement<bool>({{1, true}, {3, false}});
    const std::string cpu_name = use_default_cpu ? std::string() : *rc::gen::elementOf(cpu_names);
    const unsigned smp = *rc::gen::inRange(min_smp, 5u);
    const unsigned maxcpus = smp + *rc::gen::weightedElement<unsigned>({{3, 0u}, {1, 1u}, {1, 3u}});

    std::vector<std::string> base;
    if (!cpu_name.empty()) base.insert(base.end(), {"-cpu", cpu_name});
    base.insert(base.end(), {"-smp", maxcpus == smp ? fmt::format("{}", smp) : fmt::format("{},maxcpus={}", smp, maxcpus)});
    base.insert(base.end(), {"-m", fmt::format("{}M", ram_mib), "-accel", kvm ? "kvm-hv" : "tcg"});
    if (kvm && *rc::gen::arbitrary<bool>())
        base.insert(base.end(), {"-host-cpu", *rc::gen::element<std::string>("POWER8", "POWER9", "POWER10")});
    auto with_machine = [&](const std::vector<std::string>& props) {
        std::string m = ver.name;
        for (const auto& p : props) m += "," + p;
        std::vector<std::string> a{"-machine", m};
        a.insert(a.end(), base.begin(), base.end());
        return a;
    };
    std::vector<std::string> kept;
    for (int attempt = 0;; ++attempt) {
        const auto err = rejected(cell, with_machine(kept));
        if (!err) break;
        constexpr std::string_view kTry = "Try appending -machine ";
        if (attempt == 3 || err->hint.rfind(kTry, 0) != 0) return std::nullopt;
        kept.push_back(err->hint.substr(kTry.size()));
    }
    const MachineConfig plain = MachineConfig::parse_args(with_machine(kept), cell.profile.limits());

    std::vector<std::string> props;
    if (*rc::gen::arbitrary<bool>()) {
        std::vector<std::string> modes;
        for (const auto& c : machine::compat_modes())
            if (machine::compat_valid(plain.cpu, c.pvr, 0, 0, cell.profile.behaviour.compat)) modes.emplace_back(c.name);
        if (!modes.empty()) props.push_back("max-cpu-compat=" + *rc::gen::elementOf(modes));
    }
    if (!ver.legacy_irq_allocation && *rc::gen::arbitrary<bool>())
        props.push_back("ic-mode=" + *rc::gen::element<std::string>("xics", "xive", "dual"));
    for (const auto& ci : machine::cap_table())
        if (*rc::gen::weightedElement<bool>({{4, false}, {1, true}}))
            props.push_back(fmt::format("cap-{}={}", ci.name, gen_cap_value(ci)));
    for (const auto& p : props) {
        kept.push_back(p);
        if (rejected(cell, with_machine(kept))) kept.pop_back();
    }
    return with_machine(kept);
}

/// The source machine of a cell: a random accepted configuration (logged).
MachineConfig gen_config(const Cell& cell, uint64_t ram_mib, unsigned min_smp = 1) {
    const auto args = full_size([cell, ram_mib, min_smp] { return gen_args(cell, ram_mib, min_smp); });
    RC_PRE(args.has_value());
    std::string text;
    for (const auto& a : *args) text += " " + a;
    RC_LOG() << cell.name() << ":" << text << "\n";
    return MachineConfig::parse_args(*args, cell.profile.limits());
}

// ------------------------------------------------------------------ random guest state

struct PagePlan {
    uint64_t page;
    int kind;  // 0 zero, 1 random, 2 one non-zero byte, 3 one repeated byte
    uint64_t seed;
};

struct VcpuPlan {
    bool running = false, ceded = false;
    cpu::CpuState regs;      // gpr, cr, lr, ctr, xer, fpscr, vscr, vsr, nip, plain SPRs, reservation
    uint64_t msr = 0;
    uint64_t dec = 0;        // DEC as the guest writes it (mtspr)
    bool dec_edge = false;   // write a positive DEC first, so that writing a negative one is an edge
    machine::Icp icp;
};

struct StatePlan {
    uint64_t tb = 0;
    std::optional<uint32_t> compat;  // runtime compat mode (what CAS negotiates)
    std::array<uint8_t, 32> ov5{};
    bool ile = false;
    uint64_t ail = 0;
    std::vector<VcpuPlan> vcpus;
    std::vector<PagePlan> pages;
};

/// What the plan depends on (copied, so that RapidCheck may re-run the generator while shrinking).
struct PlanInputs {
    MachineConfig cfg;
    machine::CapValues caps;
    uint64_t pages;
    machine::CompatRules compat;  ///< the compat modes the build knows
};

uint64_t gen_msr(const cpu::CpuModel& model) {
    using namespace cpu::msr;
    // Never HV (a pseries guest) and never MSR[TS]: transactional state has no cpu/tm here.
    uint64_t m = ME | (*rc::gen::weightedElement<bool>({{4, true}, {1, false}}) ? SF : 0);
    for (uint64_t bit : {EE, PR, FP, FE0, FE1, RI, LE, IR | DR, PMM})
        if (*rc::gen::arbitrary<bool>()) m |= bit;
    if (model.has(cpu::kFacVmx) && *rc::gen::arbitrary<bool>()) m |= VEC;
    if (model.has(cpu::kFacVsx) && *rc::gen::arbitrary<bool>()) m |= VSX;
    if (model.has(cpu::kFacTm) && *rc::gen::arbitrary<bool>()) m |= TM;
    return m;
}

StatePlan gen_plan(const PlanInputs& in) {
    const MachineConfig& cfg = in.cfg;
    const cpu::CpuModel& model = cfg.cpu;
    StatePlan p;
    p.tb = *rc::gen::inRange<uint64_t>(0, uint64_t(1) << 48);
    // Runtime compat: a mode CAS could negotiate (within max-cpu-compat), or raw without one.
    std::vector<uint32_t> modes;
    if (cfg.max_compat_pvr == 0) modes.push_back(0);
    for (const auto& c : machine::compat_modes())
        if (machine::compat_valid(model, c.pvr, 0, cfg.max_compat_pvr, in.compat)) modes.push_back(c.pvr);
    if (!modes.empty() && *rc::gen::arbitrary<bool>()) p.compat = *rc::gen::elementOf(modes);
    // The negotiated option vector 5 as CAS stores it; byte 23 (index 22, interrupt controller)
    // consistent with ic-mode, never the "both" bits CAS refuses.
    for (auto& b : p.ov5) b = *rc::gen::weightedElement<uint8_t>({{2, uint8_t(0)}, {1, *rc::gen::arbitrary<uint8_t>()}});
    p.ov5[22] &= 0x7F;
    p.ov5[23] &= 0x7F;
    if (cfg.ic_mode() == machine::IcMode::Xive) p.ov5[22] |= 0x40;
    else if (cfg.ic_mode() != machine::IcMode::Dual) p.ov5[22] &= uint8_t(~0x40);
    p.ile = *rc::gen::arbitrary<bool>();
    const bool ail3 = in.caps[static_cast<size_t>(machine::CapId::AilMode3)] != 0;
    p.ail = ail3 ? *rc::gen::element<uint64_t>(0, 2, 3) : *rc::gen::element<uint64_t>(0, 2);
    const uint8_t fam = cpu::family_bit(model.family);
    for (size_t i = 0; i < cfg.smp; ++i) {
        VcpuPlan v;
        v.running = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
        v.ceded = v.running && *rc::gen::weightedElement<bool>({{1, true}, {3, false}});
        cpu::CpuState& s = v.regs;
        for (auto& g : s.gpr) g = word();
        s.cr = static_cast<uint32_t>(word());
        s.lr = word();
        s.ctr = word();
        s.xer = word() & 0xE00C007F;  // SO OV CA OV32 CA32 and the byte count
        s.fpscr = static_cast<uint32_t>(word());
        s.vscr = *rc::gen::element<uint32_t>(0, cpu::vscr::SAT, cpu::vscr::NJ, cpu::vscr::NJ | cpu::vscr::SAT);
        for (auto& r : s.vsr) r = cpu::Vsr{word(), word()};
        s.nip = word() & ~uint64_t(3);
        // SPRs that are plain storage on this family; PVR, PCR, LPCR, DEC, the time base and the
        // aliases have their own rules and are set through the machine below.
        for (const auto& info : cpu::spr_registry())
            if (info.kind == cpu::SprKind::Plain && (info.families & fam)) s.spr[info.num] = word();
        if (*rc::gen::arbitrary<bool>()) {  // a larx reservation
            s.reserve_addr = word() & ~uint64_t(7);
            s.reserve_len = 8;
            s.reserve_val = word();
        }
        v.msr = gen_msr(model);
        v.dec = word();
        v.dec_edge = *rc::gen::arbitrary<bool>();
        const uint8_t cppr = *rc::gen::element<uint8_t>(0xFF, 0, 5, *rc::gen::arbitrary<uint8_t>());
        const uint32_t xisr = *rc::gen::element<uint32_t>(0, 2, machine::kXicsIrqBase + *rc::gen::inRange(0u, 16u));
        v.icp.xirr = (uint32_t(cppr) << 24) | xisr;
        v.icp.pending_priority = *rc::gen::element<uint8_t>(0xFF, *rc::gen::arbitrary<uint8_t>());
        v.icp.mfrr = *rc::gen::element<uint8_t>(0xFF, *rc::gen::arbitrary<uint8_t>());
        p.vcpus.push_back(v);
    }
    const size_t touched = *rc::gen::inRange<size_t>(0, 24);
    for (size_t k = 0; k < touched; ++k)
        p.pages.push_back({*rc::gen::inRange<uint64_t>(0, in.pages), *rc::gen::inRange(0, 4), word()});
    return p;
}

StatePlan gen_plan(const SpaprMachine& m) {
    PlanInputs in{m.config(), m.effective_caps(), const_cast<SpaprMachine&>(m).memory().page_count(),
                  m.behaviour().compat};
    return full_size([in] { return gen_plan(in); });
}

uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Puts the machine into the planned state through its own entry points.
void apply_plan(SpaprMachine& m, const StatePlan& p) {
    m.reset();
    m.set_time(p.tb);
    if (p.compat) m.set_compat_all(*p.compat);
    std::copy(p.ov5.begin(), p.ov5.end(), m.ov5_cas().begin());
    if (m.config().ic_mode() == machine::IcMode::Dual)  // CAS in dual mode follows the guest's choice
        m.set_active_ic((p.ov5[22] & 0x40) ? machine::IcMode::Xive : machine::IcMode::Xics);
    for (size_t i = 0; i < p.vcpus.size(); ++i) {
        const VcpuPlan& vp = p.vcpus[i];
        machine::Vcpu& v = *m.vcpus()[i];
        cpu::Cpu& c = *v.cpu;
        if (vp.running) m.start_cpu(static_cast<unsigned>(i), 0, 0);  // RTAS start-cpu
        // H_SET_MODE: interrupt endianness and AIL, as the hypercall sets them (every vCPU alike).
        uint64_t& lpcr = c.s.spr[cpu::sprn::LPCR];
        lpcr = (lpcr & ~(cpu::lpcr::ILE | cpu::lpcr::AIL)) | (p.ile ? cpu::lpcr::ILE : 0) | (p.ail << cpu::lpcr::AIL_SHIFT);
        const cpu::CpuState& r = vp.regs;
        c.s.gpr = r.gpr;
        c.s.cr = r.cr;
        c.s.lr = r.lr;
        c.s.ctr = r.ctr;
        c.s.xer = r.xer;
        c.s.fpscr = r.fpscr;
        c.s.vscr = r.vscr;
        c.s.vsr = r.vsr;
        for (const auto& info : cpu::spr_registry())
            if (info.kind == cpu::SprKind::Plain && r.spr[info.num] != 0) c.s.spr[info.num] = r.spr[info.num];
        c.s.reserve_addr = r.reserve_addr;
        c.s.reserve_len = r.reserve_len;
        c.s.reserve_val = r.reserve_val;
        c.set_msr(vp.msr);
        c.s.nip = (vp.msr & cpu::msr::SF) ? r.nip : r.nip & 0xFFFFFFFCu;
        // mtspr DEC: the value, the time it was written, the timer re-armed (Vcpu::on_dec_write).
        const unsigned bits = (lpcr & cpu::lpcr::LD) ? c.model().dec_bits : 32;
        const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
        auto write_dec = [&](uint64_t value) {
            c.s.spr[cpu::sprn::DEC] = value;
            c.s.dec_base_tb = v.timebase(c);
            v.on_dec_write(c);
        };
        if (vp.dec_edge) write_dec(1);
        write_dec(vp.dec & mask);
        v.icp = vp.icp;
        m.icp_update(v);
        if (vp.ceded) {  // H_CEDE: MSR[EE] set, idle until an interrupt is pending
            c.set_msr(c.s.msr | cpu::msr::EE);
            v.ceded = true;
        }
    }
    for (const PagePlan& pg : p.pages) {
        std::vector<uint8_t> bytes(memory::kPageSize, 0);
        uint64_t z = pg.seed;
        switch (pg.kind) {
            case 1:
                for (size_t i = 0; i < bytes.size(); i += 8) {
                    const uint64_t w = mix64(z += 0x9E3779B97F4A7C15ull);
                    std::memcpy(&bytes[i], &w, 8);
                }
                break;
            case 2: bytes[pg.seed % bytes.size()] = static_cast<uint8_t>(mix64(z) | 1); break;
            case 3: std::fill(bytes.begin(), bytes.end(), static_cast<uint8_t>(pg.seed | 1)); break;
            default: break;  // zero: over whatever was there (the device tree at 0 after reset)
        }
        m.memory().write(pg.page * memory::kPageSize, bytes);
    }
}

// ------------------------------------------------------------------ guests

std::filesystem::path guests_dir() {
    if (const char* d = std::getenv("PPCMIG_GUESTS_DIR")) return d;
    return PPCMIG_GUESTS_DIR;
}

struct GuestChoice {
    std::string_view elf;
    unsigned min_smp;
};
constexpr GuestChoice kGuests[] = {{"decr_tick", 1}, {"idle_cede", 1}, {"mem_dirty", 1},
                                   {"fpvec_state", 1}, {"cas_boot", 1}, {"smp_ipi", 2}};

// ------------------------------------------------------------------ the round trip

std::string first_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    const size_t n = std::min(a.size(), b.size());
    size_t i = 0;
    while (i < n && a[i] == b[i]) ++i;
    if (i == n && a.size() == b.size()) return "identical";
    std::string ctx;
    for (size_t k = i; k < std::min(i + 16, n); ++k) ctx += fmt::format(" {:02x}/{:02x}", a[k], b[k]);
    return fmt::format("sizes {} and {}, first difference at offset {:#x} (first/second:{})", a.size(), b.size(), i, ctx);
}

nlohmann::json comparable(const SpaprMachine& m) {
    nlohmann::json j = m.state_json();
    j.erase("console");  // host-side output: the destination prints only what comes after the load
    j.erase("errors");   // the machine's own stderr
    j.erase("resets");   // a counter of the machine object, not guest state
    return j;
}

/// The destination of a same-build migration: the same configuration and build, with the guest
/// image loaded when there is one (as `ppcmig-engine run --migrate-at` does), else after reset.
std::unique_ptr<SpaprMachine> destination(const SpaprMachine& src, const builds::Profile& p, const memory::ElfImage* elf) {
    auto dst = std::make_unique<SpaprMachine>(src.config(), p.behaviour);
    if (elf) dst->load_guest(*elf);
    else dst->reset();
    return dst;
}

/// What the destination is expected to hold, made on the source: state the stream does not carry
/// for this build and machine version is set to what the destination derives itself. Returns
/// whether anything changed.
bool expect_destination_view(SpaprMachine& src) {
    const auto& ver = *src.config().version;
    bool changed = false;
    const auto& beh = src.behaviour();
    if (beh.compat_migration == machine::CompatMigration::None ||
        (beh.compat_migration == machine::CompatMigration::NotPre210 && ver.pre_2_10_migration)) {
        // No cpu/compat (builds before 2.10, pre-2.10 machines after): the destination keeps its
        // reset compat mode (max-cpu-compat).
        for (const auto& v : src.vcpus())
            if (v->compat_pvr != src.config().max_compat_pvr) {
                src.set_compat_all(src.config().max_compat_pvr);
                changed = true;
                break;
            }
    }
    if (beh.rfc_compat_pcr_complement) {
        // 2.8-compat-rfc: the destination installs the complement of the mode's PCR bits.
        for (auto& v : src.vcpus()) {
            if (v->compat_pvr == 0) continue;
            const uint64_t pcr = machine::family_compat(v->cpu->model().family).pcr_mask &
                                 ~machine::find_compat_by_pvr(v->compat_pvr)->pcr;
            changed |= v->cpu->s.spr[cpu::sprn::PCR] != pcr;
            v->cpu->s.spr[cpu::sprn::PCR] = pcr;
        }
    }
    if (src.active_ic() == machine::IcMode::Xive) {
        // The external interrupt line follows the XIVE thread context after a load.
        for (size_t i = 0; i < src.vcpus().size(); ++i) {
            cpu::Cpu& c = *src.vcpus()[i]->cpu;
            const auto before = c.pending();
            if (src.xive().nsr[i]) c.set_pending(cpu::kPendExternal);
            else c.clear_pending(cpu::kPendExternal);
            changed |= before != c.pending();
        }
    }
    if (!src.has_xics()) {
        // ic-mode=xive: no XICS presenters exist, nothing of them travels.
        for (auto& v : src.vcpus()) {
            changed |= !(v->icp == machine::Icp{});
            v->icp = machine::Icp{};
        }
    }
    if (ver.pre_2_8_migration) {  // no spapr_option_vector_ov5_cas
        auto& ov5 = src.ov5_cas();
        changed |= std::any_of(ov5.begin(), ov5.end(), [](uint8_t b) { return b != 0; });
        ov5.fill(0);
    }
    if (is_c13_build(src)) {
        // C13: the destination keeps its own decrementer: the reset value (all ones) rebased on the
        // incoming time base and re-evaluated after the load. A DEC interrupt pending on the
        // source still travels in cpu_common's interrupt_request.
        for (auto& v : src.vcpus()) {
            cpu::Cpu& c = *v->cpu;
            const auto before = std::tuple(c.s.spr[cpu::sprn::DEC], c.s.dec_base_tb, v->dec_negative, c.pending());
            const bool pending = (c.pending() & cpu::kPendDecrementer) != 0;
            c.clear_pending(cpu::kPendDecrementer);
            if (pending) c.set_pending(cpu::kPendDecrementer);
            c.s.spr[cpu::sprn::DEC] = 0xFFFFFFFF;
            c.s.dec_base_tb = v->timebase(c);
            v->dec_negative = true;
            v->update_decrementer();
            changed |= before != std::tuple(c.s.spr[cpu::sprn::DEC], c.s.dec_base_tb, v->dec_negative, c.pending());
        }
    }
    return changed;
}

/// Whether the build sends the spapr/cap/hpt_maxpagesize subsection for this machine version (C8).
bool hpt_mps_sent(const SpaprMachine& m) {
    switch (m.behaviour().hpt_mps_sending) {
        case machine::HptMpsSending::Absent: return false;
        case machine::HptMpsSending::Always: return true;
        case machine::HptMpsSending::NotPre41: return !m.config().version->pre_4_1_migration;
    }
    return true;
}

/// QEMU's verdict on a same-configuration load when hpt-max-page-size was set on the command line
/// but is not sent: the destination takes its default for the source's value (C8's aftermath,
/// qemu-ppc-migration.md 3.3). A value below the default fails the load, one above it warns.
struct HptVerdict {
    std::optional<std::string> error;
    std::vector<std::string> warnings;
};
HptVerdict hpt_verdict(const SpaprMachine& m) {
    HptVerdict v;
    const size_t i = static_cast<size_t>(machine::CapId::HptMaxPageSize);
    const auto& cfg = m.config();
    if (hpt_mps_sent(m) || !cfg.cap_cmdline[i]) return v;
    const unsigned def = cfg.default_caps()[i], eff = m.effective_caps()[i];
    if (def > eff)
        v.error = fmt::format("cap-hpt-max-page-size higher level ({}) in incoming stream than on destination ({})", def, eff);
    else if (def < eff)
        v.warnings.push_back(fmt::format("cap-hpt-max-page-size lower level ({}) in incoming stream than on destination ({})", def, eff));
    return v;
}

/// XICS source (ICS) and XIVE routing state (the random states here leave them at reset;
/// IcsAndXiveStateTravel below sets them).
bool same_interrupt_sources(const SpaprMachine& a, const SpaprMachine& b) {
    const machine::Xive &xa = a.xive(), &xb = b.xive();
    return a.ics() == b.ics() && xa.sources == xb.sources && xa.queues == xb.queues && xa.cppr == xb.cppr && xa.nsr == xb.nsr;
}

/// The property: s1 = save(src); load s1 into a fresh destination; s2 = save(dst); s2 equals s1
/// (or, where the stream legitimately does not carry something, what the source would send in
/// the destination's view) and the destination's state equals the source's.
void check_round_trip(SpaprMachine& src, const builds::Profile& profile, const memory::ElfImage* elf) {
    const auto s1 = migration::save_machine(src);
    auto dst = destination(src, profile, elf);
    std::vector<std::string> warnings;
    const HptVerdict hpt = hpt_verdict(src);
    try {
        migration::load_machine(*dst, s1, warnings);
    } catch (const migration::LoadError& e) {
        if (hpt.error) {
            RC_ASSERT(e.chain == (std::vector<std::string>{*hpt.error, "error while loading state for instance 0x0 of device 'spapr'",
                                                           "load of migration failed: Invalid argument"}));
            RC_TAG("hpt-max-page-size below its default and not sent: the load fails, as in QEMU");
            RC_SUCCEED("the expected load failure");
        }
        std::string chain;
        for (const auto& l : e.chain) chain += "\n  " + l;
        RC_FAIL(fmt::format("load failed at offset {:#x} (section {} {}):{}", e.offset, e.section, e.instance, chain));
    }
    RC_ASSERT(!hpt.error);
    RC_ASSERT(warnings == hpt.warnings);
    dst->inherit_counters(src);

    const bool c13 = is_c13_build(src);
    const bool view = expect_destination_view(src);
    if (view) RC_TAG("not everything travels for this build and version");
    const auto expected = view ? migration::save_machine(src) : s1;
    const auto s2 = migration::save_machine(*dst);
    const bool same_stream = expected == s2;
    if (!same_stream) RC_LOG() << "stream: " << first_difference(expected, s2) << "\n";
    RC_ASSERT(same_stream);

    const nlohmann::json js = comparable(src), jd = comparable(*dst);
    const bool same_json = js == jd;
    if (!same_json) RC_LOG() << "state_json differs (patch from source to destination): " << nlohmann::json::diff(js, jd).dump() << "\n";
    RC_ASSERT(same_json);
    // State beyond the JSON, including what is derived on load (pending interrupts, DEC edge).
    for (size_t i = 0; i < src.vcpus().size(); ++i) {
        const machine::Vcpu& a = *src.vcpus()[i];
        const machine::Vcpu& b = *dst->vcpus()[i];
        cpu::CpuState sa = a.cpu->s, sb = b.cpu->s;
        // QEMU sends the reservation address only: its length and data do not travel.
        sa.reserve_len = sb.reserve_len = 0;
        sa.reserve_val = sb.reserve_val = sa.reserve_val2 = sb.reserve_val2 = 0;
        if (c13) RC_ASSERT(sb.spr[cpu::sprn::DEC] == 0xFFFFFFFFull);  // the destination's own
        RC_ASSERT(sa == sb);
        RC_ASSERT(a.cpu->pending() == b.cpu->pending());
        RC_ASSERT(a.dec_negative == b.dec_negative);
        RC_ASSERT(a.compat_pvr == b.compat_pvr);
        RC_ASSERT(a.running == b.running);
        RC_ASSERT(a.ceded == b.ceded);
        RC_ASSERT(a.icp == b.icp);
        RC_ASSERT(a.cpu->icount() == b.cpu->icount());
    }
    RC_ASSERT(src.now() == dst->now());
    RC_ASSERT(src.ov5_cas() == dst->ov5_cas());
    RC_ASSERT(src.active_ic() == dst->active_ic());
    RC_ASSERT(src.effective_caps() == dst->effective_caps());
    RC_ASSERT(same_interrupt_sources(src, *dst));
    RC_ASSERT(src.memory().size() == dst->memory().size());
    RC_ASSERT(std::memcmp(src.memory().data(), dst->memory().data(), src.memory().size()) == 0);
}

// Runs one RapidCheck property a bounded number of times (independent of RC_PARAMS'
// max_success, which sizes the other properties); the seed and reproduction come from RC_PARAMS.
template <class Fn>
void check_bounded(const std::string& id, int cases, Fn fn) {
    rc::detail::TestMetadata md;
    md.id = id;
    md.description = id;
    rc::detail::TestParams params = rc::detail::configuration().testParams;
    params.maxSuccess = cases;
    const auto result = rc::detail::checkTestable(fn, md, params);
    if (!result.template is<rc::detail::SuccessResult>()) {
        std::ostringstream ss;
        rc::detail::printResultMessage(result, ss);
        ADD_FAILURE() << id << ": " << ss.str();
    }
}

constexpr int kCasesPerVersion = 3;

// ------------------------------------------------------------------ every build, every version

class RoundTripEveryVersion : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripEveryVersion, SaveLoadSaveIsByteIdenticalAndStateSurvives) {
    const auto profile = builds::profile(GetParam());
    const auto versions = versions_known(profile);
    ASSERT_FALSE(versions.empty());
    EXPECT_NE(std::find(versions.begin(), versions.end(), profile.newest_machine), versions.end());
    for (const auto* v : versions) {
        const Cell cell{profile, v};
        check_bounded(fmt::format("MigrationRoundTrip/{}/{}", profile.name, v->name), kCasesPerVersion, [cell] {
            const auto cfg = gen_config(cell, *rc::gen::element<uint64_t>(1, 2));
            SpaprMachine src(cfg, cell.profile.behaviour);
            apply_plan(src, gen_plan(src));
            check_round_trip(src, cell.profile, nullptr);
        });
    }
}

std::vector<std::string> build_names() {
    std::vector<std::string> out;
    for (const auto& b : builds::builds()) out.emplace_back(b.name);
    return out;
}

INSTANTIATE_TEST_SUITE_P(Builds, RoundTripEveryVersion, ::testing::ValuesIn(build_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string n = info.param;
                             std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
                             return n;
                         });

TEST(MigrationRoundTrip, EveryBuildKnowsItsVersionsFromTheTables) {
    // The cells come from builds() and machine_versions(): a build knows every version up to its
    // newest (pseries-2.12-sxxm with 2.12), and plain "pseries" is that newest one.
    size_t expected = 0;
    for (const auto& b : builds::builds()) {
        const auto p = builds::profile(b.name);
        size_t n = 0;
        for (const auto& v : machine::machine_versions())
            if (machine::at_most(v, p.newest_machine->major, p.newest_machine->minor)) ++n;
        expected += n;
        EXPECT_EQ(machine::find_machine_version("pseries", *p.newest_machine), p.newest_machine) << b.name;
    }
    EXPECT_EQ(all_cells().size(), expected);
    EXPECT_GT(expected, builds::builds().size() * 5);
}

// ------------------------------------------------------------------ after a real guest ran

RC_GTEST_PROP(MigrationRoundTrip, AfterAGuestRanTheRoundTripHolds, ()) {
    const auto cells = all_cells();
    const Cell& cell = cells[*rc::gen::resize(rc::kNominalSize, rc::gen::inRange<size_t>(0, cells.size()))];
    const GuestChoice guest = *rc::gen::elementOf(std::vector<GuestChoice>(std::begin(kGuests), std::end(kGuests)));
    const bool le = *rc::gen::arbitrary<bool>();
    const auto path = guests_dir() / fmt::format("{}{}.elf", guest.elf, le ? "_le" : "");
    RC_LOG() << "guest " << path.filename().string() << "\n";
    const auto elf = memory::ElfImage::read(path);
    const auto cfg = gen_config(cell, 8, guest.min_smp);  // the guests need 8 MiB
    SpaprMachine src(cfg, cell.profile.behaviour);
    src.load_guest(elf);
    src.run(*rc::gen::inRange<uint64_t>(1, 30'000));
    // A machine that powered off has nothing left to migrate (QEMU's run state is not modelled).
    RC_PRE(!src.powered_off());
    RC_TAG(std::string(guest.elf));
    check_round_trip(src, cell.profile, &elf);
}

// ------------------------------------------------------------------ known gap

/// Issues a hypercall on vCPU 0 as the guest would (sc 1 with r3 = number, arguments from r4).
void hcall(SpaprMachine& m, std::initializer_list<uint64_t> regs) {
    machine::Vcpu& v = *m.vcpus()[0];
    unsigned r = 3;
    for (uint64_t x : regs) v.cpu->s.gpr[r++] = x;
    m.hcall(v, *v.cpu, 0x2000);
    ASSERT_EQ(v.cpu->s.gpr[3], 0u) << "hypercall failed";
}

// The XICS sources (ibm,set-xive) and XIVE routing and queues (H_INT_SET_SOURCE_CONFIG,
// H_INT_SET_QUEUE_CONFIG) a guest configures travel in `ics`, `xive-source` and `spapr-xive`.
TEST(MigrationRoundTrip, IcsAndXiveStateTravel) {
    for (const char* ic : {"xics", "xive"}) {
        SCOPED_TRACE(ic);
        const auto cfg = MachineConfig::parse(fmt::format("-machine pseries-4.2,ic-mode={} -cpu POWER9 -m 1M", ic));
        SpaprMachine src(cfg);
        src.reset();
        if (std::string_view(ic) == "xics") {
            // RTAS ibm,set-xive(irq 0x1005, server 0, priority 5): token, nargs, nret, args, rets.
            const uint32_t buf[] = {0x200A, 3, 1, 0x1005, 0, 5, 0};
            for (size_t i = 0; i < std::size(buf); ++i) {
                const uint8_t be[4] = {uint8_t(buf[i] >> 24), uint8_t(buf[i] >> 16), uint8_t(buf[i] >> 8), uint8_t(buf[i])};
                src.memory().write(0x8000 + 4 * i, be);
            }
            hcall(src, {0xF000, 0x8000});  // KVMPPC_H_RTAS
            ASSERT_EQ(src.ics()[5].priority, 5);
        } else {
            hcall(src, {0x3AC, 2, 0, 0, 6, 0x123});  // H_INT_SET_SOURCE_CONFIG, SET_EISN: LISN 0 -> server 0, prio 6
            hcall(src, {0x3B8, 0, 0, 6, 0x10000, 12});  // H_INT_SET_QUEUE_CONFIG: 4 KiB queue at 0x10000
            ASSERT_FALSE(src.xive().sources[0].masked);
        }
        const auto stream = migration::save_machine(src);
        SpaprMachine dst(cfg);
        dst.reset();
        std::vector<std::string> warnings;
        migration::load_machine(dst, stream, warnings);
        EXPECT_TRUE(same_interrupt_sources(src, dst));
        EXPECT_EQ(migration::save_machine(dst), stream);
    }
}

// ------------------------------------------------------------------ determinism

/// Leaves freed heap blocks full of a pattern, so that a read of uninitialised memory by the next
/// machine would differ from the previous machine's.
void scribble_heap(uint8_t pattern) {
    std::vector<std::unique_ptr<uint8_t[]>> blocks;
    // Below malloc's mmap threshold: larger blocks go back to the kernel and come back zeroed.
    for (size_t size : {16u, 24u, 48u, 64u, 128u, 200u, 512u, 4096u, 65536u}) {
        for (int k = 0; k < 8; ++k) {
            blocks.push_back(std::make_unique_for_overwrite<uint8_t[]>(size));
            std::fill_n(blocks.back().get(), size, pattern);
        }
    }
}

RC_GTEST_PROP(MigrationRoundTrip, IdenticalMachinesGiveIdenticalStreams, ()) {
    const auto cells = all_cells();
    const Cell& cell = cells[*rc::gen::resize(rc::kNominalSize, rc::gen::inRange<size_t>(0, cells.size()))];
    const auto cfg = gen_config(cell, *rc::gen::element<uint64_t>(1, 2));
    scribble_heap(0x00);
    auto a = std::make_unique<SpaprMachine>(cfg, cell.profile.behaviour);
    const StatePlan plan = gen_plan(*a);
    apply_plan(*a, plan);
    const auto sa = migration::save_machine(*a);
    scribble_heap(0xA5);
    auto b = std::make_unique<SpaprMachine>(cfg, cell.profile.behaviour);
    apply_plan(*b, plan);
    const auto sb = migration::save_machine(*b);
    const bool same_stream = sa == sb;
    if (!same_stream) RC_LOG() << first_difference(sa, sb) << "\n";
    RC_ASSERT(same_stream);
    // Saving is repeatable: a second save of the same stopped machine writes the same bytes.
    RC_ASSERT(migration::save_machine(*a) == sa);
}

TEST(MigrationRoundTrip, IdenticalGuestRunsGiveIdenticalStreams) {
    // The same SMP guest on identically built machines, stopped at the same point, saves the same
    // bytes on every build (no host time, no uninitialised state reaches the stream).
    const auto elf = memory::ElfImage::read(guests_dir() / "smp_ipi.elf");
    for (const auto& b : builds::builds()) {
        const auto p = builds::profile(b.name);
        // cap-htm=off: TCG refuses the HTM default of pseries-2.11 and older (the caps exist from 2.12).
        const auto cfg = MachineConfig::parse(fmt::format("-machine pseries{} -cpu POWER8 -smp 2,maxcpus=3 -m 8M",
                                                          p.behaviour.spapr_caps ? ",cap-htm=off" : ""),
                                              p.limits());
        std::vector<uint8_t> first;
        for (uint8_t pattern : {uint8_t(0x00), uint8_t(0xA5)}) {
            scribble_heap(pattern);
            SpaprMachine m(cfg, p.behaviour);
            m.load_guest(elf);
            m.run(25'000);
            ASSERT_FALSE(m.powered_off()) << b.name;
            const auto s = migration::save_machine(m);
            if (first.empty()) first = s;
            else EXPECT_EQ(first_difference(first, s), "identical") << b.name;
        }
    }
}

}  // namespace
