// Engine builds: a build is an ordered chain of named changesets applied to the oldest base, each
// with a one-line history note — like a QEMU release is its predecessor plus commits. Mainline
// releases take a prefix of the history; stable releases and unmerged series add changesets on
// top of such a prefix. A build decides the release-dependent behaviours of machine and migration.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/machine/spapr.hpp"

namespace ppcmig::builds {

/// A user changeset (changeset.hpp) as applied to a profile.
struct AppliedChangeset {
    std::string name, note, file;
    std::string base;                  ///< the profile it was applied to
    std::vector<std::string> changes;  ///< "FILE:LINE:COL: <the change>", in file order
    /// Where its edits start in the profile's lists (behaviour.schema_edits, cap_edits,
    /// machine_additions).
    size_t first_schema_edit = 0, first_cap_edit = 0, first_addition = 0;
};

/// What a build resolves to.
struct Profile {
    std::string name;  ///< "8.2", or "8.2+drop-vsx" with a user changeset
    machine::Behaviour behaviour;  ///< with user changesets' schema edits in schema_edits
    /// The newest machine version of the shipped build; newer ones are unsupported machine types
    /// and, unless a user changeset says otherwise, plain "pseries" means this one.
    const machine::MachineVersion* newest_machine = nullptr;
    std::vector<std::string> changesets;  ///< applied, oldest first
    std::vector<AppliedChangeset> user_changesets;  ///< applied on top, oldest first
    /// User changesets' machine edits, and the machine-version table they give (null: none).
    std::vector<machine::CapDefaultEdit> cap_edits;
    std::vector<machine::MachineAddition> machine_additions;
    std::shared_ptr<const machine::MachineVersionTable> versions;

    /// What the build knows when parsing a command line (machine versions, CPU models, compat modes).
    [[nodiscard]] machine::ReleaseLimits limits() const;
    /// What plain "pseries" means.
    [[nodiscard]] const machine::MachineVersion& pseries() const;
    /// The machine versions the build has, oldest first.
    [[nodiscard]] std::vector<const machine::MachineVersion*> machine_versions() const;
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
