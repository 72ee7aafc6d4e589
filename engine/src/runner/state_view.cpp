#include "state_view.hpp"

#include <cstring>

#include <fmt/format.h>

namespace ppcmig::runner::detail {

namespace {

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

}  // namespace

std::vector<Difference> view_differences(const ViewLayout& layout, const machine::SpaprMachine& ref,
                                         const machine::SpaprMachine& mig) {
    std::vector<Difference> out;
    auto& rv = ref.vcpus();
    auto& mv = mig.vcpus();
    for (size_t i = 0; i < rv.size() && i < mv.size(); ++i) {
        const auto a = layout.values(*rv[i]), b = layout.values(*mv[i]);
        for (size_t k = 0; k < a.size(); ++k)
            if (a[k] != b[k]) out.push_back({static_cast<int>(i), layout.names()[k], a[k], b[k]});
    }
    const auto ma = ViewLayout::machine_values(ref), mb = ViewLayout::machine_values(mig);
    for (size_t k = 0; k < ma.size(); ++k)
        if (ma[k].second != mb[k].second) out.push_back({-1, ma[k].first, ma[k].second, mb[k].second});
    return out;
}

std::set<uint64_t> differing_pages(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig,
                                   const std::vector<uint64_t>& candidates) {
    std::set<uint64_t> out;
    auto& a = ref.memory();
    auto& b = mig.memory();
    const uint64_t pages = std::min(a.page_count(), b.page_count());
    for (uint64_t p : candidates) {
        if (p >= pages) continue;
        if (std::memcmp(a.data() + (p << memory::kPageShift), b.data() + (p << memory::kPageShift), memory::kPageSize) != 0)
            out.insert(p);
    }
    return out;
}

std::set<uint64_t> all_differing_pages(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig) {
    auto& a = ref.memory();
    auto& b = mig.memory();
    std::vector<uint64_t> candidates = a.touched_pages();
    const auto more = b.touched_pages();
    candidates.insert(candidates.end(), more.begin(), more.end());
    return differing_pages(ref, mig, candidates);
}

nlohmann::json differences_json(const std::vector<Difference>& d) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : d)
        out.push_back({{"vcpu", x.vcpu < 0 ? nlohmann::json(nullptr) : nlohmann::json(x.vcpu)},
                       {"name", x.name},
                       {"reference", hex(x.reference)},
                       {"migrated", hex(x.migrated)}});
    return out;
}

nlohmann::json page_difference_json(uint64_t page, const uint8_t* pa, const uint8_t* pb, bool exact) {
    size_t first = 0;
    while (first < memory::kPageSize && pa[first] == pb[first]) ++first;
    nlohmann::json pj{{"address", hex(page << memory::kPageShift)}, {"offset", first}};
    // The 16 bytes around the first difference, both sides.
    const size_t at = std::min(first, memory::kPageSize - 16) & ~size_t(15);
    pj["reference"] = fmt::format("{:02x}", fmt::join(pa + at, pa + at + 16, ""));
    pj["migrated"] = fmt::format("{:02x}", fmt::join(pb + at, pb + at + 16, ""));
    if (exact) {
        nlohmann::json ranges = nlohmann::json::array();
        for (size_t i = 0; i < memory::kPageSize;) {
            if (pa[i] == pb[i]) {
                ++i;
                continue;
            }
            size_t j = i;
            while (j < memory::kPageSize && pa[j] != pb[j]) ++j;
            ranges.push_back({i, j});
            i = j;
        }
        pj["ranges"] = std::move(ranges);
    }
    return pj;
}

nlohmann::json pages_json(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig, const std::set<uint64_t>& pages,
                          bool exact) {
    nlohmann::json out = nlohmann::json::array();
    for (uint64_t p : pages)
        out.push_back(page_difference_json(p, ref.memory().data() + (p << memory::kPageShift),
                                           mig.memory().data() + (p << memory::kPageShift), exact));
    return out;
}

}  // namespace ppcmig::runner::detail
