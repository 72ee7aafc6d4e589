// Before a scenario runs: its guest image (parameters patched in), each side resolved to a build
// and parsed configuration or to an external engine, and the verdicts raised on the way there
// (a side that refuses to start, a build that cannot run it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/config.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/runner/oracle.hpp"
#include "ppcmig/runner/scenario.hpp"
#include "side.hpp"

namespace ppcmig::runner::detail {

/// A directory for what external engines need on disk (the guest image with its parameters,
/// the servers' stderr logs), removed with everything in it at the end of the run.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    /// A fresh log file name for a server of `label`.
    std::filesystem::path log_for(const std::string& label);

private:
    std::filesystem::path path_;
    unsigned logs_ = 0;
};

/// One side as the scenario names it: a build in process with its parsed configuration (or why
/// there is none), or an external engine.
struct SideSpec {
    std::string label;    ///< "source", "hop 0" …
    std::string pointer;  ///< "/source", "/hops/0"
    std::string build;    ///< the build's name, for messages
    std::string options;
    std::optional<builds::Profile> profile;
    std::optional<machine::MachineConfig> cfg;
    std::optional<machine::ConfigError> error;
    std::optional<ExternalSpec> external;
};

/// The scenario resolved: the guest image and every side.
struct Prepared {
    memory::ElfImage elf;
    SideSpec source;
    std::vector<SideSpec> hops;
    std::unique_ptr<TempDir> tmp;  ///< only with an external side
};

/// Resolves builds, changesets, options and the guest; SpecError (with its JSON pointer) for a
/// scenario that names what does not exist. A configuration a build refuses is kept in the side
/// (`error`): it becomes a verdict when that side starts.
Prepared prepare(const Scenario& sc);

/// A verdict with what explains it. Thrown out of the drive when reached before the runs could
/// be compared (start_fail, unsupported, load_fail).
struct Outcome {
    Verdict verdict;
    std::optional<int> hop;
    std::string summary;
    nlohmann::json details;
};

/// Starts a side (hop: none for the source). Outcome when the build refuses it.
std::unique_ptr<Side> start(const SideSpec& side, const Prepared& p, std::optional<int> hop);

}  // namespace ppcmig::runner::detail
