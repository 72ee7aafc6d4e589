// The platform devices' sections: the console `spapr_vty` (idstr "vty@71000000/spapr_vty", with
// the VIO device state `spapr_vio` nested) and the default PHB `spapr_pci` (LSIs, MSI map and,
// depending on the build, its windows as _EQUAL checks or as pre-2.8 scratch fields — C3).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// The schemas of a build (`b.phb_migration` shapes spapr_pci).
struct DeviceSchema {
    Vmsd vio, vty;
    Vmsd pci_lsi, pci_msi, pci;
    explicit DeviceSchema(const machine::Behaviour& b);
    DeviceSchema(const DeviceSchema&) = delete;
    DeviceSchema& operator=(const DeviceSchema&) = delete;
};

/// The vty's registration name: "<VIO bus path of the device>/<vmsd name>".
inline constexpr std::string_view kVtyIdstr = "vty@71000000/spapr_vty";

/// `spapr_vty` and its nested `spapr_vio`.
class VtyAccess final : public StateAccess {
public:
    explicit VtyAccess(machine::SpaprMachine& m) : m_(m) {}
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    void get_bytes(std::string_view key, std::span<uint8_t> bytes) const override;
    void set_bytes(std::string_view key, std::span<const uint8_t> bytes) override;
    StateAccess& nested(std::string_view key) override;

private:
    machine::SpaprMachine& m_;
};

/// `spapr_pci`: the PHB. The pre-2.8 scratch fields read back as 2.7 had them (one MMIO window:
/// a 64-bit window contiguous with the 32-bit one is folded back in) and are dropped on load.
class PhbAccess final : public StateAccess {
public:
    explicit PhbAccess(machine::SpaprMachine& m);
    uint64_t get(std::string_view key, uint32_t index) const override;
    void set(std::string_view key, uint32_t index, uint64_t value) override;
    StateAccess& nested(std::string_view key) override;
    bool predicate(Pred p, std::string_view arg) const override;

private:
    machine::SpaprMachine& m_;
    std::vector<std::unique_ptr<StateAccess>> lsis_, msis_;
    std::optional<int32_t> loaded_msi_;  ///< the incoming msi_devs_num while loading
};

}  // namespace ppcmig::migration
