#include "ppcmig/runner/oracle.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/guest_params.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/util/sha256.hpp"
#include "side.hpp"
#include "state_view.hpp"
#include "trace_compare.hpp"

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
using detail::FirstDivergence;
using detail::Side;
using detail::View;

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

// ------------------------------------------------------------------ preparation
/// A directory for what external engines need on disk (the guest image with its parameters,
/// the servers' stderr logs), removed with everything in it at the end of the run.
class TempDir {
public:
    TempDir() {
        std::string templ = (std::filesystem::temp_directory_path() / "ppcmig-runner-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr)
            throw std::runtime_error(fmt::format("cannot create a temporary directory {}: {}", templ, std::strerror(errno)));
        path_ = templ;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// A fresh log file name for a server of `label`.
    std::filesystem::path log_for(const std::string& label) {
        std::string name;
        for (char c : label) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
        return path_ / fmt::format("{}-{}.log", name, logs_++);
    }

private:
    std::filesystem::path path_;
    unsigned logs_ = 0;
};


// One side as the scenario names it: a build in process with its parsed configuration (or why
// there is none), or an external engine.
struct SideSpec {
    std::string label;    ///< "source", "hop 0" …
    std::string pointer;  ///< "/source", "/hops/0"
    std::string build;    ///< the build's name, for messages
    std::string options;
    std::optional<builds::Profile> profile;
    std::optional<machine::MachineConfig> cfg;
    std::optional<machine::ConfigError> error;
    std::optional<detail::ExternalSpec> external;
};

builds::Profile resolve_profile(const BuildRef& b, const std::string& ptr) {
    try {
        if (!b.changeset.empty()) return builds::profile_with_changeset(b.build, builds::read_changeset(b.changeset));
        return builds::profile(b.build.empty() ? "head" : b.build);
    } catch (const builds::ChangesetError& e) {
        throw SpecError(ptr + "/changeset", e.what());
    } catch (const std::exception& e) {
        throw SpecError(ptr + "/build", e.what());
    }
}

SideSpec make_side(std::string label, const BuildRef& b, const std::string& options, const std::string& ptr) {
    SideSpec s{std::move(label), ptr, b.build.empty() ? "head" : b.build, options, {}, {}, {}, {}};
    if (!b.engine.empty()) {
        // The external binary's builds are its own: they are checked when it is configured.
        const std::filesystem::path engine = std::filesystem::absolute(b.engine);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(engine, ec) || ::access(engine.c_str(), X_OK) != 0)
            throw SpecError(ptr + "/engine", fmt::format("{}: not an executable file", b.engine));
        s.external = detail::ExternalSpec{engine, s.build,
                                          b.changeset.empty() ? std::string() : std::filesystem::absolute(b.changeset).string(),
                                          machine::split_options(options), {}, {}};
        return s;
    }
    s.profile = resolve_profile(b, ptr);
    s.build = s.profile->name;
    try {
        s.cfg = machine::MachineConfig::parse(options, s.profile->limits());
    } catch (const machine::ConfigError& e) {
        s.error = e;
    }
    return s;
}

struct Prepared {
    memory::ElfImage elf;
    SideSpec source;
    std::vector<SideSpec> hops;
    std::unique_ptr<TempDir> tmp;  ///< only with an external side
};

Prepared prepare(const Scenario& sc) {
    memory::ElfImage elf = [&] {
        try {
            return memory::with_guest_params(memory::ElfImage::read(sc.elf), sc.params);
        } catch (const memory::ElfError& e) {
            throw SpecError("/guest", e.what());
        }
    }();
    SideSpec source = make_side("source", sc.source, sc.source_options, "/source");
    std::vector<SideSpec> hops;
    std::string previous = sc.source_options;
    for (size_t i = 0; i < sc.hops.size(); ++i) {
        const Hop& h = sc.hops[i];
        const std::string options = h.options.value_or(previous);
        hops.push_back(make_side(fmt::format("hop {}", i), h.build, options, fmt::format("/hops/{}", i)));
        previous = options;
    }
    Prepared p{std::move(elf), std::move(source), std::move(hops), nullptr};
    bool external = p.source.external.has_value();
    for (const auto& h : p.hops) external = external || h.external.has_value();
    if (external) {
        // An external engine loads the guest from a file: the image with the parameters patched in.
        p.tmp = std::make_unique<TempDir>();
        const auto guest = p.tmp->path() / "guest.elf";
        std::ofstream out(guest, std::ios::binary);
        out.write(reinterpret_cast<const char*>(p.elf.bytes.data()), static_cast<std::streamsize>(p.elf.bytes.size()));
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", guest.string()));
        if (p.source.external) p.source.external->guest = guest;
        for (auto& h : p.hops)
            if (h.external) h.external->guest = guest;
    }
    return p;
}

// ------------------------------------------------------------------ verdicts raised on the way
struct EarlyVerdict {
    Verdict verdict;
    std::optional<int> hop;
    std::string summary;
    json details;
};

EarlyVerdict config_verdict(const SideSpec& side, const machine::ConfigError& e, std::optional<int> hop) {
    const Verdict v = e.unknown_to_build ? Verdict::Unsupported : Verdict::StartFail;
    const std::string where = hop ? "destination" : "source";
    json d{{"side", where}, {"build", side.build}, {"message", e.what()}};
    if (!e.hint.empty()) d["hint"] = e.hint;
    const std::string summary =
        v == Verdict::Unsupported
            ? fmt::format("build {} cannot run this {}: {}", side.build, where, e.what())
            : fmt::format("the {} (build {}) refuses to start: {}", where, side.build, e.what());
    return {v, hop, summary, std::move(d)};
}

std::unique_ptr<Side> start(const SideSpec& side, const Prepared& p, std::optional<int> hop) {
    if (side.external) {
        detail::ExternalSpec spec = *side.external;
        spec.log = p.tmp->log_for(side.label);
        try {
            return detail::make_remote_side(side.label, spec);
        } catch (const machine::ConfigError& e) {
            throw config_verdict(side, e, hop);
        } catch (const detail::ExternalSpecError& e) {
            throw SpecError(fmt::format("{}/{}", side.pointer, e.key), e.what());
        }
    }
    if (side.error) throw config_verdict(side, *side.error, hop);
    try {
        return detail::make_local_side(side.label, *side.cfg, *side.profile, p.elf);
    } catch (const machine::ConfigError& e) {
        throw config_verdict(side, e, hop);
    }
}

// ------------------------------------------------------------------ comparisons across sides
// Two views by name, in the reference's order (vCPU by vCPU, then the machine values): what
// view_differences gives for two machines in process. A name only one side has is not compared.
std::vector<Difference> view_differences(const View& ref, const View& mig) {
    std::vector<Difference> out;
    const bool same_names = ref.names == mig.names;
    std::map<std::string_view, size_t> at;
    if (!same_names)
        for (size_t k = 0; k < mig.names.size(); ++k) at.emplace(mig.names[k], k);
    for (size_t i = 0; i < ref.vcpus.size() && i < mig.vcpus.size(); ++i) {
        for (size_t k = 0; k < ref.names.size(); ++k) {
            size_t mk = k;
            if (!same_names) {
                const auto it = at.find(ref.names[k]);
                if (it == at.end()) continue;
                mk = it->second;
            }
            const uint64_t a = ref.vcpus[i][k], b = mig.vcpus[i][mk];
            if (a != b) out.push_back({static_cast<int>(i), ref.names[k], a, b});
        }
    }
    for (const auto& [name, a] : ref.machine)
        if (const auto b = mig.value(-1, name); b && *b != a) out.push_back({-1, name, a, *b});
    return out;
}

// The entries one view has and the other does not (another engine revision): never compared,
// so left out of the chunk digests as well.
std::vector<ViewKey> uncommon_keys(const View& a, const View& b) {
    std::vector<ViewKey> out;
    const std::set<std::string> na(a.names.begin(), a.names.end()), nb(b.names.begin(), b.names.end());
    const size_t vcpus = std::max(a.vcpus.size(), b.vcpus.size());
    for (const auto& n : na)
        if (!nb.contains(n))
            for (size_t i = 0; i < vcpus; ++i) out.push_back({static_cast<int>(i), n});
    for (const auto& n : nb)
        if (!na.contains(n))
            for (size_t i = 0; i < vcpus; ++i) out.push_back({static_cast<int>(i), n});
    for (const auto& [n, v] : a.machine)
        if (!b.value(-1, n)) out.push_back({-1, n});
    for (const auto& [n, v] : b.machine)
        if (!a.value(-1, n)) out.push_back({-1, n});
    return out;
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

/// A batch of chunks went past the first chunk whose state changed; the views at that chunk's
/// end are needed, so the drive starts over with batches that end there.
struct Rewind {
    uint64_t chunk;
};

/// What the drive knows of one side between chunks when it is compared through observations
/// (a side in another process): its digest under the current exclusions, the excluded values,
/// and every page's hash.
struct Mirror {
    uint64_t digest = 0;
    std::vector<std::optional<uint64_t>> excluded;
    std::map<uint64_t, std::string> pages;  ///< touched pages; any other reads as zero
    std::string console;                    ///< as of the chunk compared (a batch runs ahead)
};

const std::string& zero_page_hash() {
    static const std::string h = runner::page_hash(std::vector<uint8_t>(memory::kPageSize, 0).data());
    return h;
}

class Drive {
public:
    Drive(const Scenario& sc, const Prepared& p, std::optional<uint64_t> exact_chunk = std::nullopt)
        : sc_(sc), p_(p), exact_chunk_(exact_chunk) {}

    std::unique_ptr<Side> ref, mig;
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

    /// Both sides in this process: compared directly, as fast as possible.
    [[nodiscard]] bool local() const { return ref->machine() && (!mig || mig->machine()); }
    /// Both sides report views, pages and chunks (false: an older serve is compared at resume
    /// and at the end through `query state` only).
    [[nodiscard]] bool observable() const { return ref->observable() && (!mig || mig->observable()); }

    /// Runs to the end (stop_chunk: none) or to the start of chunk `stop_chunk`.
    void execute(std::optional<uint64_t> stop_chunk) {
        ref = start(p_.source, p_, std::nullopt);
        note_limitation(*ref);
        layout.emplace(ref->family().value_or(cpu::Family::Power9));
        const uint64_t q = ref->quantum();
        uint64_t chunk = 0;
        for (size_t k = 0; k < sc_.hops.size(); ++k) {
            const Hop& hop = sc_.hops[k];
            const uint64_t at = std::min((hop.at_insns + q - 1) / q * q, sc_.budget_insns);
            if (!lockstep(at, chunk, stop_chunk)) return;
            Side& sender = mig ? *mig : *ref;
            if (sender.powered_off())
                throw EarlyVerdict{Verdict::Unsupported, static_cast<int>(k),
                                   fmt::format("the guest powered off at time base {}, before hop {}'s migration point {}: "
                                               "there is nothing left to migrate", sender.now(), k, at),
                                   json{{"side", "source"}, {"message", "migration point after power-off"}}};
            // A pause is a no-op without ticks; only then may an engine that predates it be used.
            if (hop.pause_ticks != 0) capable([&] { sender.pause(hop.pause_ticks); }, k);
            std::optional<migration::PrecopyParams> pre;
            if (hop.precopy) pre = migration::PrecopyParams{hop.precopy->bandwidth, hop.precopy->downtime_ns, hop.precopy->max_iterations};
            detail::Saved saved = sender.save(pre);
            streams.push_back(json{{"hop", k}, {"bytes", saved.bytes.size()}, {"sha256", util::sha256_hex(saved.bytes)},
                                   {"precopy", saved.precopy}});
            stream_bytes.push_back(std::move(saved.bytes));  // kept for the artifacts
            const std::vector<uint8_t>& bytes = stream_bytes.back();
            // The reference lives through the same pause in place, and through the time a
            // pre-copy let the guest run on.
            if (mig) {
                if (hop.pause_ticks != 0) capable([&] { ref->pause(hop.pause_ticks); }, k);
                if (sender.now() > t_ && alive(ref_stop)) ref_stop = ref->run(sender.now() - t_);
            }
            t_ = std::max(t_, sender.now());
            const std::string sender_console = sender.console();
            auto dest = start(p_.hops[k], p_, static_cast<int>(k));
            note_limitation(*dest);
            std::vector<std::string> warns;
            try {
                warns = dest->load(bytes);
            } catch (const migration::LoadError& e) {
                json chain = json::array();
                for (const auto& line : e.chain) chain.push_back(line);
                throw EarlyVerdict{Verdict::LoadFail, static_cast<int>(k),
                                   fmt::format("build {} rejects the stream of {}: {}", dest->build(), sender.build(),
                                               e.chain.empty() ? std::string("load failed") : e.chain.front()),
                                   json{{"chain", chain}, {"section", e.section}, {"instance", e.instance}, {"field", e.field},
                                        {"offset", e.offset}, {"errno", e.err}}};
            }
            for (auto& w : warns) warnings.push_back(fmt::format("{} (build {}): {}", p_.hops[k].label, dest->build(), w));
            dest->inherit_counters(saved.counters);
            if (mig) mig_console_prefix += sender_console;
            else mig_console_prefix = sender_console;
            if (hop.pause_ticks != 0) capable([&] { ref->resume_in_place(); }, k);
            else if (ref->machine()) ref->resume_in_place();  // without a pause: clears nothing, as in process
            mig = std::move(dest);
            resume(k);
        }
        if (!lockstep(sc_.budget_insns, chunk, stop_chunk)) return;
        if (mig && !observable()) {
            // Not compared chunk by chunk: compared at the end (as far as `query state` goes).
            Signature now{view_differences(ref->view(*layout), mig->view(*layout)), {}};
            ref_mirror_.console = ref->console();
            mig_mirror_.console = mig->console();
            console_difference(now);
            current = std::move(now);
        }
    }

    /// The page differences of `pages` as the result shows them (both sides' bytes).
    json pages_json(const std::set<uint64_t>& pages) {
        if (local()) return detail::pages_json(*ref->machine(), *mig->machine(), pages, sc_.ram_compare == RamCompare::Exact);
        json out = json::array();
        if (pages.empty()) return out;
        const auto a = ref->contents(pages), b = mig->contents(pages);
        for (uint64_t p : pages) {
            const auto ia = a.find(p), ib = b.find(p);
            if (ia == a.end() || ib == b.end()) continue;
            out.push_back(detail::page_difference_json(p, ia->second.data(), ib->second.data(), sc_.ram_compare == RamCompare::Exact));
        }
        return out;
    }

private:
    const Scenario& sc_;
    const Prepared& p_;
    std::optional<uint64_t> exact_chunk_;
    Mirror ref_mirror_, mig_mirror_;
    std::vector<ViewKey> exclude_;  ///< keys left out of the chunk digests
    size_t excluded_diffs_ = 0;             ///< the first exclude_ entries are current.diffs'
    uint64_t batch_ = 1;                    ///< chunks per request to an external side (grows)

    void note_limitation(const Side& s) {
        const std::string l = s.limitation();
        if (!l.empty()) warnings.push_back(fmt::format("{}: {}", s.label(), l));
    }

    template <class F>
    static void capable(F&& f, size_t hop) {
        try {
            f();
        } catch (const detail::CapabilityError& e) {
            throw EarlyVerdict{Verdict::Unsupported, static_cast<int>(hop),
                               fmt::format("hop {} needs what an external engine lacks: {}", hop, e.what()),
                               json{{"side", "source"}, {"message", e.what()}}};
        }
    }

    void console_difference(Signature& s) const {
        // Compared through observations, a side's console is known per chunk (the side itself
        // may be further on, at the end of its batch).
        const std::string& rc = local() ? ref->console() : ref_mirror_.console;
        const std::string mc = mig_console_prefix + (local() ? mig->console() : mig_mirror_.console);
        if (rc != mc) s.diffs.push_back({-1, "console", rc.size(), mc.size()});
    }

    // A machine that powered off (or failed) runs no more; one idle until its next timer still does.
    static bool alive(MachineStop s) { return s == MachineStop::Budget || s == MachineStop::AllIdle; }

    // What the stream delivered, against what the reference has at the same moment.
    void resume(size_t k) {
        Signature now;
        if (local()) {
            now = Signature{detail::view_differences(*layout, *ref->machine(), *mig->machine()),
                            detail::all_differing_pages(*ref->machine(), *mig->machine())};
        } else {
            const View rv = ref->view(*layout), mv = mig->view(*layout);
            now.diffs = view_differences(rv, mv);
            if (observable()) {
                ref_mirror_.pages = ref->touched();
                mig_mirror_.pages = mig->touched();
                std::set<uint64_t> candidates;
                for (const auto& [p, h] : ref_mirror_.pages) candidates.insert(p);
                for (const auto& [p, h] : mig_mirror_.pages) candidates.insert(p);
                now.pages = differing(candidates);
            }
            // The chunk digests leave out what already differs (compared value by value) and
            // what only one engine has.
            exclude_.clear();
            for (const auto& d : now.diffs)
                if (d.name != "console") exclude_.push_back({d.vcpu, d.name});
            excluded_diffs_ = exclude_.size();
            for (auto& key : uncommon_keys(rv, mv)) exclude_.push_back(std::move(key));
            const std::set<ViewKey> ex(exclude_.begin(), exclude_.end());
            auto seed = [&](Mirror& m, const View& v) {
                m.digest = runner::view_digest(v.names, v.vcpus, v.machine, ex);
                m.excluded.clear();
                for (const auto& key : exclude_) m.excluded.push_back(v.value(key.vcpu, key.name));
            };
            seed(ref_mirror_, rv);
            seed(mig_mirror_, mv);
            ref_mirror_.console = ref->console();
            mig_mirror_.console = mig->console();
            batch_ = 1;
        }
        console_difference(now);
        if (!(now == current)) {
            if (at_resume.is_null())
                at_resume = json{{"hop", k}, {"registers", detail::differences_json(now.diffs)}, {"pages", pages_json(now.pages)}};
            if (!first_resume_hop) first_resume_hop = static_cast<int>(k);
        }
        current = std::move(now);
        // The dirty logs start afresh for the chunk comparisons.
        if (local()) {
            (void)ref->machine()->memory().collect_dirty();
            (void)mig->machine()->memory().collect_dirty();
        }
    }

    // Pages among `candidates` whose hashes differ (pages past either side's RAM are not compared).
    std::set<uint64_t> differing(const std::set<uint64_t>& candidates) const {
        std::set<uint64_t> out;
        const uint64_t count = std::min(ref->page_count(), mig->page_count());
        for (uint64_t p : candidates) {
            if (p >= count) continue;
            const auto a = ref_mirror_.pages.find(p), b = mig_mirror_.pages.find(p);
            const std::string& ha = a == ref_mirror_.pages.end() ? zero_page_hash() : a->second;
            const std::string& hb = b == mig_mirror_.pages.end() ? zero_page_hash() : b->second;
            if (ha != hb) out.insert(p);
        }
        return out;
    }

    // Advances both runs to time `until`; false when stopped at the start of `stop_chunk`.
    bool lockstep(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
        if (!mig) {
            // Before the first hop the migrated run is the source run itself.
            if (t_ < until && alive(ref_stop)) ref_stop = ref->run(until - t_);
            t_ = std::max(t_, until);
            return true;
        }
        if (local()) return lockstep_local(until, chunk, stop_chunk);
        return lockstep_observed(until, chunk, stop_chunk);
    }

    bool lockstep_local(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
        SpaprMachine& r = *ref->machine();
        SpaprMachine& m = *mig->machine();
        const uint64_t q = r.quantum();
        while (t_ < until && (alive(ref_stop) || alive(mig_stop))) {
            if (stop_chunk && chunk == *stop_chunk) return false;
            // Once the first difference is known (and this is not a re-execution towards it),
            // the rest only decides how each run ends: no more chunks.
            const bool settled = !stop_chunk && first_chunk;
            const uint64_t step = settled ? until - t_ : std::min(q, until - t_);
            if (alive(ref_stop)) ref_stop = r.run(step);
            if (alive(mig_stop)) mig_stop = m.run(step);
            t_ += step;
            if (!settled && !stop_chunk) compare_chunk_local(chunk);
            ++chunk;
        }
        t_ = std::max(t_, until);
        return true;
    }

    // Equal without naming anything: the per-chunk fast path while the runs agree (the previous
    // comparison found them equal). The machine's own state — interrupt controllers, devices,
    // CAS results, power, console — changes only through hypercalls, so over a chunk in which
    // neither run made one it is still equal and is not compared again.
    bool same_state(const SpaprMachine& a, const SpaprMachine& b) {
        for (size_t i = 0; i < a.vcpus().size(); ++i) {
            const machine::Vcpu& x = *a.vcpus()[i];
            const machine::Vcpu& y = *b.vcpus()[i];
            if (!(x.cpu->s == y.cpu->s) || x.running != y.running || x.ceded != y.ceded || x.compat_pvr != y.compat_pvr ||
                !(x.icp == y.icp) || x.interrupts != y.interrupts)
                return false;
        }
        if (a.hcalls() == equal_at_hcalls_.first && b.hcalls() == equal_at_hcalls_.second) return true;
        if (!same_machine(a, b)) return false;
        equal_at_hcalls_ = {a.hcalls(), b.hcalls()};
        return true;
    }
    std::pair<uint64_t, uint64_t> equal_at_hcalls_{~uint64_t(0), ~uint64_t(0)};

    static bool same_machine(const SpaprMachine& a, const SpaprMachine& b) {
        const machine::Xive& xa = a.xive();
        const machine::Xive& xb = b.xive();
        return a.ics() == b.ics() && xa.sources == xb.sources && xa.queues == xb.queues && xa.cppr == xb.cppr &&
               xa.nsr == xb.nsr && a.vty() == b.vty() && a.phb() == b.phb() && a.ov5_cas() == b.ov5_cas() &&
               a.active_ic() == b.active_ic() && a.powered_off() == b.powered_off();
    }

    void compare_chunk_local(uint64_t chunk) {
        SpaprMachine& r = *ref->machine();
        SpaprMachine& m = *mig->machine();
        auto pages = r.memory().collect_dirty();
        const auto pages_m = m.memory().collect_dirty();
        pages.insert(pages.end(), pages_m.begin(), pages_m.end());
        Signature now;
        // No hypercall on either side since the runs were last found equal (consoles included).
        const bool quiet = equal_at_hcalls_ == std::pair{r.hcalls(), m.hcalls()};
        if (current.empty() && same_state(r, m)) {
            now.pages = detail::differing_pages(r, m, pages);
            if (quiet && now.pages.empty()) return;  // still equal: the consoles only grow through hypercalls
        } else {
            now.diffs = detail::view_differences(*layout, r, m);
            now.pages = current.pages;
            for (uint64_t p : pages) now.pages.erase(p);
            const auto differ = detail::differing_pages(r, m, pages);
            now.pages.insert(differ.begin(), differ.end());
        }
        settle_chunk(chunk, std::move(now));
    }

    void settle_chunk(uint64_t chunk, Signature now) {
        console_difference(now);
        if (!(now == current) && !first_chunk) {
            first_chunk = chunk;
            before_first_chunk = current;
        }
        current = std::move(now);
    }

    // A side in another process: chunks go out in batches (both sides run at the same time),
    // each reporting a digest of its view, its dirty pages' hashes and its console output.
    bool lockstep_observed(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
        const uint64_t q = ref->quantum();
        while (t_ < until && (alive(ref_stop) || alive(mig_stop))) {
            if (stop_chunk && chunk == *stop_chunk) return false;
            const bool settled = !stop_chunk && first_chunk;
            const bool observe = !settled && !stop_chunk && observable();
            detail::ChunkRequest req;
            req.observe = observe;
            if (settled || (!stop_chunk && !observable())) {
                // The rest only decides how each run ends; or an engine that cannot be observed
                // per chunk, compared at the end.
                req.ticks.push_back(until - t_);
            } else {
                uint64_t n = observe ? batch_ : 4096;
                if (stop_chunk) n = std::min(n, *stop_chunk - chunk);
                if (observe && exact_chunk_) n = *exact_chunk_ >= chunk ? std::min(n, *exact_chunk_ - chunk + 1) : 1;
                for (uint64_t s = t_; req.ticks.size() < n && s < until;) {
                    const uint64_t step = std::min(q, until - s);
                    req.ticks.push_back(step);
                    s += step;
                }
                if (observe) batch_ = std::min<uint64_t>(batch_ * 2, 64);
            }
            if (observe) req.exclude = exclude_;
            const bool run_ref = alive(ref_stop), run_mig = alive(mig_stop);
            if (run_ref) ref->begin_chunks(req, *layout);
            if (run_mig) mig->begin_chunks(req, *layout);
            std::vector<detail::ChunkObservation> ro, mo;
            // In process first, so that it runs while the other process does.
            if (run_mig && mig->machine()) mo = mig->end_chunks();
            if (run_ref) ro = ref->end_chunks();
            if (run_mig && !mig->machine()) mo = mig->end_chunks();
            for (size_t i = 0; i < req.ticks.size(); ++i) {
                if (!(t_ < until && (alive(ref_stop) || alive(mig_stop)))) break;
                std::set<uint64_t> candidates;
                auto take = [&](const std::vector<detail::ChunkObservation>& obs, MachineStop& stop, Mirror& mirror) {
                    if (!alive(stop) || i >= obs.size()) return;  // stopped: nothing changes
                    const detail::ChunkObservation& o = obs[i];
                    stop = o.stop;
                    if (!observe) return;
                    mirror.digest = o.digest;
                    mirror.excluded = o.excluded;
                    mirror.console += o.console;
                    for (const auto& [p, h] : o.dirty) {
                        mirror.pages[p] = h;
                        candidates.insert(p);
                    }
                };
                take(ro, ref_stop, ref_mirror_);
                take(mo, mig_stop, mig_mirror_);
                t_ += req.ticks[i];
                if (observe) compare_chunk_observed(chunk, candidates, i + 1 == req.ticks.size());
                ++chunk;
            }
        }
        t_ = std::max(t_, until);
        return true;
    }

    void compare_chunk_observed(uint64_t chunk, const std::set<uint64_t>& candidates, bool last_of_batch) {
        Signature now;
        // The views agree outside the excluded keys, and those still hold what current says:
        // the register differences are current's.
        bool same = ref_mirror_.digest == mig_mirror_.digest;
        for (size_t j = 0; same && j < excluded_diffs_; ++j)
            same = ref_mirror_.excluded[j] == current.diffs[j].reference && mig_mirror_.excluded[j] == current.diffs[j].migrated;
        if (same) {
            now.diffs.assign(current.diffs.begin(), current.diffs.begin() + static_cast<std::ptrdiff_t>(excluded_diffs_));
        } else {
            // Naming the differences takes the views as they are after this very chunk.
            if (!last_of_batch) throw Rewind{chunk};
            now.diffs = view_differences(ref->view(*layout), mig->view(*layout));
        }
        now.pages = current.pages;
        for (uint64_t p : candidates) now.pages.erase(p);
        const auto differ = differing(candidates);
        now.pages.insert(differ.begin(), differ.end());
        settle_chunk(chunk, std::move(now));
    }

    uint64_t t_ = 0;  ///< the drive's clock (both runs are here between chunks)
};

// ------------------------------------------------------------------ stepping (phase 2)
// The first instruction whose effects differ, found by replaying `chunk` on both sides.
FirstDivergence step_chunk(const Scenario& sc, const Prepared& p, uint64_t chunk, const Signature& baseline) {
    Drive d(sc, p);
    d.execute(chunk);
    const uint64_t length = std::min(d.ref->quantum(), sc.budget_insns - d.mig->now());
    d.ref->begin_step(length, *d.layout);
    d.mig->begin_step(length, *d.layout);
    ChunkTrace mig_trace;
    if (d.mig->machine()) mig_trace = d.mig->end_step();
    const ChunkTrace ref_trace = d.ref->end_step();
    if (!d.mig->machine()) mig_trace = d.mig->end_step();
    return detail::compare_traces(
        ref_trace, mig_trace, baseline.diffs, baseline.pages, sc.ram_compare == RamCompare::Exact,
        [&](const std::set<uint64_t>& pages) { return d.ref->contents(pages); },
        [&](const std::set<uint64_t>& pages) { return d.mig->contents(pages); });
}

// ------------------------------------------------------------------ results
std::string result_line(const std::string& console) {
    const auto at = console.rfind("RESULT ");
    if (at == std::string::npos) return "";
    const auto end = console.find('\n', at);
    return console.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

json run_json_of(const ViewLayout& layout, Side& side, MachineStop stop, const std::string& console) {
    json digest = nullptr;
    if (SpaprMachine* m = side.machine()) digest = detail::state_digest(layout, *m);
    else if (const auto d = side.view(layout).state_digest) digest = *d;
    return json{{"stop", stop_name(stop)}, {"time_base", side.now()}, {"console", console}, {"result_line", result_line(console)},
                {"state_digest", digest}, {"errors", side.errors()}};
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
    // A side in a server that failed has nothing more to tell: its files are left out.
    auto side_files = [&](Side& side, const std::string& prefix, const std::string& console_prefix) {
        std::string state, console;
        try {
            state = side.state_json().dump(1) + "\n";
            console = console_prefix + side.console();
        } catch (const std::exception&) {
            if (side.machine()) throw;
            return;
        }
        put(prefix + "-state.json", state);
        put(prefix + "-console.txt", console);
    };
    Scenario spec = sc;
    put("scenario.json", to_json(spec).dump(1) + "\n");
    if (d != nullptr) {
        for (size_t i = 0; i < d->stream_bytes.size(); ++i)
            put(fmt::format("stream-{}.bin", i),
                std::string_view(reinterpret_cast<const char*>(d->stream_bytes[i].data()), d->stream_bytes[i].size()));
        if (d->ref) side_files(*d->ref, "reference", "");
        if (d->mig) side_files(*d->mig, "migrated", d->mig_console_prefix);
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
    std::optional<Prepared> prepared;  // outlives the drive: external servers use its files
    std::unique_ptr<Drive> drive;
    try {
        prepared.emplace(prepare(sc));
        drive = std::make_unique<Drive>(sc, *prepared);
        try {
            try {
                drive->execute(std::nullopt);
            } catch (const Rewind& r) {
                drive = std::make_unique<Drive>(sc, *prepared, r.chunk);
                drive->execute(std::nullopt);
            }
            Drive& d = *drive;
            const ViewLayout& layout = *d.layout;
            const std::string mig_console = d.mig_console_prefix + d.mig->console();
            out["reference"] = run_json_of(layout, *d.ref, d.ref_stop, d.ref->console());
            out["migrated"] = run_json_of(layout, *d.mig, d.mig_stop, mig_console);
            const bool differed = d.first_chunk || d.first_resume_hop || !d.current.empty();
            std::optional<FirstDivergence> first;
            if (d.first_chunk) first = step_chunk(sc, *prepared, *d.first_chunk, d.before_first_chunk);
            const bool hang = d.ref_stop == MachineStop::PowerOff && d.mig_stop != MachineStop::PowerOff;
            details = json{{"at_resume", d.at_resume}, {"first", first ? first->first : json(nullptr)},
                           {"last_insns", first ? first->last_insns : json::array()},
                           {"end", {{"registers", detail::differences_json(d.current.diffs)}, {"pages", d.pages_json(d.current.pages)}}}};
            if (d.ref->console() != mig_console) {
                auto tail = [](const std::string& s) { return s.size() > 400 ? s.substr(s.size() - 400) : s; };
                details["console"] = {{"reference_tail", tail(d.ref->console())}, {"migrated_tail", tail(mig_console)}};
            }
            if (!d.observable())
                details["note"] = "an external engine that predates the observation requests was compared at each resume and "
                                  "at the end through `query state` only: no RAM comparison, no first divergent instruction";
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
                const View mv = d.mig->view(layout);
                for (size_t i = 0; i < mv.vcpus.size(); ++i) {
                    const int v = static_cast<int>(i);
                    vcpus.push_back({{"index", i}, {"nip", hex(mv.value(v, "nip").value_or(0))},
                                     {"running", mv.value(v, "running").value_or(0) != 0}, {"ceded", mv.value(v, "ceded").value_or(0) != 0}});
                }
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
                summary = fmt::format("the migrated run matches the reference ({}, {})", stop_name(d.ref_stop),
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
