// The pseries machine section `spapr` (version 3): the time base, the CAS option vector 5 and one
// subsection per spapr capability, with QEMU's caps post-migration check.
#include "ppcmig/migration/ppc_spapr.hpp"

#include <fmt/format.h>

#include "ppcmig/machine/caps.hpp"
#include "ppcmig/migration/machine_preds.hpp"

namespace ppcmig::migration {

namespace {
using FT = FieldType;

Field scalar(std::string name, FieldType t, uint32_t count = 1, std::string binding = {}) {
    Field x = make_field(std::move(name), t, count);
    x.binding = std::move(binding);
    return x;
}

constexpr uint32_t kOvecWords = 2048 / 64;  // OV_MAXBYTES (256) bits as be64 words

// The proposal's caps as an ic-mode implies them: an interrupt controller is on when the mode
// instantiates it. The defaults are the machine class's backend (both on for dual, pseries-4.1+).
uint8_t ic_cap_of(machine::IcMode mode, std::string_view cap) {
    if (cap == "xics") return mode != machine::IcMode::Xive ? 1 : 0;
    return (mode == machine::IcMode::Xive || mode == machine::IcMode::Dual) ? 1 : 0;
}
uint8_t ic_cap_effective(const machine::MachineConfig& c, std::string_view cap) { return ic_cap_of(c.ic_mode(), cap); }
uint8_t ic_cap_default(const machine::MachineConfig& c, std::string_view cap) {
    machine::MachineConfig plain = c;
    plain.ic_mode_cmdline.reset();
    return ic_cap_of(plain.ic_mode(), cap);
}

}  // namespace

SpaprSchema::SpaprSchema(const machine::Behaviour& b)
    : hpt_mps_(b.hpt_mps_sending), ail_mode_3_(b.ail_mode_3_migrated), caps_(b.spapr_caps) {
    if (b.ic_caps)
        for (const auto& name : kIcCaps)
            ic_caps.push_back(Vmsd{fmt::format("spapr/cap/{}", name), 1, 1, {scalar("cap", FT::U8, 1, fmt::format("ic_cap:{}", name))}, {}});
    timebase = Vmsd{"timebase", 1, 1, {scalar("guest_timebase", FT::U64), scalar("time_of_the_day_ns", FT::I64)}, {}};
    ovec = Vmsd{"spapr_option_vector", 1, 1, {scalar("bitmap", FT::U64, kOvecWords)}, {}};
    for (const auto& ci : machine::cap_table())
        caps.push_back(Vmsd{fmt::format("spapr/cap/{}", ci.sname), 1, 1,
                            {scalar("cap", FT::U8, 1, fmt::format("cap:{}", ci.name))}, {}});
    Field tb = scalar("timebase", FT::Struct);
    tb.version_id = 2;
    spapr = Vmsd{"spapr", 3, 1, {tb}, {}, Hook::SpaprPreSave, Hook::CapPreLoad, Hook::SpaprPostLoad};
    Field ov = scalar("ov5_cas", FT::Struct);
    ov5_cas = Vmsd{"spapr_option_vector_ov5_cas", 1, 1, {ov}, {}};
    link();
}

SpaprSchema::SpaprSchema(const SpaprSchema& o)
    : spapr(o.spapr), timebase(o.timebase), ov5_cas(o.ov5_cas), ovec(o.ovec), caps(o.caps), ic_caps(o.ic_caps),
      hpt_mps_(o.hpt_mps_),
      ail_mode_3_(o.ail_mode_3_), caps_(o.caps_) {
    link();
}

void SpaprSchema::link() {
    spapr.fields[0].vmsd = &timebase;
    ov5_cas.fields[0].vmsd = &ovec;
    spapr.subsections.clear();
    spapr.subsections.push_back(Subsection{&ov5_cas, Pred::NotPre28Ov5, ""});
    // Cap subsections in QEMU's order; hpt-max-page-size has its own, build-dependent rule (C8).
    for (size_t i = 0; i < caps.size() && caps_; ++i) {
        const auto& ci = machine::cap_table()[i];
        Pred needed = Pred::CapSetOnCmdlineAndDiffers;
        if (ci.id == machine::CapId::HptMaxPageSize) {
            if (hpt_mps_ == machine::HptMpsSending::Absent) continue;
            needed = hpt_mps_ == machine::HptMpsSending::Always ? Pred::Always : Pred::NotPre41Migration;
        }
        if (ci.id == machine::CapId::AilMode3 && !ail_mode_3_) continue;
        spapr.subsections.push_back(Subsection{&caps[i], needed, std::string(ci.name)});
    }
    for (size_t i = 0; i < ic_caps.size(); ++i)
        spapr.subsections.push_back(Subsection{&ic_caps[i], Pred::CapSetOnCmdlineAndDiffers, std::string(kIcCaps[i])});
}

uint64_t SpaprAccess::get(std::string_view key, uint32_t i) const {
    if (key == "guest_timebase") return m_.saved_timebase();
    if (key == "time_of_the_day_ns") return 0;  // "not used anymore"; 0 keeps streams deterministic
    if (key == "bitmap") {
        uint64_t word = 0;
        const auto& ov5 = const_cast<machine::SpaprMachine&>(m_).ov5_cas();
        for (unsigned bit = 0; bit < 64; ++bit) {
            const unsigned n = i * 64 + bit, byte = n / 8, pos = n % 8;
            if (byte < ov5.size() && (ov5[byte] & (0x80 >> pos))) word |= uint64_t(1) << bit;
        }
        return word;
    }
    if (key.rfind("cap:", 0) == 0) {
        const auto* ci = machine::find_cap(key.substr(4));
        return ci ? mig_[static_cast<size_t>(ci->id)] : 0;
    }
    if (key.rfind("ic_cap:", 0) == 0) return ic_cap_effective(m_.config(), key.substr(7));
    return 0;
}

void SpaprAccess::set(std::string_view key, uint32_t i, uint64_t value) {
    if (key == "guest_timebase") incoming_tb_ = value;
    else if (key == "bitmap") {
        auto& ov5 = m_.ov5_cas();
        for (unsigned bit = 0; bit < 64; ++bit) {
            const unsigned n = i * 64 + bit, byte = n / 8, pos = n % 8;
            if (byte >= ov5.size()) continue;
            const uint8_t m = static_cast<uint8_t>(0x80 >> pos);
            ov5[byte] = (value >> bit) & 1 ? (ov5[byte] | m) : (ov5[byte] & ~m);
        }
    } else if (key.rfind("cap:", 0) == 0) {
        if (const auto* ci = machine::find_cap(key.substr(4))) mig_[static_cast<size_t>(ci->id)] = static_cast<uint8_t>(value);
    } else if (key.rfind("ic_cap:", 0) == 0) {
        ic_mig_[key.substr(7) == "xics" ? 0 : 1] = static_cast<uint8_t>(value);
    }
}

StateAccess& SpaprAccess::nested(std::string_view) { return *this; }

bool SpaprAccess::predicate(Pred p, std::string_view arg) const {
    const auto& cfg = m_.config();
    // Machine properties (hpt-max-page-size's own rule, and those a user changeset may pick).
    if (const auto prop = machine_property(p, *cfg.version)) return *prop;
    switch (p) {
        case Pred::NotPre28Ov5: return !cfg.version->pre_2_8_migration;
        case Pred::CapSetOnCmdlineAndDiffers: {
            if (arg == "xics" || arg == "xive")  // the proposal's caps: set through ic-mode
                return cfg.ic_mode_cmdline.has_value() && ic_cap_effective(cfg, arg) != ic_cap_default(cfg, arg);
            const auto* ci = machine::find_cap(arg);
            if (!ci) return false;
            const size_t i = static_cast<size_t>(ci->id);
            return cfg.cap_cmdline[i].has_value() && m_.effective_caps()[i] != cfg.default_caps()[i];
        }
        default: return false;
    }
}

void SpaprAccess::run_pre_save(Hook h) {
    if (h == Hook::SpaprPreSave) mig_ = m_.effective_caps();  // mig = eff
}

void SpaprAccess::run_pre_load(Hook h) {
    if (h != Hook::CapPreLoad) return;
    mig_ = m_.config().default_caps();  // absent caps read as defaults
    ic_mig_ = {ic_cap_default(m_.config(), kIcCaps[0]), ic_cap_default(m_.config(), kIcCaps[1])};
}

std::optional<std::string> SpaprAccess::run_post_load(Hook h, int) {
    if (h != Hook::SpaprPostLoad) return std::nullopt;
    // spapr_caps_post_migration: the source's caps are the destination's defaults (for its own
    // CPU and max-cpu-compat) except where the stream said otherwise.
    const auto& cfg = m_.config();
    const machine::CapValues& dst = m_.effective_caps();
    std::optional<std::string> error;
    const auto compare = [&](std::string_view name, uint8_t src, uint8_t dst) {
        const auto v = machine::compare_cap_level(name, src, dst);
        if (!v) return;
        if (!v->error) {
            warnings_.push_back(v->message);
            return;
        }
        m_.log_error(v->message);
        if (!error) error = v->message;
    };
    for (const auto& ci : machine::cap_table()) {
        if (!m_.behaviour().spapr_caps) break;  // before 2.12 there is nothing to compare
        const size_t i = static_cast<size_t>(ci.id);
        // Caps the release never migrated are not checked either.
        if (ci.id == machine::CapId::AilMode3 && !m_.behaviour().ail_mode_3_migrated) continue;
        compare(ci.name, mig_[i], dst[i]);  // mig_ holds the destination's default where nothing came
    }
    if (m_.behaviour().ic_caps)
        for (size_t i = 0; i < kIcCaps.size(); ++i) compare(kIcCaps[i], ic_mig_[i], ic_cap_effective(cfg, kIcCaps[i]));
    if (error) return error;
    m_.set_time(incoming_tb_);
    return std::nullopt;
}

}  // namespace ppcmig::migration
