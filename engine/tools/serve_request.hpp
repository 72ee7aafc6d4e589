// Typed, strict access to the keys of one serve request (engine/tools/SERVE_PROTOCOL.md): an
// unknown key, a missing one or a wrong type is a bad_request error that names the command, the
// key, what was expected and what was given.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "serve.hpp"

namespace ppcmig::tools {

/// A value as it appeared in the request, shortened for an error message.
inline std::string shown(const nlohmann::json& v) {
    std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

inline std::string_view type_name(const nlohmann::json& v) {
    if (v.is_number_unsigned()) return "a non-negative integer";
    if (v.is_number_integer()) return "a negative integer";
    if (v.is_number_float()) return "a floating-point number";
    return v.type_name();
}

/// Typed access to one request's keys: unknown keys and wrong types are bad_request errors
/// that name the command, the key, what was expected and what was given.
class Request {
public:
    /// `where` names the object in messages ("run", "migrate_out: precopy"); "cmd" and "id"
    /// are accepted in a top-level request only.
    Request(const nlohmann::json& j, std::string where, std::initializer_list<std::string_view> keys, bool top_level = true)
        : j_(j), where_(std::move(where)) {
        for (const auto& [k, _] : j.items()) {
            if (top_level && (k == "cmd" || k == "id")) continue;
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
                std::string accepted;
                for (const auto key : keys) accepted += (accepted.empty() ? "" : ", ") + std::string(key);
                throw ServeError("bad_request", fmt::format("{}: unknown key \"{}\" (accepted: {})", where_, k,
                                                            accepted.empty() ? "none" : accepted),
                                 {{"key", k}});
            }
        }
    }

    [[nodiscard]] const std::string& where() const { return where_; }
    [[nodiscard]] bool has(std::string_view key) const { return j_.contains(key); }
    [[nodiscard]] const nlohmann::json& raw(std::string_view key) const { return j_.at(std::string(key)); }

    [[noreturn]] void wrong(std::string_view key, std::string_view expected) const {
        const auto& v = raw(key);
        throw ServeError("bad_request",
                         fmt::format("{}: \"{}\" must be {}, got {} {}", where_, key, expected, type_name(v), shown(v)),
                         {{"key", key}});
    }
    [[noreturn]] void missing(std::string_view key, std::string_view expected) const {
        throw ServeError("bad_request", fmt::format("{}: missing \"{}\" ({})", where_, key, expected), {{"key", key}});
    }

    [[nodiscard]] std::optional<uint64_t> u64(std::string_view key) const {
        if (!has(key)) return std::nullopt;
        if (!raw(key).is_number_unsigned()) wrong(key, "a non-negative integer");
        return raw(key).get<uint64_t>();
    }
    [[nodiscard]] std::optional<std::string> string(std::string_view key) const {
        if (!has(key)) return std::nullopt;
        if (!raw(key).is_string()) wrong(key, "a string");
        return raw(key).get<std::string>();
    }
    [[nodiscard]] std::string required_string(std::string_view key, std::string_view expected) const {
        auto s = string(key);
        if (!s) missing(key, expected);
        return *s;
    }
    [[nodiscard]] std::optional<std::vector<std::string>> strings(std::string_view key) const {
        if (!has(key)) return std::nullopt;
        const auto& v = raw(key);
        if (!v.is_array()) wrong(key, "an array of strings");
        std::vector<std::string> out;
        for (size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string())
                throw ServeError("bad_request", fmt::format("{}: \"{}\"[{}] must be a string, got {} {}", where_, key, i,
                                                            type_name(v[i]), shown(v[i])),
                                 {{"key", key}});
            out.push_back(v[i].get<std::string>());
        }
        return out;
    }
    [[nodiscard]] const nlohmann::json* object(std::string_view key) const {
        if (!has(key)) return nullptr;
        if (!raw(key).is_object()) wrong(key, "an object");
        return &raw(key);
    }

private:
    const nlohmann::json& j_;
    std::string where_;
};

}  // namespace ppcmig::tools
