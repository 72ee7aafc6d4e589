// MachineConfig parsing, machine-version defaults, compat rules and caps policy.
#include <gtest/gtest.h>

#include "ppcmig/machine/compat.hpp"
#include "ppcmig/machine/config.hpp"

using namespace ppcmig;
using namespace ppcmig::machine;

namespace {
uint8_t cap(const CapValues& v, CapId id) { return v[static_cast<size_t>(id)]; }

std::string error_of(std::string_view args) {
    try {
        MachineConfig::parse(args);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST(MachineConfig, ParsesQemuStyleOptions) {
    const auto c = MachineConfig::parse(
        "-machine pseries-2.7,max-cpu-compat=power7,cap-htm=off,cap-cfpc=workaround -cpu POWER8 -smp 2 -m 1G -accel tcg");
    EXPECT_EQ(c.version->name, "pseries-2.7");
    EXPECT_EQ(c.cpu.family, cpu::Family::Power8);
    EXPECT_EQ(c.max_compat_pvr, logical_pvr::V2_06);
    EXPECT_EQ(c.smp, 2u);
    EXPECT_EQ(c.ram_bytes, uint64_t(1) << 30);
    EXPECT_EQ(c.accel, Accel::Tcg);
    EXPECT_EQ(cap(c.effective_caps(), CapId::Cfpc), capval::WORKAROUND);
    // Canonical text parses back to the same configuration.
    const auto again = MachineConfig::parse(c.to_args());
    EXPECT_EQ(again.to_args(), c.to_args());
}

TEST(MachineConfig, PlainPseriesIsTheLatestVersion) {
    const auto c = MachineConfig::parse("-machine pseries");
    EXPECT_EQ(c.version->name, "pseries-10.1");
    EXPECT_EQ(c.cpu.family, cpu::Family::Power10);
    EXPECT_EQ(c.ic_mode(), IcMode::Dual);
}

TEST(MachineConfig, RejectsBadOptionsWithQemuTexts) {
    EXPECT_EQ(error_of("-machine pseries-2.7,cap-cfpc=x"),
              "-machine pseries-2.7,cap-cfpc=x: Invalid capability mode \"x\" for cap-cfpc");
    EXPECT_EQ(error_of("-machine pseries,max-cpu-compat=power5"),
              "-machine pseries,max-cpu-compat=power5: Invalid compatibility mode \"power5\"");
    EXPECT_EQ(error_of("-cpu POWER8,compat=power99"), "-cpu POWER8,compat=power99: Invalid compatibility mode \"power99\"");
    EXPECT_EQ(error_of("-machine pseries-1.9"), "-machine pseries-1.9: unsupported machine type: \"pseries-1.9\"");
    EXPECT_EQ(error_of("-cpu POWER5"), "-cpu POWER5: unable to find CPU model 'POWER5'");
    EXPECT_EQ(error_of("-machine pseries-4.2,cap-foo=on"),
              "-machine pseries-4.2,cap-foo=on: Property 'pseries-4.2-machine.cap-foo' not found");
    EXPECT_EQ(error_of("-machine pseries-4.2,cap-htm=maybe"),
              "-machine pseries-4.2,cap-htm=maybe: Parameter 'cap-htm' expects 'on' or 'off'");
    EXPECT_EQ(error_of("-machine pseries,cap-hpt-max-page-size=48k"),
              "-machine pseries,cap-hpt-max-page-size=48k: cap-hpt-max-page-size must be a power of 2");
    EXPECT_EQ(error_of("-machine pseries,ic-mode=foo"), "-machine pseries,ic-mode=foo: Bad value for \"ic-mode\" property");
    EXPECT_EQ(error_of("-machine pseries-3.0,ic-mode=xics"),
              "-machine pseries-3.0,ic-mode=xics: This machine only uses the legacy XICS backend, don't pass ic-mode");
    EXPECT_EQ(error_of("-machine pseries,max-cpu-compat=power9 -cpu POWER8"),
              "-machine pseries,max-cpu-compat=power9: Compatibility PVR 0x0f000005 not valid for CPU");
    EXPECT_EQ(error_of("-cpu host"), "-cpu host: CPU model 'host' requires KVM");
    EXPECT_EQ(error_of("-bogus"), "-bogus: invalid option");
    EXPECT_EQ(error_of("-m 12X"), "-m 12X: Parameter 'size' expects a non-negative number below 2^64");
}

TEST(MachineConfig, LegacyCpuCompatPropertyIsForwardedWithAWarning) {
    const auto c = MachineConfig::parse("-machine pseries-2.7 -cpu POWER8,compat=power7");
    EXPECT_EQ(c.max_compat_pvr, logical_pvr::V2_06);
    EXPECT_TRUE(c.compat_from_cpu_property);
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_NE(c.warnings[0].find("deprecated"), std::string::npos);
}

TEST(MachineConfig, CpuHostUnderKvmHvIsTheHostModel) {
    const auto c = MachineConfig::parse("-machine pseries-2.7 -cpu host -host-cpu POWER8 -accel kvm");
    EXPECT_TRUE(c.cpu_is_host);
    EXPECT_EQ(c.cpu.pvr, 0x004D0200u);
    EXPECT_EQ(c.accel, Accel::KvmHv);
}

// Machine-version defaults as the domain facts give them (section 3.2 and 4).
TEST(MachineVersions, CapsDefaultsFollowTheVersionTable) {
    using namespace capval;
    for (const auto& v : machine_versions()) {
        const auto& d = v.default_caps;
        SCOPED_TRACE(v.name);
        EXPECT_EQ(cap(d, CapId::Htm), at_most(v, 2, 11) ? ON : OFF);
        EXPECT_EQ(cap(d, CapId::Vsx), ON);
        EXPECT_EQ(cap(d, CapId::Dfp), ON);
        const uint8_t spectre = at_most(v, 3, 1) && !(v.sxxm) ? BROKEN : WORKAROUND;
        EXPECT_EQ(cap(d, CapId::Cfpc), spectre);
        EXPECT_EQ(cap(d, CapId::Sbbc), spectre);
        EXPECT_EQ(cap(d, CapId::Ibs), v.sxxm ? FIXED_CCD : spectre);
        EXPECT_EQ(cap(d, CapId::HptMaxPageSize), at_most(v, 2, 12) ? 0 : 16);
        EXPECT_EQ(cap(d, CapId::NestedKvmHv), OFF);
        EXPECT_EQ(cap(d, CapId::LargeDecr), at_most(v, 3, 1) ? OFF : ON);
        EXPECT_EQ(cap(d, CapId::CcfAssist), at_most(v, 4, 2) ? OFF : ON);
        EXPECT_EQ(cap(d, CapId::Fwnmi), at_most(v, 4, 2) ? OFF : ON);
        EXPECT_EQ(cap(d, CapId::RptInvalidate), OFF);
        EXPECT_EQ(cap(d, CapId::AilMode3), ON);
        EXPECT_EQ(cap(d, CapId::NestedPapr), OFF);
        EXPECT_EQ(v.pre_2_8_migration, at_most(v, 2, 7));
        EXPECT_EQ(v.pre_2_10_migration, at_most(v, 2, 9));
        EXPECT_EQ(v.pre_3_0_migration, at_most(v, 2, 12));
        EXPECT_EQ(v.pre_4_1_migration, at_most(v, 4, 0));
        EXPECT_EQ(v.irq, at_most(v, 3, 0) ? IrqBackend::XicsLegacy : at_most(v, 4, 0) ? IrqBackend::Xics : IrqBackend::Dual);
        const std::string_view cpu = at_most(v, 2, 7) ? "POWER7" : at_most(v, 3, 1) ? "POWER8" : at_most(v, 8, 2) ? "POWER9" : "POWER10";
        EXPECT_EQ(v.default_cpu, cpu);
    }
    EXPECT_NE(find_machine_version("pseries-2.1"), nullptr);
    EXPECT_NE(find_machine_version("pseries-2.12-sxxm"), nullptr);
    EXPECT_NE(find_machine_version("pseries-10.1"), nullptr);
}

TEST(MachineVersions, AnOlderBuildKnowsOnlyVersionsUpToItsOwn) {
    const auto& v212 = *find_machine_version("pseries-2.12");
    EXPECT_EQ(find_machine_version("pseries", v212), &v212);
    EXPECT_NE(find_machine_version("pseries-2.12-sxxm", v212), nullptr);
    EXPECT_NE(find_machine_version("pseries-2.1", v212), nullptr);
    EXPECT_EQ(find_machine_version("pseries-3.0", v212), nullptr);
    EXPECT_EQ(find_machine_version("pseries-2.13", v212), nullptr);

    const auto c = MachineConfig::parse("-machine pseries -cpu POWER8 -accel kvm", &v212);
    EXPECT_EQ(c.version->name, "pseries-2.12");
    EXPECT_EQ(c.to_args().rfind("-machine pseries-2.12 ", 0), 0u);  // the resolved name, not the alias
    try {
        MachineConfig::parse("-machine pseries-4.2 -cpu POWER8", &v212);
        FAIL() << "pseries-4.2 accepted by a 2.12 build";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message, "unsupported machine type: \"pseries-4.2\"");
    }
}

TEST(Caps, CpuDerivedDefaults) {
    using namespace capval;
    // POWER8 in power7 compat: no HTM, cfpc broken, no AIL 3, no large decrementer.
    auto c = MachineConfig::parse("-machine pseries-4.2,max-cpu-compat=power7 -cpu POWER8");
    auto d = c.default_caps();
    EXPECT_EQ(cap(d, CapId::Htm), OFF);
    EXPECT_EQ(cap(d, CapId::Cfpc), BROKEN);
    EXPECT_EQ(cap(d, CapId::Sbbc), BROKEN);  // needs 2.06+ (power7+), above max-cpu-compat=power7
    EXPECT_EQ(cap(d, CapId::AilMode3), OFF);
    EXPECT_EQ(cap(MachineConfig::parse("-machine pseries-4.2,max-cpu-compat=power7+ -cpu POWER8").default_caps(),
                  CapId::Sbbc),
              WORKAROUND);
    EXPECT_EQ(cap(d, CapId::LargeDecr), OFF);
    // POWER9 keeps them.
    c = MachineConfig::parse("-machine pseries-4.2 -cpu POWER9");
    d = c.default_caps();
    EXPECT_EQ(cap(d, CapId::LargeDecr), ON);
    EXPECT_EQ(cap(d, CapId::Dawr1), OFF);  // POWER10 and later only
    // pseries-2.12 and older: hpt-max-page-size derived from the accelerator.
    EXPECT_EQ(cap(MachineConfig::parse("-machine pseries-2.12 -cpu POWER8").default_caps(), CapId::HptMaxPageSize), 34);
    EXPECT_EQ(cap(MachineConfig::parse("-machine pseries-2.12 -cpu POWER8 -accel kvm").default_caps(), CapId::HptMaxPageSize), 16);
}

TEST(Caps, ApplyPolicyPerAccelerator) {
    std::vector<std::string> w;
    // pseries-2.11 defaults to cap-htm=on: refused under TCG.
    try {
        MachineConfig::parse("-machine pseries-2.11 -cpu POWER8").apply_caps(w);
        FAIL() << "expected an error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message, "No Transactional Memory support in TCG");
        EXPECT_EQ(e.hint, "Try appending -machine cap-htm=off");
    }
    // ...but accepted on a POWER8 KVM-HV host.
    EXPECT_NO_THROW(MachineConfig::parse("-machine pseries-2.11 -cpu POWER8 -accel kvm").apply_caps(w));
    // Spectre caps are warnings under TCG.
    w.clear();
    MachineConfig::parse("-machine pseries-4.2 -cpu POWER9").apply_caps(w);
    ASSERT_FALSE(w.empty());
    EXPECT_EQ(w[0], "TCG doesn't support requested feature, cap-cfpc=workaround");
    // KVM host without the workaround refuses it.
    auto c = MachineConfig::parse("-machine pseries-3.1,cap-cfpc=workaround -cpu POWER9 -accel kvm");
    c.kvm_host.max_cfpc = capval::BROKEN;
    try {
        c.apply_caps(w);
        FAIL() << "expected an error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.message, "Requested safe cache capability level not supported by KVM");
        EXPECT_EQ(e.hint, "Try appending -machine cap-cfpc=broken");
    }
    // hpt-max-page-size limits.
    w.clear();
    MachineConfig::parse("-machine pseries,cap-hpt-max-page-size=4k").apply_caps(w);
    EXPECT_NE(std::find(w.begin(), w.end(), "Many guests require at least 64kiB hpt-max-page-size"), w.end());
    EXPECT_THROW(MachineConfig::parse("-machine pseries,cap-hpt-max-page-size=2k").apply_caps(w), ConfigError);
}

TEST(Compat, TableAndFamilyRules) {
    const auto p8 = *cpu::find_model("POWER8");
    const auto p9 = *cpu::find_model("POWER9");
    const auto p10 = *cpu::find_model("POWER10");
    EXPECT_TRUE(compat_valid(p8, logical_pvr::V2_06));
    EXPECT_TRUE(compat_valid(p8, logical_pvr::V2_07));
    EXPECT_FALSE(compat_valid(p8, logical_pvr::V3_00));
    EXPECT_TRUE(compat_valid(p9, logical_pvr::V3_00));
    EXPECT_FALSE(compat_valid(p10, logical_pvr::V3_10_P11));  // the POWER11 upper bound (C17)
    EXPECT_TRUE(compat_valid(p10, logical_pvr::V3_10));
    EXPECT_FALSE(compat_valid(p9, logical_pvr::V2_07, 0, logical_pvr::V2_06));  // above max
    // PCR = table bits masked by the family: POWER8 in power7 mode holds TM_DIS|COMPAT_2_06.
    EXPECT_EQ(compat_pcr(p8, logical_pvr::V2_06), pcr::TM_DIS | pcr::COMPAT_2_06);
    EXPECT_EQ(compat_pcr(p9, logical_pvr::V2_07), pcr::COMPAT_2_07);
    EXPECT_THROW(check_set_compat(p8, 0x0F000009), CompatError);
    try {
        check_set_compat(p8, logical_pvr::V3_00);
    } catch (const CompatError& e) {
        EXPECT_STREQ(e.what(), "Compatibility PVR 0x0f000005 not valid for CPU");
    }
}

TEST(MachineConfig, MaxCpusDefaultsToCpusAndRoundTrips) {
    EXPECT_EQ(MachineConfig::parse("-machine pseries -smp 2").max_cpus, 2u);
    const auto c = MachineConfig::parse("-machine pseries -smp 2,maxcpus=8");
    EXPECT_EQ(c.max_cpus, 8u);
    EXPECT_EQ(MachineConfig::parse(c.to_args()).max_cpus, 8u);
    try {
        MachineConfig::parse("-machine pseries -smp 4,maxcpus=2");
        FAIL() << "maxcpus below cpus accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.option, "-smp 4,maxcpus=2");
        EXPECT_EQ(e.message, "maxcpus must be equal to or greater than smp");
    }
}
