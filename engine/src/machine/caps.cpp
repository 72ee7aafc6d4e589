#include "ppcmig/machine/caps.hpp"

#include <algorithm>
#include <bit>
#include <cctype>

#include <fmt/format.h>

#include "ppcmig/machine/compat.hpp"

namespace ppcmig::machine {

namespace {
using namespace capval;

constexpr std::array kCaps{
    CapInfo{CapId::Htm, "htm", "htm", CapType::Bool, logical_pvr::V2_07, OFF},
    CapInfo{CapId::Vsx, "vsx", "vsx", CapType::Bool, logical_pvr::V2_06, OFF},
    CapInfo{CapId::Dfp, "dfp", "dfp", CapType::Bool, logical_pvr::V2_06, OFF},
    CapInfo{CapId::Cfpc, "cfpc", "cfpc", CapType::Tristate, logical_pvr::V2_07, BROKEN},
    CapInfo{CapId::Sbbc, "sbbc", "sbbc", CapType::Tristate, logical_pvr::V2_06_PLUS, BROKEN},
    CapInfo{CapId::Ibs, "ibs", "ibs", CapType::Ibs, logical_pvr::V2_06, BROKEN},
    CapInfo{CapId::HptMaxPageSize, "hpt-max-page-size", "hpt_maxpagesize", CapType::PageSize, 0, 0},
    CapInfo{CapId::NestedKvmHv, "nested-hv", "nested_kvm_hv", CapType::Bool, 0, 0},
    CapInfo{CapId::LargeDecr, "large-decr", "large_decr", CapType::Bool, logical_pvr::V3_00, OFF},
    CapInfo{CapId::CcfAssist, "ccf-assist", "ccf_assist", CapType::Bool, 0, 0},
    CapInfo{CapId::Fwnmi, "fwnmi", "fwnmi", CapType::Bool, 0, 0},
    CapInfo{CapId::RptInvalidate, "rpt-invalidate", "rpt_invalidate", CapType::Bool, 0, 0},
    CapInfo{CapId::AilMode3, "ail-mode-3", "ail_mode_3", CapType::Bool, logical_pvr::V2_07, OFF},
    CapInfo{CapId::NestedPapr, "nested-papr", "nested_papr", CapType::Bool, 0, 0},
    CapInfo{CapId::Dawr1, "dawr1", "dawr1", CapType::Bool, logical_pvr::V3_10, OFF},
};
static_assert(kCaps.size() == kCapCount);

constexpr std::array<std::string_view, 3> kTristate{"broken", "workaround", "fixed"};
constexpr std::array<std::string_view, 5> kIbs{"broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na"};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// QEMU's size syntax: a number with an optional binary suffix (B, K, M, G, T, P, E).
std::optional<uint64_t> parse_size(std::string_view t) {
    if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) return std::nullopt;
    uint64_t v = 0;
    size_t i = 0;
    for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
        if (v > (~uint64_t(0) - 9) / 10) return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(t[i] - '0');
    }
    if (i == t.size()) return v;
    if (i + 1 != t.size()) return std::nullopt;
    unsigned shift = 0;
    switch (std::toupper(static_cast<unsigned char>(t[i]))) {
        case 'B': shift = 0; break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        case 'P': shift = 50; break;
        case 'E': shift = 60; break;
        default: return std::nullopt;
    }
    if (shift && v > (~uint64_t(0) >> shift)) return std::nullopt;
    return v << shift;
}

std::string size_text(unsigned shift) {
    static constexpr const char* units[] = {"", "K", "M", "G", "T", "P", "E"};
    return fmt::format("{}{}", uint64_t(1) << (shift % 10), units[shift / 10]);
}

}  // namespace

std::span<const CapInfo> cap_table() { return kCaps; }
const CapInfo& cap_info(CapId id) { return kCaps[static_cast<size_t>(id)]; }
const CapInfo* find_cap(std::string_view name) {
    for (const auto& c : kCaps)
        if (c.name == name) return &c;
    return nullptr;
}

std::string_view to_string(Accel a) { return a == Accel::Tcg ? "tcg" : "kvm-hv"; }

std::string cap_value_text(CapId id, uint8_t v) {
    const CapInfo& c = cap_info(id);
    switch (c.type) {
        case CapType::Bool: return v ? "on" : "off";
        case CapType::Tristate: return v < kTristate.size() ? std::string(kTristate[v]) : fmt::format("{}", v);
        case CapType::Ibs: return v < kIbs.size() ? std::string(kIbs[v]) : fmt::format("{}", v);
        case CapType::PageSize: return v == 0 ? "0" : size_text(v);
    }
    return fmt::format("{}", v);
}

uint8_t parse_cap_value(const CapInfo& cap, std::string_view text) {
    switch (cap.type) {
        case CapType::Bool:
            for (std::string_view on : {"on", "yes", "true", "y"})
                if (text == on) return ON;
            for (std::string_view off : {"off", "no", "false", "n"})
                if (text == off) return OFF;
            throw CapError(fmt::format("Parameter 'cap-{}' expects 'on' or 'off'", cap.name));
        case CapType::Tristate:
            for (size_t i = 0; i < kTristate.size(); ++i)
                if (iequals(text, kTristate[i])) return static_cast<uint8_t>(i);
            throw CapError(fmt::format("Invalid capability mode \"{}\" for cap-{}", text, cap.name));
        case CapType::Ibs:
            for (size_t i = 0; i < kIbs.size(); ++i)
                if (iequals(text, kIbs[i])) return static_cast<uint8_t>(i);
            throw CapError(fmt::format("Invalid capability mode \"{}\" for cap-{}", text, cap.name));
        case CapType::PageSize: {
            const auto v = parse_size(text);
            if (!v) throw CapError(fmt::format("Parameter 'cap-{}' expects a size", cap.name));
            if (*v == 0 || !std::has_single_bit(*v)) throw CapError(fmt::format("cap-{} must be a power of 2", cap.name));
            return static_cast<uint8_t>(std::countr_zero(*v));
        }
    }
    throw CapError(fmt::format("cap-{}: unsupported type", cap.name));
}

CapValues default_caps_with_cpu(const CapValues& machine_defaults, const cpu::CpuModel& cpu, uint32_t max_compat_pvr) {
    CapValues caps = machine_defaults;
    for (const auto& c : kCaps) {
        if (c.cpu_min_pvr == 0) continue;
        if (!compat_valid(cpu, c.cpu_min_pvr, 0, max_compat_pvr)) caps[static_cast<size_t>(c.id)] = c.cpu_override_value;
    }
    return caps;
}

void apply_caps(const CapValues& eff, const cpu::CpuModel& cpu, uint32_t max_compat_pvr, Accel accel,
                unsigned smp_threads, const KvmHost& host, std::vector<std::string>& warnings) {
    const bool tcg = accel == Accel::Tcg;
    auto v = [&](CapId id) { return eff[static_cast<size_t>(id)]; };
    auto off_hint = [](std::string_view cap) { return fmt::format("Try appending -machine cap-{}=off", cap); };

    if (v(CapId::Htm)) {
        if (tcg) throw CapError("No Transactional Memory support in TCG", off_hint("htm"));
        if (!cpu.has(cpu::kFacTm))
            throw CapError("KVM implementation does not support Transactional Memory", off_hint("htm"));
    }
    if (v(CapId::Vsx) && !cpu.has(cpu::kFacVsx)) throw CapError("VSX support not available", off_hint("vsx"));
    if (v(CapId::Dfp) && !cpu.has(cpu::kFacDfp)) throw CapError("DFP support not available", off_hint("dfp"));

    struct Spectre { CapId id; std::string_view what; uint8_t host_max; };
    for (const Spectre& s : {Spectre{CapId::Cfpc, "safe cache", host.max_cfpc},
                             Spectre{CapId::Sbbc, "safe bounds check", host.max_sbbc},
                             Spectre{CapId::Ibs, "safe indirect branch", host.max_ibs}}) {
        const uint8_t val = v(s.id);
        const std::string_view name = cap_info(s.id).name;
        if (tcg && val) {
            warnings.push_back(fmt::format("TCG doesn't support requested feature, cap-{}={}", name, cap_value_text(s.id, val)));
        } else if (!tcg && val > s.host_max) {
            throw CapError(fmt::format("Requested {} capability level not supported by KVM", s.what),
                           fmt::format("Try appending -machine cap-{}={}", name, cap_value_text(s.id, s.host_max)));
        }
    }

    const uint8_t shift = v(CapId::HptMaxPageSize);
    if (shift != 0) {
        if (shift < 12) throw CapError("Require at least 4kiB hpt-max-page-size");
        if (shift < 16) warnings.push_back("Many guests require at least 64kiB hpt-max-page-size");
    }

    if (v(CapId::NestedKvmHv)) {
        if (!compat_valid(cpu, logical_pvr::V3_00, 0, max_compat_pvr))
            throw CapError("Nested-HV only supported on POWER9 and later", off_hint("nested-hv"));
        if (tcg && smp_threads > 1) throw CapError("TCG does not support nested-HV with SMT", off_hint("nested-hv"));
        if (!tcg && !host.nested_hv)
            throw CapError("KVM implementation does not support Nested-HV", off_hint("nested-hv"));
    }

    if (v(CapId::LargeDecr)) {
        if (tcg) {
            if (!compat_valid(cpu, logical_pvr::V3_00, 0, max_compat_pvr))
                throw CapError("Large decrementer only supported on POWER9", "Try -cpu POWER9");
        } else if (host.large_decr_bits == 0) {
            // Also what the per-vCPU apply reports when KVM refuses LPCR[LD]; a modelled host that
            // advertises a width always accepts it, so the machine-level check is the one that fires.
            throw CapError("No large decrementer support", off_hint("large-decr"));
        } else if (host.large_decr_bits != cpu.dec_bits) {
            throw CapError(fmt::format("KVM large decrementer size ({}) differs to model ({})", host.large_decr_bits,
                                       cpu.dec_bits),
                           off_hint("large-decr"));
        }
    }

    if (v(CapId::CcfAssist) && tcg)
        warnings.push_back("TCG doesn't support requested feature, cap-ccf-assist=on");

    if (v(CapId::RptInvalidate)) {
        if (tcg) throw CapError("TCG doesn't support H_RPT_INVALIDATE", off_hint("rpt-invalidate"));
        if (!host.rpt_invalidate)
            throw CapError("KVM implementation does not support H_RPT_INVALIDATE", off_hint("rpt-invalidate"));
    }

    if (v(CapId::AilMode3) && !tcg && !host.ail_mode_3)
        throw CapError("KVM implementation does not support cap-ail-mode-3", off_hint("ail-mode-3"));

    if (v(CapId::NestedPapr) && !compat_valid(cpu, logical_pvr::V3_00, 0, max_compat_pvr))
        throw CapError("Nested-PAPR only supported on POWER9 and later", off_hint("nested-papr"));

    if (v(CapId::Dawr1) && !compat_valid(cpu, logical_pvr::V3_10, 0, max_compat_pvr))
        throw CapError("DAWR1 supported only on POWER10 and later CPUs", off_hint("dawr1"));
}

unsigned host_large_decr_bits(const cpu::CpuModel& host) { return host.dec_bits > 32 ? host.dec_bits : 0; }

std::optional<CapLevelVerdict> compare_cap_level(std::string_view name, uint8_t src, uint8_t dst) {
    if (src == dst) return std::nullopt;
    return CapLevelVerdict{src > dst, fmt::format("cap-{} {} level ({}) in incoming stream than on destination ({})", name,
                                                  src > dst ? "higher" : "lower", src, dst)};
}

}  // namespace ppcmig::machine
