// A bare CPU over a small RAM for interpreter tests: load instruction words, run, inspect.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <vector>

#include "ppcmig/cpu/cpu.hpp"
#include "ppcmig/memory/guest_memory.hpp"

namespace ppcmig::test {

/// Records interrupts instead of delivering them when `catch_interrupts` is set; otherwise
/// interrupts are delivered architecturally.
class RecordingEnv : public cpu::Environment {
public:
    bool catch_interrupts = false;
    std::vector<cpu::InterruptInfo> taken;
    bool intercept(cpu::Cpu& c, const cpu::InterruptInfo& info) override {
        taken.push_back(info);
        if (!catch_interrupts) return false;
        c.request_halt();
        return true;
    }
};

struct BareCpu {
    explicit BareCpu(const char* model = "POWER9", uint64_t ram = 1 << 20)
        : mem(ram), cpu(*cpu::find_model(model), mem, env) {
        cpu.set_msr(cpu::msr::SF | cpu::msr::ME | cpu::msr::FP | cpu::msr::VEC | cpu::msr::VSX);
    }
    /// Writes words at addr in the current byte order (MSR[LE]).
    void put(uint64_t addr, std::initializer_list<uint32_t> words) {
        for (uint32_t w : words) {
            uint8_t b[4];
            for (int i = 0; i < 4; ++i)
                b[i] = static_cast<uint8_t>(cpu.little_endian() ? w >> (8 * i) : w >> (24 - 8 * i));
            mem.write(addr, b);
            cpu.invalidate_code(addr, 4);
            addr += 4;
        }
    }
    cpu::RunResult run_at(uint64_t pc, uint64_t n) {
        cpu.s.nip = pc;
        return cpu.run(n);
    }
    memory::GuestMemory mem;
    RecordingEnv env;
    cpu::Cpu cpu;
};

}  // namespace ppcmig::test
