// ppcmig/runner/observe.hpp: what the oracle observes of a machine, in the form that crosses
// process boundaries (serve's view, chunks and step). A stepped chunk's JSON rebuilds the
// recorded trace exactly; the view digest is the documented order-independent sum, honours its
// exclusions, and agrees between a machine and a view taken of it; the machine-values cache
// follows every change of the state it digests.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "ppcmig/machine/config.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/elf_image.hpp"
#include "ppcmig/runner/observe.hpp"

namespace {

using namespace ppcmig;

std::filesystem::path guests_dir() {
    if (const char* d = std::getenv("PPCMIG_GUESTS_DIR")) return d;
    return PPCMIG_GUESTS_DIR;
}

std::unique_ptr<machine::SpaprMachine> booted(const std::string& guest, const std::string& options) {
    auto m = std::make_unique<machine::SpaprMachine>(machine::MachineConfig::parse(options));
    m->load_guest(memory::ElfImage::read(guests_dir() / (guest + ".elf")));
    return m;
}

TEST(RunnerObserve, StepTraceSurvivesItsJson) {
    auto m = booted("smp_ipi", "-machine pseries-4.2 -cpu POWER9 -smp 2 -m 8M");
    m->run(50'000);
    const runner::ViewLayout layout(cpu::Family::Power9);
    const runner::ChunkTrace t = runner::record_chunk(*m, layout, 1000);
    ASSERT_GT(t.steps.size(), 1000u);
    ASSERT_FALSE(t.pages.empty());
    const runner::ChunkTrace back = runner::trace_from_json(nlohmann::json::parse(runner::trace_to_json(t).dump()));
    EXPECT_EQ(back.names, t.names);
    EXPECT_EQ(back.machine_names, t.machine_names);
    EXPECT_EQ(back.start_vcpus, t.start_vcpus);
    EXPECT_EQ(back.start_machine, t.start_machine);
    EXPECT_EQ(back.stop, t.stop);
    ASSERT_EQ(back.steps.size(), t.steps.size());
    for (size_t i = 0; i < t.steps.size(); ++i) {
        const auto &a = back.steps[i], &b = t.steps[i];
        ASSERT_TRUE(a.vcpu == b.vcpu && a.pc == b.pc && a.tick == b.tick && a.word == b.word && a.interrupt == b.interrupt &&
                    a.values == b.values && a.machine == b.machine && a.pages == b.pages)
            << "step " << i;
    }
    ASSERT_EQ(back.pages.size(), t.pages.size());
    for (const auto& [p, h] : t.pages) {
        const auto& g = back.pages.at(p);
        EXPECT_EQ(g.initial, h.initial) << p;
        EXPECT_EQ(g.writes, h.writes) << p;
    }
    // Memory at any step: after the last write, the page as the machine holds it.
    for (const auto& [p, h] : t.pages) {
        const uint8_t* now = m->memory().data() + (p << memory::kPageShift);
        EXPECT_TRUE(std::equal(now, now + memory::kPageSize, t.page_at_end(p)->begin())) << p;
        EXPECT_EQ(t.page_at(p, 0), h.writes.front().first == 0 ? &h.writes.front().second : &h.initial);
    }
}

TEST(RunnerObserve, MalformedTracesAreNamed) {
    auto m = booted("decr_tick", "-machine pseries-4.2 -cpu POWER9 -m 8M");
    const runner::ViewLayout layout(cpu::Family::Power9);
    nlohmann::json j = runner::trace_to_json(runner::record_chunk(*m, layout, 200));
    j["steps"][0][0] = 7;
    EXPECT_THROW(
        {
            try {
                runner::trace_from_json(j);
            } catch (const std::runtime_error& e) {
                EXPECT_STREQ(e.what(), "malformed step trace: steps[0]: vCPU 7 of 1");
                throw;
            }
        },
        std::runtime_error);
    j.erase("initial");
    EXPECT_THROW(runner::trace_from_json(j), std::runtime_error);
}

TEST(RunnerObserve, ViewDigestIsAnOrderFreeSumWithExclusions) {
    auto m = booted("fpvec_state", "-machine pseries-4.2 -cpu POWER9 -smp 2 -m 8M");
    m->run(100'000);
    const runner::ViewLayout layout(cpu::Family::Power9);
    runner::MachineValues cache;
    const auto view = runner::view_json(layout, *m);
    std::vector<std::string> names = view["names"];
    std::vector<std::vector<uint64_t>> vcpus = view["vcpus"];
    std::vector<std::pair<std::string, uint64_t>> machine;
    for (const auto& e : view["machine"]) machine.emplace_back(e[0], e[1]);
    const uint64_t whole = runner::view_digest(layout, *m, {}, cache);
    EXPECT_EQ(whole, runner::view_digest(names, vcpus, machine, {}));
    // Another engine's layout may order the names differently.
    std::vector<size_t> order(names.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::reverse(order.begin(), order.end());
    std::vector<std::string> rnames;
    std::vector<std::vector<uint64_t>> rvcpus(vcpus.size());
    for (size_t k : order) {
        rnames.push_back(names[k]);
        for (size_t i = 0; i < vcpus.size(); ++i) rvcpus[i].push_back(vcpus[i][k]);
    }
    std::reverse(machine.begin(), machine.end());
    EXPECT_EQ(whole, runner::view_digest(rnames, rvcpus, machine, {}));
    // Leaving an entry out takes exactly its hash out of the sum.
    const size_t r3 = 3;
    const std::set<runner::ViewKey> ex{{1, "r3"}, {-1, "xive"}};
    const uint64_t xive = std::find_if(machine.begin(), machine.end(), [](const auto& e) { return e.first == "xive"; })->second;
    EXPECT_EQ(runner::view_digest(layout, *m, ex, cache),
              whole - runner::view_entry_hash(1, "r3", vcpus[1][r3]) - runner::view_entry_hash(-1, "xive", xive));
    const auto values = runner::view_values(layout, *m, {{1, "r3"}, {-1, "xive"}, {0, "no-such"}, {9, "r3"}}, cache);
    EXPECT_EQ(values, (std::vector<std::optional<uint64_t>>{vcpus[1][r3], xive, std::nullopt, std::nullopt}));
    // A different value, a different digest.
    m->vcpus()[1]->cpu->s.gpr[3] ^= 1;
    EXPECT_NE(runner::view_digest(layout, *m, {}, cache), whole);
    EXPECT_EQ(runner::view_digest(layout, *m, {{1, "r3"}}, cache), runner::view_digest(names, vcpus, machine, {{1, "r3"}}));
}

TEST(RunnerObserve, MachineValuesCacheFollowsTheState) {
    auto m = booted("smp_ipi", "-machine pseries-4.2 -cpu POWER9 -smp 2 -m 8M");
    runner::MachineValues cache;
    for (int i = 0; i < 200 && !m->powered_off(); ++i) {
        m->run(1000);
        ASSERT_EQ(cache.of(*m), runner::ViewLayout::machine_values(*m)) << "after chunk " << i;
    }
    m->ics_state().at(0).priority ^= 1;
    EXPECT_EQ(cache.of(*m), runner::ViewLayout::machine_values(*m));
    m->xive_state().cppr.at(0) ^= 1;
    EXPECT_EQ(cache.of(*m), runner::ViewLayout::machine_values(*m));
}

}  // namespace
