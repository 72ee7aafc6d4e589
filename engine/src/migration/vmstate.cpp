#include "ppcmig/migration/vmstate.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ppcmig::migration {

namespace {

constexpr uint8_t kSubsectionMarker = 0x05;

struct PredName {
    Pred p;
    std::string_view name;
};
constexpr PredName kPredNames[] = {
    {Pred::Always, "always"},
    {Pred::Never, "never"},
    {Pred::CompatPvrNonZero, "compat_pvr_nonzero"},
    {Pred::CompatPvrSet, "compat_pvr_set"},
    {Pred::HasFloat, "has_float"},
    {Pred::HasAltivec, "has_altivec"},
    {Pred::HasVsx, "has_vsx"},
    {Pred::MmuIs32Bit, "mmu_32bit"},
    {Pred::TmActive, "tm_active"},
    {Pred::Mmu64, "mmu_64bit"},
    {Pred::Pre28Migration, "pre_2_8_migration"},
    {Pred::Pre210Migration, "pre_2_10_migration"},
    {Pred::Pre30Migration, "pre_3_0_migration"},
    {Pred::NotPre210Migration, "not_pre_2_10_migration"},
    {Pred::CapSetOnCmdlineAndDiffers, "cap_set_on_cmdline_and_differs"},
    {Pred::NotPre41Migration, "not_pre_4_1_migration"},
    {Pred::NotPre28Ov5, "not_pre_2_8_ov5"},
    {Pred::RtasStopped, "rtas_stopped"},
};

std::string_view type_name(const Field& f) {
    const bool eq = f.check == FieldCheck::Equal;
    switch (f.type) {
        case FieldType::U8: return eq ? "uint8 equal" : "uint8";
        case FieldType::U16: return eq ? "uint16 equal" : "uint16";
        case FieldType::U32: return eq ? "uint32 equal" : "uint32";
        case FieldType::U64: return eq ? "uint64 equal" : "uint64";
        case FieldType::I8: return "int8";
        case FieldType::I16: return "int16";
        case FieldType::I32: return eq ? "int32 equal" : f.check == FieldCheck::PositiveLe ? "int32 le" : "int32";
        case FieldType::I64: return "int64";
        case FieldType::Bool: return "bool";
        case FieldType::Buffer: return "buffer";
        case FieldType::Unused: return "unused_buffer";
        case FieldType::Struct: return "struct";
    }
    return "?";
}

// QEMU's vmsd_can_compress: the elements of an array share one vmdesc entry (`array_len`) unless
// the field exists dynamically or is a struct whose elements may differ in shape (a nested field
// that cannot compress, or subsections); otherwise every element gets its own entry (`index`).
bool can_compress(const Field& f) {
    if (f.exists != Pred::Always) return false;
    if (f.type == FieldType::Struct && f.vmsd != nullptr) {
        for (const Field& nested : f.vmsd->fields)
            if (!can_compress(nested)) return false;
        if (!f.vmsd->subsections.empty()) return false;
    }
    return true;
}

// The vmdesc name: a name several fields of the vmsd share (e.g. `unused`) becomes name[n], n
// counting the same-named fields before it, as QEMU disambiguates them.
std::string desc_name(const Vmsd& v, const Field& f) {
    unsigned same = 0, before = 0;
    for (const Field& other : v.fields) {
        if (&other == &f) before = same;
        if (other.name == f.name) ++same;
    }
    return same > 1 ? fmt::format("{}[{}]", f.name, before) : f.name;
}

bool field_present(const Field& f, int version, const StateAccess& s) {
    if (f.exists != Pred::Always) return s.predicate(f.exists, {});
    return version >= f.version_id;
}

void write_scalar(StreamWriter& w, FieldType t, uint64_t v) {
    switch (t) {
        case FieldType::U8: case FieldType::I8: case FieldType::Bool: w.u8(static_cast<uint8_t>(t == FieldType::Bool ? (v != 0) : v)); break;
        case FieldType::U16: case FieldType::I16: w.be16(static_cast<uint16_t>(v)); break;
        case FieldType::U32: case FieldType::I32: w.be32(static_cast<uint32_t>(v)); break;
        default: w.be64(v); break;
    }
}

uint64_t read_scalar(StreamReader& r, FieldType t) {
    switch (t) {
        case FieldType::U8: case FieldType::Bool: return r.u8();
        case FieldType::I8: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(r.u8())));
        case FieldType::U16: return r.be16();
        case FieldType::I16: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(r.be16())));
        case FieldType::U32: return r.be32();
        case FieldType::I32: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(r.be32())));
        default: return r.be64();
    }
}

// How many elements the field has now: fixed, or (a variable array) its count field's value.
uint32_t elements(const Field& f, const StateAccess& s) {
    if (f.count_field.empty()) return f.count;
    const auto n = static_cast<int32_t>(s.get(f.count_field, 0));
    return n < 0 ? 0 : static_cast<uint32_t>(n);
}

// The adapter key of element i.
std::string element_key(const Field& f, uint32_t i) {
    return f.count > 1 || !f.count_field.empty() ? fmt::format("{}[{}]", f.key(), i) : f.key();
}

// Element i of a field added or grown by a user changeset holds a constant, not state.
bool unbound(const Field& f, uint32_t i) { return f.constant.has_value() || (f.bound && i >= *f.bound); }

// The value element i is saved (or compared) as when it is not bound to state.
uint64_t unbound_value(const Field& f) { return f.constant.value_or(0); }

// A buffer's bytes on save: the constant fill, or the adapter's (as many as it binds).
void buffer_to_save(const Field& f, const StateAccess& s, std::vector<uint8_t>& out) {
    if (f.constant) {
        std::fill(out.begin(), out.end(), static_cast<uint8_t>(*f.constant));
    } else if (f.bound) {
        std::vector<uint8_t> state(*f.bound);
        s.get_bytes(f.key(), state);
        std::fill(out.begin(), out.end(), uint8_t{0});
        std::copy_n(state.begin(), std::min(state.size(), out.size()), out.begin());
    } else {
        s.get_bytes(f.key(), out);
    }
}

// A loaded buffer into the adapter (dropped for a constant; resized ones keep what they bind
// and, when shrunk, the destination's own bytes beyond).
void buffer_loaded(const Field& f, StateAccess& s, std::span<const uint8_t> in) {
    if (f.constant) return;
    if (!f.bound) {
        s.set_bytes(f.key(), in);
        return;
    }
    std::vector<uint8_t> state(*f.bound);
    s.get_bytes(f.key(), state);
    std::copy_n(in.begin(), std::min(state.size(), in.size()), state.begin());
    s.set_bytes(f.key(), state);
}

// QEMU's EQUAL texts: "%x != %x" (8/16-bit), PRIx32, PRIx64; local value first.
std::string equal_message(const Field& f, uint64_t local, uint64_t incoming) {
    (void)f;
    return fmt::format("{:x} != {:x}", local, incoming);
}

[[noreturn]] void fail(const Vmsd& v, const Field& f, std::string inner, int err, size_t offset) {
    std::vector<std::string> chain;
    if (!inner.empty()) chain.push_back(std::move(inner));
    chain.push_back(fmt::format("Failed to load {}:{}", v.name, f.name));
    LoadError e(std::move(chain), v.name, 0, f.name, offset);
    e.err = err;
    throw e;
}

void load_subsections(const Vmsd& v, StateAccess& s, StreamReader& r) {
    while (r.peek(0) == kSubsectionMarker) {
        const int len = r.peek(1);
        if (len < 0) return;
        if (static_cast<size_t>(len) < v.name.size() + 1) return;  // not ours: stop silently
        std::string name;
        for (int i = 0; i < len; ++i) {
            const int b = r.peek(2 + static_cast<size_t>(i));
            if (b < 0) return;
            name.push_back(static_cast<char>(b));
        }
        if (name.compare(0, v.name.size(), v.name) != 0) return;
        const Subsection* sub = nullptr;
        for (const auto& cand : v.subsections)
            if (cand.vmsd->name == name) sub = &cand;
        if (sub == nullptr) {
            // QEMU (classic) fails with -ENOENT and no message of its own.
            LoadError e({}, v.name, 0, name, r.offset());
            e.err = -ENOENT;
            throw e;
        }
        r.u8();
        std::string consumed;
        r.counted(consumed);
        const int version = static_cast<int>(r.be32() & 0xFF);  // QEMU keeps only the low byte
        load_vmsd(*sub->vmsd, s, r, version);
    }
}

}  // namespace

std::string_view to_string(Pred p) {
    for (const auto& n : kPredNames)
        if (n.p == p) return n.name;
    return "?";
}

std::optional<Pred> pred_from_string(std::string_view s) {
    for (const auto& n : kPredNames)
        if (n.name == s) return n.p;
    return std::nullopt;
}

uint32_t Field::element_size() const {
    switch (type) {
        case FieldType::U8: case FieldType::I8: case FieldType::Bool: return 1;
        case FieldType::U16: case FieldType::I16: return 2;
        case FieldType::U32: case FieldType::I32: return 4;
        case FieldType::U64: case FieldType::I64: return 8;
        case FieldType::Buffer: case FieldType::Unused: return size;
        case FieldType::Struct: return 0;
    }
    return 0;
}

Field make_field(std::string name, FieldType t, uint32_t count, Pred exists) {
    Field x;
    x.name = std::move(name);
    x.type = t;
    x.count = count;
    x.exists = exists;
    return x;
}

Field equal_field(std::string name, FieldType t) {
    Field x = make_field(std::move(name), t);
    x.check = FieldCheck::Equal;
    return x;
}

Field struct_field(std::string name, const Vmsd* v, uint32_t count) {
    Field x = make_field(std::move(name), FieldType::Struct, count);
    x.vmsd = v;
    return x;
}

Field struct_varray(std::string name, const Vmsd* v, std::string count_field) {
    Field x = struct_field(std::move(name), v, 0);
    x.count_field = std::move(count_field);
    return x;
}

Field bytes_field(std::string name, FieldType t, uint32_t size) {
    Field x = make_field(std::move(name), t);
    x.size = size;
    return x;
}

LoadError::LoadError(std::vector<std::string> c, std::string sec, uint32_t inst, std::string fld, size_t off)
    : std::runtime_error(c.empty() ? std::string("load failed") : c.back()),
      chain(std::move(c)),
      section(std::move(sec)),
      instance(inst),
      field(std::move(fld)),
      offset(off) {}

LoadError& LoadError::wrap(std::string outer) {
    chain.push_back(std::move(outer));
    static_cast<std::runtime_error&>(*this) = std::runtime_error(chain.back());
    return *this;
}

// ---- StateAccess defaults ----
void StateAccess::get_bytes(std::string_view key, std::span<uint8_t> bytes) const {
    for (uint32_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(get(key, i));
}
void StateAccess::set_bytes(std::string_view key, std::span<const uint8_t> bytes) {
    for (uint32_t i = 0; i < bytes.size(); ++i) set(key, i, bytes[i]);
}
StateAccess& StateAccess::nested(std::string_view key) {
    throw std::logic_error(fmt::format("no nested state for struct field {}", key));
}
bool StateAccess::predicate(Pred p, std::string_view) const { return p == Pred::Always; }
void StateAccess::run_pre_save(Hook) {}
void StateAccess::run_pre_load(Hook) {}
std::optional<std::string> StateAccess::run_post_load(Hook, int) { return std::nullopt; }

// ---- save ----
void save_vmsd(const Vmsd& v, StateAccess& s, StreamWriter& w, nlohmann::json* desc) {
    s.run_pre_save(v.pre_save);
    nlohmann::json fields = nlohmann::json::array();
    for (const Field& f : v.fields) {
        if (!field_present(f, v.version_id, s)) continue;
        const std::string name = desc ? desc_name(v, f) : std::string();
        const bool compress = can_compress(f);
        const uint32_t n = elements(f, s);
        std::vector<uint8_t> buffer(f.type == FieldType::Buffer ? f.size : 0);
        for (uint32_t i = 0; i < n; ++i) {
            const size_t start = w.size();
            nlohmann::json nested;  // a struct element's own description
            switch (f.type) {
                case FieldType::Buffer:
                    buffer_to_save(f, s, buffer);
                    w.bytes(buffer);
                    break;
                case FieldType::Unused: w.zeros(f.size); break;
                case FieldType::Struct: {
                    StateAccess& elem = s.nested(element_key(f, i));
                    // A compressed array is described by its first element only.
                    const bool describe_this = desc != nullptr && !(compress && i > 0);
                    save_vmsd(*f.vmsd, elem, w, describe_this ? &nested : nullptr);
                    break;
                }
                default: write_scalar(w, f.type, unbound(f, i) ? unbound_value(f) : s.get(f.key(), i)); break;
            }
            // One entry per element written, or only the first one's for a compressed array;
            // `size` is what that element took on the wire.
            if (desc == nullptr || (compress && i > 0)) continue;
            nlohmann::json fd{{"name", name}, {"type", std::string(type_name(f))}};
            if (n > 1) {
                if (compress) fd["array_len"] = n;
                else fd["index"] = i;
            }
            if (f.type == FieldType::Struct) fd["struct"] = std::move(nested);
            fd["size"] = w.size() - start;
            fields.push_back(std::move(fd));
        }
    }
    nlohmann::json subs = nlohmann::json::array();
    for (const Subsection& sub : v.subsections) {
        if (!s.predicate(sub.needed, sub.arg)) continue;
        w.u8(kSubsectionMarker);
        w.counted(sub.vmsd->name);
        w.be32(static_cast<uint32_t>(sub.vmsd->version_id));
        nlohmann::json sd;
        save_vmsd(*sub.vmsd, s, w, desc ? &sd : nullptr);
        if (desc) subs.push_back(std::move(sd));
    }
    if (desc) {
        *desc = nlohmann::json{{"vmsd_name", v.name}, {"version", v.version_id}, {"fields", fields}};
        if (!subs.empty()) (*desc)["subsections"] = subs;
    }
}

// ---- load ----
void load_vmsd(const Vmsd& v, StateAccess& s, StreamReader& r, int version_id) {
    if (version_id > v.version_id) {
        LoadError e({fmt::format("{}: incoming version_id {} is too new for local version_id {}", v.name, version_id,
                                 v.version_id)},
                    v.name, 0, "", r.offset());
        e.err = -EINVAL;
        throw e;
    }
    if (version_id < v.minimum_version_id) {
        LoadError e({fmt::format("{}: incoming version_id {} is too old for local minimum version_id  {}", v.name,
                                 version_id, v.minimum_version_id)},
                    v.name, 0, "", r.offset());
        e.err = -EINVAL;
        throw e;
    }
    s.run_pre_load(v.pre_load);
    for (const Field& f : v.fields) {
        if (!field_present(f, version_id, s)) continue;
        const size_t at = r.offset();
        switch (f.type) {
            case FieldType::Buffer: {
                std::vector<uint8_t> b(f.size);
                for (uint32_t i = 0; i < f.count; ++i) {
                    r.bytes(b);
                    if (r.error()) fail(v, f, "", r.error(), at);
                    buffer_loaded(f, s, b);
                }
                break;
            }
            case FieldType::Unused: r.skip(size_t(f.size) * f.count); break;
            case FieldType::Struct:
                // A variable array's count was loaded just before; the adapter grows as elements
                // arrive, so a lying count costs nothing beyond the stream's end.
                for (uint32_t i = 0, n = elements(f, s); i < n && !r.error(); ++i) {
                    StateAccess& elem = s.nested(element_key(f, i));
                    try {
                        load_vmsd(*f.vmsd, elem, r, f.vmsd->version_id);
                    } catch (LoadError& e) {
                        e.chain.push_back(fmt::format("Failed to load {}:{}", v.name, f.name));
                        throw;
                    }
                }
                break;
            default:
                for (uint32_t i = 0; i < f.count; ++i) {
                    const uint64_t in = read_scalar(r, f.type);
                    if (r.error()) fail(v, f, "", r.error(), at);
                    const bool fixed = unbound(f, i);
                    if (f.check == FieldCheck::Equal) {
                        const uint64_t local = fixed ? unbound_value(f) : s.get(f.key(), i);
                        const unsigned bits = f.element_size() * 8;
                        const uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
                        if ((local & mask) != (in & mask)) fail(v, f, equal_message(f, local & mask, in & mask), -EINVAL, at);
                    } else if (f.check == FieldCheck::PositiveLe) {
                        const auto local = static_cast<int32_t>(fixed ? unbound_value(f) : s.get(f.key(), i));
                        const auto value = static_cast<int32_t>(in);
                        if (value < 0 || value > local)
                            fail(v, f, fmt::format("Invalid value {} expecting positive value <= {}", value, local), -EINVAL, at);
                    } else if (!fixed) {
                        s.set(f.key(), i, in);
                    }
                }
                break;
        }
        if (r.error()) fail(v, f, "", r.error(), at);
    }
    load_subsections(v, s, r);
    if (auto err = s.run_post_load(v.post_load, version_id)) {
        LoadError e(err->empty() ? std::vector<std::string>{} : std::vector<std::string>{*err}, v.name, 0, "", r.offset());
        e.err = -EINVAL;
        throw e;
    }
}

namespace {

// The width mask the EQUAL comparison applies (load_vmsd compares masked values).
uint64_t width_mask(const Field& f) {
    const unsigned bits = f.element_size() * 8;
    return bits >= 64 || bits == 0 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
}

nlohmann::json describe_impl(const Vmsd& v, StateAccess* s) {
    nlohmann::json fields = nlohmann::json::array();
    for (const Field& f : v.fields) {
        nlohmann::json fd{{"field", f.name}, {"type", std::string(type_name(f))}, {"version_id", f.version_id},
                          {"field_exists", f.exists != Pred::Always}, {"size", f.element_size()},
                          {"count", f.count}, {"check", std::string(to_string(f.check))}};
        // A variable array: its element count now (0 without state) and where that comes from.
        if (!f.count_field.empty()) {
            fd["count"] = s ? elements(f, *s) : 0;
            fd["count_field"] = f.count_field;
        }
        if (f.exists != Pred::Always) {
            fd["exists_predicate"] = std::string(to_string(f.exists));
            fd["exists_guest_dependent"] = s ? s->guest_dependent(f.exists, {}) : depends_on_guest_state(f.exists);
            if (s) fd["exists_now"] = s->predicate(f.exists, {});
        }
        if (f.count > 1) fd["num"] = f.count;
        if (f.constant) fd["constant"] = *f.constant;
        if (f.bound) fd["bound"] = *f.bound;
        if (s && f.check != FieldCheck::None) {
            nlohmann::json values = nlohmann::json::array();
            for (uint32_t i = 0; i < f.count; ++i) {
                const uint64_t local = (f.constant ? *f.constant : s->get(f.key(), i)) & width_mask(f);
                // POSITIVE_LE compares as int32; keep the sign so the diff can too.
                if (f.check == FieldCheck::PositiveLe) values.push_back(static_cast<int64_t>(static_cast<int32_t>(local)));
                else values.push_back(local);
            }
            fd["values"] = std::move(values);
        }
        if (f.type == FieldType::Struct && f.vmsd) {
            // A struct array is described through its first element's adapter: the schema is
            // the same for every element, and checked values inside struct arrays do not occur.
            // A variable array may have no element: described without live values.
            const bool element0 = s && (f.count_field.empty() || elements(f, *s) > 0);
            StateAccess* n = element0 ? &s->nested(element_key(f, 0)) : nullptr;
            fd["Description"] = describe_impl(*f.vmsd, n);
        }
        fields.push_back(std::move(fd));
    }
    nlohmann::json subs = nlohmann::json::array();
    for (const Subsection& sub : v.subsections) {
        nlohmann::json sd = describe_impl(*sub.vmsd, s);
        sd["needed"] = std::string(to_string(sub.needed));
        if (!sub.arg.empty()) sd["needed_arg"] = sub.arg;
        sd["needed_guest_dependent"] = s ? s->guest_dependent(sub.needed, sub.arg) : depends_on_guest_state(sub.needed);
        if (s) sd["needed_now"] = s->predicate(sub.needed, sub.arg);
        subs.push_back(std::move(sd));
    }
    return nlohmann::json{{"name", v.name},
                          {"version_id", v.version_id},
                          {"minimum_version_id", v.minimum_version_id},
                          {"Fields", fields},
                          {"Subsections", subs}};
}

}  // namespace

nlohmann::json describe(const Vmsd& v) { return describe_impl(v, nullptr); }

nlohmann::json describe(const Vmsd& v, StateAccess& s) { return describe_impl(v, &s); }

bool StateAccess::guest_dependent(Pred p, std::string_view) const { return depends_on_guest_state(p); }

bool depends_on_guest_state(Pred p) {
    // No default: a new predicate must be classified here (-Wswitch).
    switch (p) {
        case Pred::CompatPvrNonZero:  // CAS may negotiate a compat mode
        case Pred::CompatPvrSet:
        case Pred::TmActive:          // MSR[TS]
        case Pred::RtasStopped:       // RTAS start-cpu / stop-self
            return true;
        case Pred::Always:
        case Pred::Never:
        case Pred::HasFloat:
        case Pred::HasAltivec:
        case Pred::HasVsx:
        case Pred::MmuIs32Bit:
        case Pred::Mmu64:
        case Pred::Pre28Migration:
        case Pred::Pre210Migration:
        case Pred::Pre30Migration:
        case Pred::NotPre210Migration:
        case Pred::CapSetOnCmdlineAndDiffers:
        case Pred::NotPre41Migration:
        case Pred::NotPre28Ov5:
            return false;
    }
    return true;
}

std::string_view to_string(FieldCheck c) {
    switch (c) {
        case FieldCheck::None: return "none";
        case FieldCheck::Equal: return "equal";
        case FieldCheck::PositiveLe: return "positive_le";
    }
    return "?";
}

}  // namespace ppcmig::migration
