// Applying a user changeset to a build, checking it against that build's sections and machine
// versions, and saying what it changed.
#include "ppcmig/builds/changeset.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "behaviour_keys.hpp"
#include "ppcmig/machine/caps.hpp"
#include "ppcmig/migration/schema_edit.hpp"

namespace ppcmig::builds {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};

// Which changeset of the profile an edit index belongs to (the last one starting at or before it).
const AppliedChangeset* owner(const Profile& p, size_t index, size_t AppliedChangeset::*first) {
    const AppliedChangeset* found = nullptr;
    for (const auto& a : p.user_changesets)
        if (a.*first <= index) found = &a;
    return found;
}

// ---- effects: shallow, line-per-item descriptions of schemas, so that a diff reads well ----

std::string field_line(const nlohmann::json& f) {
    const std::string type = f["type"].get<std::string>();
    std::string s = fmt::format("{} {}", f["field"].get<std::string>(), type);
    if (f.contains("num")) s += fmt::format("[{}]", f["num"].get<uint32_t>());
    if (type == "buffer" || type == "unused_buffer") s += fmt::format(" ({} bytes)", f["size"].get<uint32_t>());
    if (f.contains("constant")) {
        const auto c = f["constant"].get<uint64_t>();
        s += type.starts_with("int") ? fmt::format(" = {}", static_cast<int64_t>(c)) : fmt::format(" = {:#x}", c);
    }
    if (f.contains("exists_predicate")) s += fmt::format(" if {}", f["exists_predicate"].get<std::string>());
    else if (f["version_id"].get<int>() != 0) s += fmt::format(" from version {}", f["version_id"].get<int>());
    return s;
}

std::vector<std::string> field_lines(const nlohmann::json& d) {
    std::vector<std::string> out;
    for (const auto& f : d["Fields"]) out.push_back(field_line(f));
    return out;
}

std::vector<std::string> subsection_lines(const nlohmann::json& d) {
    std::vector<std::string> out;
    for (const auto& s : d["Subsections"]) {
        std::string line = fmt::format("{} [{}]", s["name"].get<std::string>(), s["needed"].get<std::string>());
        out.push_back(std::move(line));
    }
    return out;
}

// Items of `a` not in `b` (multiset difference, in a's order).
std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> rest = b, out;
    for (const auto& x : a) {
        const auto it = std::find(rest.begin(), rest.end(), x);
        if (it != rest.end()) rest.erase(it);
        else out.push_back(x);
    }
    return out;
}

nlohmann::json section_effects(const nlohmann::json& before, const nlohmann::json& after) {
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::string> names;
    for (const auto& [k, v] : after.items()) names.push_back(k);
    for (const auto& [k, v] : before.items())
        if (!after.contains(k)) names.push_back(k);
    for (const auto& name : names) {
        nlohmann::json e{{"name", name}};
        if (!before.contains(name)) {
            e["status"] = "added";
            e["fields_added"] = field_lines(after[name]);
            e["version_id"] = {nullptr, after[name]["version_id"]};
        } else if (!after.contains(name)) {
            e["status"] = "removed";
        } else {
            const auto& b = before[name];
            const auto& a = after[name];
            const auto fb = field_lines(b), fa = field_lines(a), sb = subsection_lines(b), sa = subsection_lines(a);
            if (fb == fa && sb == sa && b["version_id"] == a["version_id"] && b["minimum_version_id"] == a["minimum_version_id"])
                continue;
            e["status"] = "changed";
            if (b["version_id"] != a["version_id"]) e["version_id"] = {b["version_id"], a["version_id"]};
            if (b["minimum_version_id"] != a["minimum_version_id"])
                e["minimum_version_id"] = {b["minimum_version_id"], a["minimum_version_id"]};
            if (fb != fa) {
                e["fields_removed"] = minus(fb, fa);
                e["fields_added"] = minus(fa, fb);
                if (e["fields_removed"].empty() && e["fields_added"].empty()) e["fields_order"] = fa;
            }
            if (sb != sa) {
                e["subsections_removed"] = minus(sb, sa);
                e["subsections_added"] = minus(sa, sb);
            }
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

Profile apply_changeset(const Profile& base, const UserChangeset& cs) {
    Profile p = base;
    AppliedChangeset info;
    info.name = cs.name;
    info.note = cs.note;
    info.file = cs.file;
    info.base = base.name;
    info.first_schema_edit = p.behaviour.schema_edits.size();
    info.first_cap_edit = p.cap_edits.size();
    info.first_addition = p.machine_additions.size();
    // Which change each new edit came from.
    std::vector<const Change*> schema_from, cap_from, addition_from;
    for (const Change& c : cs.changes) {
        std::visit(Overloaded{
                       [&](const machine::SchemaEdit& e) {
                           p.behaviour.schema_edits.push_back(e);
                           schema_from.push_back(&c);
                       },
                       [&](const machine::CapDefaultEdit& e) {
                           p.cap_edits.push_back(e);
                           cap_from.push_back(&c);
                       },
                       [&](const machine::MachineAddition& e) {
                           p.machine_additions.push_back(e);
                           addition_from.push_back(&c);
                       },
                       [&](const BehaviourSetting& s) {
                           // Checked when parsed: the key exists and the value is one of its choices.
                           detail::find_behaviour_key(s.key)->set(p.behaviour, s.value);
                       },
                   },
                   c.what);
        info.changes.push_back(fmt::format("{}:{}:{}: {}", cs.file, c.at.line, c.at.column, c.summary()));
    }
    const auto earlier = [&](const AppliedChangeset* a, const std::string& message) {
        return ChangesetError(cs.file, cs.base_at,
                              fmt::format("on top of it, changeset {} ({}) no longer applies: {}", a ? a->name : "?",
                                          a ? a->file : "?", message));
    };
    if (!p.cap_edits.empty() || !p.machine_additions.empty()) {
        try {
            p.versions = machine::MachineVersionTable::make(*p.newest_machine, p.cap_edits, p.machine_additions);
        } catch (const machine::MachineEditError& e) {
            const size_t first = e.addition ? info.first_addition : info.first_cap_edit;
            const auto& from = e.addition ? addition_from : cap_from;
            if (e.index < first)
                throw earlier(owner(p, e.index, e.addition ? &AppliedChangeset::first_addition : &AppliedChangeset::first_cap_edit),
                              e.what());
            throw ChangesetError(cs.file, from[e.index - first]->where(e.key), e.what());
        }
    }
    try {
        const migration::SchemaCatalogue check(p.behaviour);
    } catch (const migration::SchemaEditError& e) {
        if (e.index < info.first_schema_edit)
            throw earlier(owner(p, e.index, &AppliedChangeset::first_schema_edit), e.what());
        throw ChangesetError(cs.file, schema_from[e.index - info.first_schema_edit]->where(e.key), e.what());
    }
    p.name = fmt::format("{}+{}", base.name, cs.name);
    p.user_changesets.push_back(std::move(info));
    return p;
}

Profile profile_with_changeset(std::string_view build, const UserChangeset& cs) {
    return apply_changeset(profile(build.empty() ? std::string_view(cs.base) : build), cs);
}

nlohmann::json changeset_effects(const Profile& base, const Profile& edited) {
    nlohmann::json out;
    out["sections"] = section_effects(migration::describe_catalogue(base.behaviour), migration::describe_catalogue(edited.behaviour));
    // Machine versions: cap defaults that differ, versions added.
    nlohmann::json machines = nlohmann::json::array();
    const auto before = base.machine_versions();
    for (const machine::MachineVersion* v : edited.machine_versions()) {
        const auto it = std::find_if(before.begin(), before.end(), [&](const machine::MachineVersion* b) { return b->name == v->name; });
        if (it == before.end()) {
            machines.push_back({{"name", v->name}, {"status", "added"}});
            continue;
        }
        nlohmann::json caps = nlohmann::json::array();
        for (const auto& ci : machine::cap_table()) {
            const auto i = static_cast<size_t>(ci.id);
            if ((*it)->default_caps[i] == v->default_caps[i]) continue;
            caps.push_back({{"cap", std::string(ci.name)},
                            {"before", machine::cap_value_text(ci.id, (*it)->default_caps[i])},
                            {"after", machine::cap_value_text(ci.id, v->default_caps[i])}});
        }
        if (!caps.empty()) machines.push_back({{"name", v->name}, {"status", "changed"}, {"caps", caps}});
    }
    out["machines"] = machines;
    out["pseries"] = base.pseries().name == edited.pseries().name
                         ? nlohmann::json(nullptr)
                         : nlohmann::json{{"before", base.pseries().name}, {"after", edited.pseries().name}};
    nlohmann::json beh = nlohmann::json::array();
    for (const auto& k : detail::behaviour_key_table()) {
        const std::string b = k.get(base.behaviour), a = k.get(edited.behaviour);
        if (a != b) beh.push_back({{"key", std::string(k.name)}, {"before", b}, {"after", a}});
    }
    out["behaviour"] = beh;
    return out;
}

std::vector<std::string> behaviour_keys() {
    std::vector<std::string> out;
    for (const auto& k : detail::behaviour_key_table()) {
        std::string values;
        for (auto c : k.choices) values += (values.empty() ? "" : "|") + std::string(c);
        out.push_back(fmt::format("{}: {}", k.name, values));
    }
    return out;
}

}  // namespace ppcmig::builds
