// User changesets' schema edits (machine/schema_edit.hpp) applied to vmstate schemas: edited
// copies of every schema a machine's sections reach, so save, load and the vmdesc all follow
// them; and the check that tells a changeset which edit does not fit its build.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/machine/schema_edit.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/migration/ppc_cpu.hpp"
#include "ppcmig/migration/ppc_devices.hpp"
#include "ppcmig/migration/ppc_intc.hpp"
#include "ppcmig/migration/ppc_spapr.hpp"
#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration {

/// An edit that does not fit the schemas: `index` into the edits, `key` the change's key at
/// fault ("section", "field", "fields.2.type" …), the message says what and why.
class SchemaEditError : public std::invalid_argument {
public:
    SchemaEditError(size_t index, std::string key, const std::string& message)
        : std::invalid_argument(message), index(index), key(std::move(key)) {}
    size_t index;
    std::string key;
};

/// Which adapter evaluates a section's predicates, hence which needed()/field_exists rules its
/// schemas may use: the vCPU's (cpu, cpu_common and their subsections), the machine's (spapr),
/// or one that knows only always/never (icp/server, the interrupt controllers).
enum class PredScope : uint8_t { Any, Cpu, Spapr, Basic, Machine };

/// The predicates a scope evaluates, in the order of migration::Pred.
std::vector<Pred> scope_predicates(PredScope s);

/// A wire type by the name a changeset gives it ("uint8" … "int64", "bool", "buffer").
std::optional<FieldType> edit_field_type(std::string_view name);

/// Edited copies of the schemas reachable from a set of roots (struct fields and subsections).
class EditedSchemas {
public:
    struct Root {
        const Vmsd* vmsd;
        PredScope scope = PredScope::Any;
    };
    EditedSchemas() = default;
    /// Copies what `roots` reach and applies `edits` in order, each to the schemas named by its
    /// `section`. `strict`: an edit whose section none of them reaches is an error (checking a
    /// changeset against every section a build has); otherwise it is skipped (a machine that
    /// does not register that section). Throws SchemaEditError.
    EditedSchemas(std::span<const Root> roots, std::span<const machine::SchemaEdit> edits, bool strict);
    EditedSchemas(EditedSchemas&&) = default;
    EditedSchemas& operator=(EditedSchemas&&) = default;

    /// The edited copy of a root.
    [[nodiscard]] const Vmsd* operator[](const Vmsd* root) const;
    /// Every schema the edited roots reach, each once, in walk order (root, fields, subsections).
    [[nodiscard]] std::vector<const Vmsd*> reachable() const;

private:
    struct Node {
        std::unique_ptr<Vmsd> vmsd;
        PredScope scope;
    };
    Vmsd* copy(const Vmsd* original, PredScope scope);
    std::vector<Node*> find(std::string_view name);
    void apply(size_t index, const machine::SchemaEdit& edit, bool strict);

    std::vector<std::unique_ptr<Node>> nodes_;
    std::map<const Vmsd*, Node*> copy_of_;  ///< original -> copy
    std::map<const Vmsd*, Node*> node_of_;  ///< copy -> its node
    std::vector<Vmsd*> roots_;
};

/// Every section schema a machine of behaviour `b` may register (any ic-mode), with b's schema
/// edits applied: what a changeset is checked against. Constructing it throws SchemaEditError
/// for the first edit that does not fit.
struct SchemaCatalogue {
    explicit SchemaCatalogue(const machine::Behaviour& b);
    SchemaCatalogue(const SchemaCatalogue&) = delete;
    SchemaCatalogue& operator=(const SchemaCatalogue&) = delete;
    CpuSchema cpu;
    SpaprSchema spapr;
    IntcSchema intc;
    DeviceSchema devices;
    EditedSchemas edited;
};

/// The catalogue's schemas as {vmsd name: describe()} (nested schemas appear under their own
/// names too).
nlohmann::json describe_catalogue(const machine::Behaviour& b);

}  // namespace ppcmig::migration
