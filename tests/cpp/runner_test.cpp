// The differential runner's foundations: the scenario spec (parse, defaults, errors with JSON
// pointers), stepped machine runs (the lockstep replay needs them to follow the same schedule as
// plain runs), guest parameters patched in C++, and the oracle's verdicts on small real cases.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ppcmig/builds/build.hpp"
#include "ppcmig/machine/spapr.hpp"
#include "ppcmig/memory/guest_params.hpp"
#include "ppcmig/runner/oracle.hpp"
#include "ppcmig/runner/scenario.hpp"

using namespace ppcmig;
using nlohmann::json;

namespace {

std::string guest(const std::string& name) { return std::string(PPCMIG_GUESTS_DIR) + "/" + name + ".elf"; }

json spec(const std::string& g, const std::string& src, const std::string& dst, uint64_t at, const std::string& options) {
    return json{{"guest", {{"elf", guest(g)}}},
                {"source", {{"build", src}, {"options", options}}},
                {"hops", json::array({{{"at_insns", at}, {"build", dst}}})},
                {"budget_insns", 200'000'000}};
}

std::string error_of(const json& j) {
    try {
        runner::scenario_from_json(j);
    } catch (const runner::SpecError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(RunnerSpec, RoundTripsWithEveryDefaultWritten) {
    const json j = spec("decr_tick", "2.6", "2.7.1", 1000, "-machine pseries-2.6 -cpu POWER8 -m 256M");
    const runner::Scenario s = runner::scenario_from_json(j);
    EXPECT_EQ(s.hops.at(0).build.build, "2.7.1");
    EXPECT_FALSE(s.hops[0].options.has_value());
    const json out = runner::to_json(s);
    EXPECT_EQ(out["format"], "ppcmig-scenario");
    EXPECT_EQ(out["ram_compare"], "hash");
    EXPECT_EQ(runner::scenario_from_json(out), s);
}

TEST(RunnerSpec, ErrorsNameThePointerAndTheReason) {
    json j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["hops"][0]["at_insns"] = -3;
    EXPECT_EQ(error_of(j), "/hops/0/at_insns: expected a non-negative integer");
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["hops"].push_back({{"at_insns", 500}});
    EXPECT_EQ(error_of(j), "/hops/1/at_insns: must be greater than the previous hop's (1000)");
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["budget_insns"] = 1000;
    EXPECT_EQ(error_of(j), "/hops/0/at_insns: must be below budget_insns (1000)");
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["hops"][0]["precopy"] = {{"bandwidth", 0}};
    EXPECT_EQ(error_of(j), "/hops/0/precopy/bandwidth: must be positive");
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["guest"]["parms"] = json::object();
    EXPECT_EQ(error_of(j), "/guest/parms: unknown key (keys: elf, params, name)");
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j.erase("hops");
    EXPECT_EQ(error_of(j), "/: missing key \"hops\"");
    // Resolved when the scenario runs: an unknown build or guest parameter is a spec error too.
    j = spec("decr_tick", "2.6", "9.99", 1000, "-m 256M");
    EXPECT_THROW(runner::run(runner::scenario_from_json(j)), runner::SpecError);
    j = spec("decr_tick", "2.6", "2.7", 1000, "-m 256M");
    j["guest"]["params"] = {{"no_such_param", 1}};
    try {
        runner::run(runner::scenario_from_json(j));
        FAIL();
    } catch (const runner::SpecError& e) {
        EXPECT_NE(std::string(e.what()).find("guest has no parameter \"no_such_param\" (parameters: rounds"), std::string::npos)
            << e.what();
    }
}

TEST(GuestParams, PatchedByNameInTheImagesByteOrder) {
    for (const char* name : {"decr_tick", "decr_tick_le"}) {
        const auto elf = memory::ElfImage::read(guest(name));
        const auto fields = memory::guest_param_fields(elf);
        ASSERT_EQ(fields.begin()->second, "rounds") << name;
        const auto patched = memory::with_guest_params(elf, {{"rounds", 3}});
        memory::GuestMemory mem(64 << 20);
        patched.load(mem);
        uint64_t block = 0;
        for (const auto& [sym, value] : elf.symbols())
            if (sym == "guest_params") block = value;
        EXPECT_EQ(patched.read64(mem, block + fields.begin()->first), 3u) << name;
    }
}

TEST(SteppedRun, FollowsTheSameScheduleAsAPlainRun) {
    // vCPUs interleave in quantum slices; timers, IPIs and cedes make interrupts pending. An
    // observer must change neither who runs when nor when an interrupt is taken.
    const auto profile = builds::profile("head");
    struct Case { const char* guest; const char* smp; };
    for (const Case& k : {Case{"smp_ipi", "2"}, Case{"decr_tick", "1"}, Case{"idle_cede", "1"}, Case{"mem_dirty", "1"},
                          Case{"smp_ipi_le", "4"}}) {
        const std::vector<std::string> args{"-machine", "pseries", "-cpu", "POWER9", "-smp", k.smp, "-m", "256M"};
        const auto elf = memory::ElfImage::read(guest(k.guest));
        machine::SpaprMachine plain(builds::parse_config(profile, args), profile.behaviour);
        machine::SpaprMachine stepped(builds::parse_config(profile, args), profile.behaviour);
        plain.load_guest(elf);
        stepped.load_guest(elf);
        uint64_t steps = 0;
        const machine::SpaprMachine::StepObserver count = [&](unsigned, uint64_t) { ++steps; };
        for (int chunk = 0; chunk < 400 && !plain.powered_off(); ++chunk) {
            plain.run(1000);
            stepped.run(1000, &count);
            ASSERT_EQ(plain.state_json(), stepped.state_json()) << k.guest << " chunk " << chunk;
        }
        EXPECT_GT(steps, 1000u) << k.guest;
        EXPECT_EQ(0, std::memcmp(plain.memory().data(), stepped.memory().data(), plain.memory().size())) << k.guest;
    }
}

TEST(Oracle, VerdictsOfSmallRealCases) {
    const std::string kvm = "-machine pseries-2.6 -cpu host -accel kvm-hv -host-cpu POWER8 -m 256M";
    auto verdict = [](const json& j) { return runner::run(runner::scenario_from_json(j)); };
    const auto bad = verdict(spec("decr_tick", "2.6", "2.7", 20'000'000, kvm));
    EXPECT_EQ(bad.verdict, runner::Verdict::LoadFail);
    EXPECT_EQ(bad.json["details"]["field"], "insns_flags");
    EXPECT_EQ(bad.json["hop"], 0);
    const auto good = verdict(spec("decr_tick", "2.6", "2.7.1", 20'000'000, kvm));
    EXPECT_EQ(good.verdict, runner::Verdict::Ok) << good.json.dump(1);
    EXPECT_EQ(good.json["reference"]["result_line"], "RESULT PASS");
    EXPECT_EQ(good.json["reference"]["state_digest"], good.json["migrated"]["state_digest"]);
    const auto unknown = verdict(spec("decr_tick", "2.6", "2.7", 20'000'000, "-machine pseries-2.9 -m 256M"));
    EXPECT_EQ(unknown.verdict, runner::Verdict::Unsupported);
    EXPECT_EQ(unknown.json["details"]["side"], "source");
    // C13: 7.2 does not migrate the TCG decrementer; the idle guest waits for a tick that never comes.
    const auto hang = verdict(spec("idle_cede", "7.2", "7.2", 10'000'000, "-machine pseries-7.2 -cpu POWER9 -m 256M"));
    EXPECT_EQ(hang.verdict, runner::Verdict::Hang) << hang.json["summary"];
    // Deterministic: the same spec gives the same result document.
    EXPECT_EQ(verdict(spec("decr_tick", "2.6", "2.7.1", 20'000'000, kvm)).json["digest"], good.json["digest"]);
}
