#include "ppcmig/usermode/process.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace ppcmig::usermode {

namespace {

using cpu::Cpu;

constexpr uint64_t kAddressSpace = uint64_t(4) << 30;  // flat 4 GiB, committed lazily
constexpr uint64_t kStackTop = 0xFFFF0000ull;
constexpr uint64_t kStackSize = uint64_t(8) << 20;
constexpr uint64_t kMmapBase = 0x80000000ull;
constexpr uint64_t kMmapLimit = kStackTop - kStackSize - 0x10000;
constexpr uint64_t kPage = 4096;

// Signal numbers (Linux).
constexpr int kSigIll = 4, kSigTrap = 5, kSigAbrt = 6, kSigBus = 7, kSigFpe = 8, kSigSegv = 11;

// Linux errno values.
constexpr int64_t kENOENT = 2, kEBADF = 9, kENOMEM = 12, kEACCES = 13, kEFAULT = 14, kEINVAL = 22,
                  kENOTTY = 25, kENOSYS = 38;

// auxv tags.
constexpr uint64_t AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
                   AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
                   AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
                   AT_HWCAP2 = 26, AT_EXECFN = 31, AT_DCACHEBSIZE = 19, AT_ICACHEBSIZE = 20,
                   AT_UCACHEBSIZE = 21;

constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

class Process final : public cpu::Environment {
public:
    Process(const memory::ElfImage& img, const Options& opt, cpu::CpuModel model)
        : img_(img), opt_(opt), mem_(kAddressSpace), cpu_(model, mem_, *this) {}

    Result run(const std::string& argv0, const std::vector<std::string>& args) {
        img_.load(mem_);
        brk_start_ = brk_ = align_up(img_.end_address(), kPage);
        setup_stack(argv0, args);
        uint64_t left = opt_.max_insns;
        while (!exited_ && left > 0) {
            const auto r = cpu_.run(std::min<uint64_t>(left, 1'000'000'000ull));
            left -= std::min(left, r.executed);
            if (r.reason == cpu::StopReason::Halted && !exited_) break;
        }
        Result res;
        if (!exited_) {
            res.exit_code = 124;
            res.fault = fmt::format("instruction budget of {} exhausted at nip {:#x}", opt_.max_insns, cpu_.s.nip);
        } else {
            res.exit_code = exit_code_;
            res.signal = signal_;
            res.fault = fault_;
        }
        res.stdout_bytes = std::move(out_);
        res.stderr_bytes = std::move(err_);
        res.instructions = cpu_.icount();
        return res;
    }

    // ---- Environment ----
    int system_call(Cpu& c, unsigned lev, uint64_t pc) override {
        if (lev != 0) return fatal(c, kSigIll, fmt::format("sc {} at {:#x}", lev, pc));
        auto& g = c.s.gpr;
        const int64_t r = syscall(c, g[0], g[3], g[4], g[5], g[6], g[7], g[8]);
        if (exited_) {
            c.s.nip = pc + 4;
            return cpu::kHalt;
        }
        // Linux ppc64 convention: errors come back positive with CR0[SO] set.
        uint32_t cr0 = (c.s.cr >> 28) & 0xF;
        if (r < 0 && r > -4096) {
            g[3] = static_cast<uint64_t>(-r);
            cr0 |= 1;
        } else {
            g[3] = static_cast<uint64_t>(r);
            cr0 &= ~1u;
        }
        c.s.cr = (c.s.cr & 0x0FFFFFFFu) | (cr0 << 28);
        c.s.nip = pc + 4;
        return cpu::kJump;
    }

    bool intercept(Cpu& c, const cpu::InterruptInfo& info) override {
        int sig = kSigSegv;
        std::string what = std::string(cpu::to_string(info.vector));
        switch (info.vector) {
            case cpu::Vector::Program:
                if (info.srr1_bits & cpu::srr1::TRAP) sig = kSigTrap;
                else if (info.srr1_bits & cpu::srr1::FP_ENABLED) sig = kSigFpe;
                else sig = kSigIll;
                what += (info.srr1_bits & cpu::srr1::PRIVILEGED)   ? " (privileged)"
                        : (info.srr1_bits & cpu::srr1::ILLEGAL)    ? " (illegal)"
                        : (info.srr1_bits & cpu::srr1::TRAP)       ? " (trap)"
                        : (info.srr1_bits & cpu::srr1::FP_ENABLED) ? " (floating-point enabled)"
                                                                    : "";
                break;
            case cpu::Vector::Alignment: sig = kSigBus; break;
            case cpu::Vector::FpUnavailable:
            case cpu::Vector::VmxUnavailable:
            case cpu::Vector::VsxUnavailable:
            case cpu::Vector::FacilityUnavailable: sig = kSigIll; break;
            default: sig = kSigSegv; break;
        }
        fatal(c, sig, fmt::format("{} interrupt at {:#x} (instruction {:#010x}, address {:#x})", what, info.srr0,
                                  info.insn, info.dar));
        return true;
    }

    uint64_t timebase(const Cpu& c) override { return c.icount(); }

    uint64_t random64(Cpu&) override { return next_random(); }

private:
    int fatal(Cpu& c, int sig, std::string what) {
        exited_ = true;
        signal_ = sig;
        exit_code_ = 128 + sig;
        fault_ = std::move(what);
        c.request_halt();
        return cpu::kInterrupt;
    }

    uint64_t next_random() {
        uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Guest memory helpers in the process byte order.
    void put64(uint64_t a, uint64_t v) {
        uint8_t b[8];
        for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(img_.little_endian ? v >> (8 * i) : v >> (8 * (7 - i)));
        mem_.write(a, b);
    }
    void put32(uint64_t a, uint32_t v) {
        uint8_t b[4];
        for (int i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(img_.little_endian ? v >> (8 * i) : v >> (8 * (3 - i)));
        mem_.write(a, b);
    }
    void put_bytes(uint64_t a, const void* p, size_t n) {
        mem_.write(a, std::span<const uint8_t>(static_cast<const uint8_t*>(p), n));
    }
    bool guest_range(uint64_t a, uint64_t n) const { return mem_.contains(a, n); }

    void setup_stack(const std::string& argv0, const std::vector<std::string>& args) {
        std::vector<std::string> argv{argv0};
        argv.insert(argv.end(), args.begin(), args.end());
        const std::vector<std::string> envp{"PATH=/usr/bin:/bin", "LANG=C"};
        const char* platform = "power9";
        switch (cpu_.model().family) {
            case cpu::Family::Power7: platform = "power7"; break;
            case cpu::Family::Power8: platform = "power8"; break;
            case cpu::Family::Power9: platform = "power9"; break;
            case cpu::Family::Power10: platform = "power10"; break;
        }
        // Strings at the top of the stack.
        uint64_t sp = kStackTop - 16;
        auto push_string = [&](const std::string& s) {
            sp -= s.size() + 1;
            put_bytes(sp, s.c_str(), s.size() + 1);
            return sp;
        };
        std::vector<uint64_t> argv_ptrs, env_ptrs;
        for (const auto& a : argv) argv_ptrs.push_back(push_string(a));
        for (const auto& e : envp) env_ptrs.push_back(push_string(e));
        const uint64_t plat_ptr = push_string(platform);
        sp &= ~uint64_t(15);
        sp -= 16;
        uint8_t rnd[16];
        for (int i = 0; i < 16; i += 8) {
            const uint64_t r = next_random();
            std::memcpy(rnd + i, &r, 8);
        }
        put_bytes(sp, rnd, 16);
        const uint64_t random_ptr = sp;

        const uint64_t entry_code = img_.abi_version == 1 ? img_.read64(mem_, img_.entry) : img_.entry;
        std::vector<std::pair<uint64_t, uint64_t>> auxv = {
            {AT_DCACHEBSIZE, 128}, {AT_ICACHEBSIZE, 128}, {AT_UCACHEBSIZE, 0},
            {AT_HWCAP, cpu_.model().hwcap}, {AT_PAGESZ, kPage}, {AT_CLKTCK, 100},
            {AT_PHDR, img_.phdr_vaddr}, {AT_PHENT, img_.phentsize}, {AT_PHNUM, img_.phnum},
            {AT_BASE, 0}, {AT_FLAGS, 0}, {AT_ENTRY, img_.entry}, {AT_UID, 0}, {AT_EUID, 0},
            {AT_GID, 0}, {AT_EGID, 0}, {AT_SECURE, 0}, {AT_RANDOM, random_ptr},
            {AT_HWCAP2, cpu_.model().hwcap2}, {AT_EXECFN, argv_ptrs[0]}, {AT_PLATFORM, plat_ptr},
            {AT_NULL, 0},
        };
        const uint64_t words = 1 + argv.size() + 1 + envp.size() + 1 + 2 * auxv.size();
        sp -= words * 8;
        sp &= ~uint64_t(15);
        uint64_t p = sp;
        put64(p, argv.size()); p += 8;
        for (auto a : argv_ptrs) { put64(p, a); p += 8; }
        put64(p, 0); p += 8;
        const uint64_t envp_addr = p;
        for (auto e : env_ptrs) { put64(p, e); p += 8; }
        put64(p, 0); p += 8;
        const uint64_t auxv_addr = p;
        for (auto [k, v] : auxv) { put64(p, k); put64(p + 8, v); p += 16; }

        auto& s = cpu_.s;
        s.gpr[1] = sp;
        s.gpr[3] = argv.size();
        s.gpr[4] = sp + 8;
        s.gpr[5] = envp_addr;
        s.gpr[6] = auxv_addr;
        if (img_.abi_version == 1) s.gpr[2] = img_.read64(mem_, img_.entry + 8);
        else s.gpr[12] = entry_code;
        s.nip = entry_code;
        s.spr[cpu::sprn::FSCR] = (uint64_t(1) << 8) | (uint64_t(1) << 2);  // TAR, DSCR as Linux enables
        s.vscr = cpu::vscr::NJ;  // Linux starts programs in non-Java (NJ=1) vector FP mode
        uint64_t m = cpu::msr::SF | cpu::msr::EE | cpu::msr::PR | cpu::msr::FP | cpu::msr::ME | cpu::msr::IR |
                     cpu::msr::DR | cpu::msr::RI | cpu::msr::VEC | cpu::msr::VSX;
        if (img_.little_endian) m |= cpu::msr::LE;
        if (cpu_.model().has(cpu::kFacTm)) m |= cpu::msr::TM;  // Linux enables TM for user programs
        cpu_.set_msr(m);
    }

    // ---- syscalls ----
    int64_t syscall(Cpu& c, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t /*a5*/) {
        switch (nr) {
            case 1:    // exit
            case 234:  // exit_group
                exited_ = true;
                exit_code_ = static_cast<int>(a0 & 0xFF);
                c.request_halt();
                return 0;
            case 3: return sys_read(a0, a1, a2);
            case 4: return sys_write(a0, a1, a2);
            case 146: return sys_writev(a0, a1, a2);
            case 6: return a0 <= 2 ? 0 : -kEBADF;  // close
            case 5: case 286: return -kENOENT;     // open, openat: no file system
            case 45: return sys_brk(a0);
            case 90: return sys_mmap(a0, a1, a2, a3, a4);
            case 91: return sys_munmap(a0, a1);
            case 163: return -kENOMEM;  // mremap: glibc falls back to copy
            case 125: case 205: return 0;  // mprotect, madvise
            case 54: return -kENOTTY;  // ioctl
            case 108: case 291: case 383: return -kENOSYS;  // fstat family: glibc copes
            case 122: return sys_uname(a0);
            case 20: return 1000;  // getpid
            case 64: return 1;     // getppid
            case 207: return 1000; // gettid
            case 24: case 47: case 49: case 50: return 0;  // ids
            case 232: return 1000;  // set_tid_address
            case 300: case 173: case 174: case 185: return 0;  // robust list, signals
            case 387: return -kENOSYS;  // rseq
            case 296: return -kENOENT;  // readlinkat
            case 325: case 190: return sys_prlimit(nr, a0, a1, a2, a3);
            case 246: return sys_clock_gettime(c, a1);
            case 78: return sys_gettimeofday(c, a0);
            case 13: return static_cast<int64_t>(c.icount() / 1'000'000'000ull);
            case 359: return sys_getrandom(a0, a1);
            case 221: return 0;  // futex: single thread, nothing to wait for
            case 158: return 0;  // sched_yield
            case 250: case 37:   // tgkill, kill (abort)
                exited_ = true;
                signal_ = static_cast<int>(nr == 250 ? a2 : a1);
                exit_code_ = 128 + signal_;
                fault_ = fmt::format("killed by signal {}", signal_);
                c.request_halt();
                return 0;
            case 223: return sys_sched_getaffinity(a1, a2);
            case 116: return sys_sysinfo(c, a0);
            case 171: return sys_prctl(c, a0, a1);
            case 19: return a0 <= 2 ? -29 /*ESPIPE*/ : -kEBADF;
            default: return -kENOSYS;
        }
    }

    // prctl: only the floating-point exception mode (PR_GET_FPEXC / PR_SET_FPEXC), which
    // glibc's feenableexcept uses; it maps to MSR[FE0,FE1] as the Linux kernel does.
    int64_t sys_prctl(Cpu& c, uint64_t option, uint64_t arg) {
        constexpr uint64_t PR_GET_FPEXC = 11, PR_SET_FPEXC = 12, PR_FP_EXC_PRECISE = 3;
        const uint64_t fe = cpu::msr::FE0 | cpu::msr::FE1;
        if (option == PR_SET_FPEXC) {
            if (arg > PR_FP_EXC_PRECISE) return -kEINVAL;
            const uint64_t bits = ((arg & 2) ? cpu::msr::FE0 : 0) | ((arg & 1) ? cpu::msr::FE1 : 0);
            c.set_msr((c.s.msr & ~fe) | bits);
            return 0;
        }
        if (option == PR_GET_FPEXC) {
            if (!guest_range(arg, 4)) return -kEFAULT;
            const uint32_t mode = ((c.s.msr & cpu::msr::FE0) ? 2u : 0u) | ((c.s.msr & cpu::msr::FE1) ? 1u : 0u);
            put32(arg, mode);
            return 0;
        }
        return -kEINVAL;
    }

    int64_t sys_read(uint64_t fd, uint64_t, uint64_t) { return fd == 0 ? 0 : -kEBADF; }

    int64_t sys_write(uint64_t fd, uint64_t buf, uint64_t len) {
        if (fd != 1 && fd != 2) return -kEBADF;
        if (!guest_range(buf, len)) return -kEFAULT;
        const char* p = reinterpret_cast<const char*>(mem_.data() + buf);
        (fd == 1 ? out_ : err_).append(p, len);
        if (opt_.echo_stdout) (void)!::write(static_cast<int>(fd), p, len);
        return static_cast<int64_t>(len);
    }
    int64_t sys_writev(uint64_t fd, uint64_t iov, uint64_t cnt) {
        if (cnt > 1024) return -kEINVAL;
        int64_t total = 0;
        for (uint64_t i = 0; i < cnt; ++i) {
            const uint64_t base = img_.read64(mem_, iov + 16 * i), len = img_.read64(mem_, iov + 16 * i + 8);
            const int64_t r = sys_write(fd, base, len);
            if (r < 0) return total ? total : r;
            total += r;
        }
        return total;
    }
    int64_t sys_brk(uint64_t want) {
        if (want == 0 || want < brk_start_ || want >= kMmapBase) return static_cast<int64_t>(brk_);
        if (want > brk_) mem_.fill(brk_, 0, want - brk_);  // re-grown memory reads as zero
        brk_ = want;
        return static_cast<int64_t>(brk_);
    }
    int64_t sys_mmap(uint64_t addr, uint64_t len, uint64_t /*prot*/, uint64_t flags, uint64_t /*fd*/) {
        constexpr uint64_t MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
        if (!(flags & MAP_ANONYMOUS)) return -kEACCES;  // no file system
        if (len == 0) return -kEINVAL;
        len = align_up(len, kPage);
        if (flags & MAP_FIXED) {
            if ((addr & (kPage - 1)) || !guest_range(addr, len)) return -kEINVAL;
            mem_.fill(addr, 0, len);
            return static_cast<int64_t>(addr);
        }
        // First fit among freed regions (deterministic: ordered map), else bump.
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->second >= len) {
                const uint64_t a = it->first, rest = it->second - len;
                free_.erase(it);
                if (rest) free_[a + len] = rest;
                mem_.fill(a, 0, len);
                return static_cast<int64_t>(a);
            }
        }
        if (mmap_next_ + len > kMmapLimit) return -kENOMEM;
        const uint64_t a = mmap_next_;
        mmap_next_ += len;
        return static_cast<int64_t>(a);
    }
    int64_t sys_munmap(uint64_t addr, uint64_t len) {
        if ((addr & (kPage - 1)) || len == 0) return -kEINVAL;
        len = align_up(len, kPage);
        if (addr >= kMmapBase && addr + len <= mmap_next_) free_[addr] = len;
        return 0;
    }
    int64_t sys_uname(uint64_t buf) {
        if (!guest_range(buf, 65 * 6)) return -kEFAULT;
        char u[65 * 6] = {};
        const char* fields[6] = {"Linux", "ppcmig", "6.1.0", "#1 SMP ppcmig", img_.little_endian ? "ppc64le" : "ppc64", "(none)"};
        for (int i = 0; i < 6; ++i) std::strncpy(u + 65 * i, fields[i], 64);
        put_bytes(buf, u, sizeof u);
        return 0;
    }
    int64_t sys_prlimit(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        // prlimit64(pid, resource, new, old) / ugetrlimit(resource, old): report "unlimited"
        // except the stack (8 MiB) so glibc sizes things as on a typical system.
        const uint64_t resource = nr == 325 ? a1 : a0;
        const uint64_t old = nr == 325 ? a3 : a1;
        (void)a2;
        if (old != 0) {
            if (!guest_range(old, 16)) return -kEFAULT;
            const uint64_t v = resource == 3 ? kStackSize : ~uint64_t(0);
            put64(old, v);
            put64(old + 8, ~uint64_t(0));
        }
        return 0;
    }
    int64_t sys_clock_gettime(Cpu& c, uint64_t ts) {
        if (!guest_range(ts, 16)) return -kEFAULT;
        const uint64_t ns = c.icount();  // virtual time: one nanosecond per instruction
        put64(ts, ns / 1'000'000'000ull);
        put64(ts + 8, ns % 1'000'000'000ull);
        return 0;
    }
    int64_t sys_gettimeofday(Cpu& c, uint64_t tv) {
        if (tv == 0) return 0;
        if (!guest_range(tv, 16)) return -kEFAULT;
        const uint64_t ns = c.icount();
        put64(tv, ns / 1'000'000'000ull);
        put64(tv + 8, (ns % 1'000'000'000ull) / 1000);
        return 0;
    }
    // One CPU, so glibc's get_nprocs() (and sysconf(_SC_NPROCESSORS_ONLN)) is 1 on every host.
    int64_t sys_sched_getaffinity(uint64_t len, uint64_t mask) {
        if (len < 8 || (len & 7)) return -kEINVAL;
        if (!guest_range(mask, 8)) return -kEFAULT;
        put64(mask, 1);
        return 8;  // bytes of the kernel's cpumask
    }
    // Fixed memory figures: glibc sizes things from them (sysconf(_SC_PHYS_PAGES), qsort's choice
    // between merge sort and quicksort), so they must not depend on the host.
    int64_t sys_sysinfo(Cpu& c, uint64_t info) {
        constexpr uint64_t kSize = 112;  // struct sysinfo on 64-bit Linux
        if (!guest_range(info, kSize)) return -kEFAULT;
        uint8_t zero[kSize] = {};
        put_bytes(info, zero, kSize);
        put64(info + 0, c.icount() / 1'000'000'000ull);  // uptime, virtual seconds
        put64(info + 32, kAddressSpace);                  // totalram
        put64(info + 40, kAddressSpace / 2);              // freeram
        const uint8_t procs[2] = {uint8_t(img_.little_endian ? 1 : 0), uint8_t(img_.little_endian ? 0 : 1)};
        put_bytes(info + 80, procs, 2);  // procs = 1, a 16-bit field
        put32(info + 104, 1);  // mem_unit
        return 0;
    }

    int64_t sys_getrandom(uint64_t buf, uint64_t len) {
        if (!guest_range(buf, len)) return -kEFAULT;
        for (uint64_t i = 0; i < len; i += 8) {
            const uint64_t r = next_random();
            put_bytes(buf + i, &r, std::min<uint64_t>(8, len - i));
        }
        return static_cast<int64_t>(len);
    }

    const memory::ElfImage& img_;
    const Options& opt_;
    memory::GuestMemory mem_;
    Cpu cpu_;
    uint64_t brk_start_ = 0, brk_ = 0;
    uint64_t mmap_next_ = kMmapBase;
    std::map<uint64_t, uint64_t> free_;
    uint64_t rng_ = 0x5050434D49470001ull;  // fixed seed: determinism
    bool exited_ = false;
    int exit_code_ = 0, signal_ = 0;
    std::string fault_, out_, err_;
};

}  // namespace

Result run(const std::filesystem::path& path, const std::vector<std::string>& args, const Options& opt) {
    const auto model = cpu::find_model(opt.cpu_model);
    if (!model) throw std::invalid_argument(fmt::format("unknown CPU model \"{}\"", opt.cpu_model));
    const auto img = memory::ElfImage::read(path);
    auto proc = std::make_unique<Process>(img, opt, *model);
    return proc->run(path.filename().string(), args);
}

}  // namespace ppcmig::usermode
