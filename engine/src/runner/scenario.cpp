#include "ppcmig/runner/scenario.hpp"

#include <fmt/format.h>

namespace ppcmig::runner {

SpecError::SpecError(std::string ptr, const std::string& reason)
    : std::runtime_error(fmt::format("{}: {}", ptr.empty() ? "/" : ptr, reason)), pointer(std::move(ptr)) {}

namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "ppcmig-scenario";
constexpr int kFormatVersion = 1;

// A JSON node with its pointer, for errors that say where.
struct Node {
    const json& j;
    std::string ptr;

    [[nodiscard]] bool has(std::string_view key) const { return j.contains(key) && !j.at(std::string(key)).is_null(); }
    [[nodiscard]] Node at(std::string_view key) const {
        if (!j.contains(key)) throw SpecError(ptr, fmt::format("missing key \"{}\"", key));
        return {j.at(std::string(key)), fmt::format("{}/{}", ptr, key)};
    }
    [[nodiscard]] std::string str() const {
        if (!j.is_string()) throw SpecError(ptr, "expected a string");
        return j.get<std::string>();
    }
    [[nodiscard]] uint64_t u64() const {
        if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<int64_t>() >= 0))
            throw SpecError(ptr, "expected a non-negative integer");
        return j.get<uint64_t>();
    }
    void object(std::initializer_list<std::string_view> keys) const {
        if (!j.is_object()) throw SpecError(ptr, "expected an object");
        for (const auto& [k, v] : j.items()) {
            bool known = false;
            for (auto kk : keys) known = known || kk == k;
            if (!known) {
                std::string list;
                for (auto kk : keys) list += fmt::format("{}{}", list.empty() ? "" : ", ", kk);
                throw SpecError(fmt::format("{}/{}", ptr, k), fmt::format("unknown key (keys: {})", list));
            }
        }
    }
};

BuildRef build_ref(const Node& n) {
    BuildRef b;
    if (n.has("build")) {
        b.build = n.at("build").str();
        if (b.build.empty()) throw SpecError(n.ptr + "/build", "empty build name");
    }
    if (n.has("changeset")) b.changeset = n.at("changeset").str();
    if (n.has("engine")) b.engine = n.at("engine").str();
    return b;
}

json build_json(const BuildRef& b) {
    return json{{"build", b.build.empty() ? json(nullptr) : json(b.build)},
                {"changeset", b.changeset.empty() ? json(nullptr) : json(b.changeset)},
                {"engine", b.engine.empty() ? json(nullptr) : json(b.engine)}};
}

}  // namespace

Scenario scenario_from_json(const json& j) {
    const Node root{j, ""};
    root.object({"format", "format_version", "name", "guest", "source", "hops", "budget_insns", "ram_compare", "artifacts"});
    if (root.has("format") && root.at("format").str() != kFormat)
        throw SpecError("/format", fmt::format("expected \"{}\"", kFormat));
    if (root.has("format_version") && root.at("format_version").u64() != kFormatVersion)
        throw SpecError("/format_version", fmt::format("this engine reads version {}", kFormatVersion));
    Scenario s;
    if (root.has("name")) s.name = root.at("name").str();
    const Node guest = root.at("guest");
    guest.object({"elf", "params", "name"});
    s.elf = guest.at("elf").str();
    if (s.elf.empty()) throw SpecError("/guest/elf", "empty path");
    if (guest.has("params")) {
        const json& p = guest.j.at("params");
        if (!p.is_object()) throw SpecError("/guest/params", "expected an object of integer parameters");
        for (const auto& [k, v] : p.items()) {
            const Node value{v, fmt::format("/guest/params/{}", k)};
            s.params[k] = value.u64();
        }
    }
    const Node src = root.at("source");
    src.object({"build", "changeset", "engine", "options"});
    s.source = build_ref(src);
    if (src.has("options")) s.source_options = src.at("options").str();
    const Node hops = root.at("hops");
    if (!hops.j.is_array() || hops.j.empty()) throw SpecError("/hops", "expected a non-empty array of hops");
    for (size_t i = 0; i < hops.j.size(); ++i) {
        const Node h{hops.j[i], fmt::format("/hops/{}", i)};
        h.object({"at_insns", "build", "changeset", "engine", "options", "pause_ticks", "precopy"});
        Hop hop;
        hop.at_insns = h.at("at_insns").u64();
        if (!s.hops.empty() && hop.at_insns <= s.hops.back().at_insns)
            throw SpecError(h.ptr + "/at_insns", fmt::format("must be greater than the previous hop's ({})", s.hops.back().at_insns));
        hop.build = build_ref(h);
        if (h.has("options")) hop.options = h.at("options").str();
        if (h.has("pause_ticks")) hop.pause_ticks = h.at("pause_ticks").u64();
        if (h.has("precopy")) {
            const Node p = h.at("precopy");
            p.object({"bandwidth", "downtime_ns", "max_iterations"});
            Precopy pc;
            if (p.has("bandwidth")) pc.bandwidth = p.at("bandwidth").u64();
            if (pc.bandwidth == 0) throw SpecError(p.ptr + "/bandwidth", "must be positive");
            if (p.has("downtime_ns")) pc.downtime_ns = p.at("downtime_ns").u64();
            if (p.has("max_iterations")) pc.max_iterations = static_cast<unsigned>(p.at("max_iterations").u64());
            hop.precopy = pc;
        }
        s.hops.push_back(std::move(hop));
    }
    if (root.has("budget_insns")) s.budget_insns = root.at("budget_insns").u64();
    if (s.hops.back().at_insns >= s.budget_insns)
        throw SpecError(fmt::format("/hops/{}/at_insns", s.hops.size() - 1),
                        fmt::format("must be below budget_insns ({})", s.budget_insns));
    if (root.has("ram_compare")) {
        const std::string v = root.at("ram_compare").str();
        if (v == "hash") s.ram_compare = RamCompare::Hash;
        else if (v == "exact") s.ram_compare = RamCompare::Exact;
        else throw SpecError("/ram_compare", "expected \"hash\" or \"exact\"");
    }
    if (root.has("artifacts")) s.artifacts = root.at("artifacts").str();
    return s;
}

json to_json(const Scenario& s) {
    json params = json::object();
    for (const auto& [k, v] : s.params) params[k] = v;
    json hops = json::array();
    for (const auto& h : s.hops) {
        json hj = build_json(h.build);
        hj["at_insns"] = h.at_insns;
        hj["options"] = h.options ? json(*h.options) : json(nullptr);
        hj["pause_ticks"] = h.pause_ticks;
        hj["precopy"] = h.precopy ? json{{"bandwidth", h.precopy->bandwidth}, {"downtime_ns", h.precopy->downtime_ns},
                                         {"max_iterations", h.precopy->max_iterations}}
                                  : json(nullptr);
        hops.push_back(std::move(hj));
    }
    json src = build_json(s.source);
    src["options"] = s.source_options;
    return json{{"format", kFormat},
                {"format_version", kFormatVersion},
                {"name", s.name},
                {"guest", {{"elf", s.elf}, {"params", params}}},
                {"source", src},
                {"hops", hops},
                {"budget_insns", s.budget_insns},
                {"ram_compare", s.ram_compare == RamCompare::Exact ? "exact" : "hash"},
                {"artifacts", s.artifacts.empty() ? json(nullptr) : json(s.artifacts)}};
}

}  // namespace ppcmig::runner
