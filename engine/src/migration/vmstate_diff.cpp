// The static diff of two vmstate dumps: the rules (QEMU's load path, read statically) and the
// text and JSON reports.
#include "ppcmig/migration/vmstate_diff.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "ppcmig/machine/caps.hpp"
#include "ppcmig/migration/stream.hpp"

namespace ppcmig::migration {

namespace {

bool is_unused(const DumpField& f) { return f.base_type() == "unused_buffer"; }
bool is_struct(const DumpField& f) { return f.base_type() == "struct"; }

// Fields a side puts on (or reads from) the wire at `version`, as evaluated on its machine.
std::vector<const DumpField*> layout(const DumpVmsd& v, int version) {
    std::vector<const DumpField*> out;
    for (const DumpField& f : v.fields) {
        const bool present = f.exists.empty() ? version >= f.version_id : f.exists_now;
        if (present) out.push_back(&f);
    }
    return out;
}

// Bytes a field occupies on the wire; a struct counts its own fields (not its subsections,
// whose presence is dynamic).
uint64_t wire_bytes(const DumpField& f) {
    if (is_struct(f)) {
        uint64_t n = 0;
        if (!f.description.empty())
            for (const DumpField* g : layout(f.description.front(), f.description.front().version_id)) n += wire_bytes(*g);
        return n * f.count;
    }
    return uint64_t(f.size) * f.count;
}

std::string field_text(const DumpField& f) {
    const uint64_t bytes = wire_bytes(f);
    if (f.count > 1) return fmt::format("{}, {} x {}, {} bytes", f.type, f.count, f.size, bytes);
    return fmt::format("{}, {} byte{}", f.type, bytes, bytes == 1 ? "" : "s");
}

std::string gate_text(const DumpField& f) {
    if (!f.exists.empty()) return fmt::format("field_exists {} is {}", f.exists, f.exists_now ? "true" : "false");
    return fmt::format("version_id {}", f.version_id);
}

std::string rule_text(const DumpSubsection& s) {
    // "always"/"never" ignore their argument (the cap name every cap subsection carries).
    if (s.needed_arg.empty() || s.needed == "always" || s.needed == "never") return s.needed;
    return fmt::format("{}({})", s.needed, s.needed_arg);
}

std::string names(const std::vector<const DumpField*>& fs) {
    std::string out;
    for (const DumpField* f : fs) out += (out.empty() ? "" : ", ") + f->name;
    return out;
}

uint64_t total_bytes(const std::vector<const DumpField*>& fs) {
    uint64_t n = 0;
    for (const DumpField* f : fs) n += wire_bytes(*f);
    return n;
}

// Where findings go, and the most severe verdict they can have: the content of a subsection
// that is sent only with some guest state can at worst be a warning, and that of one never
// sent on this configuration only information.
struct Scope {
    Scope(std::string s, std::optional<uint32_t> i) : section(std::move(s)), instance(i) {}
    std::string section;
    std::optional<uint32_t> instance;
    Severity cap = Severity::Error;
    std::string condition;  ///< appended to capped messages
};

class Differ {
public:
    Differ(const VmstateDump& a, const VmstateDump& b) : a_(a), b_(b) {}

    std::vector<DiffFinding> run() {
        configuration();
        ram();
        sections();
        caps();
        return std::move(out_);
    }

private:
    void add(const Scope& sc, Severity s, std::string kind, std::string path, std::string msg) {
        if (s > sc.cap) {
            s = sc.cap;
            msg += sc.condition;
        }
        out_.push_back(DiffFinding{s, sc.section, sc.instance, std::move(kind), std::move(path), std::move(msg)});
    }

    void configuration() {
        const Scope sc{"configuration", std::nullopt};
        const std::string& recv = a_.machine_type;
        const std::string& local = b_.machine_type;
        // QEMU compares only the received length (a prefix compare).
        if (local.compare(0, recv.size(), recv) != 0)
            add(sc, Severity::Error, "machine_type", "", fmt::format("Machine type received is '{}' and local is '{}'", recv, local));
        else if (local != recv)
            add(sc, Severity::Warning, "machine_type_prefix", "",
                fmt::format("machine type '{}' is accepted as '{}' (QEMU compares only the received length): the two "
                            "machine versions differ",
                            recv, local));
    }

    void ram() {
        const Scope sc{"ram", 0u};
        if (a_.ram_version != b_.ram_version)
            add(sc, Severity::Error, "version_too_new", "",
                fmt::format("savevm: unsupported version {} for 'ram' v{}", a_.ram_version, b_.ram_version));
        for (const auto& blk : a_.ram_blocks) {
            const auto it = std::find_if(b_.ram_blocks.begin(), b_.ram_blocks.end(), [&](const auto& x) { return x.name == blk.name; });
            if (it == b_.ram_blocks.end())
                add(sc, Severity::Error, "ram_block_unknown", blk.name,
                    fmt::format("Unknown ramblock \"{}\", cannot accept migration", blk.name));
            else if (it->used_length != blk.used_length)
                add(sc, Severity::Error, "ram_block_length", blk.name,
                    fmt::format("Length mismatch: {}: 0x{:x} in != 0x{:x}: Invalid argument", blk.name, blk.used_length,
                                it->used_length));
        }
        for (const auto& blk : b_.ram_blocks)
            if (std::none_of(a_.ram_blocks.begin(), a_.ram_blocks.end(), [&](const auto& x) { return x.name == blk.name; }))
                add(sc, Severity::Warning, "ram_block_not_sent", blk.name,
                    fmt::format("RAM block \"{}\" of the destination is not in the stream: it keeps its boot contents", blk.name));
    }

    static const DumpSection* find(const VmstateDump& d, const std::string& idstr, uint32_t instance) {
        for (const auto& s : d.sections)
            if (s.idstr == idstr && s.instance == instance) return &s;
        return nullptr;
    }

    void sections() {
        for (const DumpSection& sa : a_.sections) {
            if (!sa.sent) continue;
            const Scope sc{sa.idstr, sa.instance};
            const DumpSection* sb = find(b_, sa.idstr, sa.instance);
            if (!sb) {
                add(sc, Severity::Error, "section_missing", "",
                    fmt::format("Unknown savevm section or instance '{}' {}. Make sure that your current VM setup matches "
                                "your saved VM setup, including any hotplugged devices",
                                sa.idstr, sa.instance));
                continue;
            }
            const int v = sa.vmsd.version_id;
            if (v > sb->vmsd.version_id) {
                add(sc, Severity::Error, "version_too_new", "",
                    fmt::format("savevm: unsupported version {} for '{}' v{}", v, sa.idstr, sb->vmsd.version_id));
                continue;
            }
            if (v < sb->vmsd.minimum_version_id) {
                add(sc, Severity::Error, "version_too_old", "",
                    fmt::format("{}: incoming version_id {} is too old for local minimum version_id  {}", sb->vmsd.name, v,
                                sb->vmsd.minimum_version_id));
                continue;
            }
            if (sa.vmsd.minimum_version_id != sb->vmsd.minimum_version_id || sa.vmsd.version_id != sb->vmsd.version_id)
                add(sc, Severity::Info, "version_window", "",
                    fmt::format("version window {}…{} on the source, {}…{} on the destination (the stream's version {} loads)",
                                sa.vmsd.minimum_version_id, sa.vmsd.version_id, sb->vmsd.minimum_version_id,
                                sb->vmsd.version_id, v));
            compare_vmsd(sc, sa.idstr, sa.vmsd, sb->vmsd, v, v);
            if (!sb->sent)
                add(sc, Severity::Info, "accepted_only", "",
                    "the destination registers this section only to accept it: it never sends it back");
        }
        for (const DumpSection& sb : b_.sections) {
            const DumpSection* sa = find(a_, sb.idstr, sb.instance);
            if (sa && sa->sent) continue;
            const Scope sc{sb.idstr, sb.instance};
            const std::string msg = "not in the stream: the destination keeps its reset state (QEMU reports no missing section)";
            add(sc, sb.sent ? Severity::Warning : Severity::Info, "section_not_sent", "", msg);
        }
    }

    // Compares what the source writes for `a` at version `va` with what the destination reads
    // for `b` at version `vb`.
    void compare_vmsd(const Scope& sc, const std::string& idstr, const DumpVmsd& a, const DumpVmsd& b, int va, int vb) {
        Scope fsc = sc;
        auto guest_gated = [](const DumpVmsd& v) {
            return std::any_of(v.fields.begin(), v.fields.end(), [](const DumpField& f) { return f.exists_guest_dependent; });
        };
        if (guest_gated(a) || guest_gated(b)) {
            if (fsc.cap > Severity::Warning) {
                fsc.cap = Severity::Warning;
                fsc.condition = fmt::format(" (in {} the fields present depend on guest state)", a.name);
            }
        }
        if (a.name != b.name)
            add(sc, Severity::Info, "description_renamed", a.name,
                fmt::format("the description is '{}' on the source, '{}' on the destination (not on the wire)", a.name, b.name));
        const auto la = layout(a, va), lb = layout(b, vb);
        align(fsc, a, b, la, lb, va, vb);
        subsections(sc, idstr, a, b);
    }

    // Longest common subsequence of field names: matched fields are compared, the rest form
    // gaps between matches.
    void align(const Scope& sc, const DumpVmsd& a, const DumpVmsd& b, const std::vector<const DumpField*>& la,
               const std::vector<const DumpField*>& lb, int va, int vb) {
        const size_t n = la.size(), m = lb.size();
        std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                lcs[i][j] = la[i]->name == lb[j]->name ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        std::vector<const DumpField*> ga, gb;
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && la[i]->name == lb[j]->name) {
                gap(sc, a, b, ga, gb, va, vb);
                ga.clear();
                gb.clear();
                compare_field(sc, a.name, *la[i], *lb[j]);
                ++i;
                ++j;
            } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
                ga.push_back(la[i++]);
            } else {
                gb.push_back(lb[j++]);
            }
        }
        gap(sc, a, b, ga, gb, va, vb);
        // Gates of fields both sides leave out at this version can still differ.
        for (const DumpField& fa : a.fields) {
            if (is_unused(fa) || std::find(la.begin(), la.end(), &fa) != la.end()) continue;
            for (const DumpField& fb : b.fields)
                if (fb.name == fa.name && std::find(lb.begin(), lb.end(), &fb) == lb.end()) compare_gates(sc, a.name, fa, fb);
        }
    }

    // Why a field of one side is not in the other side's layout.
    static std::string absence(const DumpVmsd& other, const DumpField& f, int version, const char* side) {
        if (is_unused(f)) return "";
        for (const DumpField& g : other.fields) {
            if (g.name != f.name) continue;
            if (!g.exists.empty()) return fmt::format(" ({}: {})", side, gate_text(g));
            return fmt::format(" ({}: version_id {} > stream version {})", side, g.version_id, version);
        }
        return fmt::format(" ({} has no such field)", side);
    }

    void gap(const Scope& sc, const DumpVmsd& a, const DumpVmsd& b, const std::vector<const DumpField*>& ra,
             const std::vector<const DumpField*>& rb, int va, int vb) {
        if (ra.empty() && rb.empty()) return;
        const uint64_t bytes_a = total_bytes(ra), bytes_b = total_bytes(rb);
        const auto all_unused = [](const std::vector<const DumpField*>& fs) {
            return !fs.empty() && std::all_of(fs.begin(), fs.end(), [](const DumpField* f) { return is_unused(*f); });
        };
        if (!ra.empty() && ra.size() == rb.size()) {
            bool renamed = true;
            for (size_t k = 0; k < ra.size(); ++k)
                renamed = renamed && ra[k]->base_type() == rb[k]->base_type() && !is_unused(*ra[k]) &&
                          ra[k]->size == rb[k]->size && ra[k]->count == rb[k]->count && !is_struct(*ra[k]);
            if (renamed) {
                for (size_t k = 0; k < ra.size(); ++k)
                    add(sc, Severity::Info, "field_renamed", fmt::format("{}:{}", a.name, ra[k]->name),
                        fmt::format("field '{}' on the source is '{}' on the destination, same type and size: the wire is "
                                    "unchanged (QEMU's static checker reports a rename unless whitelisted)",
                                    ra[k]->name, rb[k]->name));
                return;
            }
        }
        const std::string where = fmt::format("{}:{}", a.name, (ra.empty() ? rb : ra).front()->name);
        if (all_unused(ra) && all_unused(rb)) {
            add(sc, Severity::Error, "unused_resized", where,
                fmt::format("unused size mismatch: the source sends {} bytes of padding, the destination skips {}", bytes_a, bytes_b));
            return;
        }
        if (bytes_a == bytes_b && !ra.empty() && !rb.empty()) {
            if (all_unused(rb))
                add(sc, Severity::Info, "unused_padding", where,
                    fmt::format("source field(s) {} ({} bytes) are unused padding of the same size on the destination: "
                                "their values are discarded",
                                names(ra), bytes_a));
            else if (all_unused(ra))
                add(sc, Severity::Warning, "padding_reused", where,
                    fmt::format("the destination reads field(s) {} from {} bytes the source sends as unused padding (zeros)",
                                names(rb), bytes_b));
            else
                add(sc, Severity::Warning, "fields_replaced", where,
                    fmt::format("source field(s) {} are field(s) {} on the destination, same total size ({} bytes): the "
                                "load succeeds but the bytes are reinterpreted",
                                names(ra), names(rb), bytes_a));
            return;
        }
        const std::string shift = bytes_a == bytes_b ? std::string()
                                                     : fmt::format("; everything after is read {} bytes {}", bytes_a > bytes_b ? bytes_a - bytes_b : bytes_b - bytes_a,
                                                                   bytes_a > bytes_b ? "early" : "late");
        for (const DumpField* f : ra)
            add(sc, Severity::Error, is_unused(*f) ? "unused_resized" : "field_removed", fmt::format("{}:{}", a.name, f->name),
                fmt::format("the source sends {} ({}) which the destination does not read{}{}", f->name, field_text(*f),
                            absence(b, *f, vb, "destination"), shift));
        for (const DumpField* f : rb)
            add(sc, Severity::Error, is_unused(*f) ? "unused_resized" : "field_added", fmt::format("{}:{}", b.name, f->name),
                fmt::format("the destination reads {} ({}) which the source does not send{}{}", f->name, field_text(*f),
                            absence(a, *f, va, "source"), shift));
    }

    void compare_gates(const Scope& sc, const std::string& vmsd, const DumpField& fa, const DumpField& fb) {
        const std::string path = fmt::format("{}:{}", vmsd, fa.name);
        if (fa.exists != fb.exists) {
            add(sc, Severity::Warning, "gate_changed", path,
                fmt::format("field_exists gate differs: {} on the source, {} on the destination; the sides agree on this "
                            "configuration, not necessarily on others",
                            fa.exists.empty() ? "none" : fa.exists, fb.exists.empty() ? "none" : fb.exists));
        } else if (fa.exists.empty() && fa.version_id != fb.version_id) {
            add(sc, Severity::Info, "gate_changed", path,
                fmt::format("version gate differs: version_id {} on the source, {} on the destination", fa.version_id, fb.version_id));
        }
    }

    void compare_field(const Scope& sc, const std::string& vmsd, const DumpField& fa, const DumpField& fb) {
        const std::string path = fmt::format("{}:{}", vmsd, fa.name);
        if (is_unused(fa) && is_unused(fb)) {
            if (wire_bytes(fa) != wire_bytes(fb))
                add(sc, Severity::Error, "unused_resized", path,
                    fmt::format("unused size mismatch: the source sends {} bytes of padding, the destination skips {}",
                                wire_bytes(fa), wire_bytes(fb)));
            return;
        }
        if (fa.count_field.empty() != fb.count_field.empty()) {
            auto shape = [](const DumpField& f) {
                return f.count_field.empty() ? fmt::format("a fixed array of {}", f.count)
                                             : fmt::format("a variable array counted by {}", f.count_field);
            };
            add(sc, Severity::Error, "field_resized", path,
                fmt::format("{} on the source, {} on the destination", shape(fa), shape(fb)));
            return;
        }
        // Variable arrays: the counts are each machine's state, the count field travels itself.
        if (fa.count != fb.count && fa.count_field.empty()) {
            add(sc, Severity::Error, "field_resized", path,
                fmt::format("array of {} elements on the source, {} on the destination ({} vs {} bytes)", fa.count, fb.count,
                            wire_bytes(fa), wire_bytes(fb)));
            return;
        }
        if (is_struct(fa) != is_struct(fb)) {
            add(sc, Severity::Error, "field_retyped", path,
                fmt::format("{} on the source, {} on the destination", field_text(fa), field_text(fb)));
            return;
        }
        if (!is_struct(fa) && fa.size != fb.size) {
            add(sc, Severity::Error, "field_resized", path,
                fmt::format("size mismatch: {} on the source, {} on the destination", field_text(fa), field_text(fb)));
            return;
        }
        if (fa.base_type() != fb.base_type())
            add(sc, Severity::Warning, "field_retyped", path,
                fmt::format("type {} on the source, {} on the destination (same size): the value is reinterpreted",
                            fa.base_type(), fb.base_type()));
        compare_gates(sc, vmsd, fa, fb);
        checks(sc, vmsd, fa, fb);
        if (is_struct(fa) && !fa.description.empty() && !fb.description.empty()) {
            // A struct loads at the destination's own version of its description (no version check).
            const DumpVmsd& da = fa.description.front();
            const DumpVmsd& db = fb.description.front();
            compare_vmsd(sc, sc.section, da, db, da.version_id, db.version_id);
        }
    }

    void checks(const Scope& sc, const std::string& vmsd, const DumpField& fa, const DumpField& fb) {
        const std::string path = fmt::format("{}:{}", vmsd, fa.name);
        const auto elem = [&](size_t i) { return fa.count > 1 ? fmt::format("[{}]", i) : std::string(); };
        if (fb.check == "equal") {
            if (fa.check == "equal") {
                for (size_t i = 0; i < fa.values.size() && i < fb.values.size(); ++i) {
                    if (fa.values[i] == fb.values[i]) continue;
                    add(sc, Severity::Error, "equal_mismatch", path,
                        fmt::format("EQUAL field {}{}: the source sends 0x{:x}, the destination has 0x{:x}: QEMU fails with "
                                    "'{:x} != {:x}' (Failed to load {}:{})",
                                    fa.name, elem(i), fa.values[i], fb.values[i], fb.values[i], fa.values[i], vmsd, fa.name));
                    break;
                }
            } else {
                std::string vals;
                for (uint64_t v : fb.values) vals += fmt::format("{}0x{:x}", vals.empty() ? "" : ", ", v);
                add(sc, Severity::Warning, "equal_added", path,
                    fmt::format("the destination requires {} to equal its own value ({}); the source sends it as plain state, "
                                "so the load fails unless the guest's value matches",
                                fa.name, vals));
            }
        } else if (fb.check == "positive_le") {
            if (!fa.values.empty()) {
                for (size_t i = 0; i < fa.values.size() && i < fb.values.size(); ++i) {
                    const auto in = static_cast<int32_t>(fa.values[i]), local = static_cast<int32_t>(fb.values[i]);
                    if (in >= 0 && in <= local) continue;
                    add(sc, Severity::Error, "le_violation", path,
                        fmt::format("{}{}: the source sends {}, the destination allows 0 … {}: QEMU fails with 'Invalid value "
                                    "{} expecting positive value <= {}'",
                                    fa.name, elem(i), in, local, in, local));
                    break;
                }
            } else {
                add(sc, Severity::Warning, "le_added", path,
                    fmt::format("the destination requires 0 <= {} <= {}; the source sends it as plain state", fa.name,
                                fb.values.empty() ? 0 : static_cast<int32_t>(fb.values.front())));
            }
        } else if (fa.check != "none") {
            add(sc, Severity::Info, "check_dropped", path,
                fmt::format("the source checks {} ({}) on load, the destination stores the incoming value", fa.name, fa.check));
        }
    }

    void subsections(const Scope& sc, const std::string& idstr, const DumpVmsd& a, const DumpVmsd& b) {
        for (const DumpSubsection& sa : a.subsections) {
            const std::string& name = sa.vmsd.name;
            Scope ssc = sc;
            if (!sa.needed_now) {
                if (sa.guest_dependent) {
                    ssc.cap = std::min(ssc.cap, Severity::Warning);
                    ssc.condition = fmt::format(" (only when the guest makes {} hold)", rule_text(sa));
                } else {
                    ssc.cap = Severity::Info;
                    ssc.condition = fmt::format(" (not sent on this configuration: {} is false)", rule_text(sa));
                }
            }
            const auto it = std::find_if(b.subsections.begin(), b.subsections.end(),
                                         [&](const DumpSubsection& x) { return x.vmsd.name == name; });
            if (it == b.subsections.end()) {
                const std::string now = sa.needed_now ? fmt::format(" — the source sends it on this configuration ({} holds)", rule_text(sa)) : "";
                if (name.compare(0, b.name.size(), b.name) != 0)
                    add(ssc, Severity::Error, "subsection_unknown", name,
                        fmt::format("subsection '{}' is not recognised by the destination's '{}', which stops reading "
                                    "subsections there: receiving it fails the load with 'Missing section footer for {}'{}",
                                    name, b.name, idstr, now));
                else
                    add(ssc, Severity::Error, "subsection_unknown", name,
                        fmt::format("subsection '{}' is unknown on the destination: receiving it fails the load with -ENOENT "
                                    "(error while loading state for instance 0x{:x} of device '{}'){}",
                                    name, sc.instance.value_or(0), idstr, now));
                continue;
            }
            const DumpSubsection& sb = *it;
            // The same rule evaluating differently only reflects the two configurations (the
            // caps check and the content comparison report what matters of that).
            if (rule_text(sa) != rule_text(sb)) {
                const Severity s = sa.needed_now != sb.needed_now ? Severity::Warning : Severity::Info;
                std::string msg = fmt::format("needed() differs: {} ({}) on the source, {} ({}) on the destination", rule_text(sa),
                                              sa.needed_now ? "true" : "false", rule_text(sb), sb.needed_now ? "true" : "false");
                if (sa.needed_now && !sb.needed_now)
                    msg += ": the destination loads it but would not send it back, so migrating back loses it";
                else if (!sa.needed_now && sb.needed_now)
                    msg += ": the source does not send what the destination would, which then keeps its own default";
                add(sc, s, "needed_changed", name, std::move(msg));
            }
            const int v = sa.vmsd.version_id;
            if (v > sb.vmsd.version_id) {
                add(ssc, Severity::Error, "version_too_new", name,
                    fmt::format("{}: incoming version_id {} is too new for local version_id {}", name, v, sb.vmsd.version_id));
                continue;
            }
            if (v < sb.vmsd.minimum_version_id) {
                add(ssc, Severity::Error, "version_too_old", name,
                    fmt::format("{}: incoming version_id {} is too old for local minimum version_id  {}", name, v,
                                sb.vmsd.minimum_version_id));
                continue;
            }
            compare_vmsd(ssc, idstr, sa.vmsd, sb.vmsd, v, v);
        }
        for (const DumpSubsection& sb : b.subsections) {
            if (std::any_of(a.subsections.begin(), a.subsections.end(),
                            [&](const DumpSubsection& x) { return x.vmsd.name == sb.vmsd.name; }))
                continue;
            if (sb.needed_now)
                add(sc, Severity::Warning, "subsection_not_sent", sb.vmsd.name,
                    fmt::format("the destination would send '{}' on this configuration ({}), the source never does: that "
                                "state keeps the destination's default",
                                sb.vmsd.name, rule_text(sb)));
            else
                add(sc, Severity::Info, "subsection_not_sent", sb.vmsd.name,
                    fmt::format("'{}' is known only to the destination ({}), never in the stream", sb.vmsd.name, rule_text(sb)));
        }
    }

    // Whether the source sends this subsection now (searched in every sent section).
    [[nodiscard]] bool source_sends(const std::string& subsection) const {
        for (const auto& s : a_.sections) {
            if (!s.sent) continue;
            for (const auto& sub : s.vmsd.subsections)
                if (sub.vmsd.name == subsection) return sub.needed_now;
        }
        return false;
    }

    void caps() {
        const DumpSection* spapr = find(b_, "spapr", 0);
        const Scope sc{"spapr", spapr ? std::optional<uint32_t>(0) : std::nullopt};
        for (const DumpCap& ca : a_.caps) {
            const std::string path = fmt::format("cap-{}", ca.name);
            const auto it = std::find_if(b_.caps.begin(), b_.caps.end(), [&](const DumpCap& x) { return x.name == ca.name; });
            if (it == b_.caps.end()) {
                add(sc, Severity::Info, "cap_unknown", path, fmt::format("the destination has no cap-{}", ca.name));
                continue;
            }
            const DumpCap& cb = *it;
            if (ca.default_value != cb.default_value)
                add(sc, Severity::Info, "cap_default", path,
                    fmt::format("default cap-{} differs: {} ({}) on the source, {} ({}) on the destination", ca.name,
                                ca.default_text, ca.default_value, cb.default_text, cb.default_value));
            // spapr_caps_post_migration: a cap the stream does not carry is taken to be the
            // destination's default, then compared with what the destination runs.
            const bool sent = source_sends(ca.subsection);
            const uint8_t src = sent ? ca.effective : cb.default_value;
            if (!sent && ca.effective != cb.default_value)
                add(sc, Severity::Warning, "cap_not_carried", path,
                    fmt::format("the source runs cap-{}={} ({}) but does not send {}; the destination assumes its default {} ({})",
                                ca.name, ca.effective_text, ca.effective, ca.subsection, cb.default_text, cb.default_value));
            if (const auto v = machine::compare_cap_level(ca.name, src, cb.effective))
                add(sc, v->error ? Severity::Error : Severity::Warning, "cap_level", path, v->message);
        }
    }

    const VmstateDump& a_;
    const VmstateDump& b_;
    std::vector<DiffFinding> out_;
};

// "0-3,5" from sorted instance numbers.
std::string ranges(std::vector<uint32_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    std::string out;
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + (j == i ? fmt::format("{}", v[i]) : fmt::format("{}-{}", v[i], v[j]));
        i = j + 1;
    }
    return out;
}

std::string side_text(const VmstateDump& d) {
    return fmt::format("{} ({}{})", d.file, d.build.empty() ? std::string() : fmt::format("build {}, ", d.build), d.options);
}

nlohmann::json side_json(const VmstateDump& d) {
    return nlohmann::json{{"file", d.file}, {"build", d.build}, {"machine_type", d.machine_type}, {"options", d.options}};
}

std::array<size_t, 3> counts(std::span<const DiffFinding> findings) {
    std::array<size_t, 3> n{};
    for (const auto& f : findings) ++n[static_cast<size_t>(f.severity)];
    return n;
}

}  // namespace

std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::Info: return "info";
        case Severity::Warning: return "warning";
        case Severity::Error: return "error";
    }
    return "?";
}

std::vector<DiffFinding> diff_vmstate(const VmstateDump& src, const VmstateDump& dst) { return Differ(src, dst).run(); }

bool has_errors(std::span<const DiffFinding> findings) {
    return std::any_of(findings.begin(), findings.end(), [](const DiffFinding& f) { return f.severity == Severity::Error; });
}

nlohmann::json diff_report_json(const VmstateDump& src, const VmstateDump& dst, std::span<const DiffFinding> findings) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) {
        list.push_back({{"severity", std::string(to_string(f.severity))},
                        {"section", f.section},
                        {"instance", f.instance ? nlohmann::json(*f.instance) : nlohmann::json(nullptr)},
                        {"kind", f.kind},
                        {"path", f.path},
                        {"message", f.message}});
    }
    const auto n = counts(findings);
    return nlohmann::json{{"format", "ppcmig-vmstate-diff"},
                          {"format_version", 1},
                          {"source", side_json(src)},
                          {"destination", side_json(dst)},
                          {"findings", std::move(list)},
                          {"summary", {{"errors", n[2]}, {"warnings", n[1]}, {"infos", n[0]}}},
                          {"compatible", n[2] == 0}};
}

std::string diff_report_text(const VmstateDump& src, const VmstateDump& dst, std::span<const DiffFinding> findings) {
    // Merge findings that differ only in their instance, in order of first appearance.
    struct Line {
        const DiffFinding* first;
        std::vector<uint32_t> instances;
    };
    std::vector<Line> lines;
    std::map<std::tuple<Severity, std::string, std::string, std::string, std::string>, size_t> index;
    for (const auto& f : findings) {
        const auto key = std::make_tuple(f.severity, f.section, f.kind, f.path, f.message);
        auto it = index.find(key);
        if (it == index.end()) {
            index.emplace(key, lines.size());
            lines.push_back({&f, {}});
            it = index.find(key);
        }
        if (f.instance) lines[it->second].instances.push_back(*f.instance);
    }
    std::string out = fmt::format("source:      {}\ndestination: {}\n", side_text(src), side_text(dst));
    for (const auto& l : lines) {
        const DiffFinding& f = *l.first;
        const std::string where = l.instances.empty() ? f.section : fmt::format("{} {}", f.section, ranges(l.instances));
        out += fmt::format("{:<7} {}: {}{}\n", to_string(f.severity), where, f.path.empty() ? "" : f.path + ": ", f.message);
    }
    const auto n = counts(findings);
    out += fmt::format("{} error{}, {} warning{}, {} info{}: migration {} -> {} {}\n", n[2], n[2] == 1 ? "" : "s", n[1],
                       n[1] == 1 ? "" : "s", n[0], n[0] == 1 ? "" : "s", src.build.empty() ? src.file : src.build,
                       dst.build.empty() ? dst.file : dst.build, n[2] ? "fails" : "passes the static check");
    return out;
}

}  // namespace ppcmig::migration
