#include "state_view.hpp"

#include <cstring>

#include <fmt/format.h>

#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/migration/stream.hpp"

namespace ppcmig::runner::detail {

namespace {

// Time-base derived SPRs: their values move with virtual time on both sides alike, and a lost
// or late timer shows as the interrupt it does or does not cause.
bool is_timer_spr(unsigned n) {
    using namespace cpu::sprn;
    return n == DEC || n == TB || n == TBU || n == TBL_W || n == TBU_W || n == TBU40 || n == PURR || n == SPURR ||
           n == HDEC || n == XER || n == LR || n == CTR;  // the last three live in their own fields
}

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL, kFnvPrime = 0x100000001b3ULL;

struct Fnv {
    uint64_t h = kFnvOffset;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * kFnvPrime;
    }
    void u64(uint64_t v) { bytes(&v, sizeof v); }
};

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

}  // namespace

ViewLayout::ViewLayout(cpu::Family family) {
    for (int i = 0; i < 32; ++i) names_.push_back(fmt::format("r{}", i));
    for (const char* n : {"nip", "msr", "cr", "lr", "ctr", "xer", "fpscr", "vscr"}) names_.emplace_back(n);
    for (int i = 0; i < 64; ++i) {
        names_.push_back(fmt::format("vsr{}.hi", i));
        names_.push_back(fmt::format("vsr{}.lo", i));
    }
    for (unsigned n = 0; n < 1024; ++n) {
        if (is_timer_spr(n)) continue;
        sprs_.push_back(n);
        const cpu::SprInfo* info = cpu::find_spr(n, family);
        names_.push_back(info ? std::string(info->name) : fmt::format("spr{}", n));
    }
    for (const char* n : {"reserve_addr", "running", "ceded", "compat_pvr", "icp.xirr", "icp.mfrr", "icp.pending"})
        names_.emplace_back(n);
    for (unsigned v = 0; v < 4096 / 0x20; ++v) names_.push_back(fmt::format("interrupts[{:#x}]", v * 0x20));
}

std::vector<uint64_t> ViewLayout::values(const machine::Vcpu& v) const {
    const cpu::CpuState& s = v.cpu->s;
    std::vector<uint64_t> out;
    out.reserve(names_.size());
    out.insert(out.end(), s.gpr.begin(), s.gpr.end());
    for (uint64_t x : {s.nip, s.msr, uint64_t(s.cr), s.lr, s.ctr, s.xer, s.fpscr, uint64_t(s.vscr)}) out.push_back(x);
    for (const auto& r : s.vsr) {
        out.push_back(r.hi);
        out.push_back(r.lo);
    }
    for (unsigned n : sprs_) out.push_back(s.spr[n]);
    for (uint64_t x : {s.reserve_addr, uint64_t(v.running), uint64_t(v.ceded), uint64_t(v.compat_pvr), uint64_t(v.icp.xirr),
                       uint64_t(v.icp.mfrr), uint64_t(v.icp.pending_priority)})
        out.push_back(x);
    out.insert(out.end(), v.interrupts.begin(), v.interrupts.end());
    return out;
}

std::vector<std::pair<std::string, uint64_t>> ViewLayout::machine_values(const machine::SpaprMachine& m) {
    Fnv ics, xive, ov5, dev;
    for (const auto& e : m.ics()) {
        ics.u64(e.server);
        ics.u64((uint64_t(e.priority) << 24) | (uint64_t(e.saved_priority) << 16) | (uint64_t(e.status) << 8) | e.flags);
    }
    const machine::Xive& x = m.xive();
    for (const auto& s : x.sources) {
        xive.u64((uint64_t(s.pq) << 56) | (uint64_t(s.masked) << 48) | (uint64_t(s.priority) << 32) | s.target);
        xive.u64(s.eisn);
    }
    for (const auto& server : x.queues)
        for (const auto& q : server) {
            xive.u64(q.qpage);
            xive.u64((uint64_t(q.qshift) << 40) | (uint64_t(q.generation) << 33) | (uint64_t(q.always_notify) << 32) | q.index);
        }
    xive.bytes(x.cppr.data(), x.cppr.size());
    xive.bytes(x.nsr.data(), x.nsr.size());
    ov5.bytes(m.ov5_cas().data(), m.ov5_cas().size());
    const machine::Vty& vty = m.vty();
    for (uint64_t v : {vty.signal_state, vty.crq_qladdr, uint64_t(vty.crq_qsize), uint64_t(vty.crq_qnext), uint64_t(vty.in),
                       uint64_t(vty.out)})
        dev.u64(v);
    dev.bytes(vty.buf.data(), vty.buf.size());
    for (const auto& msi : m.phb().msi) dev.u64((uint64_t(msi.config_addr) << 32) ^ (uint64_t(msi.first_irq) << 8) ^ msi.num);
    return {{"active_interrupt_controller", static_cast<uint64_t>(m.active_ic())},
            {"powered_off", m.powered_off()},
            {"ov5_cas", ov5.h},
            {"ics", ics.h},
            {"xive", xive.h},
            {"devices", dev.h}};  // the console is compared by the oracle (a migrated run's spans machines)
}

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

std::string state_digest(const ViewLayout& layout, const machine::SpaprMachine& m) {
    Fnv h;
    for (const auto& v : m.vcpus())
        for (uint64_t x : layout.values(*v)) h.u64(x);
    for (const auto& [name, value] : ViewLayout::machine_values(m)) h.u64(value);
    auto& mem = m.memory();
    for (uint64_t p : mem.touched_pages()) {
        if (migration::page_is_zero(mem.data() + (p << memory::kPageShift))) continue;  // as if never touched
        h.u64(p);
        h.bytes(mem.data() + (p << memory::kPageShift), memory::kPageSize);
    }
    return fmt::format("{:016x}", h.h);
}

}  // namespace ppcmig::runner::detail
