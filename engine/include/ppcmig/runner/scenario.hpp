// A differential scenario: a guest, the source side, one or more migration hops, and what to
// compare. Its JSON form (engine/src/runner/README.md) is the interchange with the Python layer
// and the replay payload.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppcmig::runner {

/// A malformed scenario spec: the JSON pointer and the reason.
class SpecError : public std::runtime_error {
public:
    SpecError(std::string pointer, const std::string& reason);
    std::string pointer;
};

/// Which engine runs a side: a shipped build, optionally with a user changeset on top, or an
/// external ppcmig-engine binary (driven over the serve protocol).
struct BuildRef {
    std::string build;      ///< empty: the changeset's base, else "head"
    std::string changeset;  ///< TOML path; empty: none
    std::string engine;     ///< external binary; empty: in process
    friend bool operator==(const BuildRef&, const BuildRef&) = default;
};

struct Precopy {
    uint64_t bandwidth = 64ull << 20;
    uint64_t downtime_ns = 1'000'000;
    unsigned max_iterations = 30;
    friend bool operator==(const Precopy&, const Precopy&) = default;
};

struct Hop {
    uint64_t at_insns = 0;               ///< virtual time of the migration (rounded up to the quantum)
    BuildRef build;
    std::optional<std::string> options;  ///< QEMU-style options; none: the previous side's
    uint64_t pause_ticks = 0;
    std::optional<Precopy> precopy;
    friend bool operator==(const Hop&, const Hop&) = default;
};

enum class RamCompare : uint8_t { Hash, Exact };

struct Scenario {
    std::string name;
    std::string elf;
    std::map<std::string, uint64_t> params;
    BuildRef source;
    std::string source_options;
    std::vector<Hop> hops;
    uint64_t budget_insns = 2'000'000'000;
    RamCompare ram_compare = RamCompare::Hash;
    std::string artifacts;  ///< empty: none written
    friend bool operator==(const Scenario&, const Scenario&) = default;
};

/// Parses a spec (throws SpecError) / writes one (every key, defaults included).
Scenario scenario_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Scenario& s);

}  // namespace ppcmig::runner
