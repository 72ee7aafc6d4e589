// Engine builds: a build is an ordered chain of named changesets applied to the oldest base, each
// with a one-line history note — like a QEMU release is its predecessor plus commits. Mainline
// releases take a prefix of the history; stable releases and unmerged series add changesets on
// top of such a prefix. A build decides the release-dependent behaviours of machine and migration.
#pragma once

#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/machine/spapr.hpp"

namespace ppcmig::builds {

/// What a build resolves to.
struct Profile {
    std::string name;
    machine::Behaviour behaviour;
    /// The newest machine version the build knows; newer ones are unsupported machine types and
    /// plain "pseries" means this one.
    const machine::MachineVersion* newest_machine = nullptr;
    std::vector<std::string> changesets;  ///< applied, oldest first

    /// What the build knows when parsing a command line (machine versions, CPU models, compat modes).
    [[nodiscard]] machine::ReleaseLimits limits() const;
};

/// One change in the history.
struct Changeset {
    std::string_view name;   ///< "8.2/migrate-decr"
    std::string_view note;   ///< one line of history
    void (*apply)(Profile&);
    bool mainline = true;    ///< false: only on a branch (unmerged series), never in a release prefix
};

/// A named build: every mainline changeset up to and including `last` in history order, then
/// the `extra` ones (stable backports, unmerged series) in order.
struct BuildDef {
    std::string_view name;
    std::string_view last;     ///< name of the last mainline changeset it includes ("" = the base only)
    std::string_view machine;  ///< its newest machine version ("pseries-2.7")
    std::array<std::string_view, 4> extra{};  ///< further changesets by name ("" = none)
};

/// The base behaviour (QEMU 2.6) before any changeset.
Profile base_profile();
/// Every changeset: the mainline ones in history order, then branch-only ones.
std::span<const Changeset> history();
/// The shipped builds, oldest first.
std::span<const BuildDef> builds();
/// A changeset by name, or nullptr.
const Changeset* find_changeset(std::string_view name);

class UnknownBuild : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Resolves a build by name (throws UnknownBuild listing the known ones).
Profile profile(std::string_view build);

/// Parses a QEMU command line as this build would (its machine versions, CPU models, compat
/// modes). Throws machine::ConfigError.
machine::MachineConfig parse_config(const Profile& p, std::span<const std::string> args);

}  // namespace ppcmig::builds
