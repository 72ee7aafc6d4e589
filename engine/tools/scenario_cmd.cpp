#include "scenario_cmd.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "atomic_file.hpp"
#include "ppcmig/runner/oracle.hpp"
#include "ppcmig/runner/scenario.hpp"

namespace ppcmig::tools {

namespace {
constexpr int kExitSpecError = 3;  // distinct from usage errors (2) and from a crash (a signal)
}

int cmd_run_scenario(const std::vector<std::string>& args) {
    std::string spec_path, result_path;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--result" && i + 1 < args.size()) {
            result_path = args[++i];
        } else if (!args[i].empty() && args[i][0] == '-') {
            fmt::print(stderr, "ppcmig-engine run-scenario: unknown option {}\n", args[i]);
            return 2;
        } else if (spec_path.empty()) {
            spec_path = args[i];
        } else {
            fmt::print(stderr, "ppcmig-engine run-scenario: one spec file, got {} and {}\n", spec_path, args[i]);
            return 2;
        }
    }
    if (spec_path.empty()) {
        fmt::print(stderr, "usage: ppcmig-engine run-scenario SPEC.json [--result PATH]\n");
        return 2;
    }
    std::ifstream in(spec_path, std::ios::binary);
    if (!in) {
        fmt::print(stderr, "ppcmig-engine run-scenario: cannot read {}\n", spec_path);
        return 2;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string result;
    try {
        result = runner::run_json(text.str());
    } catch (const runner::SpecError& e) {
        fmt::print(stderr, "scenario spec {}\n", e.what());
        return kExitSpecError;
    }
    if (result_path.empty()) {
        fmt::print("{}\n", result);
        std::fflush(stdout);
    } else {
        write_file_atomically(result_path, result + "\n");
    }
    return 0;
}

}  // namespace ppcmig::tools
