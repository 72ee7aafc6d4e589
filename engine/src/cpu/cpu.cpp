#include "ppcmig/cpu/cpu.hpp"

#include <algorithm>

#include "ppcmig/isa/decoder.hpp"

namespace ppcmig::cpu {

namespace {

constexpr size_t kCacheEntries = size_t(1) << 14;
constexpr size_t kArenaLimit = size_t(1) << 20;  // decoded instructions before a full flush
constexpr unsigned kMaxBlockInsns = 64;
// MSR bits that change how instructions decode (endianness, privilege, facilities, width).
constexpr uint64_t kModeBits = msr::SF | msr::HV | msr::PR | msr::FP | msr::VEC | msr::VSX | msr::TM | msr::LE;
// SRR1 bits 33-36 and 42-47 carry interrupt-specific information; the rest copy MSR.
constexpr uint64_t kSrr1CauseBits = 0x78000000ull | 0x003F0000ull;

// Handlers for instructions that cannot execute as decoded.
int h_illegal(Cpu& c, const Decoded& d) { return c.program(d, srr1::ILLEGAL); }
int h_privileged(Cpu& c, const Decoded& d) { return c.program(d, srr1::PRIVILEGED); }
int h_fp_unavailable(Cpu& c, const Decoded& d) { return c.interrupt({Vector::FpUnavailable, d.pc, 0, 0, d.word}); }
int h_vmx_unavailable(Cpu& c, const Decoded& d) { return c.interrupt({Vector::VmxUnavailable, d.pc, 0, 0, d.word}); }
int h_vsx_unavailable(Cpu& c, const Decoded& d) { return c.interrupt({Vector::VsxUnavailable, d.pc, 0, 0, d.word}); }
int h_tm_unavailable(Cpu& c, const Decoded& d) { return c.facility_unavailable(d, fscr_ic::TM); }
int h_fetch_fault(Cpu&, const Decoded& d) { throw GuestFault{Vector::MachineCheck, d.pc, 0}; }
int h_prefix_cross(Cpu& c, const Decoded& d) {
    // A prefixed instruction may not cross a 64-byte boundary: Alignment interrupt (ISA 3.1).
    return c.interrupt({Vector::Alignment, d.pc, 0, d.pc, d.prefix});
}

}  // namespace

std::string_view to_string(Vector v) {
    switch (v) {
        case Vector::SystemReset: return "system reset";
        case Vector::MachineCheck: return "machine check";
        case Vector::DataStorage: return "data storage";
        case Vector::DataSegment: return "data segment";
        case Vector::InstStorage: return "instruction storage";
        case Vector::InstSegment: return "instruction segment";
        case Vector::External: return "external";
        case Vector::Alignment: return "alignment";
        case Vector::Program: return "program";
        case Vector::FpUnavailable: return "floating-point unavailable";
        case Vector::Decrementer: return "decrementer";
        case Vector::HvDecrementer: return "hypervisor decrementer";
        case Vector::Doorbell: return "directed privileged doorbell";
        case Vector::SystemCall: return "system call";
        case Vector::Trace: return "trace";
        case Vector::HvEmulationAssist: return "hypervisor emulation assistance";
        case Vector::PerfMonitor: return "performance monitor";
        case Vector::VmxUnavailable: return "vector unavailable";
        case Vector::VsxUnavailable: return "vsx unavailable";
        case Vector::FacilityUnavailable: return "facility unavailable";
        case Vector::HvFacilityUnavailable: return "hypervisor facility unavailable";
    }
    return "?";
}

// ---------------- Environment defaults ----------------
int Environment::system_call(Cpu& cpu, unsigned /*lev*/, uint64_t pc) {
    cpu.interrupt({Vector::SystemCall, pc + 4, 0, 0, 0});
    return kJump;  // sc is retired; execution continues at the vector
}
bool Environment::intercept(Cpu&, const InterruptInfo&) { return false; }
uint64_t Environment::timebase(const Cpu& cpu) { return cpu.icount(); }
void Environment::on_event(Cpu&) {}
void Environment::on_dec_write(Cpu&) {}

uint64_t Environment::random64(Cpu& cpu) {
    // splitmix64 of the instruction count: deterministic, well mixed.
    uint64_t z = cpu.icount() + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// ---------------- Cpu ----------------
Cpu::Cpu(const CpuModel& model, memory::GuestMemory& mem, Environment& env)
    : model_(model),
      mem_(mem),
      ram_(mem.data()),
      ram_size_(mem.size()),
      env_(env),
      cache_(kCacheEntries),
      page_gen_(mem.page_count()) {
    arena_.reserve(4096);
    s.spr[sprn::PVR] = model.pvr;
    set_msr(msr::SF | msr::ME);
}

void Cpu::set_msr(uint64_t v) {
    s.msr = v;
    ea_mask_ = (v & msr::SF) ? ~uint64_t(0) : 0xFFFFFFFFull;
}

uint64_t Cpu::mode_key() const { return s.msr & kModeBits; }

int Cpu::interrupt(const InterruptInfo& info) {
    if (env_.intercept(*this, info)) return kInterrupt;
    s.spr[sprn::SRR0] = info.srr0;
    s.spr[sprn::SRR1] = (s.msr & ~kSrr1CauseBits) | info.srr1_bits;
    if (info.vector == Vector::Alignment || info.vector == Vector::DataStorage) s.spr[sprn::DAR] = info.dar;
    const uint64_t lpcr = s.spr[sprn::LPCR];
    // New MSR: 64-bit, LE from LPCR[ILE], HV and ME kept, everything else off (TS/TM untouched).
    uint64_t m = msr::SF | (s.msr & (msr::HV | msr::ME | msr::TS0 | msr::TS1 | msr::TM));
    if (lpcr & lpcr::ILE) m |= msr::LE;
    uint64_t vec = static_cast<uint64_t>(info.vector);
    const bool relocated = (s.msr & msr::IR) && (s.msr & msr::DR);
    const bool ail_exempt = info.vector == Vector::MachineCheck || info.vector == Vector::SystemReset;
    if (relocated && !ail_exempt) {
        switch ((lpcr & lpcr::AIL) >> lpcr::AIL_SHIFT) {
            case 2: vec |= 0x18000; m |= msr::IR | msr::DR; break;
            case 3: vec |= 0xC000000000004000ull; m |= msr::IR | msr::DR; break;
            default: break;
        }
    }
    set_msr(m);
    s.nip = vec;
    return kInterrupt;
}

int Cpu::facility_unavailable(const Decoded& d, unsigned ic) {
    s.spr[sprn::FSCR] = (s.spr[sprn::FSCR] & ~(uint64_t(0xFF) << 56)) | (uint64_t(ic) << 56);
    return interrupt({Vector::FacilityUnavailable, d.pc, 0, 0, d.word});
}

void Cpu::throw_fault(uint64_t ea, bool /*write*/) const {
    throw GuestFault{Vector::MachineCheck, ea, 0};
}

void Cpu::note_store_slow(uint64_t ea, size_t n) {
    const uint64_t first = ea >> memory::kPageShift, last = (ea + n - 1) >> memory::kPageShift;
    uint8_t* flags = mem_.page_flags();
    for (uint64_t p = first; p <= last; ++p) {
        if (flags[p] & memory::kPageCode) {
            ++page_gen_[p];
            mem_.clear_code(p);
            if (p == exec_page_) smc_hit_ = true;
        }
        mem_.note_write(p);
    }
}

void Cpu::load_bytes(uint64_t ea, void* out, size_t n) {
    if (!mem_.contains(ea, n)) throw_fault(ea, false);
    std::memcpy(out, mem_.data() + ea, n);
}

void Cpu::store_bytes(uint64_t ea, const void* in, size_t n) {
    if (!mem_.contains(ea, n)) throw_fault(ea, true);
    if (n == 0) return;
    note_store(ea, n);
    std::memcpy(mem_.data() + ea, in, n);
}

void Cpu::flush_blocks() {
    if (exec_page_ != ~uint64_t(0)) {  // inside a block: flush once it has finished
        flush_pending_ = true;
        return;
    }
    flush_pending_ = false;
    // A new epoch: no entry of an older one validates again. O(1), so the tables are not
    // rewritten (nor, on a fresh vCPU, faulted in) at every reset, load and resume.
    ++epoch_;
    arena_.clear();
}

void Cpu::invalidate_code(uint64_t addr, uint64_t len) {
    if (len == 0 || !mem_.contains(addr, 1)) return;
    const uint64_t last_addr = std::min(addr + len - 1, mem_.size() - 1);
    for (uint64_t p = addr >> memory::kPageShift; p <= (last_addr >> memory::kPageShift); ++p) {
        if (mem_.page_flag(p) & memory::kPageCode) {
            ++page_gen_[p];
            mem_.clear_code(p);
            if (p == exec_page_) smc_hit_ = true;
        }
    }
}

Decoded Cpu::decode_one(uint64_t pc, uint32_t word, uint32_t next_word, bool next_ok) const {
    Decoded d{h_illegal, word, 0, pc, kInvalidId, 4};
    const auto& dec = isa::Decoder::get();
    std::optional<uint16_t> id;
    if (isa::Decoder::is_prefix(word)) {
        if (!next_ok) {
            d.fn = h_prefix_cross;
            d.prefix = word;
            return d;
        }
        d.prefix = word;
        d.word = next_word;
        d.len = 8;
        id = dec.find_prefixed(word, next_word);
    } else {
        id = dec.find(word);
    }
    if (!id) return d;  // illegal
    const isa::InsnSpec& spec = isa::instruction_table()[*id];
    d.id = *id;
    if (!implements(model_, spec) || (decode_gate_ && decode_gate_(*this, spec))) return d;
    const bool pr = (s.msr & msr::PR) != 0, hv = (s.msr & msr::HV) != 0;
    if ((spec.privilege == isa::Privilege::Supervisor && pr) ||
        (spec.privilege == isa::Privilege::Hypervisor && (pr || !hv))) {
        d.fn = h_privileged;
        return d;
    }
    switch (spec.category) {
        case isa::Category::FloatingPoint:
        case isa::Category::Dfp:
            if (!(s.msr & msr::FP)) { d.fn = h_fp_unavailable; return d; }
            break;
        case isa::Category::Vmx:
            if (!(s.msr & msr::VEC)) { d.fn = h_vmx_unavailable; return d; }
            break;
        case isa::Category::Vsx:
            if (!(s.msr & msr::VSX)) { d.fn = h_vsx_unavailable; return d; }
            break;
        case isa::Category::Tm:
            if (!(s.msr & msr::TM)) { d.fn = h_tm_unavailable; return d; }
            break;
        default: break;
    }
    d.fn = spec.exec;
    return d;
}

void Cpu::translate(BlockEntry& e, uint64_t pc) {
    if (arena_.size() + kMaxBlockInsns > kArenaLimit) flush_blocks();
    e.pc = pc;
    e.epoch = epoch_;
    e.mode = mode_key();
    e.first = static_cast<uint32_t>(arena_.size());
    e.count = 0;
    const uint64_t page = pc >> memory::kPageShift;
    const bool le = little_endian();
    auto fetch = [&](uint64_t a) {
        uint32_t w;
        std::memcpy(&w, mem_.data() + a, 4);
        return le ? w : byteswap(w);
    };
    uint64_t a = pc;
    const auto table = isa::instruction_table();
    while (e.count < kMaxBlockInsns) {
        if ((a & 3) != 0 || !mem_.contains(a, 4)) {
            if (e.count == 0) arena_.push_back(Decoded{h_fetch_fault, 0, 0, a, kInvalidId, 4}), ++e.count;
            break;
        }
        const uint32_t w = fetch(a);
        const bool next_ok = ((a + 4) >> memory::kPageShift) == page && (a & 63) != 60 && mem_.contains(a + 4, 4);
        const Decoded d = decode_one(a, w, next_ok ? fetch(a + 4) : 0, next_ok);
        arena_.push_back(d);
        ++e.count;
        a += d.len;
        if (d.id == kInvalidId || d.fn != table[d.id].exec) break;  // ends in an interrupt
        if (table[d.id].flags & (isa::F_Branch | isa::F_EndsBlock)) break;
        if ((a >> memory::kPageShift) != page) break;
    }
    if (page < page_gen_.size()) {
        mem_.set_code(page);
        e.gen = page_gen_[page];
    }
    ++blocks_translated_;
}

const Cpu::BlockEntry& Cpu::block_for(uint64_t pc) {
    BlockEntry& e = cache_[(pc >> 2) & (kCacheEntries - 1)];
    const uint64_t page = pc >> memory::kPageShift;
    if (e.pc == pc && e.epoch == epoch_ && e.mode == mode_key() && page < page_gen_.size() && e.gen == page_gen_[page] &&
        e.count != 0) [[likely]]
        return e;
    translate(e, pc);
    return e;
}

bool Cpu::deliver_pending() {
    if (!(s.msr & msr::EE)) return false;
    Vector v;
    uint32_t source;
    if (pending_ & kPendExternal) v = Vector::External, source = kPendExternal;
    else if (pending_ & kPendDecrementer) v = Vector::Decrementer, source = kPendDecrementer;
    else if (pending_ & kPendDoorbell) v = Vector::Doorbell, source = kPendDoorbell;
    else return false;
    pending_ &= ~(source & edge_);
    interrupt({v, s.nip, 0, 0, 0});
    return true;
}

RunResult Cpu::run(uint64_t max_insns) {
    const uint64_t start = icount_;
    const uint64_t limit = icount_ + max_insns;
    halt_requested_ = false;
    while (icount_ < limit && !halt_requested_) {
        if (icount_ >= deadline_) [[unlikely]] {
            deadline_ = ~uint64_t(0);
            env_.on_event(*this);
            if (halt_requested_) break;
        }
        // Pending interrupts become deliverable only at deadlines or after block-ending
        // instructions (MSR changes, hypercalls), so checking at every block start is exact.
        if (pending_ != 0 && deliver_pending()) continue;
        const uint64_t stop = std::min(limit, std::max(deadline_, icount_ + 1));
        const BlockEntry& b = block_for(s.nip);
        const Decoded* first = arena_.data() + b.first;
        exec_page_ = s.nip >> memory::kPageShift;
        exec_first_ = first;
        int flow;
        // A block that jumps back to its own start (a tight loop) runs again directly, as long
        // as nothing that could change its meaning happened (SMC ends blocks with kEndBlock;
        // mode changes, pending interrupts, deadlines and halts leave the loop).
        do {
            const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(b.count, stop - icount_));
            const Decoded* d = first;
            const Decoded* end = first + n;
            flow = kNext;
            try {
                for (; d != end; ++d) {
                    exec_cur_ = d;
                    flow = d->fn(*this, *d);
                    if (flow != kNext) [[unlikely]] break;
                }
            } catch (const GuestFault& f) {
                flow = interrupt({f.vector, d->pc, f.srr1_bits, f.address, d->word});
            }
            exec_cur_ = nullptr;  // icount_ is about to count the block's instructions
            switch (flow) {
                case kNext:
                    icount_ += n;
                    s.nip = end[-1].next();
                    break;
                case kJump:
                    icount_ += static_cast<uint64_t>(d - first) + 1;
                    break;
                case kEndBlock:
                    icount_ += static_cast<uint64_t>(d - first) + 1;
                    s.nip = d->next();
                    break;
                case kHalt:
                    icount_ += static_cast<uint64_t>(d - first) + 1;
                    halt_requested_ = true;
                    break;
                default:  // kInterrupt: the instruction that took it counts as executed, so a
                          // guest faulting on every instruction still consumes its budget.
                    icount_ += static_cast<uint64_t>(d - first) + 1;
                    break;
            }
        } while (flow == kJump && s.nip == b.pc && icount_ < stop && pending_ == 0 && !flush_pending_ && !halt_requested_ &&
                 (s.msr & kModeBits) == b.mode);
        exec_page_ = ~uint64_t(0);
        smc_hit_ = false;
        if (flush_pending_) flush_blocks();
    }
    const bool halted = halt_requested_;
    halt_requested_ = false;
    return {halted ? StopReason::Halted : StopReason::Budget, icount_ - start};
}

}  // namespace ppcmig::cpu
