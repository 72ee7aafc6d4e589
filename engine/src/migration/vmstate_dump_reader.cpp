// Reading vmstate dumps (describe_machine's JSON) into DumpVmsd & co, with errors that name the
// file, the JSON pointer and the reason.
#include <fstream>
#include <iterator>
#include <limits>

#include <fmt/format.h>

#include "ppcmig/migration/stream.hpp"
#include "ppcmig/migration/vmstate_diff.hpp"

namespace ppcmig::migration {

namespace {

std::string escape_pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

// A value inside the document and its JSON pointer; accessors throw DumpError.
class Node {
public:
    Node(const nlohmann::json& j, std::string pointer, const std::string& file) : j_(j), ptr_(std::move(pointer)), file_(file) {}

    [[nodiscard]] const std::string& pointer() const { return ptr_; }
    [[nodiscard]] const nlohmann::json& json() const { return j_; }

    [[noreturn]] void fail(const std::string& reason) const { throw DumpError(file_, ptr_, reason); }

    [[nodiscard]] bool has(std::string_view key) const { return j_.is_object() && j_.contains(key); }

    [[nodiscard]] Node member(std::string_view key) const {
        if (!j_.is_object()) fail(fmt::format("expected an object, got {}", j_.type_name()));
        const auto it = j_.find(key);
        if (it == j_.end()) fail(fmt::format("missing key \"{}\"", key));
        return Node(*it, ptr_ + "/" + escape_pointer_token(key), file_);
    }

    [[nodiscard]] std::vector<Node> elements() const {
        if (!j_.is_array()) fail(fmt::format("expected an array, got {}", j_.type_name()));
        std::vector<Node> out;
        for (size_t i = 0; i < j_.size(); ++i) out.emplace_back(j_[i], fmt::format("{}/{}", ptr_, i), file_);
        return out;
    }

    [[nodiscard]] std::string str() const {
        if (!j_.is_string()) fail(fmt::format("expected a string, got {}", j_.type_name()));
        return j_.get<std::string>();
    }

    [[nodiscard]] bool boolean() const {
        if (!j_.is_boolean()) fail(fmt::format("expected true or false, got {}", j_.type_name()));
        return j_.get<bool>();
    }

    [[nodiscard]] uint64_t u64() const {
        if (j_.is_number_unsigned()) return j_.get<uint64_t>();
        if (j_.is_number_integer()) {
            // Documents built in memory hold non-negative signed integers too.
            const int64_t v = j_.get<int64_t>();
            if (v < 0) fail(fmt::format("expected an unsigned integer, got {}", v));
            return static_cast<uint64_t>(v);
        }
        fail(fmt::format("expected an unsigned integer, got {}", j_.type_name()));
    }

    [[nodiscard]] uint64_t unsigned_at_most(uint64_t max) const {
        const uint64_t v = u64();
        if (v > max) fail(fmt::format("value {} is out of range (at most {})", v, max));
        return v;
    }

    [[nodiscard]] int integer(int min, int max) const {
        if (!j_.is_number_integer()) fail(fmt::format("expected an integer, got {}", j_.type_name()));
        const bool neg = !j_.is_number_unsigned() && j_.get<int64_t>() < 0;
        const int64_t v = neg ? j_.get<int64_t>() : static_cast<int64_t>(std::min<uint64_t>(j_.get<uint64_t>(), uint64_t(INT64_MAX)));
        if (v < min || v > max) fail(fmt::format("value {} is out of range ({} … {})", v, min, max));
        return static_cast<int>(v);
    }

    // Checked values: unsigned for EQUAL, possibly negative for POSITIVE_LE (stored as two's
    // complement, the way the stream carries them).
    [[nodiscard]] uint64_t value_bits() const {
        if (j_.is_number_unsigned()) return j_.get<uint64_t>();
        if (j_.is_number_integer()) return static_cast<uint64_t>(j_.get<int64_t>());
        fail(fmt::format("expected an integer, got {}", j_.type_name()));
    }

private:
    const nlohmann::json& j_;
    std::string ptr_;
    const std::string& file_;
};

constexpr int kMaxVersion = std::numeric_limits<int>::max();

DumpVmsd parse_vmsd(const Node& n);

DumpField parse_field(const Node& n) {
    DumpField f;
    f.name = n.member("field").str();
    if (f.name.empty()) n.member("field").fail("empty field name");
    f.type = n.member("type").str();
    f.size = static_cast<uint32_t>(n.member("size").unsigned_at_most(UINT32_MAX));
    f.count = static_cast<uint32_t>(n.member("count").unsigned_at_most(UINT32_MAX));
    if (n.has("count_field")) f.count_field = n.member("count_field").str();
    if (f.count == 0 && f.count_field.empty()) n.member("count").fail("an array of 0 elements");
    f.check = n.member("check").str();
    if (f.check != "none" && f.check != "equal" && f.check != "positive_le")
        n.member("check").fail(fmt::format("unknown check \"{}\" (expected none, equal or positive_le)", f.check));
    f.version_id = n.member("version_id").integer(0, kMaxVersion);
    if (n.member("field_exists").boolean()) {
        f.exists = n.member("exists_predicate").str();
        f.exists_now = n.member("exists_now").boolean();
        f.exists_guest_dependent = n.member("exists_guest_dependent").boolean();
    }
    if (f.check != "none") {
        const Node values = n.member("values");
        for (const Node& v : values.elements()) f.values.push_back(v.value_bits());
        if (f.values.size() != f.count)
            values.fail(fmt::format("{} values for a field of {} elements", f.values.size(), f.count));
    }
    if (f.type == "struct") f.description.push_back(parse_vmsd(n.member("Description")));
    else if (n.has("Description")) n.member("Description").fail("a Description on a field that is not a struct");
    return f;
}

DumpVmsd parse_vmsd(const Node& n) {
    DumpVmsd v;
    v.name = n.member("name").str();
    v.version_id = n.member("version_id").integer(0, kMaxVersion);
    v.minimum_version_id = n.member("minimum_version_id").integer(0, kMaxVersion);
    if (v.minimum_version_id > v.version_id)
        n.member("minimum_version_id").fail(fmt::format("minimum_version_id {} above version_id {}", v.minimum_version_id, v.version_id));
    for (const Node& f : n.member("Fields").elements()) v.fields.push_back(parse_field(f));
    for (const Node& s : n.member("Subsections").elements()) {
        DumpSubsection sub;
        sub.vmsd = parse_vmsd(s);
        sub.needed = s.member("needed").str();
        if (s.has("needed_arg")) sub.needed_arg = s.member("needed_arg").str();
        sub.needed_now = s.member("needed_now").boolean();
        sub.guest_dependent = s.member("needed_guest_dependent").boolean();
        v.subsections.push_back(std::move(sub));
    }
    return v;
}

}  // namespace

DumpError::DumpError(std::string f, std::string p, std::string r)
    : std::runtime_error(p.empty() ? fmt::format("{}: {}", f, r) : fmt::format("{}: {}: {}", f, p, r)),
      file(std::move(f)),
      pointer(std::move(p)),
      reason(std::move(r)) {}

std::string DumpField::base_type() const {
    const auto sp = type.find(' ');
    return sp == std::string::npos ? type : type.substr(0, sp);
}

VmstateDump parse_vmstate_dump(const nlohmann::json& j, std::string file) {
    VmstateDump d;
    d.file = std::move(file);
    const Node root(j, "", d.file);
    if (!j.is_object()) root.fail(fmt::format("expected a vmstate dump object, got {}", j.type_name()));
    const std::string format = root.member("format").str();
    if (format != kVmstateDumpFormat)
        root.member("format").fail(fmt::format("not a vmstate dump (format \"{}\", expected \"{}\")", format, kVmstateDumpFormat));
    const int version = root.member("format_version").integer(0, kMaxVersion);
    if (version != kVmstateDumpFormatVersion)
        root.member("format_version").fail(fmt::format("unsupported format_version {} (this engine reads {})", version, kVmstateDumpFormatVersion));
    if (root.has("build")) d.build = root.member("build").str();
    d.options = root.member("machine").member("options").str();
    d.machine_type = root.member("configuration").member("machine_type").str();
    const Node ram = root.member("ram");
    if (ram.member("idstr").str() != "ram") ram.member("idstr").fail("the RAM section's idstr must be \"ram\"");
    d.ram_version = ram.member("version_id").integer(0, kMaxVersion);
    for (const Node& b : ram.member("blocks").elements())
        d.ram_blocks.push_back({b.member("name").str(), b.member("used_length").u64()});
    for (const Node& s : root.member("sections").elements()) {
        DumpSection sec;
        sec.idstr = s.member("idstr").str();
        if (sec.idstr.empty() || sec.idstr.size() > 255) s.member("idstr").fail("an idstr must have 1 to 255 bytes");
        sec.instance = static_cast<uint32_t>(s.member("instance").unsigned_at_most(UINT32_MAX));
        sec.sent = s.member("sent").boolean();
        for (const auto& prev : d.sections)
            if (prev.idstr == sec.idstr && prev.instance == sec.instance)
                s.fail(fmt::format("section '{}' instance {} is registered twice", sec.idstr, sec.instance));
        sec.vmsd = parse_vmsd(s);
        d.sections.push_back(std::move(sec));
    }
    for (const Node& c : root.member("caps").elements()) {
        DumpCap cap;
        cap.name = c.member("name").str();
        cap.subsection = c.member("subsection").str();
        cap.default_value = static_cast<uint8_t>(c.member("default").unsigned_at_most(255));
        cap.effective = static_cast<uint8_t>(c.member("effective").unsigned_at_most(255));
        cap.default_text = c.member("default_text").str();
        cap.effective_text = c.member("effective_text").str();
        const Node cmd = c.member("cmdline");
        if (!cmd.json().is_null()) cap.cmdline = static_cast<uint8_t>(cmd.unsigned_at_most(255));
        d.caps.push_back(std::move(cap));
    }
    return d;
}

VmstateDump parse_vmstate_dump_text(std::string_view text, std::string file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // nlohmann's text is "[json.exception.parse_error.101] parse error at line L, column C: …".
        std::string why = e.what();
        if (const auto p = why.find("] "); why.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
            why = why.substr(p + 2);
        throw DumpError(std::move(file), "", fmt::format("invalid JSON: {}", why));
    }
    return parse_vmstate_dump(j, std::move(file));
}

VmstateDump read_vmstate_dump(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DumpError(path, "", "cannot open the file");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw DumpError(path, "", "read error");
    return parse_vmstate_dump_text(text, path);
}

}  // namespace ppcmig::migration
