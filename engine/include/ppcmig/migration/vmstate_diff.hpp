// Static compatibility check of two vmstate dumps (describe_machine's JSON, `ppcmig-engine
// vmstate-dump`): what QEMU's scripts/vmstate-static-checker.py finds (missing sections, version
// windows, field layout, unused padding, unknown subsections), plus what it cannot see: whether
// a subsection is actually sent (needed() on this configuration, or only with some guest state),
// field_exists gates, the values EQUAL fields compare, the spapr caps check, the machine-type
// and RAM-block checks — each reported with QEMU's message where QEMU has one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppcmig::migration {

/// error: migrating source -> destination fails; warning: may fail or silently diverge
/// depending on guest state; info: a difference that does not affect this migration.
enum class Severity : uint8_t { Info, Warning, Error };
std::string_view to_string(Severity s);

struct DiffFinding {
    Severity severity = Severity::Info;
    std::string section;               ///< idstr ("cpu", "spapr"), "configuration" or "ram"
    std::optional<uint32_t> instance;  ///< section instance (none for the configuration)
    std::string kind;                  ///< stable identifier: "section_missing", "field_removed", …
    std::string path;                  ///< "<vmsd>:<field>", a subsection or "cap-<name>"; may be empty
    std::string message;
};

// ---- a dump, parsed ----

struct DumpVmsd;
struct DumpSubsection;

struct DumpField {
    std::string name;
    std::string type;               ///< as dumped ("uint32", "int32 equal", "unused_buffer", "struct")
    uint32_t size = 0;              ///< bytes per element (0 for struct)
    uint32_t count = 1;             ///< a variable array: its element count on the dumped machine
    std::string count_field;        ///< a variable array: the field holding its count
    std::string check = "none";     ///< "none", "equal", "positive_le"
    int version_id = 0;
    std::string exists;             ///< field_exists predicate; empty: gated by version_id only
    bool exists_now = true;         ///< the predicate's value on the dumped machine
    bool exists_guest_dependent = false;
    std::vector<uint64_t> values;   ///< checked fields: the dumped machine's value per element
    std::vector<DumpVmsd> description;  ///< struct fields: exactly one nested vmsd
    /// The type without its check suffix ("int32 equal" -> "int32").
    [[nodiscard]] std::string base_type() const;
};

struct DumpVmsd {
    std::string name;
    int version_id = 1;
    int minimum_version_id = 1;
    std::vector<DumpField> fields;
    std::vector<DumpSubsection> subsections;
};

struct DumpSubsection {
    DumpVmsd vmsd;
    std::string needed;       ///< needed() predicate name
    std::string needed_arg;   ///< its argument (a cap name), may be empty
    bool needed_now = false;  ///< on the dumped machine
    bool guest_dependent = false;
};

struct DumpSection {
    std::string idstr;
    uint32_t instance = 0;
    bool sent = true;  ///< false: registered only to accept it on load
    DumpVmsd vmsd;
};

struct DumpCap {
    std::string name;        ///< "hpt-max-page-size"
    std::string subsection;  ///< "spapr/cap/hpt_maxpagesize"
    uint8_t default_value = 0, effective = 0;
    std::string default_text, effective_text;
    std::optional<uint8_t> cmdline;
};

struct DumpRamBlock {
    std::string name;
    uint64_t used_length = 0;
};

struct VmstateDump {
    std::string file;          ///< where it was read from (for messages)
    std::string build;         ///< engine build, when the dump names one
    std::string options;       ///< the machine configuration as QEMU options
    std::string machine_type;  ///< what the configuration section carries
    int ram_version = 4;
    std::vector<DumpRamBlock> ram_blocks;
    std::vector<DumpSection> sections;  ///< registration order
    std::vector<DumpCap> caps;
};

/// A malformed dump: the file, the JSON pointer of the offending value ("" for the document,
/// or line/column for a syntax error) and why.
class DumpError : public std::runtime_error {
public:
    DumpError(std::string file, std::string pointer, std::string reason);
    std::string file, pointer, reason;
};

/// Parses a dump document. Throws DumpError.
VmstateDump parse_vmstate_dump(const nlohmann::json& j, std::string file);
/// Parses dump text (JSON syntax errors become DumpError with line and column).
VmstateDump parse_vmstate_dump_text(std::string_view text, std::string file);
/// Reads and parses a dump file. Throws DumpError (also for an unreadable file).
VmstateDump read_vmstate_dump(const std::string& path);

/// Everything that would go wrong or differ when a machine described by `src` migrates to one
/// described by `dst`, ordered: configuration, ram, sections in the source's registration
/// order (then destination-only sections), caps.
std::vector<DiffFinding> diff_vmstate(const VmstateDump& src, const VmstateDump& dst);

[[nodiscard]] bool has_errors(std::span<const DiffFinding> findings);

/// The report as JSON: source, destination, findings, summary counts.
nlohmann::json diff_report_json(const VmstateDump& src, const VmstateDump& dst, std::span<const DiffFinding> findings);
/// The report as text lines: identical findings of several instances of a section merge into
/// one line ("cpu 0-3"); a summary line ends it.
std::string diff_report_text(const VmstateDump& src, const VmstateDump& dst, std::span<const DiffFinding> findings);

}  // namespace ppcmig::migration
