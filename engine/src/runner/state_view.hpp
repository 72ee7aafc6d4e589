// What the oracle compares: per vCPU the architected state a guest can observe (timers left out:
// they show through the interrupts they cause), the interrupts taken, the machine's interrupt
// controllers and devices, and guest RAM page by page.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/runner/observe.hpp"

namespace ppcmig::runner::detail {

using runner::ViewLayout;
using runner::state_digest;

/// One differing value: where (vCPU index, or -1 for the machine), what, both sides.
struct Difference {
    int vcpu;
    std::string name;
    uint64_t reference, migrated;
    auto operator<=>(const Difference&) const = default;
};

/// Every difference between two machines' views (registers, machine values), in a fixed order.
std::vector<Difference> view_differences(const ViewLayout& layout, const machine::SpaprMachine& ref,
                                         const machine::SpaprMachine& mig);

/// Pages whose contents differ among `candidates` (page numbers).
std::set<uint64_t> differing_pages(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig,
                                   const std::vector<uint64_t>& candidates);
/// Every page either machine ever wrote that differs.
std::set<uint64_t> all_differing_pages(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig);

/// JSON for a difference list and a page set (first differing byte of each page, both sides).
nlohmann::json differences_json(const std::vector<Difference>& d);
/// One differing page: its address, the first differing byte's offset and the 16 bytes around
/// it on both sides (exact: every differing byte range).
nlohmann::json page_difference_json(uint64_t page, const uint8_t* reference, const uint8_t* migrated, bool exact);
nlohmann::json pages_json(const machine::SpaprMachine& ref, const machine::SpaprMachine& mig, const std::set<uint64_t>& pages,
                          bool exact);

}  // namespace ppcmig::runner::detail
