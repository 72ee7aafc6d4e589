// The oracle's drive (DESIGN.md §2): the scenario's timeline executed the same way every time.
// The reference and the migrated run advance in chunks of one scheduling quantum (equal
// boundaries on both sides), hops happen at their aligned points, and phase 1 compares after
// every chunk. A re-execution stops at the start of a chunk so that phase 2 (step_chunk) can
// replay it one instruction at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/runner/observe.hpp"
#include "ppcmig/runner/scenario.hpp"
#include "prepare.hpp"
#include "side.hpp"
#include "state_view.hpp"
#include "trace_compare.hpp"

namespace ppcmig::runner::detail {

using nlohmann::json;
using machine::MachineStop;
using machine::SpaprMachine;

/// The differences between the runs at one moment: named values (registers, machine values,
/// the console) and the pages whose contents differ.
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

/// The engine failed (an exception that is neither a configuration nor a load error) while
/// acting for `where`: "source", "reference", "hop N", or "comparison" (the runner itself).
class EngineFailure : public std::runtime_error {
public:
    EngineFailure(std::string where, const std::string& what);
    std::string where;
};

/// One scenario's runs and their comparison; `execute` once per Drive.
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

    /// Runs to the end (stop_chunk: none) or to the start of chunk `stop_chunk`. Throws Outcome
    /// for a verdict reached on the way, Rewind, SpecError, and EngineFailure for anything else.
    void execute(std::optional<uint64_t> stop_chunk);

    /// The page differences of `pages` as the result shows them (both sides' bytes).
    json pages_json(const std::set<uint64_t>& pages);

private:
    friend FirstDivergence step_chunk(const Scenario&, const Prepared&, uint64_t, const Signature&);

    void run_timeline(std::optional<uint64_t> stop_chunk);
    /// `s`, noted as the side acted for (a failure's "where").
    Side& act(Side& s);

    const Scenario& sc_;
    const Prepared& p_;
    std::optional<uint64_t> exact_chunk_;
    Mirror ref_mirror_, mig_mirror_;
    std::vector<ViewKey> exclude_;  ///< keys left out of the chunk digests
    size_t excluded_diffs_ = 0;             ///< the first exclude_ entries are current.diffs'
    uint64_t batch_ = 1;                    ///< chunks per request to an external side (grows)

    void note_limitation(const Side& s);

    template <class F>
    static void capable(F&& f, size_t hop);

    void console_difference(Signature& s) const;

    // A machine that powered off (or failed) runs no more; one idle until its next timer still does.
    static bool alive(MachineStop s) { return s == MachineStop::Budget || s == MachineStop::AllIdle; }

    // What the stream delivered, against what the reference has at the same moment.
    void resume(size_t k);

    // Pages among `candidates` whose hashes differ (pages past either side's RAM are not compared).
    std::set<uint64_t> differing(const std::set<uint64_t>& candidates) const;

    // Advances both runs to time `until`; false when stopped at the start of `stop_chunk`.
    bool lockstep(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk);

    bool lockstep_local(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk);

    // Equal without naming anything: the per-chunk fast path while the runs agree (the previous
    // comparison found them equal). The machine's own state — interrupt controllers, devices,
    // CAS results, power, console — changes only through hypercalls, so over a chunk in which
    // neither run made one it is still equal and is not compared again.
    bool same_state(const SpaprMachine& a, const SpaprMachine& b);
    std::pair<uint64_t, uint64_t> equal_at_hcalls_{~uint64_t(0), ~uint64_t(0)};

    static bool same_machine(const SpaprMachine& a, const SpaprMachine& b);

    void compare_chunk_local(uint64_t chunk);

    void settle_chunk(uint64_t chunk, Signature now);

    // A side in another process: chunks go out in batches (both sides run at the same time),
    // each reporting a digest of its view, its dirty pages' hashes and its console output.
    bool lockstep_observed(uint64_t until, uint64_t& chunk, std::optional<uint64_t> stop_chunk);

    void compare_chunk_observed(uint64_t chunk, const std::set<uint64_t>& candidates, bool last_of_batch);

    uint64_t t_ = 0;  ///< the drive's clock (both runs are here between chunks)
    std::string acting_ = "source";  ///< whom the drive acts for now (EngineFailure::where)
};

/// Phase 2: the first instruction whose effects differ, found by replaying `chunk` on both
/// sides from its start (`baseline`: the differences the chunk started with).
FirstDivergence step_chunk(const Scenario& sc, const Prepared& p, uint64_t chunk, const Signature& baseline);

}  // namespace ppcmig::runner::detail
