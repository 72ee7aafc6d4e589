// The pseries machine section `spapr`: schema and adapter.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// The caps of the unmerged cap-xics/cap-xive proposal (build 4.2-capxics only).
inline constexpr std::array<std::string_view, 2> kIcCaps{"xics", "xive"};

struct SpaprSchema {
    Vmsd spapr, timebase, ov5_cas, ovec;
    std::vector<Vmsd> caps;  ///< spapr/cap/<sname>, in cap index order
    std::vector<Vmsd> ic_caps;  ///< spapr/cap/xics, spapr/cap/xive when the build has them
    /// The layout of the release `b` describes (default: the newest).
    explicit SpaprSchema(const machine::Behaviour& b = {});
    SpaprSchema(const SpaprSchema& o);
    SpaprSchema& operator=(const SpaprSchema&) = delete;

private:
    void link();
    machine::HptMpsSending hpt_mps_;
    bool ail_mode_3_;
    bool caps_;
};

/// Binds the spapr schema to a machine. Warnings from the caps check collect in warnings().
class SpaprAccess final : public StateAccess {
public:
    explicit SpaprAccess(machine::SpaprMachine& m) : m_(m) {}
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    StateAccess& nested(std::string_view key) override;
    bool predicate(Pred p, std::string_view arg) const override;
    void run_pre_save(Hook h) override;
    void run_pre_load(Hook h) override;
    std::optional<std::string> run_post_load(Hook h, int version_id) override;
    [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

private:
    machine::SpaprMachine& m_;
    machine::CapValues mig_{};
    uint64_t incoming_tb_ = 0;
    std::array<uint8_t, 2> ic_mig_{};  ///< incoming cap-xics/cap-xive (defaults when absent)
    std::vector<std::string> warnings_;
};

}  // namespace ppcmig::migration
