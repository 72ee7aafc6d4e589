// The release behaviours a user changeset may set (set_behaviour): machine::Behaviour members
// by name, their value domains, and reading and writing them as text.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ppcmig/machine/spapr.hpp"

namespace ppcmig::builds::detail {

/// How a value is written in the TOML file.
enum class ValueKind : uint8_t { Bool, Text, Integer };

struct BehaviourKey {
    std::string_view name;
    ValueKind kind;
    std::vector<std::string_view> choices;  ///< the values it takes, as text
    std::string (*get)(const machine::Behaviour&);
    void (*set)(machine::Behaviour&, std::string_view);  ///< takes one of `choices`
};

std::span<const BehaviourKey> behaviour_key_table();
const BehaviourKey* find_behaviour_key(std::string_view name);

}  // namespace ppcmig::builds::detail
