#include "ppcmig/migration/ppc_devices.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "ppcmig/migration/machine_preds.hpp"

namespace ppcmig::migration {

namespace {
using FT = FieldType;
using machine::PhbMigration;

Field bound_to(Field f, std::string binding) {
    f.binding = std::move(binding);
    return f;
}

uint32_t element_of(std::string_view key) {
    const auto open = key.find('[');
    uint32_t i = 0;
    if (open == std::string_view::npos ||
        std::from_chars(key.data() + open + 1, key.data() + key.size() - 1, i).ec != std::errc())
        throw std::logic_error(fmt::format("not an array element key: {}", key));
    return i;
}

// One of the PHB's four LSIs (its source number is the only state; _EQUAL-checked).
class LsiAccess final : public StateAccess {
public:
    LsiAccess(machine::Phb& p, uint32_t pin) : p_(p), pin_(pin) {}
    uint64_t get(std::string_view key, uint32_t) const override {
        if (key == "irq") return p_.lsi_irq.at(pin_);
        throw std::logic_error(fmt::format("spapr_pci/lsi has no field {}", key));
    }
    void set(std::string_view key, uint32_t, uint64_t) override {
        throw std::logic_error(fmt::format("spapr_pci/lsi field {} is checked, never stored", key));
    }

private:
    machine::Phb& p_;
    uint32_t pin_;
};

// One MSI allocation: the device's config address and its block of sources.
class MsiAccess final : public StateAccess {
public:
    MsiAccess(machine::Phb& p, uint32_t i) : p_(p), i_(i) {}
    uint64_t get(std::string_view key, uint32_t) const override {
        const auto& e = p_.msi.at(i_);
        if (key == "key") return e.config_addr;
        if (key == "value.first_irq") return e.first_irq;
        if (key == "value.num") return e.num;
        throw std::logic_error(fmt::format("spapr_pci/msi has no field {}", key));
    }
    void set(std::string_view key, uint32_t, uint64_t v) override {
        auto& e = p_.msi.at(i_);
        const auto w = static_cast<uint32_t>(v);
        if (key == "key") e.config_addr = w;
        else if (key == "value.first_irq") e.first_irq = w;
        else if (key == "value.num") e.num = w;
        else throw std::logic_error(fmt::format("spapr_pci/msi has no field {}", key));
    }

private:
    machine::Phb& p_;
    uint32_t i_;
};

constexpr std::array<std::string_view, 5> kPhbScratch = {"mig_liobn", "mig_mem_win_addr", "mig_mem_win_size",
                                                          "mig_io_win_addr", "mig_io_win_size"};
}  // namespace

DeviceSchema::DeviceSchema(const machine::Behaviour& b) {
    vio = Vmsd{"spapr_vio", 1, 1,
               {equal_field("reg", FT::U32), equal_field("irq", FT::U32), make_field("signal_state", FT::U64),
                make_field("crq.qladdr", FT::U64), make_field("crq.qsize", FT::U32), make_field("crq.qnext", FT::U32)},
               {}};
    vty = Vmsd{"spapr_vty", 1, 1,
               {struct_field("sdev", &vio), make_field("in", FT::U32), make_field("out", FT::U32),
                bytes_field("buf", FT::Buffer, 16)},
               {}};
    pci_lsi = Vmsd{"spapr_pci/lsi", 1, 1, {equal_field("irq", FT::U32)}, {}};
    pci_msi = Vmsd{"spapr_pci/msi", 1, 1,
                   {make_field("key", FT::U32), make_field("value.first_irq", FT::U32), make_field("value.num", FT::U32)},
                   {}};
    std::vector<Field> fields{equal_field("buid", FT::U64)};
    if (b.phb_migration == PhbMigration::Scratch) {
        // 5c4537bded40: what 2.7 compared, now read and ignored, sent only for pre-2.8 machines.
        fields.push_back(make_field("mig_liobn", FT::U32, 1, Pred::Pre28Migration));
        for (size_t i = 1; i < kPhbScratch.size(); ++i)
            fields.push_back(make_field(std::string(kPhbScratch[i]), FT::U64, 1, Pred::Pre28Migration));
    } else {
        fields.push_back(bound_to(equal_field("dma_liobn[0]", FT::U32), "dma_liobn"));
        for (const char* name : {"mem_win_addr", "mem_win_size", "io_win_addr", "io_win_size"})
            fields.push_back(equal_field(name, FT::U64));
    }
    fields.push_back(struct_field("lsi_table", &pci_lsi, 4));
    fields.push_back(make_field("msi_devs_num", FT::I32));
    fields.push_back(struct_varray("msi_devs", &pci_msi, "msi_devs_num"));
    pci = Vmsd{"spapr_pci", 2, 2, std::move(fields), {}};
}

// ---------------------------------------------------------------- spapr_vty
uint64_t VtyAccess::get(std::string_view key, uint32_t) const {
    const machine::Vty& v = m_.vty();
    if (key == "reg") return machine::Vty::kReg;
    if (key == "irq") return v.irq;
    if (key == "signal_state") return v.signal_state;
    if (key == "crq.qladdr") return v.crq_qladdr;
    if (key == "crq.qsize") return v.crq_qsize;
    if (key == "crq.qnext") return v.crq_qnext;
    if (key == "in") return v.in;
    if (key == "out") return v.out;
    throw std::logic_error(fmt::format("spapr_vty has no field {}", key));
}

void VtyAccess::set(std::string_view key, uint32_t, uint64_t value) {
    machine::Vty& v = m_.vty();
    const auto w = static_cast<uint32_t>(value);
    if (key == "signal_state") v.signal_state = value;
    else if (key == "crq.qladdr") v.crq_qladdr = value;
    else if (key == "crq.qsize") v.crq_qsize = w;
    else if (key == "crq.qnext") v.crq_qnext = w;
    else if (key == "in") v.in = w;
    else if (key == "out") v.out = w;
    else throw std::logic_error(fmt::format("spapr_vty field {} is not stored", key));
}

void VtyAccess::get_bytes(std::string_view key, std::span<uint8_t> bytes) const {
    if (key != "buf") throw std::logic_error(fmt::format("spapr_vty has no buffer {}", key));
    const auto& buf = m_.vty().buf;
    std::copy_n(buf.begin(), std::min(buf.size(), bytes.size()), bytes.begin());
}

void VtyAccess::set_bytes(std::string_view key, std::span<const uint8_t> bytes) {
    if (key != "buf") throw std::logic_error(fmt::format("spapr_vty has no buffer {}", key));
    auto& buf = m_.vty().buf;
    std::copy_n(bytes.begin(), std::min(buf.size(), bytes.size()), buf.begin());
}

StateAccess& VtyAccess::nested(std::string_view key) {
    if (key != "sdev") throw std::logic_error(fmt::format("spapr_vty has no struct {}", key));
    return *this;  // the VIO fields are the vty's own
}

// ---------------------------------------------------------------- spapr_pci
PhbAccess::PhbAccess(machine::SpaprMachine& m) : m_(m) {
    for (uint32_t pin = 0; pin < m.phb().lsi_irq.size(); ++pin)
        lsis_.push_back(std::make_unique<LsiAccess>(m.phb(), pin));
}

uint64_t PhbAccess::get(std::string_view key, uint32_t) const {
    const machine::Phb& p = m_.phb();
    if (key == "buid") return p.buid;
    if (key == "dma_liobn" || key == "mig_liobn") return p.dma_liobn;
    if (key == "mem_win_addr" || key == "mig_mem_win_addr") return p.mem_win_addr;
    if (key == "mem_win_size") return p.mem_win_size;
    if (key == "mig_mem_win_size") {
        // 2.7 had one window: a 64-bit part that continues the 32-bit one is folded back in.
        const bool contiguous = p.mem64_win_size != 0 && p.mem64_win_addr == p.mem_win_addr + p.mem_win_size;
        return p.mem_win_size + (contiguous ? p.mem64_win_size : 0);
    }
    if (key == "io_win_addr" || key == "mig_io_win_addr") return p.io_win_addr;
    if (key == "io_win_size" || key == "mig_io_win_size") return p.io_win_size;
    if (key == "msi_devs_num") return static_cast<uint64_t>(static_cast<int64_t>(loaded_msi_ ? *loaded_msi_ : static_cast<int32_t>(p.msi.size())));
    throw std::logic_error(fmt::format("spapr_pci has no field {}", key));
}

void PhbAccess::set(std::string_view key, uint32_t, uint64_t value) {
    for (const auto scratch : kPhbScratch)
        if (key == scratch) return;  // read and ignored
    if (key == "msi_devs_num") {
        // The map is rebuilt from the elements that follow (grown as they arrive).
        loaded_msi_ = static_cast<int32_t>(value);
        m_.phb().msi.clear();
        msis_.clear();
        return;
    }
    throw std::logic_error(fmt::format("spapr_pci field {} is not stored", key));
}

StateAccess& PhbAccess::nested(std::string_view key) {
    const uint32_t i = element_of(key);
    if (key.starts_with("lsi_table[")) return *lsis_.at(i);
    if (!key.starts_with("msi_devs[")) throw std::logic_error(fmt::format("spapr_pci has no struct {}", key));
    auto& msi = m_.phb().msi;
    if (msi.size() <= i) msi.resize(size_t(i) + 1);
    while (msis_.size() <= i) msis_.push_back(std::make_unique<MsiAccess>(m_.phb(), static_cast<uint32_t>(msis_.size())));
    return *msis_[i];
}

bool PhbAccess::predicate(Pred p, std::string_view) const {
    return machine_property(p, *m_.config().version).value_or(false);
}

}  // namespace ppcmig::migration
