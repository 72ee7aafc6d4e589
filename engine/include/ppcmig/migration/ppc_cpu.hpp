// The PowerPC `cpu` vmstate section (one instance per vCPU, instance id = cpu index): its schema
// (newest QEMU layout, version 5) and the adapter that binds it to an engine vCPU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// The cpu schema and its subsections, owned together so builds can copy and edit them.
struct CpuSchema {
    Vmsd cpu, fpu, altivec, vsx, slb, compat, rtas_stopped;
    Vmsd common;  ///< the generic "cpu_common" section QEMU sends before each "cpu"
    Vmsd icp;     ///< "icp/server": the vCPU's XICS presenter
    CpuSchema();
    CpuSchema(const CpuSchema& o);
    CpuSchema& operator=(const CpuSchema&) = delete;

private:
    void link();  // subsections point into this object
};

/// The `icp/server` fields of an ICP (xirr, pending_priority, mfrr): the value, or nullopt for a
/// key that is not an ICP field. Shared by the vCPU's adapter and the spare ICPs of <= 2.9.
std::optional<uint64_t> get_icp_field(const machine::Icp& icp, std::string_view key);
/// Stores an ICP field; false for a key that is not one.
bool set_icp_field(machine::Icp& icp, std::string_view key, uint64_t value);

/// Binds the cpu schema to one vCPU of a machine.
class CpuAccess final : public StateAccess {
public:
    CpuAccess(machine::SpaprMachine& m, machine::Vcpu& v) : m_(m), v_(v) {}
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    bool predicate(Pred p, std::string_view arg) const override;
    void run_pre_save(Hook h) override;
    void run_pre_load(Hook h) override;
    std::optional<std::string> run_post_load(Hook h, int version_id) override;

private:
    machine::SpaprMachine& m_;
    machine::Vcpu& v_;
    bool halted_ = false;
    bool dec_pending_ = false;
    uint64_t dec_before_ = 0, dec_base_before_ = 0;
};

}  // namespace ppcmig::migration
