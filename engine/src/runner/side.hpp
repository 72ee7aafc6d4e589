// One machine of a scenario — the reference (which is also the source until the first hop) or
// a hop's destination — as the oracle's Drive sees it: in this process (a SpaprMachine), or in
// a `ppcmig-engine serve` process of an external binary, driven over the serve protocol. Both
// report the same observations (ppcmig/runner/observe.hpp), so the Drive compares any pair.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/migration/stream.hpp"
#include "ppcmig/runner/observe.hpp"

namespace ppcmig::runner::detail {

using Counters = std::vector<machine::SpaprMachine::VcpuCounters>;

/// A view in a side's own terms: names come from the engine that reports them (another
/// revision may name or order fields differently), values are taken under the layout the Drive
/// asked for (the reference's CPU family).
struct View {
    std::vector<std::string> names;
    std::vector<std::vector<uint64_t>> vcpus;
    std::vector<std::pair<std::string, uint64_t>> machine;
    std::optional<std::string> state_digest;  ///< none: the engine cannot compute it (older serve)
    bool partial = false;                     ///< only the fields `query state` shows (older serve)

    /// The value of one entry (vcpu -1: machine), none when the view does not have it.
    [[nodiscard]] std::optional<uint64_t> value(int vcpu, std::string_view name) const;
};

/// A chunk as one side reports it for the comparison after it.
struct ChunkObservation {
    machine::MachineStop stop = machine::MachineStop::Budget;
    bool ran = false;                              ///< false: the side was stopped and did not run
    uint64_t digest = 0;                           ///< view_digest without the excluded keys
    std::vector<std::optional<uint64_t>> excluded; ///< the excluded keys' values
    std::vector<std::pair<uint64_t, std::string>> dirty;  ///< pages written, page_hash after
    std::string console;                           ///< console output of the chunk
};

/// What a chunks request asks: the chunks' lengths, and what to observe after each.
struct ChunkRequest {
    std::vector<uint64_t> ticks;
    bool observe = true;
    std::vector<ViewKey> exclude;
};

/// The outcome of sending the machine's state out.
struct Saved {
    std::vector<uint8_t> bytes;
    nlohmann::json precopy = nullptr;  ///< pre-copy statistics, null for stop-and-copy
    Counters counters;
};

/// A side could not be configured: QEMU's refusal (ConfigError) is raised as such; anything
/// else about an external engine (it cannot be started, speaks another protocol, failed) is an
/// engine error.
class Side {
public:
    explicit Side(std::string label) : label_(std::move(label)) {}
    virtual ~Side() = default;
    Side(const Side&) = delete;
    Side& operator=(const Side&) = delete;

    /// "source", "hop 0" … and, for an external engine, which binary.
    [[nodiscard]] const std::string& label() const { return label_; }
    /// The build as the engine names it ("2.7", "head+drop-vsx" with a changeset).
    [[nodiscard]] virtual std::string build() const = 0;
    /// The machine when it lives in this process (the Drive's fast paths), else null.
    virtual machine::SpaprMachine* machine() { return nullptr; }
    /// Whether the side reports views, pages, chunks and traces (false: an older serve that
    /// only has `query state`; compared at resume and at the end, without RAM).
    [[nodiscard]] virtual bool observable() const { return true; }
    /// What an external engine lacks, for the result's warnings (empty in process).
    [[nodiscard]] virtual std::string limitation() const { return {}; }

    /// The CPU family of the machine's vCPUs (none: an older serve does not tell).
    [[nodiscard]] virtual std::optional<cpu::Family> family() = 0;
    [[nodiscard]] virtual uint64_t quantum() const = 0;
    [[nodiscard]] virtual uint64_t now() const = 0;
    [[nodiscard]] virtual bool powered_off() = 0;
    [[nodiscard]] virtual uint64_t page_count() const = 0;

    virtual machine::MachineStop run(uint64_t ticks) = 0;
    virtual void pause(uint64_t ticks) = 0;
    virtual void resume_in_place() = 0;

    virtual Saved save(const std::optional<migration::PrecopyParams>& precopy) = 0;
    /// Loads a stream into this fresh machine; migration::LoadError when it is rejected.
    /// Returns the loader's warnings.
    virtual std::vector<std::string> load(std::span<const uint8_t> stream) = 0;
    virtual void inherit_counters(const Counters& c) = 0;

    virtual const std::string& console() = 0;
    virtual std::vector<std::string> errors() = 0;
    virtual nlohmann::json state_json() = 0;
    virtual View view(const ViewLayout& layout) = 0;

    /// Every page ever written with its page_hash; clears the dirty log.
    virtual std::map<uint64_t, std::string> touched() = 0;
    virtual void clear_dirty() = 0;
    virtual std::map<uint64_t, std::vector<uint8_t>> contents(const std::set<uint64_t>& pages) = 0;

    /// Chunks and stepped chunks come in two halves, so that two sides run at the same time:
    /// begin on both, then end on both.
    virtual void begin_chunks(const ChunkRequest& r, const ViewLayout& layout) = 0;
    virtual std::vector<ChunkObservation> end_chunks() = 0;
    virtual void begin_step(uint64_t ticks, const ViewLayout& layout) = 0;
    virtual ChunkTrace end_step() = 0;

private:
    std::string label_;
};

/// A side in this process.
std::unique_ptr<Side> make_local_side(std::string label, const machine::MachineConfig& cfg, const builds::Profile& profile,
                                      const memory::ElfImage& elf);

/// What an external side needs to start: the binary, the build inside it, the options.
struct ExternalSpec {
    std::filesystem::path engine;
    std::string build;
    std::string changeset;       ///< empty: none
    std::vector<std::string> args;
    std::filesystem::path guest; ///< the guest image file (parameters already patched in)
    std::filesystem::path log;   ///< where the server's stderr goes
};

/// A side in a `ppcmig-engine serve` process. Throws machine::ConfigError when the build
/// refuses the configuration, ExternalError otherwise.
std::unique_ptr<Side> make_remote_side(std::string label, const ExternalSpec& spec);

/// An external engine that cannot be used for the scenario: its build is unknown to it, it
/// speaks another protocol, its changeset is malformed (`key` names the scenario key at fault
/// relative to the side: "build", "engine", "changeset").
class ExternalSpecError : public std::runtime_error {
public:
    ExternalSpecError(std::string key, const std::string& message) : std::runtime_error(message), key(std::move(key)) {}
    std::string key;
};

/// A request an external engine does not know (it predates it) and the scenario needs, e.g.
/// `pause` for a hop with pause_ticks: the scenario cannot be run with that engine.
class CapabilityError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The counters of a migrate_out reply / for inherit_counters (SERVE_PROTOCOL.md) and back.
nlohmann::json counters_to_json(const Counters& c);
Counters counters_from_json(const nlohmann::json& j);

}  // namespace ppcmig::runner::detail
