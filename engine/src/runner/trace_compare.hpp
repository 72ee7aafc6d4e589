// Phase 2 of the oracle: the first instruction whose effects differ, found by comparing the
// instruction-by-instruction records of one chunk (ChunkTrace) of the reference and of the
// migrated run, taken from the same starting point.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/runner/observe.hpp"
#include "state_view.hpp"

namespace ppcmig::runner::detail {

struct FirstDivergence {
    nlohmann::json first;                        ///< null: both runs executed the chunk alike
    nlohmann::json last_insns = nlohmann::json::array();
    std::optional<nlohmann::json> program;       ///< set when the divergence is a Program interrupt only the migrated run took
};

/// Pages as a machine holds them now (after its chunk): contents of the requested pages that
/// exist in its RAM.
using PageFetch = std::function<std::map<uint64_t, std::vector<uint8_t>>(const std::set<uint64_t>&)>;

/// Compares the migrated run's steps with the reference's, index by index: the first step
/// whose vCPU or address differs, whose registers or machine values change in a way the
/// `baseline` differences (those the chunk started with) do not explain, whose written pages
/// differ (pages in `baseline_pages` excepted), or whose interrupt differs. A page only the
/// migrated step wrote is compared with the reference's copy at the end of its chunk.
FirstDivergence compare_traces(const ChunkTrace& ref, const ChunkTrace& mig, const std::vector<Difference>& baseline,
                               const std::set<uint64_t>& baseline_pages, bool exact, const PageFetch& ref_now,
                               const PageFetch& mig_now);

/// One instruction for reports: disassembly and the ISA level that introduced it.
std::string disasm(uint32_t word, uint64_t pc);
std::string isa_level(uint32_t word);

}  // namespace ppcmig::runner::detail
