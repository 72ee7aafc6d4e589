// MachineConfig parsing, machine-version defaults, compat rules and caps policy.
#include <gtest/gtest.h>

#include <fmt/format.h>

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

namespace {
// The ConfigError a configuration's caps meet at start (empty message: none).
ConfigError apply_error(const MachineConfig& c) {
    std::vector<std::string> w;
    try {
        c.apply_caps(w);
    } catch (const ConfigError& e) {
        return e;
    }
    return ConfigError("", "", "");
}
}  // namespace

TEST(Caps, LargeDecrUnderTcgNeedsIsa300) {
    // POWER8 cannot run in ISA 3.00 mode.
    auto e = apply_error(MachineConfig::parse("-machine pseries-4.2,cap-large-decr=on -cpu POWER8"));
    EXPECT_EQ(e.option, "-machine pseries-4.2");
    EXPECT_EQ(e.message, "Large decrementer only supported on POWER9");
    EXPECT_EQ(e.hint, "Try -cpu POWER9");
    // A POWER9 capped at power8 neither: the compat mode counts, not the model's width.
    e = apply_error(MachineConfig::parse("-machine pseries-4.2,max-cpu-compat=power8,cap-large-decr=on -cpu POWER9"));
    EXPECT_EQ(e.message, "Large decrementer only supported on POWER9");
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2,cap-large-decr=on -cpu POWER9")).message, "");
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2,max-cpu-compat=power9 -cpu POWER10")).message, "");
}

TEST(Caps, LargeDecrUnderKvmNeedsTheHostsWidth) {
    // The default host (POWER9) advertises 56 bits, as POWER9 and POWER10 models use.
    EXPECT_EQ(MachineConfig::parse("-machine pseries-4.2 -cpu POWER9 -accel kvm").kvm_host.large_decr_bits, 56u);
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2 -cpu POWER9 -accel kvm")).message, "");
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2 -cpu host -host-cpu POWER10 -accel kvm")).message, "");
    // A POWER8 host has none: its "-cpu host" guest defaults large-decr off and starts...
    const auto p8 = MachineConfig::parse("-machine pseries-4.2 -cpu host -host-cpu POWER8 -accel kvm");
    EXPECT_EQ(p8.kvm_host.large_decr_bits, 0u);
    EXPECT_EQ(apply_error(p8).message, "");
    // ...but refuses it on the command line.
    auto e = apply_error(MachineConfig::parse("-machine pseries-4.2,cap-large-decr=on -cpu host -host-cpu POWER8 -accel kvm"));
    EXPECT_EQ(e.message, "No large decrementer support");
    EXPECT_EQ(e.hint, "Try appending -machine cap-large-decr=off");
    e = apply_error(MachineConfig::parse("-machine pseries-4.2 -cpu POWER9 -accel kvm -kvm-host-caps large-decr-bits=0"));
    EXPECT_EQ(e.message, "No large decrementer support");
    // A host whose width differs from the model's: (KVM's, the model's).
    e = apply_error(MachineConfig::parse("-machine pseries-4.2 -cpu POWER9 -accel kvm -kvm-host-caps large-decr-bits=48"));
    EXPECT_EQ(e.message, "KVM large decrementer size (48) differs to model (56)");
    EXPECT_EQ(e.hint, "Try appending -machine cap-large-decr=off");
    e = apply_error(MachineConfig::parse("-machine pseries-4.2,cap-large-decr=on -cpu POWER8 -accel kvm"));
    EXPECT_EQ(e.message, "KVM large decrementer size (56) differs to model (32)");
    // KVM does not look at the compat mode, only at the model's width.
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2,max-cpu-compat=power8,cap-large-decr=on -cpu POWER9 -accel kvm"))
                  .message, "");
    // Off, nothing is asked of the host.
    EXPECT_EQ(apply_error(MachineConfig::parse("-machine pseries-4.2,cap-large-decr=off -cpu POWER9 -accel kvm "
                                               "-kvm-host-caps large-decr-bits=48")).message, "");
    // The same direct call with KvmHost's own default (a POWER9 host).
    std::vector<std::string> w;
    CapValues eff = MachineConfig::parse("-machine pseries-4.2 -cpu POWER9").effective_caps();
    KvmHost host;
    host.large_decr_bits = 64;
    try {
        apply_caps(eff, *cpu::find_model("POWER10"), 0, Accel::KvmHv, 1, host, w);
        FAIL() << "a 64-bit host accepted a 56-bit model";
    } catch (const CapError& err) {
        EXPECT_STREQ(err.what(), "KVM large decrementer size (64) differs to model (56)");
    }
    EXPECT_NO_THROW(apply_caps(eff, *cpu::find_model("POWER10"), 0, Accel::KvmHv, 1, KvmHost{}, w));
}

TEST(Caps, KvmHostCapsLargeDecrBitsOption) {
    auto e = error_of("-machine pseries -kvm-host-caps large-decr-bits=abc");
    EXPECT_EQ(e, "-kvm-host-caps large-decr-bits=abc: large-decr-bits expects a number of bits, not \"abc\" "
                 "(0: no large decrementer, or 33 to 64)");
    for (const char* bad : {"99", "32", "1", "65", "99999999999"})
        EXPECT_EQ(error_of(fmt::format("-machine pseries -kvm-host-caps large-decr-bits={}", bad)),
                  fmt::format("-kvm-host-caps large-decr-bits={0}: large-decr-bits {0} is not a large decrementer width "
                              "(0: no large decrementer, or 33 to 64)", bad));
    EXPECT_EQ(error_of("-machine pseries -kvm-host-caps large-decr-bits"),
              "-kvm-host-caps large-decr-bits: large-decr-bits needs a value (0: no large decrementer, or 33 to 64)");
    EXPECT_EQ(error_of("-machine pseries -kvm-host-caps large-decr-bits=-1"),
              "-kvm-host-caps large-decr-bits=-1: large-decr-bits expects a number of bits, not \"-1\" "
              "(0: no large decrementer, or 33 to 64)");
    EXPECT_EQ(error_of("-machine pseries -kvm-host-caps warp"),
              "-kvm-host-caps warp: unknown KVM host capability \"warp\" (cfpc, sbbc, ibs, ail-mode-3, rpt-invalidate, "
              "nested-hv, large-decr-bits)");
    for (unsigned ok : {0u, 33u, 48u, 64u})
        EXPECT_EQ(MachineConfig::parse(fmt::format("-machine pseries -accel kvm -kvm-host-caps cfpc=broken,large-decr-bits={}", ok))
                      .kvm_host.large_decr_bits, ok);
    // The override wins over the -host-cpu, whichever comes first; other keys keep working.
    const auto c = MachineConfig::parse("-machine pseries -accel kvm -kvm-host-caps large-decr-bits=48,cfpc=broken -host-cpu POWER8");
    EXPECT_EQ(c.kvm_host.large_decr_bits, 48u);
    EXPECT_EQ(c.kvm_host.max_cfpc, capval::BROKEN);
    // An unknown host CPU matters under KVM only.
    EXPECT_EQ(error_of("-machine pseries -cpu POWER9 -accel kvm -host-cpu POWER99"), "-host-cpu POWER99: unable to find CPU model 'POWER99'");
    EXPECT_EQ(error_of("-machine pseries -cpu POWER9 -host-cpu POWER99"), "");
}

TEST(MachineConfig, KvmHostRoundTripsThroughToArgs) {
    const auto c = MachineConfig::parse("-machine pseries-4.2 -cpu POWER9 -accel kvm -host-cpu POWER10 "
                                        "-kvm-host-caps cfpc=broken,nested-hv=on,large-decr-bits=48");
    EXPECT_NE(c.to_args().find(" -host-cpu POWER10 -kvm-host-caps cfpc=broken,nested-hv=on,large-decr-bits=48"), std::string::npos)
        << c.to_args();
    const auto again = MachineConfig::parse(c.to_args());
    EXPECT_EQ(again.to_args(), c.to_args());
    EXPECT_EQ(again.kvm_host.large_decr_bits, 48u);
    EXPECT_EQ(again.kvm_host.max_cfpc, capval::BROKEN);
    EXPECT_TRUE(again.kvm_host.nested_hv);
    // A POWER8 host's own "none" is its default, so nothing is written; 0 on a POWER9 host is.
    EXPECT_EQ(MachineConfig::parse("-machine pseries -cpu host -host-cpu POWER8 -accel kvm").to_args().find("-kvm-host-caps"),
              std::string::npos);
    EXPECT_NE(MachineConfig::parse("-machine pseries -accel kvm -kvm-host-caps large-decr-bits=0").to_args().find(
                  "-kvm-host-caps large-decr-bits=0"), std::string::npos);
    // TCG consults no host.
    EXPECT_EQ(MachineConfig::parse("-machine pseries -kvm-host-caps cfpc=broken").to_args().find("-kvm-host"), std::string::npos);
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
