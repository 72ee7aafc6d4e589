#include "ppcmig/machine/machine_version.hpp"

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace ppcmig::machine {

namespace {

using namespace capval;

// Newest-first list of versions with the deltas each applies on top of the next newer one
// (QEMU's spapr_machine_X_Y_class_options chain). Deltas not relevant to migration are omitted.
struct Step {
    unsigned major, minor;
    std::function<void(MachineVersion&)> delta;
};

void caps(MachineVersion& v, CapId id, uint8_t val) { v.default_caps[static_cast<size_t>(id)] = val; }

std::vector<Step> steps() {
    return {
        {10, 1, [](MachineVersion&) {}},
        {10, 0, [](MachineVersion&) {}},
        {9, 2, [](MachineVersion&) {}},
        {9, 1, [](MachineVersion&) {}},
        {9, 0, [](MachineVersion&) {}},
        {8, 2, [](MachineVersion& v) { v.default_cpu = "POWER9"; }},
        {8, 1, [](MachineVersion&) {}},
        {8, 0, [](MachineVersion&) {}},
        {7, 2, [](MachineVersion&) {}},
        {7, 1, [](MachineVersion&) {}},
        {7, 0, [](MachineVersion&) {}},
        {6, 2, [](MachineVersion&) {}},
        {6, 1, [](MachineVersion&) {}},
        {6, 0, [](MachineVersion&) {}},
        {5, 2, [](MachineVersion&) {}},
        {5, 1, [](MachineVersion&) {}},
        {5, 0, [](MachineVersion&) {}},
        {4, 2, [](MachineVersion& v) {
             caps(v, CapId::CcfAssist, OFF);
             caps(v, CapId::Fwnmi, OFF);
         }},
        {4, 1, [](MachineVersion&) {}},
        {4, 0, [](MachineVersion& v) {
             v.irq = IrqBackend::Xics;
             v.pre_4_1_migration = true;
         }},
        {3, 1, [](MachineVersion& v) {
             v.default_cpu = "POWER8";
             v.hostmem_canonical_ramblock_id = true;
             v.update_dt_enabled = false;
             caps(v, CapId::Cfpc, BROKEN);
             caps(v, CapId::Sbbc, BROKEN);
             caps(v, CapId::Ibs, BROKEN);
             caps(v, CapId::LargeDecr, OFF);
         }},
        {3, 0, [](MachineVersion& v) {
             v.legacy_irq_allocation = true;
             v.nr_xirqs = 0x400;
             v.irq = IrqBackend::XicsLegacy;
         }},
        {2, 12, [](MachineVersion& v) {
             v.pre_3_0_migration = true;
             caps(v, CapId::HptMaxPageSize, 0);  // 0: derived from the host at init
         }},
        {2, 11, [](MachineVersion& v) { caps(v, CapId::Htm, ON); }},
        {2, 10, [](MachineVersion&) {}},
        {2, 9, [](MachineVersion& v) {
             v.pre_2_10_migration = true;
             v.pre_2_10_has_unused_icps = true;
             v.resize_hpt = ResizeHpt::Disabled;
         }},
        {2, 8, [](MachineVersion&) {}},
        {2, 7, [](MachineVersion& v) {
             v.pre_2_8_migration = true;
             v.default_cpu = "POWER7";
         }},
        {2, 6, [](MachineVersion&) {}},
        {2, 5, [](MachineVersion&) {}},
        {2, 4, [](MachineVersion&) {}},
        {2, 3, [](MachineVersion&) {}},
        {2, 2, [](MachineVersion&) {}},
        {2, 1, [](MachineVersion&) {}},
    };
}

// Latest class defaults (spapr_machine_class_init), before any version delta.
MachineVersion latest_base() {
    MachineVersion v;
    caps(v, CapId::Htm, OFF);
    caps(v, CapId::Vsx, ON);
    caps(v, CapId::Dfp, ON);
    caps(v, CapId::Cfpc, WORKAROUND);
    caps(v, CapId::Sbbc, WORKAROUND);
    caps(v, CapId::Ibs, WORKAROUND);
    caps(v, CapId::HptMaxPageSize, 16);
    caps(v, CapId::NestedKvmHv, OFF);
    caps(v, CapId::LargeDecr, ON);
    caps(v, CapId::CcfAssist, ON);
    caps(v, CapId::Fwnmi, ON);
    caps(v, CapId::RptInvalidate, OFF);
    caps(v, CapId::AilMode3, ON);
    caps(v, CapId::NestedPapr, OFF);
    caps(v, CapId::Dawr1, ON);
    return v;
}

// Oldest first, -sxxm right after its base version.
void sort_versions(std::vector<MachineVersion>& v) {
    std::stable_sort(v.begin(), v.end(), [](const MachineVersion& a, const MachineVersion& b) {
        return a.major != b.major ? a.major < b.major : a.minor != b.minor ? a.minor < b.minor : (!a.sxxm && b.sxxm);
    });
}

// The chain, with a changeset's cap defaults as lines appended to the named version's class
// options (`inherit`: passed down the chain; otherwise that version's alone).
std::vector<MachineVersion> build_table(std::span<const CapDefaultEdit> edits = {}) {
    std::vector<MachineVersion> newest_first;
    MachineVersion cur = latest_base();
    bool first = true;
    for (const auto& s : steps()) {
        s.delta(cur);
        cur.major = s.major;
        cur.minor = s.minor;
        cur.name = fmt::format("pseries-{}.{}", s.major, s.minor);
        cur.is_latest = first;
        first = false;
        MachineVersion own = cur;
        for (const auto& e : edits) {
            if (e.machine != cur.name) continue;
            caps(own, e.cap, e.value);
            if (e.inherit) caps(cur, e.cap, e.value);
        }
        newest_first.push_back(own);
        if (s.major == 2 && s.minor == 12) {
            // pseries-2.12-sxxm: 2.12 with the speculative-execution mitigations on.
            MachineVersion sx = cur;
            sx.name = "pseries-2.12-sxxm";
            sx.sxxm = true;
            caps(sx, CapId::Cfpc, WORKAROUND);
            caps(sx, CapId::Sbbc, WORKAROUND);
            caps(sx, CapId::Ibs, FIXED_CCD);
            for (const auto& e : edits)
                if (e.machine == sx.name) caps(sx, e.cap, e.value);
            newest_first.push_back(sx);
        }
    }
    std::vector<MachineVersion> oldest_first(newest_first.rbegin(), newest_first.rend());
    sort_versions(oldest_first);
    return oldest_first;
}

// "pseries-MAJOR.MINOR" -> (major, minor).
std::optional<std::pair<unsigned, unsigned>> parse_version_name(std::string_view name) {
    constexpr std::string_view prefix = "pseries-";
    if (!name.starts_with(prefix)) return std::nullopt;
    name.remove_prefix(prefix.size());
    const auto dot = name.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view s) -> std::optional<unsigned> {
        if (s.empty() || s.size() > 4 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
        unsigned v = 0;
        for (char c : s) {
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        return v;
    };
    const auto major = number(name.substr(0, dot)), minor = number(name.substr(dot + 1));
    if (!major || !minor) return std::nullopt;
    return std::pair{*major, *minor};
}

}  // namespace

std::string_view to_string(IrqBackend b) {
    switch (b) {
        case IrqBackend::XicsLegacy: return "legacy";
        case IrqBackend::Xics: return "xics";
        case IrqBackend::Dual: return "dual";
    }
    return "?";
}

std::span<const MachineVersion> machine_versions() {
    static const std::vector<MachineVersion> table = build_table();
    return table;
}

const MachineVersion* find_machine_version(std::string_view name) {
    const auto all = machine_versions();
    if (name == "pseries") return &latest_machine_version();
    for (const auto& v : all)
        if (v.name == name) return &v;
    return nullptr;
}

const MachineVersion* find_machine_version(std::string_view name, const MachineVersion& newest) {
    if (name == "pseries") return &newest;
    const MachineVersion* v = find_machine_version(name);
    return v != nullptr && at_most(*v, newest.major, newest.minor) ? v : nullptr;
}

const MachineVersion& latest_machine_version() { return machine_versions().back(); }

bool at_most(const MachineVersion& v, unsigned major, unsigned minor) {
    return v.major < major || (v.major == major && v.minor <= minor);
}

std::shared_ptr<const MachineVersionTable> MachineVersionTable::make(const MachineVersion& newest,
                                                                    std::span<const CapDefaultEdit> caps,
                                                                    std::span<const MachineAddition> additions) {
    const auto added = [&](std::string_view name) {
        return std::any_of(additions.begin(), additions.end(), [&](const MachineAddition& a) { return a.name == name; });
    };
    const auto unknown = [&](std::string_view name) {
        const MachineVersion* global = find_machine_version(name);
        return global != nullptr ? fmt::format("machine version {} is newer than this build's newest, {}", name, newest.name)
                                 : fmt::format("unknown machine version \"{}\" (this build has pseries-2.1 … {})", name, newest.name);
    };
    std::vector<CapDefaultEdit> chained;
    for (size_t i = 0; i < caps.size(); ++i) {
        const auto& e = caps[i];
        if (added(e.machine)) continue;
        if (e.machine == "pseries")
            throw MachineEditError(false, i, "machine", "name the machine version (\"pseries\" is only an alias)");
        if (find_machine_version(e.machine, newest) == nullptr) throw MachineEditError(false, i, "machine", unknown(e.machine));
        chained.push_back(e);
    }
    auto t = std::make_shared<MachineVersionTable>();
    for (auto& v : build_table(chained))
        if (at_most(v, newest.major, newest.minor)) t->versions_.push_back(std::move(v));
    std::string alias = newest.name;
    std::optional<size_t> alias_from;
    for (size_t i = 0; i < additions.size(); ++i) {
        const auto& a = additions[i];
        const auto number = parse_version_name(a.name);
        if (!number) throw MachineEditError(true, i, "name", fmt::format("\"{}\" is not a machine version name (pseries-MAJOR.MINOR)", a.name));
        if (t->find(a.name) != nullptr) throw MachineEditError(true, i, "name", fmt::format("{} already exists in this build", a.name));
        const MachineVersion* base = a.based_on == "pseries" ? nullptr : t->find(a.based_on);
        if (base == nullptr) throw MachineEditError(true, i, "based_on", unknown(a.based_on));
        MachineVersion v = *base;
        v.name = a.name;
        v.major = number->first;
        v.minor = number->second;
        v.sxxm = false;
        for (const auto& e : caps)
            if (e.machine == a.name) v.default_caps[static_cast<size_t>(e.cap)] = e.value;
        if (a.alias_pseries) {
            if (alias_from)
                throw MachineEditError(true, i, "alias_pseries",
                                       fmt::format("\"pseries\" already means {}", additions[*alias_from].name));
            alias_from = i;
            alias = a.name;
        }
        t->versions_.push_back(std::move(v));
        sort_versions(t->versions_);
    }
    for (size_t i = 0; i < t->versions_.size(); ++i) {
        t->versions_[i].is_latest = t->versions_[i].name == alias;
        if (t->versions_[i].is_latest) t->alias_ = i;
    }
    return t;
}

const MachineVersion* MachineVersionTable::find(std::string_view name) const {
    if (name == "pseries") return &alias();
    for (const auto& v : versions_)
        if (v.name == name) return &v;
    return nullptr;
}

}  // namespace ppcmig::machine
