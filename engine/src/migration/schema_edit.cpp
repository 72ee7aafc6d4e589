#include "ppcmig/migration/schema_edit.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include <fmt/format.h>

#include "ppcmig/migration/ppc_cpu.hpp"
#include "ppcmig/migration/ppc_intc.hpp"
#include "ppcmig/migration/ppc_spapr.hpp"

namespace ppcmig::migration {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};

constexpr std::array kCpuPreds = {Pred::Always, Pred::Never, Pred::CompatPvrNonZero, Pred::CompatPvrSet, Pred::HasFloat,
                                  Pred::HasAltivec, Pred::HasVsx, Pred::MmuIs32Bit, Pred::TmActive, Pred::Mmu64,
                                  Pred::Pre28Migration, Pred::Pre210Migration, Pred::Pre30Migration,
                                  Pred::NotPre210Migration, Pred::RtasStopped};
constexpr std::array kSpaprPreds = {Pred::Always, Pred::Never, Pred::Pre28Migration, Pred::Pre210Migration,
                                    Pred::Pre30Migration, Pred::NotPre210Migration, Pred::CapSetOnCmdlineAndDiffers,
                                    Pred::NotPre41Migration, Pred::NotPre28Ov5};
constexpr std::array kBasicPreds = {Pred::Always, Pred::Never};
constexpr std::array kMachinePreds = {Pred::Always, Pred::Never, Pred::Pre28Migration, Pred::Pre210Migration,
                                      Pred::Pre30Migration, Pred::NotPre210Migration, Pred::NotPre41Migration};

struct TypeName {
    std::string_view name;
    FieldType type;
};
constexpr std::array kTypeNames = std::to_array<TypeName>({
    {"uint8", FieldType::U8}, {"uint16", FieldType::U16}, {"uint32", FieldType::U32}, {"uint64", FieldType::U64},
    {"int8", FieldType::I8}, {"int16", FieldType::I16}, {"int32", FieldType::I32}, {"int64", FieldType::I64},
    {"bool", FieldType::Bool}, {"buffer", FieldType::Buffer},
});

bool is_integer(FieldType t) {
    return t == FieldType::U8 || t == FieldType::U16 || t == FieldType::U32 || t == FieldType::U64 || t == FieldType::I8 ||
           t == FieldType::I16 || t == FieldType::I32 || t == FieldType::I64;
}

std::string type_text(FieldType t) {
    for (const auto& n : kTypeNames)
        if (n.type == t) return std::string(n.name);
    switch (t) {
        case FieldType::Unused: return "unused";
        case FieldType::Struct: return "struct";
        default: return "?";
    }
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "none" : out;
}

// Whether `value` fits the wire type (a buffer's value is its fill byte).
bool fits(FieldType t, int64_t value) {
    switch (t) {
        case FieldType::Bool: return value == 0 || value == 1;
        case FieldType::Buffer: case FieldType::U8: return value >= 0 && value <= 0xFF;
        case FieldType::U16: return value >= 0 && value <= 0xFFFF;
        case FieldType::U32: return value >= 0 && value <= 0xFFFFFFFFll;
        case FieldType::U64: return value >= 0;
        case FieldType::I8: return value >= -0x80 && value <= 0x7F;
        case FieldType::I16: return value >= -0x8000 && value <= 0x7FFF;
        case FieldType::I32: return value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max();
        case FieldType::I64: return true;
        default: return false;
    }
}

std::string range_text(FieldType t) {
    switch (t) {
        case FieldType::Bool: return "false or true";
        case FieldType::Buffer: return "a fill byte, 0 to 255";
        case FieldType::U8: return "0 to 255";
        case FieldType::U16: return "0 to 65535";
        case FieldType::U32: return "0 to 4294967295";
        case FieldType::U64: return "0 to 9223372036854775807 (TOML integers are signed 64-bit)";
        case FieldType::I8: return "-128 to 127";
        case FieldType::I16: return "-32768 to 32767";
        case FieldType::I32: return "-2147483648 to 2147483647";
        default: return "any 64-bit integer";
    }
}

// The edit being applied, for error texts and key paths.
struct Ctx {
    size_t index;
    PredScope scope;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const {
        throw SchemaEditError(index, key, message);
    }
};

Pred predicate(const Ctx& c, const std::string& key, const std::string& name, const Vmsd& v) {
    const auto valid = scope_predicates(c.scope);
    std::vector<std::string> names;
    for (Pred p : valid) names.emplace_back(to_string(p));
    const auto p = pred_from_string(name);
    if (!p) c.fail(key, fmt::format("unknown predicate \"{}\" (valid for {}: {})", name, v.name, join(names)));
    if (std::find(valid.begin(), valid.end(), *p) == valid.end())
        c.fail(key, fmt::format("predicate {} is not evaluated for section {} (valid there: {})", name, v.name, join(names)));
    return *p;
}

std::vector<std::string> field_names(const Vmsd& v) {
    std::vector<std::string> out;
    for (const auto& f : v.fields) out.push_back(f.name);
    return out;
}

// A field by name, or name[k] for the k-th of several same-named fields (as the vmdesc numbers
// them).
Field& find_field(const Ctx& c, Vmsd& v, const std::string& key, const std::string& name) {
    std::string base = name;
    std::optional<size_t> nth;
    if (const auto open = name.find('['); open != std::string::npos && name.back() == ']') {
        base = name.substr(0, open);
        size_t k = 0;
        const std::string digits = name.substr(open + 1, name.size() - open - 2);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 4)
            c.fail(key, fmt::format("\"{}\": expected name[INDEX]", name));
        k = std::stoul(digits);
        nth = k;
    }
    std::vector<Field*> same;
    for (auto& f : v.fields)
        if (f.name == base) same.push_back(&f);
    if (same.empty()) c.fail(key, fmt::format("section {} has no field \"{}\" (fields: {})", v.name, base, join(field_names(v))));
    if (nth) {
        if (same.size() < 2 || *nth >= same.size())
            c.fail(key, fmt::format("section {} has {} field(s) named {}: no {}", v.name, same.size(), base, name));
        return *same[*nth];
    }
    if (same.size() > 1)
        c.fail(key, fmt::format("section {} has {} fields named {}: say {}[0] … {}[{}]", v.name, same.size(), base, base,
                                base, same.size() - 1));
    return *same.front();
}

void check_new_name(const Ctx& c, const Vmsd& v, const std::string& key, const std::string& name) {
    if (name.empty()) c.fail(key, "a field needs a name");
    if (name.find_first_of("[]") != std::string::npos) c.fail(key, fmt::format("\"{}\": field names cannot hold [ or ]", name));
    for (const auto& f : v.fields)
        if (f.name == name) c.fail(key, fmt::format("section {} already has a field named {}", v.name, name));
}

// An added field: a constant of its type, present from version_id or by its predicate.
Field make_field(const Ctx& c, const Vmsd& v, const machine::EditField& ef, const std::string& prefix) {
    check_new_name(c, v, prefix + "name", ef.name);
    std::vector<std::string> names;
    for (const auto& n : kTypeNames) names.emplace_back(n.name);
    const auto type = edit_field_type(ef.type);
    if (!type) c.fail(prefix + "type", fmt::format("unknown field type \"{}\" (valid: {})", ef.type, join(names)));
    Field f;
    f.name = ef.name;
    f.type = *type;
    if (ef.count < 1) c.fail(prefix + "count", "count must be at least 1");
    f.count = ef.count;
    if (f.type == FieldType::Buffer) {
        if (ef.size < 1) c.fail(prefix + "size", "a buffer needs size = BYTES (at least 1)");
        f.size = ef.size;
    } else if (ef.size != 0) {
        c.fail(prefix + "size", fmt::format("size applies to buffers, not {}", ef.type));
    }
    if (!fits(f.type, ef.value))
        c.fail(prefix + "value", fmt::format("value {} does not fit {} ({})", ef.value, ef.type, range_text(f.type)));
    f.constant = static_cast<uint64_t>(ef.value);
    if (ef.equal) {
        if (!is_integer(f.type)) c.fail(prefix + "equal", fmt::format("equal applies to integer fields, not {}", ef.type));
        f.check = FieldCheck::Equal;
    }
    if (ef.version_id < 0) c.fail(prefix + "version_id", "version_id cannot be negative");
    if (ef.version_id > v.version_id)
        c.fail(prefix + "version_id", fmt::format("version_id {} is newer than section {}'s version_id {}: the field would "
                                                  "never travel (set_version first)", ef.version_id, v.name, v.version_id));
    f.version_id = ef.version_id;
    f.exists = predicate(c, prefix + "exists", ef.exists, v);
    return f;
}

std::vector<std::string> subsection_names(const Vmsd& v) {
    std::vector<std::string> out;
    for (const auto& s : v.subsections) out.push_back(s.vmsd->name);
    return out;
}

Subsection& find_subsection(const Ctx& c, Vmsd& v, const std::string& name) {
    for (auto& s : v.subsections)
        if (s.vmsd->name == name) return s;
    c.fail("subsection", fmt::format("section {} has no subsection \"{}\" (subsections: {})", v.name, name, join(subsection_names(v))));
}

}  // namespace

std::vector<Pred> scope_predicates(PredScope s) {
    switch (s) {
        case PredScope::Cpu: return {kCpuPreds.begin(), kCpuPreds.end()};
        case PredScope::Spapr: return {kSpaprPreds.begin(), kSpaprPreds.end()};
        case PredScope::Basic: return {kBasicPreds.begin(), kBasicPreds.end()};
        case PredScope::Machine: return {kMachinePreds.begin(), kMachinePreds.end()};
        case PredScope::Any: break;
    }
    std::vector<Pred> all;
    for (int i = 0; i < 64; ++i) {
        const auto p = static_cast<Pred>(i);
        if (to_string(p) != "?") all.push_back(p);
    }
    return all;
}

std::optional<FieldType> edit_field_type(std::string_view name) {
    for (const auto& n : kTypeNames)
        if (n.name == name) return n.type;
    return std::nullopt;
}

Vmsd* EditedSchemas::copy(const Vmsd* original, PredScope scope) {
    if (const auto it = copy_of_.find(original); it != copy_of_.end()) return it->second->vmsd.get();
    auto node = std::make_unique<Node>(Node{std::make_unique<Vmsd>(*original), scope});
    Vmsd* v = node->vmsd.get();
    copy_of_[original] = node.get();
    node_of_[v] = node.get();
    nodes_.push_back(std::move(node));
    for (auto& f : v->fields)
        if (f.vmsd != nullptr) f.vmsd = copy(f.vmsd, scope);
    for (auto& s : v->subsections) s.vmsd = copy(s.vmsd, scope);
    return v;
}

EditedSchemas::EditedSchemas(std::span<const Root> roots, std::span<const machine::SchemaEdit> edits, bool strict) {
    for (const auto& r : roots) roots_.push_back(copy(r.vmsd, r.scope));
    for (size_t i = 0; i < edits.size(); ++i) apply(i, edits[i], strict);
}

const Vmsd* EditedSchemas::operator[](const Vmsd* root) const {
    const auto it = copy_of_.find(root);
    if (it == copy_of_.end()) throw std::logic_error(fmt::format("schema {} was not edited", root->name));
    return it->second->vmsd.get();
}

std::vector<const Vmsd*> EditedSchemas::reachable() const {
    std::vector<const Vmsd*> out;
    auto walk = [&](auto& self, const Vmsd* v) -> void {
        if (std::find(out.begin(), out.end(), v) != out.end()) return;
        out.push_back(v);
        for (const auto& f : v->fields)
            if (f.vmsd != nullptr) self(self, f.vmsd);
        for (const auto& s : v->subsections) self(self, s.vmsd);
    };
    for (const Vmsd* r : roots_) walk(walk, r);
    return out;
}

std::vector<EditedSchemas::Node*> EditedSchemas::find(std::string_view name) {
    std::vector<Node*> out;
    for (const Vmsd* v : reachable())
        if (v->name == name) out.push_back(node_of_.at(v));
    return out;
}

void EditedSchemas::apply(size_t index, const machine::SchemaEdit& edit, bool strict) {
    const std::string& section = std::visit([](const auto& e) -> const std::string& { return e.section; }, edit);
    const auto targets = find(section);
    if (targets.empty()) {
        if (!strict) return;
        std::vector<std::string> names;
        for (const Vmsd* v : reachable()) names.push_back(v->name);
        throw SchemaEditError(index, "section", fmt::format("unknown section \"{}\" (sections: {})", section, join(names)));
    }
    for (Node* node : targets) {
        Vmsd& v = *node->vmsd;
        const Ctx c{index, node->scope};
        std::visit(
            Overloaded{
                [&](const machine::AddField& e) {
                    Field f = make_field(c, v, e.field, "");
                    size_t at = v.fields.size();
                    if (e.after && e.position) c.fail("position", "give after or position, not both");
                    if (e.after) {
                        const Field& prev = find_field(c, v, "after", *e.after);
                        at = static_cast<size_t>(&prev - v.fields.data()) + 1;
                    } else if (e.position) {
                        if (*e.position > v.fields.size())
                            c.fail("position", fmt::format("position {} is past the end of section {} ({} fields)", *e.position,
                                                           v.name, v.fields.size()));
                        at = *e.position;
                    }
                    v.fields.insert(v.fields.begin() + static_cast<std::ptrdiff_t>(at), std::move(f));
                },
                [&](const machine::RemoveField& e) {
                    Field& f = find_field(c, v, "field", e.field);
                    v.fields.erase(v.fields.begin() + (&f - v.fields.data()));
                },
                [&](const machine::RenameField& e) {
                    Field& f = find_field(c, v, "field", e.field);
                    check_new_name(c, v, "to", e.to);
                    if (f.binding.empty()) f.binding = f.name;  // the adapter still binds the old key
                    f.name = e.to;
                },
                [&](const machine::ResizeField& e) {
                    Field& f = find_field(c, v, "field", e.field);
                    if (!e.count && !e.size) c.fail("field", "resize_field needs count and/or size");
                    if (e.count) {
                        if (f.type == FieldType::Struct)
                            c.fail("count", fmt::format("{}.{} is an array of {} structs: its length follows the machine",
                                                        v.name, f.name, f.vmsd ? f.vmsd->name : "?"));
                        if (f.type == FieldType::Buffer || f.type == FieldType::Unused)
                            c.fail("count", fmt::format("{}.{} is {}: resize it with size", v.name, f.name,
                                                        f.type == FieldType::Buffer ? "a buffer" : "unused bytes"));
                        if (*e.count < 1) c.fail("count", "count must be at least 1");
                        if (!f.constant && !f.bound) f.bound = f.count;
                        f.count = *e.count;
                    }
                    if (e.size) {
                        if (f.type != FieldType::Buffer && f.type != FieldType::Unused)
                            c.fail("size", fmt::format("size applies to buffers; {}.{} is {}", v.name, f.name, type_text(f.type)));
                        if (*e.size < 1) c.fail("size", "size must be at least 1");
                        if (f.type == FieldType::Buffer && !f.constant && !f.bound) f.bound = f.size;
                        f.size = *e.size;
                    }
                },
                [&](const machine::RetypeField& e) {
                    Field& f = find_field(c, v, "field", e.field);
                    const auto t = edit_field_type(e.type);
                    if (!t || !(is_integer(*t) || *t == FieldType::Bool))
                        c.fail("type", fmt::format("retype_field takes an integer type or bool, not \"{}\"", e.type));
                    if (!(is_integer(f.type) || f.type == FieldType::Bool))
                        c.fail("field", fmt::format("{}.{} is {}: only integer and bool fields change type", v.name, f.name,
                                                    type_text(f.type)));
                    if (f.check == FieldCheck::PositiveLe && *t != FieldType::I32)
                        c.fail("type", fmt::format("{}.{} is checked as INT32_POSITIVE_LE, which needs int32", v.name, f.name));
                    if (f.check == FieldCheck::Equal && *t == FieldType::Bool)
                        c.fail("type", fmt::format("{}.{} is an _EQUAL check: it needs an integer type", v.name, f.name));
                    if (f.constant) {
                        const auto value = static_cast<int64_t>(*f.constant);
                        if (!fits(*t, value))
                            c.fail("type", fmt::format("{}.{} holds {}, which does not fit {}", v.name, f.name, value, e.type));
                    }
                    f.type = *t;
                },
                [&](const machine::SetFieldExists& e) {
                    Field& f = find_field(c, v, "field", e.field);
                    f.exists = predicate(c, "predicate", e.predicate, v);
                },
                [&](const machine::RemoveSubsection& e) {
                    Subsection& s = find_subsection(c, v, e.subsection);
                    v.subsections.erase(v.subsections.begin() + (&s - v.subsections.data()));
                },
                [&](const machine::AddSubsection& e) {
                    // QEMU's loader only looks at subsections whose name starts with the parent's.
                    if (!e.name.starts_with(v.name) || e.name == v.name)
                        c.fail("name", fmt::format("a subsection of {} is named {}… (QEMU only loads subsections "
                                                   "whose name starts with their parent's)", v.name, v.name));
                    if (!find(e.name).empty()) c.fail("name", fmt::format("section {} already exists", e.name));
                    const Pred needed = predicate(c, "needed", e.needed, v);
                    if (needed == Pred::CapSetOnCmdlineAndDiffers)
                        c.fail("needed", "cap_set_on_cmdline_and_differs belongs to the spapr/cap/* subsections");
                    if (e.version_id < 1) c.fail("version_id", "version_id must be at least 1");
                    if (e.minimum_version_id < 0 || e.minimum_version_id > e.version_id)
                        c.fail("minimum_version_id", fmt::format("minimum_version_id must be 0 to version_id ({})", e.version_id));
                    auto node_new = std::make_unique<Node>(Node{std::make_unique<Vmsd>(), node->scope});
                    Vmsd& sub = *node_new->vmsd;
                    sub.name = e.name;
                    sub.version_id = e.version_id;
                    sub.minimum_version_id = e.minimum_version_id;
                    for (size_t k = 0; k < e.fields.size(); ++k)
                        sub.fields.push_back(make_field(c, sub, e.fields[k], fmt::format("fields.{}.", k)));
                    node_of_[&sub] = node_new.get();
                    nodes_.push_back(std::move(node_new));
                    v.subsections.push_back(Subsection{&sub, needed, ""});
                },
                [&](const machine::SetNeeded& e) {
                    Subsection& s = find_subsection(c, v, e.subsection);
                    const Pred p = predicate(c, "predicate", e.predicate, v);
                    if (p == Pred::CapSetOnCmdlineAndDiffers && s.arg.empty())
                        c.fail("predicate", "cap_set_on_cmdline_and_differs belongs to the spapr/cap/* subsections");
                    s.needed = p;
                },
                [&](const machine::SetVersion& e) {
                    if (!e.version_id && !e.minimum_version_id) c.fail("section", "set_version needs version_id and/or minimum_version_id");
                    const int version = e.version_id.value_or(v.version_id);
                    const int minimum = e.minimum_version_id.value_or(v.minimum_version_id);
                    if (version < 1) c.fail("version_id", "version_id must be at least 1");
                    if (minimum < 0 || minimum > version)
                        c.fail(e.minimum_version_id ? "minimum_version_id" : "version_id",
                               fmt::format("section {}: minimum_version_id {} must be 0 to version_id {}", v.name, minimum, version));
                    v.version_id = version;
                    v.minimum_version_id = minimum;
                },
            },
            edit);
    }
}

// The schemas as a one-vCPU machine in ic-mode=dual registers them (array lengths do not matter
// to edits: struct arrays cannot be resized).
SchemaCatalogue::SchemaCatalogue(const machine::Behaviour& b)
    : cpu(b), spapr(b), intc(machine::kXicsIrqBase, machine::kXicsIrqBase, machine::Xive::kPriorities), devices(b),
      edited(std::to_array<EditedSchemas::Root>({
                 {&cpu.common, PredScope::Cpu}, {&cpu.cpu, PredScope::Cpu}, {&cpu.spapr_cpu, PredScope::Cpu},
                 {&cpu.icp, PredScope::Basic},
                 {&intc.ics, PredScope::Basic}, {&intc.xive_source, PredScope::Basic},
                 {&intc.spapr_xive, PredScope::Basic}, {&intc.tctx, PredScope::Basic},
                 {&devices.vty, PredScope::Basic}, {&devices.pci, PredScope::Machine},
                 {&spapr.spapr, PredScope::Spapr},
             }),
             b.schema_edits, true) {}

nlohmann::json describe_catalogue(const machine::Behaviour& b) {
    const SchemaCatalogue cat(b);
    nlohmann::json out = nlohmann::json::object();
    for (const Vmsd* v : cat.edited.reachable()) out[v->name] = describe(*v);
    return out;
}

}  // namespace ppcmig::migration
