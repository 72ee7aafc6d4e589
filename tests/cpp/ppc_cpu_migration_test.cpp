// The ppc `cpu` section: round trips on the newest layout and the PVR/compat post-load rules.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "ppcmig/machine/compat.hpp"
#include "ppcmig/migration/ppc_cpu.hpp"

using namespace ppcmig;
using namespace ppcmig::migration;

namespace {

std::unique_ptr<machine::SpaprMachine> make(const char* opts) {
    auto m = std::make_unique<machine::SpaprMachine>(machine::MachineConfig::parse(opts));
    m->vcpus()[0]->running = true;  // as after boot (no guest is loaded here)
    return m;
}

std::vector<uint8_t> save_cpu(const CpuSchema& sc, machine::SpaprMachine& m, nlohmann::json* desc = nullptr) {
    CpuAccess a(m, *m.vcpus()[0]);
    StreamWriter w;
    save_vmsd(sc.cpu, a, w, desc);
    return w.take();
}

void load_cpu(const CpuSchema& sc, machine::SpaprMachine& m, const std::vector<uint8_t>& bytes) {
    CpuAccess a(m, *m.vcpus()[0]);
    StreamReader r(bytes);
    load_vmsd(sc.cpu, a, r, sc.cpu.version_id);
    if (r.remaining() != 0) throw std::runtime_error("trailing bytes");
}

constexpr const char* kP9 = "-machine pseries-4.2 -cpu POWER9";

}  // namespace

TEST(CpuSection, LayoutIsTheVersion5Layout) {
    CpuSchema sc;
    auto m = make(kP9);
    nlohmann::json desc;
    const auto bytes = save_cpu(sc, *m, &desc);
    // unused 8 + gpr 32*8 + crf 8*4 + nip 8 + spr 1024*8 + spe_acc, reserve_addr, msr, hflags_nmsr 4*8.
    size_t fields = 0;
    for (const auto& f : desc["fields"]) fields += f["size"].get<size_t>() * f.value("array_len", 1);
    EXPECT_EQ(fields, 8u + 256 + 32 + 8 + 8192 + 32);
    std::vector<std::string> subs;
    for (const auto& s : desc["subsections"]) subs.push_back(s["vmsd_name"]);
    EXPECT_EQ(subs, (std::vector<std::string>{"cpu/fpu", "cpu/altivec", "cpu/vsx", "cpu/slb"}));  // no compat in raw mode
    EXPECT_GT(bytes.size(), fields);
}

RC_GTEST_PROP(CpuSection, SaveLoadSaveIsByteIdenticalAndStateSurvives, ()) {
    CpuSchema sc;
    auto src = make(kP9);
    cpu::CpuState& s = src->vcpus()[0]->cpu->s;
    for (auto& g : s.gpr) g = *rc::gen::arbitrary<uint64_t>();
    s.cr = *rc::gen::arbitrary<uint32_t>();
    s.lr = *rc::gen::arbitrary<uint64_t>();
    s.ctr = *rc::gen::arbitrary<uint64_t>();
    s.xer = *rc::gen::arbitrary<uint64_t>() & 0xE00C007F;
    s.fpscr = *rc::gen::arbitrary<uint32_t>();
    s.vscr = *rc::gen::element<uint32_t>(0, 1, 0x10000, 0x10001);
    for (auto& v : s.vsr) v = cpu::Vsr{*rc::gen::arbitrary<uint64_t>(), *rc::gen::arbitrary<uint64_t>()};
    for (unsigned n : {cpu::sprn::SRR0, cpu::sprn::SRR1, cpu::sprn::SPRG0, cpu::sprn::DAR, cpu::sprn::TAR, cpu::sprn::VRSAVE})
        s.spr[n] = *rc::gen::arbitrary<uint64_t>();
    s.nip = *rc::gen::arbitrary<uint64_t>() & ~uint64_t(3);
    src->vcpus()[0]->cpu->set_msr(cpu::msr::SF | cpu::msr::ME | (*rc::gen::arbitrary<bool>() ? cpu::msr::LE : 0));
    const auto first = save_cpu(sc, *src);
    auto dst = make(kP9);
    load_cpu(sc, *dst, first);
    const cpu::CpuState& d = dst->vcpus()[0]->cpu->s;
    RC_ASSERT(d.gpr == s.gpr);
    RC_ASSERT(d.cr == s.cr);
    RC_ASSERT(d.lr == s.lr && d.ctr == s.ctr && d.xer == s.xer && d.nip == s.nip && d.msr == s.msr);
    RC_ASSERT(d.fpscr == s.fpscr && d.vscr == s.vscr);
    RC_ASSERT(d.vsr == s.vsr);
    RC_ASSERT(d.spr[cpu::sprn::SRR0] == s.spr[cpu::sprn::SRR0] && d.spr[cpu::sprn::TAR] == s.spr[cpu::sprn::TAR]);
    RC_ASSERT(save_cpu(sc, *dst) == first);
}

TEST(CpuSection, CompatModeTravelsAndIsRevalidated) {
    CpuSchema sc;
    auto src = make("-machine pseries-4.2,max-cpu-compat=power8 -cpu POWER9");
    src->set_compat_all(machine::logical_pvr::V2_07);
    nlohmann::json desc;
    const auto bytes = save_cpu(sc, *src, &desc);
    EXPECT_EQ(desc["subsections"].back()["vmsd_name"], "cpu/compat");
    auto dst = make(kP9);
    load_cpu(sc, *dst, bytes);
    EXPECT_EQ(dst->vcpus()[0]->compat_pvr, machine::logical_pvr::V2_07);
    EXPECT_EQ(dst->vcpus()[0]->cpu->s.spr[cpu::sprn::PCR], machine::pcr::COMPAT_2_07);
    // A POWER8 destination cannot run a power9-compat vCPU: QEMU's message, load fails.
    auto src9 = make("-machine pseries-4.2,max-cpu-compat=power9 -cpu POWER10");
    src9->set_compat_all(machine::logical_pvr::V3_00);
    const auto b9 = save_cpu(sc, *src9);
    auto p8 = make("-machine pseries-4.2,cap-large-decr=off -cpu POWER8");
    try {
        load_cpu(sc, *p8, b9);
        FAIL();
    } catch (const LoadError& e) {
        ASSERT_FALSE(e.chain.empty());
        EXPECT_EQ(e.chain[0], "Compatibility PVR 0x0f000005 not valid for CPU");
    }
}

TEST(CpuSection, RawModePvrMustMatchTheFamily) {
    CpuSchema sc;
    auto p8e = make("-machine pseries-4.2 -cpu POWER8E");
    auto p8 = make("-machine pseries-4.2 -cpu POWER8");
    EXPECT_NO_THROW(load_cpu(sc, *p8, save_cpu(sc, *p8e)));  // POWER8E -> POWER8: same family
    auto p9 = make(kP9);
    try {
        load_cpu(sc, *p9, save_cpu(sc, *p8));
        FAIL();
    } catch (const LoadError& e) {
        EXPECT_TRUE(e.chain.empty());  // QEMU prints nothing of its own; -EINVAL
        EXPECT_EQ(e.err, -22);
    }
}
