// The differential oracle (DESIGN.md §2): the scenario's migrated run against a reference run
// that never migrates, compared chunk by chunk in lockstep; on the first difference both runs are
// re-executed to the start of that chunk and stepped one instruction at a time to the first
// instruction whose effects differ.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ppcmig/runner/scenario.hpp"

namespace ppcmig::runner {

enum class Verdict : uint8_t { Ok, LoadFail, StartFail, ProgramInterrupt, Divergence, Hang, Crash, Unsupported };
std::string_view to_string(Verdict v);

struct Result {
    Verdict verdict = Verdict::Ok;
    nlohmann::json json;  ///< the result document of engine/src/runner/README.md
};

/// Runs the scenario. Never throws for a scenario the engine can parse: configuration, load and
/// engine errors become verdicts (`crash` for the last). Writes artifacts when the scenario names
/// a directory.
Result run(const Scenario& s);

/// The whole exchange as JSON text: spec in, result out (a malformed spec gives a SpecError).
std::string run_json(const std::string& spec);

}  // namespace ppcmig::runner
