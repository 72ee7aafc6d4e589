// The vmstate schema DSL: one description of a device's state drives saving, loading, the vmdesc
// JSON and the static diff. A schema is plain data (engine builds and user changesets edit it);
// it reaches live state through a StateAccess adapter that binds field names to the object.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/migration/qemu_file.hpp"

namespace ppcmig::migration {

/// Wire types of fields (all big-endian on the wire).
enum class FieldType : uint8_t {
    U8, U16, U32, U64, I8, I16, I32, I64, Bool,
    Buffer,  ///< `size` raw bytes
    Unused,  ///< `size` zero bytes on save, skipped on load
    Struct,  ///< a nested vmsd (its own version window and subsections)
};

/// Load-time checks carried by a field instead of storing it.
enum class FieldCheck : uint8_t {
    None,
    Equal,       ///< _EQUAL: the incoming value must equal the destination's current value
    PositiveLe,  ///< INT32_POSITIVE_LE: 0 <= incoming <= current
};
/// "none", "equal", "positive_le" (the dump's spelling).
std::string_view to_string(FieldCheck c);

/// Predicates schemas may use for needed() and field_exists(); evaluated by the adapter.
/// User changesets pick among these by name.
enum class Pred : uint8_t {
    Always,
    Never,
    CompatPvrNonZero,      ///< cpu/compat (2.10+): compat_pvr != 0, not for pre-2.10-migration machines
    CompatPvrSet,          ///< cpu/compat of the 2.8 RFC: compat_pvr != 0 on any machine
    HasFloat,              ///< cpu/fpu: insns_flags has PPC_FLOAT
    HasAltivec,            ///< cpu/altivec
    HasVsx,                ///< cpu/vsx
    MmuIs32Bit,            ///< cpu/sr
    TmActive,              ///< cpu/tm: MSR[TS] != 0
    Mmu64,                 ///< cpu/slb
    Pre28Migration,        ///< machine property pre-2.8-migration
    Pre210Migration,
    Pre30Migration,
    NotPre210Migration,
    CapSetOnCmdlineAndDiffers,  ///< spapr/cap/* generic rule (the cap is the subsection's)
    NotPre41Migration,     ///< hpt-max-page-size's own rule
    NotPre28Ov5,           ///< spapr_option_vector_ov5_cas: the platform ov5 has bits pseries-2.7 lacks
    RtasStopped,           ///< cpu/rtas_stopped: the vCPU is stopped (RTAS stop-self / never started)
};
std::string_view to_string(Pred p);
std::optional<Pred> pred_from_string(std::string_view s);
/// True when a predicate's value depends on guest state (CAS, RTAS, MSR) and not only on the
/// machine configuration: the static diff treats what it guards as "may be sent".
bool depends_on_guest_state(Pred p);

/// Hooks a schema may name; the adapter implements them.
enum class Hook : uint8_t { None, CpuPreSave, CpuPreLoad, CpuPostLoad, SpaprPreSave, SpaprPostLoad, CapPreSave, CapPreLoad };

struct Vmsd;

struct Field {
    std::string name;           ///< on the wire (vmdesc) and in dumps
    std::string binding;        ///< what the adapter reads/writes; defaults to name
    FieldType type = FieldType::U64;
    uint32_t count = 1;         ///< array length (1: scalar); ignored for a variable array
    uint32_t size = 0;          ///< Buffer/Unused byte count
    FieldCheck check = FieldCheck::None;
    int version_id = 0;         ///< present when the processed version is >= this
    Pred exists = Pred::Always; ///< field_exists predicate (takes precedence over version_id when not Always)
    const Vmsd* vmsd = nullptr; ///< Struct fields
    /// Added by a user changeset: the field holds this constant, not device state. Saved as it
    /// (a buffer: every byte), read and dropped on load, or compared when check == Equal.
    std::optional<uint64_t> constant{};
    /// Resized by a user changeset: the adapter binds only the first `bound` elements (bytes of
    /// a buffer), as many as it had; elements beyond are saved as 0 and dropped on load.
    std::optional<uint32_t> bound{};
    /// A variable array (QEMU's *_VARRAY_INT32, with _ALLOC on load): the element count is the
    /// value of this earlier int32 field of the same vmsd (negative counts as 0). Elements are
    /// always addressed as "key[i]".
    std::string count_field{};
    [[nodiscard]] uint32_t element_size() const;
    [[nodiscard]] const std::string& key() const { return binding.empty() ? name : binding; }
};

/// Field builders for schema definitions.
/// A scalar or array field (`count` elements) of type `t`.
Field make_field(std::string name, FieldType t, uint32_t count = 1, Pred exists = Pred::Always);
/// An _EQUAL field: the incoming value must equal the destination's.
Field equal_field(std::string name, FieldType t);
/// `count` nested `v` structs.
Field struct_field(std::string name, const Vmsd* v, uint32_t count = 1);
/// A variable array of `v` structs whose count is the int32 field `count_field`.
Field struct_varray(std::string name, const Vmsd* v, std::string count_field);
/// A Buffer (`size` raw bytes) or Unused (`size` padding bytes) field.
Field bytes_field(std::string name, FieldType t, uint32_t size);

struct Subsection {
    const Vmsd* vmsd;
    Pred needed = Pred::Always;
    std::string arg;  ///< predicate argument (the cap name for CapSetOnCmdlineAndDiffers)
};

struct Vmsd {
    std::string name;
    int version_id = 1;
    int minimum_version_id = 1;
    std::vector<Field> fields;
    std::vector<Subsection> subsections;
    Hook pre_save = Hook::None;
    Hook pre_load = Hook::None;
    Hook post_load = Hook::None;
};

/// A failed load: the message chain as QEMU prints it (innermost first) plus where it happened.
class LoadError : public std::runtime_error {
public:
    LoadError(std::vector<std::string> chain, std::string section, uint32_t instance, std::string field,
              size_t offset);
    std::vector<std::string> chain;
    std::string section;
    uint32_t instance;
    std::string field;
    size_t offset;
    int err = -22;  ///< negative errno the load returns (-EINVAL, -ENOENT, -EIO …)
    /// Adds an outer message (QEMU's wrapping) and returns *this for rethrow.
    LoadError& wrap(std::string outer);
};

/// Binds a schema to live state.
class StateAccess {
public:
    virtual ~StateAccess() = default;
    virtual uint64_t get(std::string_view key, uint32_t index) const = 0;
    virtual void set(std::string_view key, uint32_t index, uint64_t value) = 0;
    /// Buffers: read into / write from `bytes` (size given by the field).
    virtual void get_bytes(std::string_view key, std::span<uint8_t> bytes) const;
    virtual void set_bytes(std::string_view key, std::span<const uint8_t> bytes);
    /// The adapter for a nested struct field.
    virtual StateAccess& nested(std::string_view key);
    virtual bool predicate(Pred p, std::string_view arg) const;
    /// Whether guest state can change the predicate's value on this object (default: what
    /// depends_on_guest_state says of the predicate in general).
    virtual bool guest_dependent(Pred p, std::string_view arg) const;
    /// Hooks; post_load may fail with a message (QEMU prints it, then the load fails).
    virtual void run_pre_save(Hook h);
    virtual void run_pre_load(Hook h);
    virtual std::optional<std::string> run_post_load(Hook h, int version_id);
};

/// Serialises a vmsd payload (fields then needed subsections). Appends the vmdesc description
/// of what was written to `desc` when non-null.
void save_vmsd(const Vmsd& v, StateAccess& s, StreamWriter& w, nlohmann::json* desc = nullptr);

/// Loads a vmsd payload written at `version_id`. Throws LoadError with QEMU's messages.
void load_vmsd(const Vmsd& v, StateAccess& s, StreamReader& r, int version_id);

/// The schema as JSON (for vmstate-dump and the static diff), in the shape of QEMU's
/// -dump-vmstate descriptions (name, version_id, minimum_version_id, Fields, Subsections) plus
/// per field its `check` and `count`, per subsection its `needed` predicate and whether that
/// depends on guest state.
nlohmann::json describe(const Vmsd& v);

/// describe(v) bound to live state: per field_exists field `exists_now`, per checked field
/// (EQUAL, POSITIVE_LE) the destination's current value(s) the incoming ones are compared with
/// (`values`, one per element, masked to the field width), per subsection `needed_now`.
/// Only reads state: no pre_save/pre_load hook runs.
nlohmann::json describe(const Vmsd& v, StateAccess& s);

}  // namespace ppcmig::migration
