#include "ppcmig/runner/oracle.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/isa/decoder.hpp"
#include "ppcmig/isa/disasm.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/guest_params.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/util/sha256.hpp"
#include "state_view.hpp"

namespace ppcmig::runner {

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::Ok: return "ok";
        case Verdict::LoadFail: return "load_fail";
        case Verdict::StartFail: return "start_fail";
        case Verdict::ProgramInterrupt: return "program_interrupt";
        case Verdict::Divergence: return "divergence";
        case Verdict::Hang: return "hang";
        case Verdict::Crash: return "crash";
        case Verdict::Unsupported: return "unsupported";
    }
    return "?";
}

namespace {

using nlohmann::json;
using machine::MachineStop;
using machine::SpaprMachine;
using detail::Difference;
using detail::ViewLayout;

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

// ------------------------------------------------------------------ preparation
// One side as its build sees it: the profile, and the parsed configuration or why there is none.
struct Side {
    std::string label;  ///< "source", "hop 0" …
    builds::Profile profile;
    std::string options;
    std::optional<machine::MachineConfig> cfg;
    std::optional<machine::ConfigError> error;
};

builds::Profile resolve_profile(const BuildRef& b, const std::string& ptr) {
    if (!b.engine.empty())
        throw SpecError(ptr + "/engine", "external engines are driven by the Python runner (ppcmig.run), not in process");
    try {
        if (!b.changeset.empty()) return builds::profile_with_changeset(b.build, builds::read_changeset(b.changeset));
        return builds::profile(b.build.empty() ? "head" : b.build);
    } catch (const builds::ChangesetError& e) {
        throw SpecError(ptr + "/changeset", e.what());
    } catch (const std::exception& e) {
        throw SpecError(ptr + "/build", e.what());
    }
}

Side make_side(std::string label, const BuildRef& b, const std::string& options, const std::string& ptr) {
    Side s{std::move(label), resolve_profile(b, ptr), options, std::nullopt, std::nullopt};
    try {
        s.cfg = machine::MachineConfig::parse(options, s.profile.limits());
    } catch (const machine::ConfigError& e) {
        s.error = e;
    }
    return s;
}

struct Prepared {
    memory::ElfImage elf;
    Side source;
    std::vector<Side> hops;
    std::vector<uint64_t> at;  ///< migration points, aligned up to the scheduling quantum
};

Prepared prepare(const Scenario& sc) {
    memory::ElfImage elf = [&] {
        try {
            return memory::with_guest_params(memory::ElfImage::read(sc.elf), sc.params);
        } catch (const memory::ElfError& e) {
            throw SpecError("/guest", e.what());
        }
    }();
    Side source = make_side("source", sc.source, sc.source_options, "/source");
    std::vector<Side> hops;
    std::string previous = sc.source_options;
    for (size_t i = 0; i < sc.hops.size(); ++i) {
        const Hop& h = sc.hops[i];
        const std::string options = h.options.value_or(previous);
        hops.push_back(make_side(fmt::format("hop {}", i), h.build, options, fmt::format("/hops/{}", i)));
        previous = options;
    }
    return Prepared{std::move(elf), std::move(source), std::move(hops), {}};
}

// ------------------------------------------------------------------ verdicts raised on the way
struct EarlyVerdict {
    Verdict verdict;
    std::optional<int> hop;
    std::string summary;
    json details;
};

EarlyVerdict config_verdict(const Side& side, const machine::ConfigError& e, std::optional<int> hop) {
    const Verdict v = e.unknown_to_build ? Verdict::Unsupported : Verdict::StartFail;
    const std::string where = hop ? "destination" : "source";
    json d{{"side", where}, {"build", side.profile.name}, {"message", e.what()}};
    if (!e.hint.empty()) d["hint"] = e.hint;
    const std::string summary =
        v == Verdict::Unsupported
            ? fmt::format("build {} cannot run this {}: {}", side.profile.name, where, e.what())
            : fmt::format("the {} (build {}) refuses to start: {}", where, side.profile.name, e.what());
    return {v, hop, summary, std::move(d)};
}

std::unique_ptr<SpaprMachine> start(const Side& side, const memory::ElfImage& elf, std::optional<int> hop) {
    if (side.error) throw config_verdict(side, *side.error, hop);
    try {
        auto m = std::make_unique<SpaprMachine>(*side.cfg, side.profile.behaviour);
        m->load_guest(elf);
        return m;
    } catch (const machine::ConfigError& e) {
        throw config_verdict(side, e, hop);
    }
}

// ------------------------------------------------------------------ the drive
// The scenario's timeline, executed the same way every time: the reference and the migrated run
// advance in chunks of one scheduling quantum (equal boundaries on both sides), hops happen at
// their aligned points. Phase 1 compares after every chunk; a re-execution stops at the start
// of a chunk so that it can be replayed one instruction at a time.
struct Signature {
    std::vector<Difference> diffs;
    std::set<uint64_t> pages;
    bool operator==(const Signature&) const = default;
    [[nodiscard]] bool empty() const { return diffs.empty() && pages.empty(); }
};

class Drive {
public:
    Drive(const Scenario& sc, const Prepared& p) : sc_(sc), p_(p) {}

    std::unique_ptr<SpaprMachine> ref, mig;
    std::string mig_console_prefix;  ///< what the migrated run printed on earlier sides
    std::vector<json> streams;
    std::vector<std::string> warnings;
    MachineStop ref_stop = MachineStop::Budget, mig_stop = MachineStop::Budget;
    std::optional<ViewLayout> layout;

    // Phase 1 findings.
    Signature current;                         ///< differences now
    json at_resume = nullptr;                  ///< first hop whose resume already differed
    std::optional<uint64_t> first_chunk;       ///< first chunk in which the differences changed
    Signature before_first_chunk;
    std::optional<int> first_resume_hop;       ///< a hop's load itself changed the differences
    std::vector<std::vector<uint8_t>> stream_bytes;

    /// Runs to the end (stop_chunk: none) or to the start of chunk `stop_chunk`.
    void execute(std::optional<uint64_t> stop_chunk) {
        ref = start(p_.source, p_.elf, std::nullopt);
        layout.emplace(ref->config().cpu.family);
        const uint64_t q = ref->quantum();
        uint64_t chunk = 0;
        for (size_t k = 0; k < sc_.hops.size(); ++k) {
            const Hop& hop = sc_.hops[k];
            const uint64_t at = std::min((hop.at_insns + q - 1) / q * q, sc_.budget_insns);
            if (!lockstep(at, chunk, stop_chunk)) return;
            SpaprMachine& sender = mig ? *mig : *ref;
            if (sender.powered_off())
                throw EarlyVerdict{Verdict::Unsupported, static_cast<int>(k),
                                   fmt::format("the guest powered off at time base {}, before hop {}'s migration point {}: "
                                               "there is nothing left to migrate", sender.now(), k, at),
                                   json{{"side", "source"}, {"message", "migration point after power-off"}}};
            sender.pause(hop.pause_ticks);
            std::vector<uint8_t> bytes;
            json pre = nullptr;
            if (hop.precopy) {
                migration::PrecopyParams pp{hop.precopy->bandwidth, hop.precopy->downtime_ns, hop.precopy->max_iterations};
                migration::PrecopyStats st;
                bytes = migration::save_machine_live(sender, pp, st);
                pre = json{{"iterations", st.iterations}, {"pages_sent", st.pages_sent}, {"final_pages", st.final_pages},
                           {"downtime_ns", st.downtime_ns}, {"stop_time", st.stop_time}};
            } else {
                bytes = migration::save_machine(sender);
            }
            streams.push_back(json{{"hop", k}, {"bytes", bytes.size()}, {"sha256", util::sha256_hex(bytes)}, {"precopy", pre}});
            stream_bytes.push_back(bytes);
            // The reference lives through the same pause in place, and through the time a
            // pre-copy let the guest run on.
            if (mig) {
                ref->pause(hop.pause_ticks);
                if (sender.now() > t_ && alive(ref_stop)) ref_stop = ref->run(sender.now() - t_);
            }
            t_ = std::max(t_, sender.now());
            const std::string sender_console = sender.console();
            auto dest = start(p_.hops[k], p_.elf, static_cast<int>(k));
            std::vector<std::string> warns;
            try {
                migration::load_machine(*dest, bytes, warns);
            } catch (const migration::LoadError& e) {
                json chain = json::array();
                for (const auto& line : e.chain) chain.push_back(line);
                throw EarlyVerdict{Verdict::LoadFail, static_cast<int>(k),
                                   fmt::format("build {} rejects the stream of {}: {}", p_.hops[k].profile.name,
                                               k == 0 ? p_.source.profile.name : p_.hops[k - 1].profile.name,
                                               e.chain.empty() ? std::string("load failed") : e.chain.front()),
                                   json{{"chain", chain}, {"section", e.section}, {"instance", e.instance}, {"field", e.field},
                                        {"offset", e.offset}, {"errno", e.err}}};
            }
            for (auto& w : warns) warnings.push_back(fmt::format("{} (build {}): {}", p_.hops[k].label, p_.hops[k].profile.name, w));
            dest->inherit_counters(sender);
            if (mig) mig_console_prefix += sender_console;
            else mig_console_prefix = sender_console;
            ref->resume_in_place();
            mig = std::move(dest);
            // What the stream delivered, against what the reference has at the same moment.
            Signature now{detail::view_differences(*layout, *ref, *mig), detail::all_differing_pages(*ref, *mig)};
            console_difference(now);
            if (!(now == current)) {
                if (at_resume.is_null()) {
                    at_resume = json{{"hop", k},
                                     {"registers", detail::differences_json(now.diffs)},
                                     {"pages", detail::pages_json(*ref, *mig, now.pages, sc_.ram_compare == RamCompare::Exact)}};
                }
                if (!first_resume_hop) first_resume_hop = static_cast<int>(k);
            }
            current = std::move(now);
            // The dirty logs start afresh for the chunk comparisons.
            (void)ref->memory().collect_dirty();
            (void)mig->memory().collect_dirty();
        }
        lockstep(sc_.budget_insns, chunk, stop_chunk);
    }

private:
    const Scenario& sc_;
    const Prepared& p_;

    void console_difference(Signature& s) const {
        const std::string mc = mig_console_prefix + mig->console();
        if (ref->console() != mc) s.diffs.push_back({-1, "console", ref->console().size(), mc.size()});
    }

    // A machine that powered off (or failed) runs no more; one idle until its next timer still does.
    static bool alive(MachineStop s) { return s == MachineStop::Budget || s == MachineStop::AllIdle; }

    // Advances both runs to time `until`; false when stopped at the start of `stop_chunk`.
    bool lockstep(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
        if (!mig) {
            // Before the first hop the migrated run is the source run itself.
            if (t_ < until && alive(ref_stop)) ref_stop = ref->run(until - t_);
            t_ = std::max(t_, until);
            return true;
        }
        const uint64_t q = ref->quantum();
        while (t_ < until && (alive(ref_stop) || alive(mig_stop))) {
            if (stop_chunk && chunk == *stop_chunk) return false;
            // Once the first difference is known (and this is not a re-execution towards it),
            // the rest only decides how each run ends: no more chunks.
            const bool settled = !stop_chunk && first_chunk;
            const uint64_t step = settled ? until - t_ : std::min(q, until - t_);
            if (alive(ref_stop)) ref_stop = ref->run(step);
            if (alive(mig_stop)) mig_stop = mig->run(step);
            t_ += step;
            if (!settled && !stop_chunk) compare_chunk(chunk);
            ++chunk;
        }
        t_ = std::max(t_, until);
        return true;
    }

    // Equal without naming anything: the per-chunk fast path while the runs agree.
    static bool same_state(const SpaprMachine& a, const SpaprMachine& b) {
        for (size_t i = 0; i < a.vcpus().size(); ++i) {
            const machine::Vcpu& x = *a.vcpus()[i];
            const machine::Vcpu& y = *b.vcpus()[i];
            if (!(x.cpu->s == y.cpu->s) || x.running != y.running || x.ceded != y.ceded || x.compat_pvr != y.compat_pvr ||
                !(x.icp == y.icp) || x.interrupts != y.interrupts)
                return false;
        }
        const machine::Xive& xa = a.xive();
        const machine::Xive& xb = b.xive();
        return a.ics() == b.ics() && xa.sources == xb.sources && xa.queues == xb.queues && xa.cppr == xb.cppr &&
               xa.nsr == xb.nsr && a.vty() == b.vty() && a.phb() == b.phb() && a.ov5_cas() == b.ov5_cas() &&
               a.active_ic() == b.active_ic() && a.powered_off() == b.powered_off();
    }

    void compare_chunk(uint64_t chunk) {
        auto pages = ref->memory().collect_dirty();
        const auto pages_m = mig->memory().collect_dirty();
        pages.insert(pages.end(), pages_m.begin(), pages_m.end());
        Signature now;
        if (current.empty() && same_state(*ref, *mig)) {
            now.pages = detail::differing_pages(*ref, *mig, pages);
        } else {
            now.diffs = detail::view_differences(*layout, *ref, *mig);
            now.pages = current.pages;
            for (uint64_t p : pages) now.pages.erase(p);
            const auto differ = detail::differing_pages(*ref, *mig, pages);
            now.pages.insert(differ.begin(), differ.end());
        }
        console_difference(now);
        if (!(now == current) && !first_chunk) {
            first_chunk = chunk;
            before_first_chunk = current;
        }
        current = std::move(now);
    }

    uint64_t t_ = 0;  ///< the drive's clock (both runs are here between chunks)
};

// ------------------------------------------------------------------ stepping (phase 2)
struct StepRecord {
    unsigned vcpu;
    uint64_t pc, tick;
    uint32_t word;
    std::vector<uint64_t> values;  ///< the vCPU's view after the step
    std::vector<std::pair<std::string, uint64_t>> machine;
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> pages;  ///< pages written, contents after
    int interrupt = -1;  ///< vector taken in the step, -1: none
};

uint32_t fetch_word(const SpaprMachine& m, uint64_t pc, bool le) {
    if (!m.memory().contains(pc, 4)) return 0;
    const uint8_t* b = m.memory().data() + pc;
    return le ? (uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0])
              : (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]);
}

std::string disasm(uint32_t word, uint64_t pc) { return isa::disassemble_one(word, false, pc); }

std::string isa_level(uint32_t word) {
    const auto row = isa::Decoder::get().find(word);
    return row ? std::string(isa::to_string(isa::instruction_table()[*row].level)) : "none (illegal)";
}

// Records every instruction of one chunk on one machine.
class Recorder {
public:
    Recorder(SpaprMachine& m, const ViewLayout& layout) : m_(m), layout_(layout) {
        for (const auto& v : m.vcpus()) last_interrupts_.push_back(v->interrupts);
    }
    std::vector<StepRecord> steps;
    std::function<void(const StepRecord&)> on_step;

    SpaprMachine::StepObserver observer() {
        return [this](unsigned vcpu, uint64_t pc) {
            machine::Vcpu& v = *m_.vcpus()[vcpu];
            StepRecord r;
            r.vcpu = vcpu;
            r.pc = pc;
            r.tick = m_.now() + (v.cpu->icount() - v.round_start_icount);
            r.word = fetch_word(m_, pc, v.cpu->little_endian());
            r.values = layout_.values(v);
            r.machine = ViewLayout::machine_values(m_);
            for (uint64_t p : m_.memory().collect_dirty()) {
                const uint8_t* at = m_.memory().data() + (p << memory::kPageShift);
                r.pages.emplace_back(p, std::vector<uint8_t>(at, at + memory::kPageSize));
            }
            auto& last = last_interrupts_[vcpu];
            for (size_t i = 0; i < last.size(); ++i)
                if (v.interrupts[i] != last[i]) r.interrupt = static_cast<int>(i * 0x20);
            last = v.interrupts;
            if (on_step) on_step(r);
            steps.push_back(std::move(r));
        };
    }

private:
    SpaprMachine& m_;
    const ViewLayout& layout_;
    std::vector<std::array<uint64_t, 4096 / 0x20>> last_interrupts_;
};

struct StopStepping {};

std::string program_reason(uint64_t srr1) {
    namespace r = cpu::srr1;
    if (srr1 & r::ILLEGAL) return "illegal instruction";
    if (srr1 & r::PRIVILEGED) return "privileged instruction";
    if (srr1 & r::TRAP) return "trap";
    if (srr1 & r::FP_ENABLED) return "floating-point enabled exception";
    if (srr1 & r::TM_BAD_THING) return "TM bad thing";
    return "unknown";
}

// The first instruction whose effects differ, found by replaying `chunk` on both sides.
struct FirstDivergence {
    json first;
    json last_insns = json::array();
    std::optional<json> program;  ///< set when the divergence is a Program interrupt only the migrated run took
};

FirstDivergence step_chunk(const Scenario& sc, const Prepared& p, uint64_t chunk, const Signature& baseline) {
    Drive d(sc, p);
    d.execute(chunk);
    const ViewLayout& layout = *d.layout;
    (void)d.ref->memory().collect_dirty();
    (void)d.mig->memory().collect_dirty();
    const uint64_t q = d.ref->quantum();
    const uint64_t length = std::min(q, sc.budget_insns - d.mig->now());

    Recorder ref_rec(*d.ref, layout);
    const auto ref_obs = ref_rec.observer();
    d.ref->run(length, &ref_obs);

    std::set<std::tuple<int, std::string, uint64_t, uint64_t>> known;
    for (const auto& x : baseline.diffs) known.insert({x.vcpu, x.name, x.reference, x.migrated});
    FirstDivergence out;
    Recorder mig_rec(*d.mig, layout);
    size_t index = 0;
    mig_rec.on_step = [&](const StepRecord& m) {
        json first{{"vcpu", m.vcpu}, {"tick", m.tick}, {"pc", hex(m.pc)}, {"insn", disasm(m.word, m.pc)},
                   {"word", fmt::format("{:08x}", m.word)}, {"isa", isa_level(m.word)}};
        auto finish = [&](json registers, json pages, int ref_interrupt) {
            first["registers"] = std::move(registers);
            first["pages"] = std::move(pages);
            first["interrupt"] = {{"reference", ref_interrupt < 0 ? json(nullptr) : json(hex(ref_interrupt))},
                                  {"migrated", m.interrupt < 0 ? json(nullptr) : json(hex(m.interrupt))}};
            out.first = std::move(first);
            if (m.interrupt == 0x700 && ref_interrupt != 0x700) {
                const machine::Vcpu& v = *d.mig->vcpus()[m.vcpu];
                const uint64_t srr0 = v.cpu->s.spr[cpu::sprn::SRR0], srr1 = v.cpu->s.spr[cpu::sprn::SRR1];
                const uint32_t word = fetch_word(*d.mig, srr0, (srr1 & cpu::msr::LE) != 0);
                out.program = json{{"vcpu", m.vcpu}, {"tick", m.tick}, {"vector", "0x700"}, {"srr0", hex(srr0)},
                                   {"srr1", hex(srr1)}, {"reason", program_reason(srr1)}, {"insn", disasm(word, srr0)},
                                   {"word", fmt::format("{:08x}", word)}, {"isa", isa_level(word)},
                                   {"pcr", hex(v.cpu->s.spr[cpu::sprn::PCR])}, {"compat_pvr", hex(v.compat_pvr)}};
            }
            const size_t from = mig_rec.steps.size() > 16 ? mig_rec.steps.size() - 16 : 0;
            for (size_t i = from; i < mig_rec.steps.size(); ++i)
                out.last_insns.push_back(fmt::format("{:#x}: {}", mig_rec.steps[i].pc, disasm(mig_rec.steps[i].word, mig_rec.steps[i].pc)));
            throw StopStepping{};
        };
        if (index >= ref_rec.steps.size()) {
            first["note"] = "the reference's vCPUs did not execute this instruction (idle or stopped)";
            finish(json::array(), json::array(), -1);
        }
        const StepRecord& r = ref_rec.steps[index++];
        if (r.vcpu != m.vcpu || r.pc != m.pc) {
            first["note"] = fmt::format("control flow differs: the reference executed {:#x} on vCPU {} ({})", r.pc, r.vcpu,
                                        disasm(r.word, r.pc));
            finish(json::array(), json::array(), r.interrupt);
        }
        std::vector<Difference> fresh;
        for (size_t k = 0; k < m.values.size(); ++k)
            if (m.values[k] != r.values[k] && !known.contains({static_cast<int>(m.vcpu), layout.names()[k], r.values[k], m.values[k]}))
                fresh.push_back({static_cast<int>(m.vcpu), layout.names()[k], r.values[k], m.values[k]});
        for (size_t k = 0; k < m.machine.size(); ++k)
            if (m.machine[k].second != r.machine[k].second &&
                !known.contains({-1, m.machine[k].first, r.machine[k].second, m.machine[k].second}))
                fresh.push_back({-1, m.machine[k].first, r.machine[k].second, m.machine[k].second});
        // Pages written in this step on either side, compared as they are after it.
        std::map<uint64_t, const std::vector<uint8_t>*> ref_pages;
        for (const auto& [pg, bytes] : r.pages) ref_pages[pg] = &bytes;
        std::set<uint64_t> written;
        for (const auto& [pg, bytes] : m.pages) written.insert(pg);
        for (const auto& [pg, bytes] : r.pages) written.insert(pg);
        std::set<uint64_t> pages;
        for (uint64_t pg : written) {
            if (baseline.pages.contains(pg)) continue;
            const uint8_t* mine = d.mig->memory().data() + (pg << memory::kPageShift);
            const auto it = ref_pages.find(pg);
            // A page only the migrated run wrote is compared with the reference's current copy.
            const uint8_t* theirs = it != ref_pages.end() ? it->second->data() : d.ref->memory().data() + (pg << memory::kPageShift);
            if (std::memcmp(mine, theirs, memory::kPageSize) != 0) pages.insert(pg);
        }
        if (fresh.empty() && pages.empty() && r.interrupt == m.interrupt) return;
        json pj = json::array();
        for (uint64_t pg : pages) {
            const uint8_t* mine = d.mig->memory().data() + (pg << memory::kPageShift);
            const auto it = ref_pages.find(pg);
            const uint8_t* theirs = it != ref_pages.end() ? it->second->data() : d.ref->memory().data() + (pg << memory::kPageShift);
            pj.push_back(detail::page_difference_json(pg, theirs, mine, sc.ram_compare == RamCompare::Exact));
        }
        finish(detail::differences_json(fresh), std::move(pj), r.interrupt);
    };
    const auto mig_obs = mig_rec.observer();
    try {
        d.mig->run(length, &mig_obs);
    } catch (const StopStepping&) {
        return out;
    }
    if (index < ref_rec.steps.size()) {
        const StepRecord& r = ref_rec.steps[index];
        out.first = json{{"vcpu", r.vcpu}, {"tick", r.tick}, {"pc", hex(r.pc)}, {"insn", disasm(r.word, r.pc)},
                         {"word", fmt::format("{:08x}", r.word)}, {"isa", isa_level(r.word)},
                         {"note", "the migrated run's vCPUs did not execute this instruction (idle or stopped)"},
                         {"registers", json::array()}, {"pages", json::array()},
                         {"interrupt", {{"reference", r.interrupt < 0 ? json(nullptr) : json(hex(r.interrupt))}, {"migrated", nullptr}}}};
        const size_t from = mig_rec.steps.size() > 16 ? mig_rec.steps.size() - 16 : 0;
        for (size_t i = from; i < mig_rec.steps.size(); ++i)
            out.last_insns.push_back(fmt::format("{:#x}: {}", mig_rec.steps[i].pc, disasm(mig_rec.steps[i].word, mig_rec.steps[i].pc)));
    }
    return out;
}

// ------------------------------------------------------------------ results
std::string result_line(const std::string& console) {
    const auto at = console.rfind("RESULT ");
    if (at == std::string::npos) return "";
    const auto end = console.find('\n', at);
    return console.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string_view stop_text(MachineStop s) {
    switch (s) {
        case MachineStop::Budget: return "budget";
        case MachineStop::PowerOff: return "power_off";
        case MachineStop::AllIdle: return "all_idle";
        case MachineStop::Error: return "error";
    }
    return "?";
}

json run_json_of(const ViewLayout& layout, const SpaprMachine& m, MachineStop stop, const std::string& console) {
    return json{{"stop", stop_text(stop)}, {"time_base", m.now()}, {"console", console}, {"result_line", result_line(console)},
                {"state_digest", detail::state_digest(layout, m)}, {"errors", m.errors()}};
}

void write_artifacts(const Scenario& sc, const json& result, const Drive* d, json& listing) {
    namespace fs = std::filesystem;
    const fs::path dir(sc.artifacts);
    fs::create_directories(dir);
    json files = json::array();
    auto put = [&](const std::string& name, std::string_view data) {
        const fs::path tmp = dir / (name + ".tmp");
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(data.data(), static_cast<std::streamsize>(data.size()));
            if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
        }
        fs::rename(tmp, dir / name);
        files.push_back(name);
    };
    Scenario spec = sc;
    put("scenario.json", to_json(spec).dump(1) + "\n");
    if (d != nullptr) {
        for (size_t i = 0; i < d->stream_bytes.size(); ++i)
            put(fmt::format("stream-{}.bin", i),
                std::string_view(reinterpret_cast<const char*>(d->stream_bytes[i].data()), d->stream_bytes[i].size()));
        if (d->ref) {
            put("reference-state.json", d->ref->state_json().dump(1) + "\n");
            put("reference-console.txt", d->ref->console());
        }
        if (d->mig) {
            put("migrated-state.json", d->mig->state_json().dump(1) + "\n");
            put("migrated-console.txt", d->mig_console_prefix + d->mig->console());
        }
    }
    (void)result;  // result.json is the caller's: it holds the digest of this very text
    listing = json{{"dir", dir.string()}, {"files", files}};
}

}  // namespace

Result run(const Scenario& sc) {
    json out{{"format", "ppcmig-result"}, {"format_version", 1}, {"name", sc.name}};
    Verdict verdict = Verdict::Ok;
    int hop = -1;  // -1: the source, or no hop involved
    std::string summary;
    json details = json::object();
    std::unique_ptr<Drive> drive;
    try {
        const Prepared prepared = prepare(sc);
        drive = std::make_unique<Drive>(sc, prepared);
        try {
            drive->execute(std::nullopt);
            Drive& d = *drive;
            const ViewLayout& layout = *d.layout;
            const std::string mig_console = d.mig_console_prefix + d.mig->console();
            out["reference"] = run_json_of(layout, *d.ref, d.ref_stop, d.ref->console());
            out["migrated"] = run_json_of(layout, *d.mig, d.mig_stop, mig_console);
            const bool differed = d.first_chunk || d.first_resume_hop || !d.current.empty();
            std::optional<FirstDivergence> first;
            if (d.first_chunk) first = step_chunk(sc, prepared, *d.first_chunk, d.before_first_chunk);
            const bool hang = d.ref_stop == MachineStop::PowerOff && d.mig_stop != MachineStop::PowerOff;
            details = json{{"at_resume", d.at_resume}, {"first", first ? first->first : json(nullptr)},
                           {"last_insns", first ? first->last_insns : json::array()},
                           {"end", {{"registers", detail::differences_json(d.current.diffs)},
                                    {"pages", detail::pages_json(*d.ref, *d.mig, d.current.pages, sc.ram_compare == RamCompare::Exact)}}}};
            if (d.ref->console() != mig_console) {
                auto tail = [](const std::string& s) { return s.size() > 400 ? s.substr(s.size() - 400) : s; };
                details["console"] = {{"reference_tail", tail(d.ref->console())}, {"migrated_tail", tail(mig_console)}};
            }
            hop = static_cast<int>(sc.hops.size()) - 1;
            if (first && first->program) {
                verdict = Verdict::ProgramInterrupt;
                const json& pi = *first->program;
                for (const auto& [k, v] : pi.items()) details[k] = v;  // the contract's program_interrupt fields
                summary = fmt::format("after migrating, vCPU {} took a Program interrupt ({}) at {}: {} (ISA {}), PCR {}",
                                      pi["vcpu"].get<unsigned>(), pi["reason"].get<std::string>(), pi["srr0"].get<std::string>(),
                                      pi["insn"].get<std::string>(), pi["isa"].get<std::string>(), pi["pcr"].get<std::string>());
            } else if (hang) {
                verdict = Verdict::Hang;
                json vcpus = json::array();
                for (const auto& v : d.mig->vcpus())
                    vcpus.push_back({{"index", v->index}, {"nip", hex(v->cpu->s.nip)}, {"running", v->running}, {"ceded", v->ceded}});
                details["hang"] = {{"reason", d.mig_stop == MachineStop::AllIdle ? "all vCPUs idle with no timer armed"
                                                                                    : "no power-off within the budget"},
                                   {"time_base", d.mig->now()}, {"reference_finished_at", d.ref->now()}, {"vcpus", vcpus}};
                summary = fmt::format("the migrated guest stops making progress ({}) where the reference powers off at {}",
                                      d.mig_stop == MachineStop::AllIdle ? "idle, no timer armed" : "budget exhausted", d.ref->now());
            } else if (differed) {
                verdict = Verdict::Divergence;
                if (first && !first->first.is_null()) {
                    const json& f = first->first;
                    summary = fmt::format("first divergent instruction on vCPU {} at {}: {} (tick {})", f["vcpu"].get<unsigned>(),
                                          f["pc"].get<std::string>(), f["insn"].get<std::string>(), f["tick"].get<uint64_t>());
                } else if (!d.at_resume.is_null()) {
                    summary = fmt::format("state differs right after the load of hop {}: {} register(s), {} page(s)",
                                          d.at_resume["hop"].get<int>(), d.at_resume["registers"].size(), d.at_resume["pages"].size());
                    hop = d.at_resume["hop"].get<int>();
                } else {
                    summary = "the runs end in different states";
                }
            } else {
                hop = -1;
                summary = fmt::format("the migrated run matches the reference ({}, {})", stop_text(d.ref_stop),
                                      result_line(d.ref->console()).empty() ? "no RESULT line" : result_line(d.ref->console()));
            }
        } catch (const EarlyVerdict& e) {
            verdict = e.verdict;
            hop = e.hop.value_or(-1);
            summary = e.summary;
            details = e.details;
        }
    } catch (const SpecError&) {
        throw;
    } catch (const std::exception& e) {
        verdict = Verdict::Crash;
        summary = fmt::format("engine error: {}", e.what());
        details = json{{"what", e.what()}};
    }
    out["verdict"] = to_string(verdict);
    out["summary"] = summary;
    out["hop"] = hop >= 0 ? json(hop) : json(nullptr);
    out["details"] = details;
    if (!out.contains("reference")) out["reference"] = nullptr;
    if (!out.contains("migrated")) out["migrated"] = nullptr;
    out["streams"] = drive ? json(drive->streams) : json::array();
    out["warnings"] = drive ? json(drive->warnings) : json::array();
    const std::string text = out.dump();
    out["digest"] = util::sha256_hex(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    json listing = nullptr;
    if (!sc.artifacts.empty()) write_artifacts(sc, out, drive.get(), listing);
    out["artifacts"] = listing;
    return Result{verdict, std::move(out)};
}

std::string run_json(const std::string& spec) {
    json j;
    try {
        j = json::parse(spec);
    } catch (const json::parse_error& e) {
        throw SpecError("", fmt::format("not JSON: {}", e.what()));
    }
    return run(scenario_from_json(j)).json.dump();
}

}  // namespace ppcmig::runner
