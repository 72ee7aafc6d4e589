#include "drive.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ppcmig/memory/guest_memory.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/util/sha256.hpp"

namespace ppcmig::runner::detail {

EngineFailure::EngineFailure(std::string where, const std::string& what) : std::runtime_error(what), where(std::move(where)) {}

namespace {

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

const std::string& zero_page_hash() {
    static const std::string h = runner::page_hash(std::vector<uint8_t>(memory::kPageSize, 0).data());
    return h;
}

}  // namespace

Side& Drive::act(Side& s) {
    acting_ = &s == ref.get() && mig ? "reference" : s.label();
    return s;
}

void Drive::execute(std::optional<uint64_t> stop_chunk) {
    try {
        run_timeline(stop_chunk);
    } catch (const SpecError&) {
        throw;
    } catch (const EngineFailure&) {
        throw;
    } catch (const std::exception& e) {
        throw EngineFailure(acting_, e.what());
    }
}

void Drive::run_timeline(std::optional<uint64_t> stop_chunk) {
    acting_ = "source";
    ref = start(p_.source, p_, std::nullopt);
    note_limitation(*ref);
    layout.emplace(ref->family().value_or(cpu::Family::Power9));
    const uint64_t q = ref->quantum();
    uint64_t chunk = 0;
    for (size_t k = 0; k < sc_.hops.size(); ++k) {
        const Hop& hop = sc_.hops[k];
        const uint64_t at = std::min((hop.at_insns + q - 1) / q * q, sc_.budget_insns);
        if (!lockstep(at, chunk, stop_chunk)) return;
        Side& sender = act(mig ? *mig : *ref);
        if (sender.powered_off())
            throw Outcome{Verdict::Unsupported, static_cast<int>(k),
                          fmt::format("the guest powered off at time base {}, before hop {}'s migration point {}: "
                                      "there is nothing left to migrate", sender.now(), k, at),
                          json{{"side", "source"}, {"message", "migration point after power-off"}}};
        // A pause is a no-op without ticks; only then may an engine that predates it be used.
        if (hop.pause_ticks != 0) capable([&] { sender.pause(hop.pause_ticks); }, k);
        std::optional<migration::PrecopyParams> pre;
        if (hop.precopy) pre = migration::PrecopyParams{hop.precopy->bandwidth, hop.precopy->downtime_ns, hop.precopy->max_iterations};
        Saved saved = sender.save(pre);
        streams.push_back(json{{"hop", k}, {"bytes", saved.bytes.size()}, {"sha256", util::sha256_hex(saved.bytes)},
                               {"precopy", saved.precopy}});
        stream_bytes.push_back(std::move(saved.bytes));  // kept for the artifacts
        const std::vector<uint8_t>& bytes = stream_bytes.back();
        // The reference lives through the same pause in place, and through the time a
        // pre-copy let the guest run on.
        if (mig) {
            if (hop.pause_ticks != 0) capable([&] { act(*ref).pause(hop.pause_ticks); }, k);
            if (sender.now() > t_ && alive(ref_stop)) ref_stop = act(*ref).run(sender.now() - t_);
        }
        t_ = std::max(t_, sender.now());
        const std::string sender_console = act(sender).console();
        acting_ = p_.hops[k].label;
        auto dest = start(p_.hops[k], p_, static_cast<int>(k));
        note_limitation(*dest);
        std::vector<std::string> warns;
        try {
            warns = dest->load(bytes);
        } catch (const migration::LoadError& e) {
            json chain = json::array();
            for (const auto& line : e.chain) chain.push_back(line);
            throw Outcome{Verdict::LoadFail, static_cast<int>(k),
                          fmt::format("build {} rejects the stream of {}: {}", dest->build(), sender.build(),
                                      e.chain.empty() ? std::string("load failed") : e.chain.front()),
                          json{{"chain", chain}, {"section", e.section}, {"instance", e.instance}, {"field", e.field},
                               {"offset", e.offset}, {"errno", e.err}}};
        }
        for (auto& w : warns) warnings.push_back(fmt::format("{} (build {}): {}", p_.hops[k].label, dest->build(), w));
        dest->inherit_counters(saved.counters);
        if (mig) mig_console_prefix += sender_console;
        else mig_console_prefix = sender_console;
        if (hop.pause_ticks != 0) capable([&] { act(*ref).resume_in_place(); }, k);
        else if (ref->machine()) act(*ref).resume_in_place();  // without a pause: clears nothing, as in process
        mig = std::move(dest);
        resume(k);
    }
    if (!lockstep(sc_.budget_insns, chunk, stop_chunk)) return;
    if (mig && !observable()) {
        // Not compared chunk by chunk: compared at the end (as far as `query state` goes).
        const View rv = act(*ref).view(*layout);
        const View mv = act(*mig).view(*layout);
        Signature now{view_differences(rv, mv), {}};
        ref_mirror_.console = act(*ref).console();
        mig_mirror_.console = act(*mig).console();
        console_difference(now);
        current = std::move(now);
    }
}

json Drive::pages_json(const std::set<uint64_t>& pages) {
    if (local()) return detail::pages_json(*ref->machine(), *mig->machine(), pages, sc_.ram_compare == RamCompare::Exact);
    json out = json::array();
    if (pages.empty()) return out;
    const auto a = act(*ref).contents(pages), b = act(*mig).contents(pages);
    for (uint64_t p : pages) {
        const auto ia = a.find(p), ib = b.find(p);
        if (ia == a.end() || ib == b.end()) continue;
        out.push_back(page_difference_json(p, ia->second.data(), ib->second.data(), sc_.ram_compare == RamCompare::Exact));
    }
    return out;
}

void Drive::note_limitation(const Side& s) {
    const std::string l = s.limitation();
    if (!l.empty()) warnings.push_back(fmt::format("{}: {}", s.label(), l));
}

template <class F>
void Drive::capable(F&& f, size_t hop) {
    try {
        f();
    } catch (const CapabilityError& e) {
        throw Outcome{Verdict::Unsupported, static_cast<int>(hop),
                      fmt::format("hop {} needs what an external engine lacks: {}", hop, e.what()),
                      json{{"side", "source"}, {"message", e.what()}}};
    }
}

void Drive::console_difference(Signature& s) const {
    // Compared through observations, a side's console is known per chunk (the side itself
    // may be further on, at the end of its batch).
    const std::string& rc = local() ? ref->console() : ref_mirror_.console;
    const std::string mc = mig_console_prefix + (local() ? mig->console() : mig_mirror_.console);
    if (rc != mc) s.diffs.push_back({-1, "console", rc.size(), mc.size()});
}

void Drive::resume(size_t k) {
    Signature now;
    if (local()) {
        acting_ = "comparison";
        now = Signature{view_differences(*layout, *ref->machine(), *mig->machine()),
                        all_differing_pages(*ref->machine(), *mig->machine())};
    } else {
        const View rv = act(*ref).view(*layout);
        const View mv = act(*mig).view(*layout);
        now.diffs = view_differences(rv, mv);
        if (observable()) {
            ref_mirror_.pages = act(*ref).touched();
            mig_mirror_.pages = act(*mig).touched();
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
        ref_mirror_.console = act(*ref).console();
        mig_mirror_.console = act(*mig).console();
        batch_ = 1;
    }
    console_difference(now);
    if (!(now == current)) {
        if (at_resume.is_null())
            at_resume = json{{"hop", k}, {"registers", differences_json(now.diffs)}, {"pages", pages_json(now.pages)}};
        if (!first_resume_hop) first_resume_hop = static_cast<int>(k);
    }
    current = std::move(now);
    // The dirty logs start afresh for the chunk comparisons.
    if (local()) {
        (void)ref->machine()->memory().collect_dirty();
        (void)mig->machine()->memory().collect_dirty();
    }
}

std::set<uint64_t> Drive::differing(const std::set<uint64_t>& candidates) const {
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

bool Drive::lockstep(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
    if (!mig) {
        // Before the first hop the migrated run is the source run itself.
        if (t_ < until && alive(ref_stop)) ref_stop = act(*ref).run(until - t_);
        t_ = std::max(t_, until);
        return true;
    }
    if (local()) return lockstep_local(until, chunk, stop_chunk);
    return lockstep_observed(until, chunk, stop_chunk);
}

bool Drive::lockstep_local(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
    SpaprMachine& r = *ref->machine();
    SpaprMachine& m = *mig->machine();
    const uint64_t q = r.quantum();
    while (t_ < until && (alive(ref_stop) || alive(mig_stop))) {
        if (stop_chunk && chunk == *stop_chunk) return false;
        // Once the first difference is known (and this is not a re-execution towards it),
        // the rest only decides how each run ends: no more chunks.
        const bool settled = !stop_chunk && first_chunk;
        const uint64_t step = settled ? until - t_ : std::min(q, until - t_);
        if (alive(ref_stop)) ref_stop = (act(*ref), r.run(step));
        if (alive(mig_stop)) mig_stop = (act(*mig), m.run(step));
        t_ += step;
        if (!settled && !stop_chunk) compare_chunk_local(chunk);
        ++chunk;
    }
    t_ = std::max(t_, until);
    return true;
}

bool Drive::same_state(const SpaprMachine& a, const SpaprMachine& b) {
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

bool Drive::same_machine(const SpaprMachine& a, const SpaprMachine& b) {
    const machine::Xive& xa = a.xive();
    const machine::Xive& xb = b.xive();
    return a.ics() == b.ics() && xa.sources == xb.sources && xa.queues == xb.queues && xa.cppr == xb.cppr &&
           xa.nsr == xb.nsr && a.vty() == b.vty() && a.phb() == b.phb() && a.ov5_cas() == b.ov5_cas() &&
           a.active_ic() == b.active_ic() && a.powered_off() == b.powered_off();
}

void Drive::compare_chunk_local(uint64_t chunk) {
    acting_ = "comparison";
    SpaprMachine& r = *ref->machine();
    SpaprMachine& m = *mig->machine();
    auto pages = r.memory().collect_dirty();
    const auto pages_m = m.memory().collect_dirty();
    pages.insert(pages.end(), pages_m.begin(), pages_m.end());
    Signature now;
    // No hypercall on either side since the runs were last found equal (consoles included).
    const bool quiet = equal_at_hcalls_ == std::pair{r.hcalls(), m.hcalls()};
    if (current.empty() && same_state(r, m)) {
        now.pages = differing_pages(r, m, pages);
        if (quiet && now.pages.empty()) return;  // still equal: the consoles only grow through hypercalls
    } else {
        now.diffs = view_differences(*layout, r, m);
        now.pages = current.pages;
        for (uint64_t p : pages) now.pages.erase(p);
        const auto differ = differing_pages(r, m, pages);
        now.pages.insert(differ.begin(), differ.end());
    }
    settle_chunk(chunk, std::move(now));
}

void Drive::settle_chunk(uint64_t chunk, Signature now) {
    console_difference(now);
    if (!(now == current) && !first_chunk) {
        first_chunk = chunk;
        before_first_chunk = current;
    }
    current = std::move(now);
}

bool Drive::lockstep_observed(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk) {
    const uint64_t q = ref->quantum();
    while (t_ < until && (alive(ref_stop) || alive(mig_stop))) {
        if (stop_chunk && chunk == *stop_chunk) return false;
        const bool settled = !stop_chunk && first_chunk;
        const bool observe = !settled && !stop_chunk && observable();
        ChunkRequest req;
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
        if (run_ref) act(*ref).begin_chunks(req, *layout);
        if (run_mig) act(*mig).begin_chunks(req, *layout);
        std::vector<ChunkObservation> ro, mo;
        // In process first, so that it runs while the other process does.
        if (run_mig && mig->machine()) mo = act(*mig).end_chunks();
        if (run_ref) ro = act(*ref).end_chunks();
        if (run_mig && !mig->machine()) mo = act(*mig).end_chunks();
        for (size_t i = 0; i < req.ticks.size(); ++i) {
            if (!(t_ < until && (alive(ref_stop) || alive(mig_stop)))) break;
            std::set<uint64_t> candidates;
            auto take = [&](const std::vector<ChunkObservation>& obs, MachineStop& stop, Mirror& mirror) {
                if (!alive(stop) || i >= obs.size()) return;  // stopped: nothing changes
                const ChunkObservation& o = obs[i];
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

void Drive::compare_chunk_observed(uint64_t chunk, const std::set<uint64_t>& candidates, bool last_of_batch) {
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
        const View rv = act(*ref).view(*layout);
        const View mv = act(*mig).view(*layout);
        now.diffs = view_differences(rv, mv);
    }
    now.pages = current.pages;
    for (uint64_t p : candidates) now.pages.erase(p);
    const auto differ = differing(candidates);
    now.pages.insert(differ.begin(), differ.end());
    settle_chunk(chunk, std::move(now));
}

// ------------------------------------------------------------------ stepping (phase 2)
// The first instruction whose effects differ, found by replaying `chunk` on both sides.
FirstDivergence step_chunk(const Scenario& sc, const Prepared& p, uint64_t chunk, const Signature& baseline) {
    Drive d(sc, p);
    d.execute(chunk);
    try {
        const uint64_t length = std::min(d.ref->quantum(), sc.budget_insns - d.mig->now());
        d.act(*d.ref).begin_step(length, *d.layout);
        d.act(*d.mig).begin_step(length, *d.layout);
        ChunkTrace mig_trace;
        if (d.mig->machine()) mig_trace = d.act(*d.mig).end_step();
        const ChunkTrace ref_trace = d.act(*d.ref).end_step();
        if (!d.mig->machine()) mig_trace = d.act(*d.mig).end_step();
        d.acting_ = "comparison";
        return compare_traces(
            ref_trace, mig_trace, baseline.diffs, baseline.pages, sc.ram_compare == RamCompare::Exact,
            [&](const std::set<uint64_t>& pages) { return d.act(*d.ref).contents(pages); },
            [&](const std::set<uint64_t>& pages) { return d.act(*d.mig).contents(pages); });
    } catch (const std::exception& e) {
        throw EngineFailure(d.acting_, e.what());
    }
}

}  // namespace ppcmig::runner::detail
