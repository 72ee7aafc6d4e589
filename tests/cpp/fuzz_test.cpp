// Robustness: random instruction streams must never crash, hang or trip a sanitizer, and
// execution must be deterministic.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstring>
#include <random>

#include "ppcmig/cpu/cpu.hpp"

using namespace ppcmig;

namespace {

constexpr uint64_t kRam = 1 << 20;
constexpr uint64_t kCode = 0x10000, kCodeSize = 0x40000;

// On every interrupt, continue at a random instruction of the code region (so the fuzzer keeps
// executing random code instead of looping in a vector) and count it.
class FuzzEnv : public cpu::Environment {
public:
    explicit FuzzEnv(uint64_t seed) : rng_(seed) {}
    uint64_t interrupts = 0;
    bool intercept(cpu::Cpu& c, const cpu::InterruptInfo&) override {
        ++interrupts;
        c.s.nip = kCode + (rng_() % (kCodeSize / 4)) * 4;
        return true;
    }
    int system_call(cpu::Cpu& c, unsigned, uint64_t pc) override {
        c.s.nip = pc + 4;
        return cpu::kJump;
    }

private:
    std::mt19937_64 rng_;
};

struct Outcome {
    cpu::CpuState state;
    uint64_t icount, interrupts, mem_hash;
};

Outcome fuzz_run(uint64_t seed, uint64_t msr, const char* model, uint64_t insns) {
    memory::GuestMemory mem(kRam);
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> bytes(kRam);
    for (size_t i = 0; i < bytes.size(); i += 8) {
        const uint64_t v = rng();
        std::memcpy(&bytes[i], &v, 8);
    }
    // Bias a quarter of the code words towards the densely populated opcodes.
    for (uint64_t a = kCode; a < kCode + kCodeSize; a += 16) {
        static constexpr uint8_t hot[] = {31, 4, 60, 63, 59, 30, 19, 58, 62, 1};
        bytes[a] = static_cast<uint8_t>((hot[rng() % std::size(hot)] << 2) | (bytes[a] & 3));
    }
    mem.write(0, bytes);
    FuzzEnv env(seed ^ 0x5A5A);
    cpu::Cpu c(*cpu::find_model(model), mem, env);
    for (auto& g : c.s.gpr) g = rng() % 4 == 0 ? rng() % kRam : rng();
    c.set_msr(msr);
    c.s.nip = kCode;
    uint64_t done = 0;
    while (done < insns) {
        const auto r = c.run(std::min<uint64_t>(insns - done, 100'000));
        // Halts come from nothing here; budget stops must make progress or take interrupts.
        done += std::max<uint64_t>(r.executed, 1);
    }
    uint64_t h = 1469598103934665603ull;
    for (uint64_t i = 0; i < kRam; ++i) h = (h ^ mem.data()[i]) * 1099511628211ull;
    return {c.s, c.icount(), env.interrupts, h};
}

}  // namespace

TEST(Fuzz, MillionRandomInstructionsPerModeNeverCrashOrHang) {
    using namespace cpu::msr;
    const struct {
        uint64_t msr;
        const char* model;
    } modes[] = {
        {SF | ME | FP | VEC | VSX, "POWER9"},
        {SF | ME | FP | VEC | VSX | LE, "POWER10"},
        {SF | ME | PR | FP | VEC | VSX | EE, "POWER8"},
        {SF | HV | ME | FP | VEC | VSX, "POWER9"},
        {ME, "POWER7"},  // 32-bit mode, facilities off
    };
    uint64_t total = 0;
    for (size_t i = 0; i < std::size(modes); ++i) {
        const auto o = fuzz_run(1000 + i, modes[i].msr, modes[i].model, 1'000'000);
        total += o.icount + o.interrupts;
        EXPECT_GT(o.interrupts, 0u);
    }
    EXPECT_GE(total, 5'000'000u);
}

RC_GTEST_PROP(Fuzz, ExecutionIsDeterministic, (uint32_t seed)) {
    using namespace cpu::msr;
    const uint64_t msr = SF | ME | FP | VEC | VSX | ((seed & 1) ? LE : 0);
    const auto a = fuzz_run(seed, msr, "POWER9", 20'000);
    const auto b = fuzz_run(seed, msr, "POWER9", 20'000);
    RC_ASSERT(a.state == b.state);
    RC_ASSERT(a.icount == b.icount);
    RC_ASSERT(a.interrupts == b.interrupts);
    RC_ASSERT(a.mem_hash == b.mem_hash);
}
