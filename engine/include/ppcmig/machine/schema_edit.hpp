// Schema edits of a user changeset (engine/src/builds/CHANGESETS.md): plain data that a build's
// Behaviour carries to the migration layer, which applies them to the vmstate schemas of every
// machine of that build. Names (types, predicates) are kept as the changeset file spells them;
// the migration layer resolves and checks them (migration/schema_edit.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ppcmig::machine {

/// A field a changeset adds. It is not bound to device state: it holds a constant, written on
/// save and read and dropped on load (or compared, QEMU's _EQUAL, when `equal`).
struct EditField {
    std::string name;
    std::string type = "uint64";  ///< "uint8" … "uint64", "int8" … "int64", "bool", "buffer"
    uint32_t count = 1;           ///< array length
    uint32_t size = 0;            ///< buffer bytes
    int64_t value = 0;            ///< the constant (a buffer's fill byte)
    bool equal = false;           ///< _EQUAL: the incoming value must equal `value`
    int version_id = 0;           ///< present from this section version
    std::string exists = "always";  ///< field_exists predicate ("always": by version_id)
};

/// add_field: a constant field, after `after`, at `position`, or last.
struct AddField {
    std::string section;
    std::optional<std::string> after;
    std::optional<uint32_t> position;
    EditField field;
};
struct RemoveField { std::string section, field; };
struct RenameField { std::string section, field, to; };
/// resize_field: the array length and/or a buffer's byte size.
struct ResizeField {
    std::string section, field;
    std::optional<uint32_t> count, size;
};
/// retype_field: another integer (or bool) wire type.
struct RetypeField { std::string section, field, type; };
struct SetFieldExists { std::string section, field, predicate; };
struct RemoveSubsection { std::string section, subsection; };
struct AddSubsection {
    std::string section, name;
    std::string needed = "always";
    int version_id = 1, minimum_version_id = 1;
    std::vector<EditField> fields;
};
struct SetNeeded { std::string section, subsection, predicate; };
struct SetVersion {
    std::string section;
    std::optional<int> version_id, minimum_version_id;
};

/// One schema edit; `section` names the vmsd it edits ("cpu", "cpu/compat", "spapr", …).
using SchemaEdit = std::variant<AddField, RemoveField, RenameField, ResizeField, RetypeField, SetFieldExists,
                                RemoveSubsection, AddSubsection, SetNeeded, SetVersion>;

}  // namespace ppcmig::machine
