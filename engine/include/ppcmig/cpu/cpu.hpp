// One vCPU: architected state, the pre-decoded block interpreter, memory access paths and
// interrupt delivery. Deterministic: execution depends only on state, memory and the environment.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ppcmig/cpu/model.hpp"
#include "ppcmig/cpu/state.hpp"
#include "ppcmig/isa/insn.hpp"
#include "ppcmig/memory/guest_memory.hpp"
#include "ppcmig/util/zeroed_allocator.hpp"

namespace ppcmig::cpu {

/// What an instruction handler returns.
enum Flow : int {
    kNext = 0,       ///< fall through to the next pre-decoded instruction
    kJump = 1,       ///< retired; nip was set by the handler
    kInterrupt = 2,  ///< an interrupt was delivered (nip = vector); counts as executed
    kEndBlock = 3,   ///< retired; continue at the next instruction in a fresh block
    kHalt = 4,       ///< retired; stop the run loop (nip already set)
};

/// A pre-decoded instruction in a block.
struct Decoded {
    isa::ExecFn fn;
    uint32_t word;    ///< the (suffix) instruction word
    uint32_t prefix;  ///< the prefix word of a prefixed instruction, else 0
    uint64_t pc;      ///< its address
    uint16_t id;      ///< index into isa::instruction_table(), or kInvalidId
    uint8_t len;      ///< 4 or 8
    [[nodiscard]] uint64_t image() const { return (uint64_t(prefix) << 32) | word; }
    [[nodiscard]] uint64_t next() const { return pc + len; }
};
inline constexpr uint16_t kInvalidId = 0xFFFF;

/// Interrupt vectors (offsets from the interrupt base).
enum class Vector : uint32_t {
    SystemReset = 0x100,
    MachineCheck = 0x200,
    DataStorage = 0x300,
    DataSegment = 0x380,
    InstStorage = 0x400,
    InstSegment = 0x480,
    External = 0x500,
    Alignment = 0x600,
    Program = 0x700,
    FpUnavailable = 0x800,
    Decrementer = 0x900,
    HvDecrementer = 0x980,
    Doorbell = 0xA00,
    SystemCall = 0xC00,
    Trace = 0xD00,
    HvEmulationAssist = 0xE40,
    PerfMonitor = 0xF00,
    VmxUnavailable = 0xF20,
    VsxUnavailable = 0xF40,
    FacilityUnavailable = 0xF60,
    HvFacilityUnavailable = 0xF80,
};

std::string_view to_string(Vector v);

/// SRR1 reason bits for Program interrupts.
namespace srr1 {
inline constexpr uint64_t TM_BAD_THING = uint64_t(1) << 21;
inline constexpr uint64_t FP_ENABLED = uint64_t(1) << 20;
inline constexpr uint64_t ILLEGAL = uint64_t(1) << 19;
inline constexpr uint64_t PRIVILEGED = uint64_t(1) << 18;
inline constexpr uint64_t TRAP = uint64_t(1) << 17;
inline constexpr uint64_t ADDR_NEXT = uint64_t(1) << 16;  ///< SRR0 holds the next instruction
}  // namespace srr1

/// Facility Unavailable interrupt cause codes (FSCR[IC], ISA 3.0 Book III 6.2.10).
namespace fscr_ic {
inline constexpr unsigned FP = 0, VMX = 1, DSCR = 2, PM = 3, BHRB = 4, TM = 5, EBB = 7, TAR = 8,
                          MSGP = 9, SCV = 12;
}

/// One interrupt as the environment sees it before delivery.
struct InterruptInfo {
    Vector vector;
    uint64_t srr0;        ///< address SRR0 will hold
    uint64_t srr1_bits;   ///< reason bits ORed into SRR1
    uint64_t dar = 0;     ///< faulting data address (storage, alignment, machine check)
    uint32_t insn = 0;    ///< the instruction word involved, when there is one
};

class Cpu;

/// What surrounds a CPU: the machine (system mode) or the Linux process (user mode).
class Environment {
public:
    virtual ~Environment() = default;
    /// `sc LEV` executed at pc. Return a Flow; the default delivers the System Call interrupt.
    virtual int system_call(Cpu& cpu, unsigned lev, uint64_t pc);
    /// Called before an interrupt is delivered; return true when the environment consumed it
    /// (user mode turns it into a signal), false to deliver it architecturally.
    virtual bool intercept(Cpu& cpu, const InterruptInfo& info);
    /// Time base value now (512 MHz in the pseries machine). Default: derived from retired
    /// instructions, one tick per instruction.
    virtual uint64_t timebase(const Cpu& cpu);
    /// Random number for darn (deterministic in every environment).
    virtual uint64_t random64(Cpu& cpu);
    /// Called when icount reaches the deadline set with Cpu::set_deadline(); typically raises
    /// pending interrupts and sets the next deadline.
    virtual void on_event(Cpu& cpu);
    /// Called after the guest wrote DEC (mtspr ends the block, so a new deadline set here is
    /// honoured from the very next instruction).
    virtual void on_dec_write(Cpu& cpu);
};

/// Asynchronous interrupt sources (level-sensitive: pending until cleared by the machine).
enum Pending : uint32_t {
    kPendExternal = 1 << 0,
    kPendDecrementer = 1 << 1,
    kPendDoorbell = 1 << 2,
};

/// Thrown by the memory paths when an access cannot complete; the run loop turns it into the
/// interrupt at the faulting instruction. Never escapes Cpu::run.
struct GuestFault {
    Vector vector;
    uint64_t address;
    uint64_t srr1_bits;
};

/// Why run() returned.
enum class StopReason : uint8_t { Budget, Halted };

struct RunResult {
    StopReason reason;
    uint64_t executed;  ///< instructions executed in this call (including ones that took an interrupt)
};

class Cpu {
public:
    Cpu(const CpuModel& model, memory::GuestMemory& mem, Environment& env);
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    CpuState s;  ///< architected state (write MSR through set_msr)

    [[nodiscard]] const CpuModel& model() const { return model_; }
    [[nodiscard]] memory::GuestMemory& memory() { return mem_; }
    [[nodiscard]] Environment& env() { return env_; }
    /// Instructions retired before the current one: exact inside a block too, so that time
    /// (the time base, DEC, hypercalls reading the clock) never depends on how the code was cut
    /// into blocks — a warm and a fresh block cache read the same time.
    [[nodiscard]] uint64_t icount() const {
        return exec_cur_ != nullptr ? icount_ + static_cast<uint64_t>(exec_cur_ - exec_first_) : icount_;
    }
    void set_icount(uint64_t n) { icount_ = n; }

    /// Executes up to max_insns instructions.
    RunResult run(uint64_t max_insns);
    /// Requests the run loop to stop after the current instruction.
    void request_halt() { halt_requested_ = true; }

    /// Asynchronous interrupts: set/clear pending sources. They are delivered at an
    /// instruction boundary when MSR[EE]=1, in priority order external, decrementer, doorbell.
    void set_pending(uint32_t bits) { pending_ |= bits; }
    /// Sources in `bits` are edge-triggered: delivering the interrupt clears them.
    void set_edge_triggered(uint32_t bits) { edge_ = bits; }
    /// Timer deadline (an instruction count): run() stops exactly there and calls
    /// Environment::on_event, so events land on the same instruction whatever the block layout
    /// (which differs between a fresh and a warm block cache).
    void set_deadline(uint64_t icount) { deadline_ = icount; }
    [[nodiscard]] uint64_t deadline() const { return deadline_; }
    void clear_pending(uint32_t bits) { pending_ &= ~bits; }
    [[nodiscard]] uint32_t pending() const { return pending_; }

    /// MSR writes go through here so that cached mode bits stay in sync.
    void set_msr(uint64_t v);
    [[nodiscard]] bool little_endian() const { return (s.msr & msr::LE) != 0; }
    [[nodiscard]] bool sf() const { return (s.msr & msr::SF) != 0; }
    /// Effective address truncation per MSR[SF].
    [[nodiscard]] uint64_t ea(uint64_t v) const { return v & ea_mask_; }

    /// Delivers an interrupt (or hands it to the environment). Returns kInterrupt.
    int interrupt(const InterruptInfo& info);
    /// Program interrupt for the instruction d with the given SRR1 reason.
    int program(const Decoded& d, uint64_t reason) {
        return interrupt({Vector::Program, d.pc, reason, 0, d.word});
    }
    /// Facility Unavailable interrupt with cause code ic (FSCR[IC]).
    int facility_unavailable(const Decoded& d, unsigned ic);

    // ---- Guest memory (data side). Endianness follows MSR[LE]. ----
    template <class T>
    T load(uint64_t ea) {
        // ram_size_ is a non-zero multiple of 4 KiB, so the subtraction cannot wrap.
        if (ea > ram_size_ - sizeof(T)) [[unlikely]] throw_fault(ea, false);
        T v;
        std::memcpy(&v, ram_ + ea, sizeof(T));
        return little_endian() ? v : byteswap(v);
    }
    template <class T>
    void store(uint64_t ea, T v) {
        if (ea > ram_size_ - sizeof(T)) [[unlikely]] throw_fault(ea, true);
        note_store(ea, sizeof(T));
        if (!little_endian()) v = byteswap(v);
        std::memcpy(ram_ + ea, &v, sizeof(T));
    }
    /// Byte-reversed-from-mode access (lwbrx and friends).
    template <class T>
    T load_rev(uint64_t ea) { return byteswap(load<T>(ea)); }
    template <class T>
    void store_rev(uint64_t ea, T v) { store<T>(ea, byteswap(v)); }
    /// Raw bytes in storage order.
    void load_bytes(uint64_t ea, void* out, size_t n);
    void store_bytes(uint64_t ea, const void* in, size_t n);

    /// Store handlers return this: kNext, or kEndBlock when the store hit pre-decoded code.
    int store_flow() {
        if (smc_hit_) [[unlikely]] {
            smc_hit_ = false;
            return kEndBlock;
        }
        return kNext;
    }

    /// Drops every pre-decoded block (PCR or model-dependent decode changed).
    void flush_blocks();
    /// Invalidates pre-decoded code overlapping [addr, addr+len) (icbi, host writes).
    void invalidate_code(uint64_t addr, uint64_t len);

    /// Optional gate consulted at decode time (pseries compat under kvm-hv). Returns true when
    /// the instruction must be treated as illegal although the model implements it.
    using DecodeGate = bool (*)(const Cpu&, const isa::InsnSpec&);
    void set_decode_gate(DecodeGate g) {
        decode_gate_ = g;
        flush_blocks();
    }

    template <class T>
    static T byteswap(T v) {
        if constexpr (sizeof(T) == 1) return v;
        else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
        else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
        else return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
    }

    // Statistics (not architected; for benchmarks).
    [[nodiscard]] uint64_t blocks_translated() const { return blocks_translated_; }

private:
    /// One cached block; all zero (epoch 0, count 0) is an empty entry, so that the cache is a
    /// table of fresh zero pages that costs nothing until used (util::ZeroedAllocator).
    struct BlockEntry {
        uint64_t pc;
        uint64_t mode;
        uint32_t gen;    ///< page_gen_ of its page when translated (stores into code move it on)
        uint32_t epoch;  ///< epoch_ when translated (a flush moves it on)
        uint32_t first;
        uint32_t count;
    };

    [[noreturn]] void throw_fault(uint64_t ea, bool write) const;
    void note_store(uint64_t ea, size_t n) {
        const uint64_t page = ea >> memory::kPageShift;
        uint8_t* flags = mem_.page_flags();
        if (flags[page] == (memory::kPageDirty | memory::kPageTouched) && ((ea + n - 1) >> memory::kPageShift) == page) [[likely]]
            return;
        note_store_slow(ea, n);
    }
    void note_store_slow(uint64_t ea, size_t n);
    const BlockEntry& block_for(uint64_t pc);
    void translate(BlockEntry& e, uint64_t pc);
    Decoded decode_one(uint64_t pc, uint32_t word, uint32_t next_word, bool next_ok) const;
    uint64_t mode_key() const;

    const CpuModel model_;
    memory::GuestMemory& mem_;
    uint8_t* const ram_;        ///< mem_.data(), cached for the hot paths (the mapping never moves)
    const uint64_t ram_size_;
    Environment& env_;
    uint64_t icount_ = 0;
    uint64_t ea_mask_ = ~uint64_t(0);
    bool halt_requested_ = false;
    uint32_t pending_ = 0;
    uint32_t edge_ = 0;
    uint64_t deadline_ = ~uint64_t(0);
    bool deliver_pending();
    bool smc_hit_ = false;
    bool flush_pending_ = false;
    uint64_t exec_page_ = ~uint64_t(0);  ///< page of the block being executed
    const Decoded* exec_first_ = nullptr;  ///< first instruction of that block
    const Decoded* exec_cur_ = nullptr;    ///< the instruction executing (null between blocks)
    DecodeGate decode_gate_ = nullptr;
    std::vector<BlockEntry, util::ZeroedAllocator<BlockEntry>> cache_;
    std::vector<Decoded> arena_;
    std::vector<uint32_t, util::ZeroedAllocator<uint32_t>> page_gen_;
    uint64_t blocks_translated_ = 0;
    uint32_t epoch_ = 1;  ///< blocks of older epochs are flushed (0: never translated)
};

}  // namespace ppcmig::cpu
