// User changesets: a TOML file describing a delta on top of any engine build — schema edits
// (fields, subsections, needed() rules, versions), cap defaults per machine version, added
// machine versions, release behaviours — so a maintainer can ask "what would my patch break?".
// The format is documented in engine/src/builds/CHANGESETS.md.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/machine_version.hpp"
#include "ppcmig/machine/schema_edit.hpp"

namespace ppcmig::builds {

/// A place in a changeset file: 1-based line and column (0: the file as a whole).
struct SourcePos {
    uint32_t line = 0, column = 0;
};

/// A changeset that cannot be read, parsed or applied: what() is "FILE:LINE:COL: problem".
class ChangesetError : public std::invalid_argument {
public:
    ChangesetError(std::string file, SourcePos at, std::string problem);
    std::string file;
    SourcePos at;
    std::string problem;
};

/// set_behaviour: a release behaviour (machine::Behaviour member) by key, its value as text.
struct BehaviourSetting {
    std::string key;    ///< "dec_migrated"
    std::string value;  ///< "false", "not_pre_2_10", "26" …
};

/// One [[change]] table.
struct Change {
    std::string op;
    SourcePos at;  ///< its [[change]] header
    /// Where each key's value is ("fields.1.type" for those of add_subsection's fields).
    std::map<std::string, SourcePos> keys;
    std::variant<machine::SchemaEdit, machine::CapDefaultEdit, machine::MachineAddition, BehaviourSetting> what;

    /// The position of a key's value; for a key the change does not have, its header's.
    [[nodiscard]] SourcePos where(std::string_view key) const;
    /// One line saying what it does ("remove_subsection cpu/vsx from cpu").
    [[nodiscard]] std::string summary() const;
};

struct UserChangeset {
    std::string file;  ///< as given; errors start with it
    std::string base;  ///< the build it was written against
    SourcePos base_at;
    std::string name;  ///< default: the file name without directory and extension
    std::string note;  ///< one line of history
    std::vector<Change> changes;
};

/// Parses a changeset (TOML text); `file` names it in errors. Checks everything that does not
/// depend on the build (ops, keys, value types, cap values, behaviour keys). Throws
/// ChangesetError.
UserChangeset parse_changeset(std::string_view text, std::string file);
/// Reads and parses a file. Throws ChangesetError (also for an unreadable file).
UserChangeset read_changeset(const std::string& path);

/// `base` with the changeset on top: its behaviours set, its schema and machine edits added
/// after those already there, each checked against the build (unknown section, field,
/// subsection, predicate, machine version … name the line). Nothing is applied on error.
/// Throws ChangesetError.
Profile apply_changeset(const Profile& base, const UserChangeset& cs);

/// The build named `build` — or, when empty, the changeset's own base — with `cs` applied.
/// Throws UnknownBuild for an unknown build name given here, ChangesetError for one in the file.
Profile profile_with_changeset(std::string_view build, const UserChangeset& cs);

/// What `edited` changes against `base`: {"sections": [...], "machines": [...], "pseries":
/// {before, after} or null, "behaviour": [...]}; sections list fields/subsections removed and
/// added and version changes, machines their cap defaults (before/after) or "added".
nlohmann::json changeset_effects(const Profile& base, const Profile& edited);

/// The behaviour keys set_behaviour takes, with their values ("dec_migrated: false|true").
std::vector<std::string> behaviour_keys();

}  // namespace ppcmig::builds
