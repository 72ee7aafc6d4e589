// `ppcmig-engine run-scenario`: one scenario of the differential runner in a process of its own,
// so that an engine that crashes or never finishes takes only that process down (the Python
// layer's isolated runs, engine/src/runner/README.md "Isolation").
#pragma once

#include <string>
#include <vector>

namespace ppcmig::tools {

/// run-scenario SPEC.json [--result PATH]: the result JSON on stdout (or written atomically to
/// PATH), exit 0 whatever the verdict; a malformed spec is "scenario spec POINTER: REASON" on
/// stderr and exit 3; a usage error exits 2.
int cmd_run_scenario(const std::vector<std::string>& args);

}  // namespace ppcmig::tools
