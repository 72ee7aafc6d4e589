#include "behaviour_keys.hpp"

#include "ppcmig/machine/compat.hpp"

namespace ppcmig::builds::detail {

namespace {

using machine::Behaviour;

std::string text(bool b) { return b ? "true" : "false"; }

// Enumerations as text, index = enumerator value.
template <class E>
std::string enum_text(E e, std::span<const std::string_view> names) {
    const auto i = static_cast<size_t>(e);
    return i < names.size() ? std::string(names[i]) : "?";
}
template <class E>
E enum_value(std::string_view v, std::span<const std::string_view> names) {
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == v) return static_cast<E>(i);
    return E{};  // unreachable: values are checked against the choices first
}

constexpr std::string_view kHptMps[] = {"absent", "always", "not_pre_4_1"};
constexpr std::string_view kSanity[] = {"equal", "scratch"};
constexpr std::string_view kCompatMig[] = {"none", "always", "not_pre_2_10"};
constexpr std::string_view kRamNaming[] = {"region", "backend_unfixed", "backend"};
constexpr std::string_view kFamilies[] = {"power7", "power8", "power9", "power10"};
constexpr std::string_view kTbPaused[] = {"counts", "frozen_reread", "frozen"};
constexpr std::string_view kPhbMigration[] = {"equal", "split_equal", "scratch"};
constexpr std::string_view kNewestCompat[] = {"power7", "power7+", "power8", "power9", "power10", "power11"};

#define PPCMIG_BOOL_KEY(member)                                                                 \
    BehaviourKey {                                                                              \
        #member, ValueKind::Bool, {"false", "true"},                                            \
            [](const Behaviour& b) { return text(b.member); },                                  \
            [](Behaviour& b, std::string_view v) { b.member = v == "true"; }                    \
    }
#define PPCMIG_ENUM_KEY(member, type, names)                                                    \
    BehaviourKey {                                                                              \
        #member, ValueKind::Text, {std::begin(names), std::end(names)},                         \
            [](const Behaviour& b) { return enum_text(b.member, names); },                      \
            [](Behaviour& b, std::string_view v) { b.member = enum_value<type>(v, names); }     \
    }

const std::vector<BehaviourKey>& table() {
    static const std::vector<BehaviourKey> keys = {
        PPCMIG_BOOL_KEY(cas_prefers_compat),
        PPCMIG_BOOL_KEY(cas_reboot_on_ic_change),
        PPCMIG_BOOL_KEY(dec_migrated),
        PPCMIG_BOOL_KEY(icps_for_all_servers),
        PPCMIG_BOOL_KEY(dummy_icps),
        PPCMIG_ENUM_KEY(hpt_mps_sending, machine::HptMpsSending, kHptMps),
        PPCMIG_ENUM_KEY(cpu_sanity, machine::CpuSanity, kSanity),
        BehaviourKey{"insns_flags_release", ValueKind::Integer, {"26", "27"},
                     [](const Behaviour& b) { return std::to_string(b.insns_flags_release); },
                     [](Behaviour& b, std::string_view v) { b.insns_flags_release = v == "26" ? 26u : 27u; }},
        PPCMIG_BOOL_KEY(forge_tlbie),
        PPCMIG_ENUM_KEY(compat_migration, machine::CompatMigration, kCompatMig),
        PPCMIG_BOOL_KEY(rfc_compat_pcr_complement),
        PPCMIG_ENUM_KEY(newest_family, cpu::Family, kFamilies),
        BehaviourKey{"newest_compat", ValueKind::Text, {std::begin(kNewestCompat), std::end(kNewestCompat)},
                     [](const Behaviour& b) {
                         const auto* m = machine::find_compat_by_pvr(b.compat.newest_pvr);
                         return m != nullptr ? std::string(m->name) : std::string("?");
                     },
                     [](Behaviour& b, std::string_view v) {
                         if (const auto* m = machine::find_compat_by_name(v)) b.compat.newest_pvr = m->pvr;
                     }},
        BehaviourKey{"compat_logical_pvr_bound", ValueKind::Bool, {"false", "true"},
                     [](const Behaviour& b) { return text(b.compat.logical_pvr_bound); },
                     [](Behaviour& b, std::string_view v) { b.compat.logical_pvr_bound = v == "true"; }},
        PPCMIG_ENUM_KEY(ram_block_naming, machine::RamBlockNaming, kRamNaming),
        PPCMIG_BOOL_KEY(ail_mode_3_migrated),
        PPCMIG_BOOL_KEY(ic_caps),
        PPCMIG_BOOL_KEY(cas_update_unconditional),
        PPCMIG_ENUM_KEY(tb_while_paused, machine::TbWhilePaused, kTbPaused),
        PPCMIG_BOOL_KEY(spapr_cpu_state),
        PPCMIG_BOOL_KEY(spapr_caps),
        PPCMIG_ENUM_KEY(phb_migration, machine::PhbMigration, kPhbMigration),
    };
    return keys;
}

#undef PPCMIG_BOOL_KEY
#undef PPCMIG_ENUM_KEY

}  // namespace

std::span<const BehaviourKey> behaviour_key_table() { return table(); }

const BehaviourKey* find_behaviour_key(std::string_view name) {
    for (const auto& k : table())
        if (k.name == name) return &k;
    return nullptr;
}

}  // namespace ppcmig::builds::detail
