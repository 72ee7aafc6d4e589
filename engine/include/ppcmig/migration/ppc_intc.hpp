// The interrupt-controller sections of the pseries machine: XICS `ics` (the source state; the
// presenters travel as `icp/server` with the vCPUs) and XIVE `xive-source` (ESB PQ bits),
// `spapr-xive` (the EAS and END tables) and one `xive-tctx` per vCPU (thread context).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// The schemas, sized for one machine (the arrays are QEMU's VARRAYs of nr_irqs / nr_ends).
struct IntcSchema {
    Vmsd ics_irq, ics;
    Vmsd xive_source, eas, end, spapr_xive, tctx;
    explicit IntcSchema(const machine::SpaprMachine& m);
    /// Sized explicitly: XICS sources, XIVE sources, XIVE ENDs.
    IntcSchema(uint32_t nr_ics, uint32_t nr_xive, uint32_t nr_ends);
    IntcSchema(const IntcSchema&) = delete;
    IntcSchema& operator=(const IntcSchema&) = delete;
};

/// XIVE END index of (server, priority): eight ENDs per server.
inline constexpr uint32_t end_index(uint32_t server, uint32_t priority) { return server * 8 + priority; }

/// `ics`: the XICS sources.
class IcsAccess final : public StateAccess {
public:
    explicit IcsAccess(machine::SpaprMachine& m);
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    StateAccess& nested(std::string_view key) override;

private:
    machine::SpaprMachine& m_;
    std::vector<std::unique_ptr<StateAccess>> irqs_;
};

/// `xive-source` and `spapr-xive`: the XIVE sources, routing and event queues.
class XiveAccess final : public StateAccess {
public:
    explicit XiveAccess(machine::SpaprMachine& m);
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    void get_bytes(std::string_view key, std::span<uint8_t> bytes) const override;
    void set_bytes(std::string_view key, std::span<const uint8_t> bytes) override;
    StateAccess& nested(std::string_view key) override;

private:
    machine::SpaprMachine& m_;
    std::vector<std::unique_ptr<StateAccess>> eas_, ends_;
};

/// `xive-tctx`: one vCPU's thread interrupt context (the OS ring's NSR and CPPR).
class TctxAccess final : public StateAccess {
public:
    TctxAccess(machine::SpaprMachine& m, uint32_t server) : m_(m), server_(server) {}
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    void get_bytes(std::string_view key, std::span<uint8_t> bytes) const override;
    void set_bytes(std::string_view key, std::span<const uint8_t> bytes) override;

private:
    machine::SpaprMachine& m_;
    uint32_t server_;
};

}  // namespace ppcmig::migration
