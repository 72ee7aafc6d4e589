#include <gtest/gtest.h>

#include "bare_cpu.hpp"

using namespace ppcmig;
using test::BareCpu;

namespace {
constexpr uint32_t kLi3_1 = 0x38600001;    // li r3,1
constexpr uint32_t kAddi3_1 = 0x38630001;  // addi r3,r3,1
constexpr uint32_t kB0 = 0x48000000;       // b .
constexpr uint32_t kSc = 0x44000002;       // sc
}  // namespace

TEST(Interpreter, BudgetIsExact) {
    BareCpu b;
    b.put(0x1000, {kLi3_1, kAddi3_1, kAddi3_1, kAddi3_1, kB0});
    const auto r = b.run_at(0x1000, 3);
    EXPECT_EQ(r.executed, 3u);
    EXPECT_EQ(b.cpu.s.gpr[3], 3u);
    EXPECT_EQ(b.cpu.s.nip, 0x100Cu);
    b.cpu.run(1000);
    EXPECT_EQ(b.cpu.s.gpr[3], 4u);
    EXPECT_EQ(b.cpu.s.nip, 0x1010u);  // spinning on "b ."
    EXPECT_EQ(b.cpu.icount(), 1003u);
}

TEST(Interpreter, SelfModifyingCodeIsSeen) {
    BareCpu b;
    // r4 = address of the addi below; the code stores "li r3,7" over it, then executes it.
    // 0x1000: lis r5,0x3860 ; ori r5,r5,7 ; li r4,0x1010 ; stw r5,0(r4) ; addi r3,r3,1 ; b .
    b.put(0x1000, {0x3CA03860, 0x60A50007, 0x38801010, 0x90A40000, kAddi3_1, kB0});
    b.cpu.s.gpr[3] = 100;
    b.run_at(0x1000, 5);
    EXPECT_EQ(b.cpu.s.gpr[3], 7u);  // the rewritten instruction ran, not the pre-decoded one
    // Run the same block again: it must be retranslated with the new contents.
    b.cpu.s.gpr[3] = 0;
    b.run_at(0x1010, 1);
    EXPECT_EQ(b.cpu.s.gpr[3], 7u);
}

TEST(Interpreter, IllegalInstructionRaisesProgramInterrupt) {
    BareCpu b;
    b.put(0x2000, {0x00000000});
    b.cpu.s.spr[cpu::sprn::LPCR] = 0;
    b.run_at(0x2000, 1);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(b.cpu.s.nip, 0x700u);
    EXPECT_EQ(b.cpu.s.spr[cpu::sprn::SRR0], 0x2000u);
    EXPECT_TRUE(b.cpu.s.spr[cpu::sprn::SRR1] & cpu::srr1::ILLEGAL);
    EXPECT_EQ(b.cpu.icount(), 1u);  // an instruction taking an interrupt counts as executed
}

TEST(Interpreter, PrivilegedInstructionInProblemState) {
    BareCpu b;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::PR);
    b.put(0x2000, {0x7C6000A6});  // mfmsr r3
    b.run_at(0x2000, 1);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_TRUE(b.cpu.s.spr[cpu::sprn::SRR1] & cpu::srr1::PRIVILEGED);
    EXPECT_TRUE(b.cpu.s.spr[cpu::sprn::SRR1] & cpu::msr::PR);  // SRR1 keeps the old MSR
    EXPECT_FALSE(b.cpu.s.msr & cpu::msr::PR);
}

TEST(Interpreter, SystemCallAndRfidRoundTrip) {
    BareCpu b;
    b.put(0x3000, {kSc, kAddi3_1, kB0});
    b.put(0xC00, {0x38A0002A, 0x4C000024});  // li r5,42 ; rfid
    b.run_at(0x3000, 4);
    EXPECT_EQ(b.cpu.s.gpr[5], 42u);
    EXPECT_EQ(b.cpu.s.gpr[3], 1u);
    EXPECT_EQ(b.cpu.s.nip, 0x3008u);
    EXPECT_EQ(b.cpu.s.spr[cpu::sprn::SRR0], 0x3004u);
}

TEST(Interpreter, InterruptTakesEndiannessFromLpcrIle) {
    BareCpu b;
    b.cpu.s.spr[cpu::sprn::LPCR] = cpu::lpcr::ILE;
    b.put(0x2000, {0x00000000});
    b.run_at(0x2000, 1);
    EXPECT_TRUE(b.cpu.s.msr & cpu::msr::LE);
}

TEST(Interpreter, AilRelocatesInterruptsFromVirtualMode) {
    BareCpu b;
    b.cpu.s.spr[cpu::sprn::LPCR] = uint64_t(3) << cpu::lpcr::AIL_SHIFT;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::IR | cpu::msr::DR);
    b.put(0x2000, {0x00000000});
    b.run_at(0x2000, 1);
    EXPECT_EQ(b.cpu.s.nip, 0xC000000000004700ull);
}

TEST(Interpreter, FetchOutsideRamIsAMachineCheck) {
    BareCpu b;
    b.run_at(0x7FFFFFF0, 1);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::MachineCheck);
}

TEST(Interpreter, LoadOutsideRamIsAMachineCheckAtTheLoad) {
    BareCpu b;
    b.put(0x1000, {0x3C607FFF, 0xE8830000});  // lis r3,0x7fff ; ld r4,0(r3)
    b.run_at(0x1000, 2);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::MachineCheck);
    EXPECT_EQ(b.cpu.s.spr[cpu::sprn::SRR0], 0x1004u);
    EXPECT_EQ(b.cpu.s.gpr[4], 0u);  // not loaded
}

TEST(Interpreter, ThirtyTwoBitModeTruncatesAddresses) {
    BareCpu b;
    b.cpu.set_msr(b.cpu.s.msr & ~cpu::msr::SF);
    // lis r3,-1 (0xffffffffffff0000) ; ori r3,r3,0x1000 ; stw r3,0(r3)  -> EA 0xffff1000 (outside 1 MiB)
    b.put(0x1000, {0x3C60FFFF, 0x60631000, 0x90630000});
    b.run_at(0x1000, 3);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].dar, 0xFFFF1000u);
}

TEST(Interpreter, DirtyLogRecordsStores) {
    BareCpu b;
    b.mem.collect_dirty();
    b.put(0x1000, {0x38805000, 0x90640000, kB0});  // li r4,0x5000 ; stw r3,0(r4)
    b.mem.collect_dirty();
    b.run_at(0x1000, 2);
    const auto d = b.mem.collect_dirty();
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], 5u);
}

TEST(GuestMemoryFill, ZerosLeaveNeverWrittenPagesUntouched) {
    memory::GuestMemory mem(16 * memory::kPageSize);
    mem.write(2 * memory::kPageSize + 8, std::vector<uint8_t>{1, 2, 3});
    mem.collect_dirty();
    // A bss spanning pages 1-4: only page 2 was ever written, so only it is cleared and dirtied.
    mem.fill(memory::kPageSize + 100, 0, 3 * memory::kPageSize);
    EXPECT_EQ(mem.collect_dirty(), std::vector<uint64_t>{2});
    EXPECT_EQ(mem.touched_pages(), std::vector<uint64_t>{2});
    std::vector<uint8_t> back(3);
    mem.read(2 * memory::kPageSize + 8, back);
    EXPECT_EQ(back, (std::vector<uint8_t>{0, 0, 0}));
    // Any other value is written wherever it goes.
    mem.fill(5 * memory::kPageSize, 0xAB, 2);
    EXPECT_EQ(mem.collect_dirty(), std::vector<uint64_t>{5});
}

namespace {
// Raises the decrementer source at the deadline.
class TimerEnv : public test::RecordingEnv {
public:
    void on_event(cpu::Cpu& c) override { c.set_pending(cpu::kPendDecrementer); }
};
}  // namespace

TEST(Interpreter, AsynchronousInterruptLandsOnTheExactInstruction) {
    for (uint64_t when : {1u, 5u, 6u, 17u}) {
        memory::GuestMemory mem(1 << 20);
        TimerEnv env;
        env.catch_interrupts = true;
        cpu::Cpu c(*cpu::find_model("POWER9"), mem, env);
        c.set_msr(cpu::msr::SF | cpu::msr::ME | cpu::msr::EE);
        // A loop of 4 adds and a branch back: blocks of 5 instructions.
        const uint32_t code[] = {kAddi3_1, kAddi3_1, kAddi3_1, kAddi3_1, 0x4BFFFFF0};
        for (int i = 0; i < 5; ++i) {
            const uint8_t b[4] = {uint8_t(code[i] >> 24), uint8_t(code[i] >> 16), uint8_t(code[i] >> 8), uint8_t(code[i])};
            mem.write(0x1000 + 4 * i, b);
        }
        c.set_deadline(when);
        c.s.nip = 0x1000;
        c.run(when);
        EXPECT_EQ(c.icount(), when);
        EXPECT_TRUE(env.taken.empty());
        c.run(1);  // the pending decrementer is delivered before the next instruction
        ASSERT_EQ(env.taken.size(), 1u) << when;
        EXPECT_EQ(env.taken[0].vector, cpu::Vector::Decrementer);
        const uint64_t adds = when - when / 5;  // branches do not add
        EXPECT_EQ(c.s.gpr[3], adds) << when;
    }
}

TEST(Interpreter, PendingInterruptWaitsForEE) {
    BareCpu b;
    b.put(0x1000, {kAddi3_1, kAddi3_1, 0x7C010164 /* mtmsrd r0,1 */, kAddi3_1, kB0});
    b.cpu.s.gpr[0] = cpu::msr::EE;
    b.env.catch_interrupts = true;
    b.cpu.set_pending(cpu::kPendExternal);
    b.run_at(0x1000, 10);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::External);
    EXPECT_EQ(b.env.taken[0].srr0, 0x100Cu);  // right after the mtmsrd that set EE
    EXPECT_EQ(b.cpu.s.gpr[3], 2u);
}

TEST(Interpreter, EnablingFpExceptionsWithFexSetInterruptsAtTheNextInstruction) {
    BareCpu b;
    b.env.catch_interrupts = true;
    b.cpu.s.fpscr = cpu::fpscr::FX | cpu::fpscr::FEX | cpu::fpscr::VX | cpu::fpscr::VXSNAN | cpu::fpscr::VE;
    b.cpu.s.gpr[4] = b.cpu.s.msr | cpu::msr::FE0 | cpu::msr::FE1;
    b.put(0x1000, {0x7C800164 /* mtmsrd r4 */, kAddi3_1});
    b.run_at(0x1000, 2);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::Program);
    EXPECT_EQ(b.env.taken[0].srr0, 0x1004u);
    EXPECT_TRUE(b.env.taken[0].srr1_bits & cpu::srr1::FP_ENABLED);
    EXPECT_EQ(b.cpu.s.gpr[3], 0u);
}

TEST(Interpreter, FscrGatesProblemStateSprs) {
    BareCpu b("POWER9");
    b.env.catch_interrupts = true;
    b.cpu.set_msr(b.cpu.s.msr | cpu::msr::PR);
    b.put(0x1000, {0x7C6FCAA6 /* mftar r3 */});
    b.run_at(0x1000, 1);
    ASSERT_EQ(b.env.taken.size(), 1u);
    EXPECT_EQ(b.env.taken[0].vector, cpu::Vector::FacilityUnavailable);
    EXPECT_EQ(b.cpu.s.spr[cpu::sprn::FSCR] >> 56, cpu::fscr_ic::TAR);
    // With FSCR[TAR] set the same access works.
    b.env.taken.clear();
    b.cpu.s.spr[cpu::sprn::FSCR] = uint64_t(1) << 8;
    b.cpu.s.spr[cpu::sprn::TAR] = 0x1234;
    b.run_at(0x1000, 1);
    EXPECT_TRUE(b.env.taken.empty());
    EXPECT_EQ(b.cpu.s.gpr[3], 0x1234u);
}
