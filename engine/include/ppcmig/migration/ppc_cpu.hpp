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
    Vmsd spapr_cpu;  ///< "spapr_cpu": the vCPU's PAPR state (VPA), 3.0+
    /// The layout of the release `b` describes (default: the newest).
    explicit CpuSchema(const machine::Behaviour& b = {});
    CpuSchema(const CpuSchema& o);
    CpuSchema& operator=(const CpuSchema&) = delete;

private:
    void link();  // subsections point into this object
    std::optional<Pred> compat_pred_;  ///< cpu/compat's needed() rule; none before 2.10
};

/// QEMU's CPU-class "sanity" values of a model as of a release (the cpu section's msr_mask,
/// insns_flags, insns_flags2 and nb_BATs): what an _EQUAL check compares against.
struct ClassSanity {
    uint64_t msr_mask, insns_flags, insns_flags2;
    uint32_t nb_bats;
};
ClassSanity class_sanity(const cpu::CpuModel& m, unsigned release);
/// What a pre-2.8-migration source forges for these (16a2497bd44c, bce009645b9f with `tlbie`).
ClassSanity forged_sanity(const cpu::CpuModel& m, unsigned release, bool tlbie);

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
    bool guest_dependent(Pred p, std::string_view arg) const override;
    void run_pre_save(Hook h) override;
    void run_pre_load(Hook h) override;
    std::optional<std::string> run_post_load(Hook h, int version_id) override;

private:
    machine::SpaprMachine& m_;
    machine::Vcpu& v_;
    bool halted_ = false;
    bool dec_pending_ = false;
    uint64_t dec_before_ = 0, dec_base_before_ = 0, pvr_before_ = 0;
};

}  // namespace ppcmig::migration
