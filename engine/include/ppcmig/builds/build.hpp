// Engine builds: a build is an ordered chain of named changesets applied to the oldest base, each
// with a one-line history note — like a QEMU release is its predecessor plus commits. A build
// decides the release-dependent behaviours of the machine and of migration.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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
};

/// One change in the history.
struct Changeset {
    std::string_view name;   ///< "8.2/migrate-decr"
    std::string_view note;   ///< one line of history
    void (*apply)(Profile&);
};

/// A named build: every changeset up to and including `last` in history order.
struct BuildDef {
    std::string_view name;
    std::string_view last;   ///< name of the last changeset it includes ("" = the base only)
    std::string_view machine;  ///< its newest machine version ("pseries-2.7")
};

/// The base behaviour (QEMU 2.6) before any changeset.
Profile base_profile();
/// Every changeset, in history order.
std::span<const Changeset> history();
/// The shipped builds, oldest first.
std::span<const BuildDef> builds();

class UnknownBuild : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Resolves a build by name (throws UnknownBuild listing the known ones).
Profile profile(std::string_view build);

}  // namespace ppcmig::builds
