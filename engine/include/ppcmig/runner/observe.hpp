// What the differential oracle observes of one machine, in a form that crosses process
// boundaries: the compared view of each vCPU and of the machine, an order-independent digest of
// it, page hashes, and the instruction-by-instruction record of one chunk. The oracle uses these
// in process; `ppcmig-engine serve` answers the view, pages, chunks and step requests with them
// (engine/tools/SERVE_PROTOCOL.md), so that a runner can compare a machine living in another
// engine process — possibly a binary built from another revision — exactly as one of its own.
#pragma once

#include <cstdint>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/machine/spapr.hpp"

namespace ppcmig::runner {

/// Field names of one vCPU's view (the same for every vCPU of a machine): GPRs, nip, msr, cr,
/// lr, ctr, xer, fpscr, vscr, the VSRs' halves, every SPR but the time-base derived ones (named
/// as `family` names them), reservation, run/cede state, compat PVR, the ICP, and the interrupts
/// taken per vector. Values are by SPR number, so one layout reads any family's vCPUs.
class ViewLayout {
public:
    explicit ViewLayout(cpu::Family family);
    [[nodiscard]] cpu::Family family() const { return family_; }
    [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
    /// fnv1a64 of each name (for view_entry_hash), in the order of names().
    [[nodiscard]] const std::vector<uint64_t>& name_hashes() const { return name_hashes_; }
    /// The view of vCPU v, in the order of names().
    [[nodiscard]] std::vector<uint64_t> values(const machine::Vcpu& v) const;
    /// The machine-wide part (interrupt controllers, devices, power state): named values.
    static std::vector<std::pair<std::string, uint64_t>> machine_values(const machine::SpaprMachine& m);
    /// The names machine_values() gives, in its order.
    static std::vector<std::string> machine_names();

private:
    cpu::Family family_;
    std::vector<std::string> names_;
    std::vector<uint64_t> name_hashes_;
    std::vector<unsigned> sprs_;  ///< SPR numbers, in view order
};

/// The family named `name` (`POWER7` … `POWER10`, as cpu::to_string writes it).
std::optional<cpu::Family> family_named(std::string_view name);

/// ViewLayout::machine_values() for a machine observed again and again (after every chunk):
/// the digests of the interrupt controllers are recomputed only when the state they digest
/// changed since the previous call, which a comparison of that state tells cheaply.
class MachineValues {
public:
    const std::vector<std::pair<std::string, uint64_t>>& of(const machine::SpaprMachine& m);

private:
    struct Digested {
        std::vector<machine::IcsIrq> ics;
        std::vector<machine::XiveSource> sources;
        std::vector<std::array<machine::XiveQueue, machine::Xive::kPriorities>> queues;
        std::vector<uint8_t> cppr, nsr;
        machine::Vty vty;
        machine::Phb phb;
        std::array<uint8_t, 32> ov5{};
        machine::IcMode ic{};
        bool powered_off = false;
        bool operator==(const Digested&) const = default;
    };
    static Digested digested(const machine::SpaprMachine& m);
    std::optional<Digested> last_;
    std::vector<std::pair<std::string, uint64_t>> values_;
};

/// One entry of a view: a vCPU's field, or (vcpu -1) a machine-wide value.
struct ViewKey {
    int vcpu;
    std::string name;
    auto operator<=>(const ViewKey&) const = default;
};

/// Hash of one view entry: splitmix64(fnv1a64(name) ^ (vcpu + 1) * 0x9e3779b97f4a7c15 ^
/// splitmix64(value)), vcpu -1 for machine values.
uint64_t view_entry_hash(int vcpu, std::string_view name, uint64_t value);
/// The same with fnv1a64(name) already computed.
uint64_t view_entry_hash_of(int vcpu, uint64_t name_hash, uint64_t value);

/// The view digest: the wrapping sum of view_entry_hash over every entry of every vCPU and of
/// the machine, leaving out the keys in `exclude`. Order-independent, so two engines whose
/// layouts list the same names in another order agree.
uint64_t view_digest(const ViewLayout& layout, const machine::SpaprMachine& m, const std::set<ViewKey>& exclude,
                     MachineValues& machine_values);
/// The same over values already taken (`vcpus` in the order of `names`).
uint64_t view_digest(const std::vector<std::string>& names, const std::vector<std::vector<uint64_t>>& vcpus,
                     const std::vector<std::pair<std::string, uint64_t>>& machine, const std::set<ViewKey>& exclude);
/// The values of `keys` (a name the layout does not have: none).
std::vector<std::optional<uint64_t>> view_values(const ViewLayout& layout, const machine::SpaprMachine& m,
                                                 const std::vector<ViewKey>& keys, MachineValues& machine_values);

/// The page hash the runner compares pages by (every dirty page after every chunk, so it must
/// be cheap; not cryptographic — guests are not adversaries): two chains over the page's 512
/// little-endian 64-bit words w[i], a = splitmix64(a ^ w[i]) from 0x6a09e667f3bcc908 and
/// b = splitmix64(b ^ rotl(w[i], 29)) from 0xbb67ae8584caa73b, as 32 hex digits (a, then b).
std::string page_hash(const uint8_t* page);
/// page_hash of guest page `page`; the page must lie in RAM.
std::string page_hash(const machine::SpaprMachine& m, uint64_t page);

/// The view of every vCPU and of the machine as JSON: {"family", "names", "vcpus": [[values]],
/// "machine": [[name, value]], "state_digest", "now", "powered_off"} (serve's `view` reply).
nlohmann::json view_json(const ViewLayout& layout, const machine::SpaprMachine& m);

/// SHA-256-free digest of a machine's compared state (FNV-1a over the views and the non-zero
/// touched pages), for the result's state fingerprints.
std::string state_digest(const ViewLayout& layout, const machine::SpaprMachine& m);

// ------------------------------------------------------------------ chunk traces
/// One instruction of a recorded chunk, as the vCPU and the machine are right after it.
struct StepRecord {
    unsigned vcpu = 0;
    uint64_t pc = 0, tick = 0;
    uint32_t word = 0;                   ///< the instruction word at pc (after the step)
    std::vector<uint64_t> values;        ///< the vCPU's view
    std::vector<uint64_t> machine;       ///< the machine values (machine_names() order)
    std::vector<uint64_t> pages;         ///< pages written by the step, ascending
    int interrupt = -1;                  ///< vector taken in the step, -1: none
};

/// Every instruction of one chunk (a stepped run), and the contents of every page the chunk
/// wrote: before the chunk and after each write, so that memory can be rebuilt at any step.
struct ChunkTrace {
    std::vector<std::string> names;              ///< the vCPU view's names (values are in this order)
    std::vector<std::string> machine_names;
    std::vector<std::vector<uint64_t>> start_vcpus;  ///< views when the chunk began
    std::vector<uint64_t> start_machine;
    std::vector<StepRecord> steps;
    struct PageHistory {
        std::vector<uint8_t> initial;                                ///< contents at the chunk's start
        std::vector<std::pair<size_t, std::vector<uint8_t>>> writes; ///< (step index, contents after)
    };
    std::map<uint64_t, PageHistory> pages;
    machine::MachineStop stop = machine::MachineStop::Budget;

    /// Contents of `page` right after step `index` if the chunk wrote it by then, else its
    /// contents at the chunk's start if the chunk wrote it later; null if the chunk never wrote it.
    [[nodiscard]] const std::vector<uint8_t>* page_at(uint64_t page, size_t index) const;
    /// Contents after the last write of the chunk; null if the chunk never wrote it.
    [[nodiscard]] const std::vector<uint8_t>* page_at_end(uint64_t page) const;
    /// The contents written by step `index` itself; null if that step did not write `page`.
    [[nodiscard]] const std::vector<uint8_t>* page_written_by(uint64_t page, size_t index) const;
};

/// Runs `ticks` of virtual time one instruction at a time (the schedule and end state of an
/// unobserved run), recording every instruction with the view of `layout`. Clears the dirty log
/// first and leaves it clear.
ChunkTrace record_chunk(machine::SpaprMachine& m, const ViewLayout& layout, uint64_t ticks);

/// The trace as serve's `step` reply carries it (values as changes per step, pages as changed
/// byte ranges; SERVE_PROTOCOL.md) and back. trace_from_json throws std::runtime_error naming
/// what is malformed.
nlohmann::json trace_to_json(const ChunkTrace& t);
ChunkTrace trace_from_json(const nlohmann::json& j);

/// The stop names of the serve protocol ("budget", "poweroff", "all_idle", "error") and back.
std::string_view stop_name(machine::MachineStop s);
std::optional<machine::MachineStop> stop_named(std::string_view s);

}  // namespace ppcmig::runner
