// Reading a user changeset: TOML (toml++) into plain data, with the source position of every
// key so that later checks against a build can still name the line.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "behaviour_keys.hpp"
#include "ppcmig/builds/changeset.hpp"
#include "ppcmig/machine/caps.hpp"

namespace ppcmig::builds {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};

SourcePos pos(const toml::source_region& r) { return {r.begin.line, r.begin.column}; }

std::string join(std::span<const std::string_view> items) {
    std::string out;
    for (auto s : items) out += (out.empty() ? "" : ", ") + std::string(s);
    return out;
}

constexpr std::string_view kTopKeys[] = {"base", "name", "note", "change"};
constexpr std::string_view kFieldKeys[] = {"name", "type", "count", "size", "value", "equal", "version_id", "exists"};

struct OpKeys {
    std::string_view op;
    std::vector<std::string_view> keys;  ///< besides "op"
};
const std::vector<OpKeys>& op_table() {
    static const std::vector<OpKeys> ops = {
        {"add_field", {"section", "after", "position", "name", "type", "count", "size", "value", "equal", "version_id", "exists"}},
        {"remove_field", {"section", "field"}},
        {"rename_field", {"section", "field", "to"}},
        {"resize_field", {"section", "field", "count", "size"}},
        {"retype_field", {"section", "field", "type"}},
        {"set_field_exists", {"section", "field", "predicate"}},
        {"remove_subsection", {"section", "subsection"}},
        {"add_subsection", {"section", "name", "needed", "version_id", "minimum_version_id", "fields"}},
        {"set_needed", {"section", "subsection", "predicate"}},
        {"set_version", {"section", "version_id", "minimum_version_id"}},
        {"set_cap_default", {"machine", "cap", "value", "inherit"}},
        {"add_machine", {"name", "based_on", "alias_pseries"}},
        {"set_behaviour", {"key", "value"}},
    };
    return ops;
}

// Limits that keep a stream (and the memory to write it) reasonable.
constexpr int64_t kMaxCount = 1 << 20;
constexpr int64_t kMaxSize = 1 << 24;

// Reads the keys of one TOML table: typed, positioned, unknown keys rejected.
class Reader {
public:
    Reader(const std::string& file, const toml::table& t, SourcePos at, Change& change, std::string prefix = {})
        : file_(file), t_(t), at_(at), change_(change), prefix_(std::move(prefix)) {}

    [[noreturn]] void fail(SourcePos at, const std::string& problem) const { throw ChangesetError(file_, at, problem); }

    void only(std::span<const std::string_view> allowed, std::string_view what) const {
        for (auto&& [k, v] : t_) {
            if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
            fail(pos(k.source()), fmt::format("unknown key \"{}\" in {} (keys: {})", k.str(), what, join(allowed)));
        }
    }

    const toml::node* node(std::string_view key) const {
        const toml::node* n = t_.get(key);
        if (n != nullptr) change_.keys[prefix_ + std::string(key)] = pos(n->source());
        return n;
    }

    std::optional<std::string> str(std::string_view key, bool required = false) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            if (required) fail(at_, fmt::format("missing key \"{}\"", key));
            return std::nullopt;
        }
        const auto* s = n->as_string();
        if (s == nullptr) fail(pos(n->source()), fmt::format("\"{}\" must be a string, not {}", key, type_name(*n)));
        return s->get();
    }

    std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) const {
        const toml::node* n = node(key);
        if (n == nullptr) return std::nullopt;
        const auto* i = n->as_integer();
        if (i == nullptr) fail(pos(n->source()), fmt::format("\"{}\" must be an integer, not {}", key, type_name(*n)));
        if (i->get() < min || i->get() > max)
            fail(pos(n->source()), fmt::format("\"{}\" = {} is out of range ({} to {})", key, i->get(), min, max));
        return i->get();
    }

    std::optional<bool> boolean(std::string_view key) const {
        const toml::node* n = node(key);
        if (n == nullptr) return std::nullopt;
        const auto* b = n->as_boolean();
        if (b == nullptr) fail(pos(n->source()), fmt::format("\"{}\" must be true or false, not {}", key, type_name(*n)));
        return b->get();
    }

    static std::string type_name(const toml::node& n) {
        switch (n.type()) {
            case toml::node_type::string: return "a string";
            case toml::node_type::integer: return "an integer";
            case toml::node_type::floating_point: return "a float";
            case toml::node_type::boolean: return "a boolean";
            case toml::node_type::table: return "a table";
            case toml::node_type::array: return "an array";
            default: return "a date or time";
        }
    }

    [[nodiscard]] SourcePos at() const { return at_; }

private:
    const std::string& file_;
    const toml::table& t_;
    SourcePos at_;
    Change& change_;
    std::string prefix_;
};

int version_number(const Reader& r, std::string_view key, int64_t min) {
    return static_cast<int>(*r.integer(key, min, std::numeric_limits<int32_t>::max()));
}

machine::EditField edit_field(const Reader& r) {
    machine::EditField f;
    f.name = *r.str("name", true);
    f.type = *r.str("type", true);
    if (const auto c = r.integer("count", 1, kMaxCount)) f.count = static_cast<uint32_t>(*c);
    if (const auto s = r.integer("size", 1, kMaxSize)) f.size = static_cast<uint32_t>(*s);
    if (const toml::node* n = r.node("value")) {
        if (const auto* b = n->as_boolean()) f.value = b->get() ? 1 : 0;
        else if (const auto* i = n->as_integer()) f.value = i->get();
        else r.fail(pos(n->source()), fmt::format("\"value\" must be an integer or a boolean, not {}", Reader::type_name(*n)));
    }
    if (const auto e = r.boolean("equal")) f.equal = *e;
    if (r.node("version_id") != nullptr) f.version_id = version_number(r, "version_id", 0);
    if (const auto e = r.str("exists")) f.exists = *e;
    return f;
}

std::optional<uint32_t> u32(const std::optional<int64_t>& v) {
    return v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}

machine::CapDefaultEdit cap_default(const Reader& r) {
    machine::CapDefaultEdit e;
    e.machine = *r.str("machine", true);
    const std::string given = *r.str("cap", true);
    const std::string_view cap = std::string_view(given).substr(given.starts_with("cap-") ? 4 : 0);
    const machine::CapInfo* ci = machine::find_cap(cap);
    if (ci == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& c : machine::cap_table()) names.push_back(c.name);
        r.fail(r.node("cap") ? pos(r.node("cap")->source()) : r.at(), fmt::format("unknown cap \"{}\" (caps: {})", cap, join(names)));
    }
    e.cap = ci->id;
    const toml::node* v = r.node("value");
    if (v == nullptr) r.fail(r.at(), "missing key \"value\"");
    std::string text;
    if (const auto* b = v->as_boolean()) text = b->get() ? "on" : "off";
    else if (const auto* s = v->as_string()) text = s->get();
    else if (const auto* i = v->as_integer()) text = std::to_string(i->get());
    else r.fail(pos(v->source()), fmt::format("\"value\" must be a string or a boolean, not {}", Reader::type_name(*v)));
    try {
        e.value = machine::parse_cap_value(*ci, text);
    } catch (const machine::CapError& err) {
        r.fail(pos(v->source()), err.what());
    }
    if (const auto inherit = r.boolean("inherit")) e.inherit = *inherit;
    return e;
}

BehaviourSetting behaviour_setting(const Reader& r) {
    BehaviourSetting s;
    s.key = *r.str("key", true);
    const detail::BehaviourKey* k = detail::find_behaviour_key(s.key);
    if (k == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& bk : detail::behaviour_key_table()) names.push_back(bk.name);
        r.fail(pos(r.node("key")->source()), fmt::format("unknown behaviour \"{}\" (behaviours: {})", s.key, join(names)));
    }
    const toml::node* v = r.node("value");
    if (v == nullptr) r.fail(r.at(), "missing key \"value\"");
    const auto wrong = [&] {
        std::string values;
        for (size_t i = 0; i < k->choices.size(); ++i) {
            const bool quoted = k->kind == detail::ValueKind::Text;
            values += fmt::format("{}{}{}{}", i == 0 ? "" : i + 1 == k->choices.size() ? " or " : ", ", quoted ? "\"" : "",
                                  k->choices[i], quoted ? "\"" : "");
        }
        r.fail(pos(v->source()), fmt::format("{} takes {}", s.key, values));
    };
    switch (k->kind) {
        case detail::ValueKind::Bool:
            if (!v->is_boolean()) wrong();
            s.value = v->as_boolean()->get() ? "true" : "false";
            break;
        case detail::ValueKind::Integer:
            if (!v->is_integer()) wrong();
            s.value = std::to_string(v->as_integer()->get());
            break;
        case detail::ValueKind::Text:
            if (!v->is_string()) wrong();
            s.value = v->as_string()->get();
            break;
    }
    if (std::find(k->choices.begin(), k->choices.end(), s.value) == k->choices.end()) wrong();
    return s;
}

Change parse_change(const std::string& file, const toml::table& t) {
    Change c;
    c.at = pos(t.source());
    Reader r(file, t, c.at, c);
    c.op = *r.str("op", true);
    const auto& ops = op_table();
    const auto it = std::find_if(ops.begin(), ops.end(), [&](const OpKeys& o) { return o.op == c.op; });
    if (it == ops.end()) {
        std::vector<std::string_view> names;
        for (const auto& o : ops) names.push_back(o.op);
        r.fail(pos(t.get("op")->source()), fmt::format("unknown op \"{}\" (ops: {})", c.op, join(names)));
    }
    std::vector<std::string_view> allowed = it->keys;
    allowed.insert(allowed.begin(), "op");
    r.only(allowed, fmt::format("a {} change", c.op));
    const auto section = [&] { return *r.str("section", true); };
    const auto field = [&] { return *r.str("field", true); };
    if (c.op == "add_field") {
        machine::AddField e;
        e.section = section();
        e.after = r.str("after");
        e.position = u32(r.integer("position", 0, kMaxCount));
        e.field = edit_field(r);
        c.what = machine::SchemaEdit{std::move(e)};
    } else if (c.op == "remove_field") {
        c.what = machine::SchemaEdit{machine::RemoveField{section(), field()}};
    } else if (c.op == "rename_field") {
        auto s = section();
        auto f = field();
        c.what = machine::SchemaEdit{machine::RenameField{std::move(s), std::move(f), *r.str("to", true)}};
    } else if (c.op == "resize_field") {
        machine::ResizeField e;
        e.section = section();
        e.field = field();
        e.count = u32(r.integer("count", 1, kMaxCount));
        e.size = u32(r.integer("size", 1, kMaxSize));
        if (!e.count && !e.size) r.fail(c.at, "resize_field needs count and/or size");
        c.what = machine::SchemaEdit{std::move(e)};
    } else if (c.op == "retype_field") {
        auto s = section();
        auto f = field();
        c.what = machine::SchemaEdit{machine::RetypeField{std::move(s), std::move(f), *r.str("type", true)}};
    } else if (c.op == "set_field_exists") {
        auto s = section();
        auto f = field();
        c.what = machine::SchemaEdit{machine::SetFieldExists{std::move(s), std::move(f), *r.str("predicate", true)}};
    } else if (c.op == "remove_subsection") {
        auto s = section();
        c.what = machine::SchemaEdit{machine::RemoveSubsection{std::move(s), *r.str("subsection", true)}};
    } else if (c.op == "add_subsection") {
        machine::AddSubsection e;
        e.section = section();
        e.name = *r.str("name", true);
        if (const auto n = r.str("needed")) e.needed = *n;
        if (r.node("version_id") != nullptr) e.version_id = version_number(r, "version_id", 1);
        if (r.node("minimum_version_id") != nullptr) e.minimum_version_id = version_number(r, "minimum_version_id", 0);
        if (const toml::node* fs = r.node("fields")) {
            const auto* arr = fs->as_array();
            if (arr == nullptr) r.fail(pos(fs->source()), "\"fields\" must be an array of tables ([[change.fields]] or [{…}, …])");
            for (size_t k = 0; k < arr->size(); ++k) {
                const auto* ft = (*arr)[k].as_table();
                if (ft == nullptr) r.fail(pos((*arr)[k].source()), "each of \"fields\" must be a table");
                Reader fr(file, *ft, pos(ft->source()), c, fmt::format("fields.{}.", k));
                fr.only(kFieldKeys, "a field of add_subsection");
                e.fields.push_back(edit_field(fr));
            }
        }
        c.what = machine::SchemaEdit{std::move(e)};
    } else if (c.op == "set_needed") {
        auto s = section();
        auto sub = *r.str("subsection", true);
        c.what = machine::SchemaEdit{machine::SetNeeded{std::move(s), std::move(sub), *r.str("predicate", true)}};
    } else if (c.op == "set_version") {
        machine::SetVersion e;
        e.section = section();
        if (r.node("version_id") != nullptr) e.version_id = version_number(r, "version_id", 1);
        if (r.node("minimum_version_id") != nullptr) e.minimum_version_id = version_number(r, "minimum_version_id", 0);
        if (!e.version_id && !e.minimum_version_id) r.fail(c.at, "set_version needs version_id and/or minimum_version_id");
        c.what = machine::SchemaEdit{std::move(e)};
    } else if (c.op == "set_cap_default") {
        c.what = cap_default(r);
    } else if (c.op == "add_machine") {
        machine::MachineAddition a;
        a.name = *r.str("name", true);
        a.based_on = *r.str("based_on", true);
        if (const auto alias = r.boolean("alias_pseries")) a.alias_pseries = *alias;
        c.what = std::move(a);
    } else {  // set_behaviour
        c.what = behaviour_setting(r);
    }
    return c;
}

std::string file_stem(const std::string& path) {
    const auto slash = path.find_last_of('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
    return name;
}

std::string hex_or_dec(int64_t v) { return v >= 10 ? fmt::format("{:#x}", v) : std::to_string(v); }

std::string field_summary(const machine::EditField& f) {
    std::string s = fmt::format("{} {}", f.name, f.type);
    if (f.type == "buffer") s += fmt::format("[{} bytes]", f.size);
    if (f.count != 1) s += fmt::format("[{}]", f.count);
    s += fmt::format(" = {}", hex_or_dec(f.value));
    if (f.equal) s += " (equal)";
    if (f.version_id != 0) s += fmt::format(" from version {}", f.version_id);
    if (f.exists != "always") s += fmt::format(" if {}", f.exists);
    return s;
}

}  // namespace

ChangesetError::ChangesetError(std::string f, SourcePos a, std::string p)
    : std::invalid_argument(a.line != 0 ? fmt::format("{}:{}:{}: {}", f, a.line, a.column, p) : fmt::format("{}: {}", f, p)),
      file(std::move(f)),
      at(a),
      problem(std::move(p)) {}

SourcePos Change::where(std::string_view key) const {
    const auto it = keys.find(std::string(key));
    return it != keys.end() ? it->second : at;
}

std::string Change::summary() const {
    return std::visit(
        Overloaded{
            [](const machine::SchemaEdit& edit) {
                return std::visit(
                    Overloaded{
                        [](const machine::AddField& e) {
                            std::string where = e.after ? fmt::format(" after {}", *e.after)
                                                : e.position ? fmt::format(" at position {}", *e.position)
                                                             : std::string(" last");
                            return fmt::format("add_field {}: {}{}", e.section, field_summary(e.field), where);
                        },
                        [](const machine::RemoveField& e) { return fmt::format("remove_field {}.{}", e.section, e.field); },
                        [](const machine::RenameField& e) {
                            return fmt::format("rename_field {}.{} to {}", e.section, e.field, e.to);
                        },
                        [](const machine::ResizeField& e) {
                            std::string s = fmt::format("resize_field {}.{}:", e.section, e.field);
                            if (e.count) s += fmt::format(" count {}", *e.count);
                            if (e.size) s += fmt::format(" size {}", *e.size);
                            return s;
                        },
                        [](const machine::RetypeField& e) {
                            return fmt::format("retype_field {}.{} to {}", e.section, e.field, e.type);
                        },
                        [](const machine::SetFieldExists& e) {
                            return fmt::format("set_field_exists {}.{} if {}", e.section, e.field, e.predicate);
                        },
                        [](const machine::RemoveSubsection& e) {
                            return fmt::format("remove_subsection {} from {}", e.subsection, e.section);
                        },
                        [](const machine::AddSubsection& e) {
                            std::string s = fmt::format("add_subsection {} to {} (version {}, minimum {}, needed {})", e.name,
                                                        e.section, e.version_id, e.minimum_version_id, e.needed);
                            for (size_t i = 0; i < e.fields.size(); ++i)
                                s += fmt::format("{} {}", i == 0 ? ":" : ",", field_summary(e.fields[i]));
                            return s;
                        },
                        [](const machine::SetNeeded& e) {
                            return fmt::format("set_needed {} of {}: {}", e.subsection, e.section, e.predicate);
                        },
                        [](const machine::SetVersion& e) {
                            std::string s = fmt::format("set_version {}:", e.section);
                            if (e.version_id) s += fmt::format(" version_id {}", *e.version_id);
                            if (e.minimum_version_id) s += fmt::format(" minimum_version_id {}", *e.minimum_version_id);
                            return s;
                        },
                    },
                    edit);
            },
            [](const machine::CapDefaultEdit& e) {
                return fmt::format("set_cap_default {} cap-{}={}{}", e.machine, machine::cap_info(e.cap).name,
                                   machine::cap_value_text(e.cap, e.value), e.inherit ? " (and the versions inheriting it)" : " (that version only)");
            },
            [](const machine::MachineAddition& e) {
                return fmt::format("add_machine {} based on {}{}", e.name, e.based_on, e.alias_pseries ? ", aliased as pseries" : "");
            },
            [](const BehaviourSetting& e) { return fmt::format("set_behaviour {} = {}", e.key, e.value); },
        },
        what);
}

UserChangeset parse_changeset(std::string_view text, std::string file) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw ChangesetError(file, pos(e.source()), std::string(e.description()));
    }
    UserChangeset cs;
    cs.file = file;
    cs.name = file_stem(file);
    Change top;  // positions of the top-level keys
    Reader r(cs.file, root, SourcePos{1, 1}, top);
    r.only(kTopKeys, "the changeset");
    const auto base = r.str("base");
    if (!base) r.fail({1, 1}, "missing key \"base\" (the build the changes were written against, e.g. base = \"head\")");
    cs.base = *base;
    cs.base_at = top.where("base");
    bool known = false;
    std::vector<std::string_view> names;
    for (const auto& b : builds()) {
        names.push_back(b.name);
        known = known || b.name == cs.base;
    }
    if (!known) r.fail(cs.base_at, fmt::format("unknown build \"{}\" (known: {})", cs.base, join(names)));
    if (const auto n = r.str("name")) {
        if (n->empty() || n->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
            r.fail(top.where("name"), fmt::format("name \"{}\" may hold only letters, digits, '.', '_' and '-'", *n));
        cs.name = *n;
    }
    if (const auto n = r.str("note")) {
        if (n->find('\n') != std::string::npos) r.fail(top.where("note"), "note is one line of history");
        cs.note = *n;
    }
    const toml::node* changes = r.node("change");
    if (changes == nullptr) r.fail({1, 1}, "no changes: add [[change]] tables");
    const auto* arr = changes->as_array();
    if (arr == nullptr) r.fail(top.where("change"), "\"change\" must be an array of tables: write [[change]], not [change]");
    if (arr->empty()) r.fail(top.where("change"), "no changes: add [[change]] tables");
    for (const auto& n : *arr) {
        const auto* t = n.as_table();
        if (t == nullptr) r.fail(pos(n.source()), "each change must be a table ([[change]])");
        cs.changes.push_back(parse_change(cs.file, *t));
    }
    return cs;
}

UserChangeset read_changeset(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ChangesetError(path, {}, fmt::format("cannot read: {}", std::strerror(errno)));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw ChangesetError(path, {}, "cannot read: I/O error");
    return parse_changeset(text, path);
}

}  // namespace ppcmig::builds
