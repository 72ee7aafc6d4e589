// A StateAccess over a map (key -> values, missing reads as 0) with predicates set by name and
// an optional post_load failure: the toy device of the vmstate DSL tests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ppcmig/migration/vmstate.hpp"

namespace ppcmig::migration::test_support {

class MapState : public StateAccess {
public:
    std::map<std::string, std::vector<uint64_t>, std::less<>> values;
    std::map<Pred, bool> preds;
    std::optional<std::string> post_load_error;
    uint64_t get(std::string_view key, uint32_t i) const override {
        auto it = values.find(key);
        return it == values.end() || i >= it->second.size() ? 0 : it->second[i];
    }
    void set(std::string_view key, uint32_t i, uint64_t v) override {
        auto& vec = values[std::string(key)];
        if (vec.size() <= i) vec.resize(i + 1);
        vec[i] = v;
    }
    bool predicate(Pred p, std::string_view) const override {
        if (p == Pred::Always) return true;
        auto it = preds.find(p);
        return it != preds.end() && it->second;
    }
    std::optional<std::string> run_post_load(Hook h, int) override {
        return h == Hook::CpuPostLoad ? post_load_error : std::nullopt;
    }
};

}  // namespace ppcmig::migration::test_support
