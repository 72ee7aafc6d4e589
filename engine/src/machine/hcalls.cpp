// PAPR hypercalls, CAS (KVMPPC_H_CAS), RTAS (KVMPPC_H_RTAS) and the boot device tree.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

extern "C" {
#include <libfdt.h>
}

#include "ppcmig/cpu/spr.hpp"
#include "ppcmig/machine/compat.hpp"
#include "ppcmig/machine/spapr.hpp"

namespace ppcmig::machine {

namespace {

// Hypercall numbers (PAPR, and QEMU's private range for RTAS and CAS).
enum : uint64_t {
    H_EOI = 0x64, H_CPPR = 0x68, H_IPI = 0x6C, H_IPOLL = 0x70, H_XIRR = 0x74,
    H_GET_TERM_CHAR = 0x54, H_PUT_TERM_CHAR = 0x58, H_VIO_SIGNAL = 0x104,
    H_CEDE = 0xE0, H_CONFER = 0xE4, H_PROD = 0xE8,
    H_GET_CPU_CHARACTERISTICS = 0x1AC, H_SET_MODE = 0x31C,
    KVMPPC_H_RTAS = 0xF000, KVMPPC_H_CAS = 0xF002,
    H_INT_GET_SOURCE_INFO = 0x3A8, H_INT_SET_SOURCE_CONFIG = 0x3AC, H_INT_GET_SOURCE_CONFIG = 0x3B0,
    H_INT_GET_QUEUE_INFO = 0x3B4, H_INT_SET_QUEUE_CONFIG = 0x3B8, H_INT_GET_QUEUE_CONFIG = 0x3BC,
    H_INT_SET_OS_REPORTING_LINE = 0x3C0, H_INT_GET_OS_REPORTING_LINE = 0x3C4, H_INT_ESB = 0x3C8,
    H_INT_SYNC = 0x3CC, H_INT_RESET = 0x3D0,
};
constexpr int64_t H_P1 = -54, H_P2 = -55, H_P3 = -56, H_P4 = -57, H_P5 = -58;
// XIVE hypercall flags (PAPR; IBM bit numbering).
constexpr uint64_t XIVE_SRC_H_INT_ESB = uint64_t(1) << 3, XIVE_SRC_LSI = uint64_t(1) << 2,
                   XIVE_SRC_TRIGGER = uint64_t(1) << 1, XIVE_SRC_SET_EISN = uint64_t(1) << 1,
                   XIVE_SRC_MASK = uint64_t(1) << 0, XIVE_END_ALWAYS_NOTIFY = uint64_t(1) << 0,
                   XIVE_ESB_STORE = uint64_t(1) << 0, XIVE_END_DEBUG = uint64_t(1) << 0;
constexpr unsigned kXiveEsbShift = 16;
// Return codes.
constexpr int64_t H_SUCCESS = 0, H_HARDWARE = -1, H_FUNCTION = -2, H_PARAMETER = -4,
                  H_UNSUPPORTED_FLAG = -256;

// RTAS tokens (QEMU's numbering).
enum : uint32_t {
    RTAS_DISPLAY_CHARACTER = 0x2000, RTAS_GET_TIME_OF_DAY = 0x2001, RTAS_POWER_OFF = 0x2003,
    RTAS_SYSTEM_REBOOT = 0x2004, RTAS_QUERY_CPU_STOPPED_STATE = 0x2005, RTAS_START_CPU = 0x2006,
    RTAS_STOP_SELF = 0x2007, RTAS_IBM_SET_XIVE = 0x200A, RTAS_IBM_GET_XIVE = 0x200B,
    RTAS_IBM_INT_OFF = 0x200C, RTAS_IBM_INT_ON = 0x200D,
};

constexpr uint8_t kXicsIpiPriority = 0;  // ppcmig's IPIs arrive at the priority in MFRR
constexpr uint32_t kXicsIpiSource = 2;   // XISR of an IPI (PAPR)

uint32_t be32(const memory::GuestMemory& m, uint64_t a) {
    uint8_t b[4];
    m.read(a, b);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}
void put_be32(memory::GuestMemory& m, uint64_t a, uint32_t v) {
    const uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    m.write(a, b);
}
uint8_t byte_at(const memory::GuestMemory& m, uint64_t a) {
    uint8_t b[1];
    m.read(a, b);
    return b[0];
}

// H_GET_CPU_CHARACTERISTICS bits (PAPR): character and behaviour flags from the spectre caps.
constexpr uint64_t CHAR_SPEC_BAR_ORI31 = uint64_t(1) << 63, CHAR_BCCTRL_SERIALISED = uint64_t(1) << 62,
                   CHAR_L1D_FLUSH_ORI30 = uint64_t(1) << 61, CHAR_L1D_FLUSH_TRIG2 = uint64_t(1) << 60,
                   CHAR_L1D_THREAD_PRIV = uint64_t(1) << 59, CHAR_CACHE_COUNT_DIS = uint64_t(1) << 54,
                   CHAR_BCCTR_FLUSH_ASSIST = uint64_t(1) << 53;
constexpr uint64_t BEHV_FAVOUR_SECURITY = uint64_t(1) << 63, BEHV_L1D_FLUSH_PR = uint64_t(1) << 62,
                   BEHV_BNDS_CHK_SPEC_BAR = uint64_t(1) << 61, BEHV_FLUSH_COUNT_CACHE = uint64_t(1) << 58;

}  // namespace

int SpaprMachine::hcall(Vcpu& v, cpu::Cpu& c, uint64_t pc) {
    ++hcalls_;
    auto& g = c.s.gpr;
    const uint64_t nr = g[3];
    int64_t ret = H_SUCCESS;
    int flow = cpu::kJump;
    c.s.nip = pc + 4;
    auto cap = [&](CapId id) { return caps_[static_cast<size_t>(id)]; };
    // QEMU's vty_lookup: the vty's own unit address, or 0 (early-debug kernels always pass 0).
    auto is_vty = [](uint64_t reg) { return reg == Vty::kReg || reg == 0; };
    switch (nr) {
        case H_PUT_TERM_CHAR: {
            const uint64_t len = g[5];
            if (!is_vty(g[4]) || len > 16) { ret = H_PARAMETER; break; }
            for (uint64_t i = 0; i < len; ++i) {
                const uint64_t word = i < 8 ? g[6] : g[7];
                console_ += static_cast<char>(word >> (56 - 8 * (i % 8)));
            }
            break;
        }
        case H_GET_TERM_CHAR: {
            // Up to 16 characters from the vty's input ring (nothing feeds it: the machine has
            // no host console input, but a migrated ring is drained as QEMU would).
            if (!is_vty(g[4])) { ret = H_PARAMETER; break; }
            std::array<uint8_t, 16> chars{};
            uint64_t n = 0;
            while (n < chars.size() && vty_.out != vty_.in) chars[n++] = vty_.buf[vty_.out++ % vty_.buf.size()];
            auto word = [&](size_t first) {
                uint64_t w = 0;
                for (size_t i = 0; i < 8; ++i) w = (w << 8) | chars[first + i];
                return w;
            };
            g[4] = n;
            g[5] = word(0);
            g[6] = word(8);
            break;
        }
        case H_VIO_SIGNAL:
            // Only the vty is modelled among the VIO devices; its signal mask is bit 0.
            if (g[4] != Vty::kReg) { ret = H_PARAMETER; break; }
            if (g[5] & ~uint64_t(1)) { ret = H_PARAMETER; break; }
            vty_.signal_state = g[5];
            break;
        case H_CEDE:
            // PAPR: the vCPU is made interruptible and idles until something is pending.
            c.set_msr(c.s.msr | cpu::msr::EE);
            v.ceded = true;
            flow = cpu::kHalt;
            break;
        case H_PROD:
            if (g[4] >= vcpus_.size()) { ret = H_PARAMETER; break; }
            vcpus_[g[4]]->prodded = true;
            break;
        case H_CONFER:
            flow = cpu::kHalt;  // yield the rest of the slice
            break;
        case H_SET_MODE: {
            const uint64_t mflags = g[4], resource = g[5];
            if (g[6] != 0 || g[7] != 0) { ret = H_PARAMETER; break; }
            if (resource == 4) {  // interrupt endianness
                if (mflags > 1) { ret = H_UNSUPPORTED_FLAG; break; }
                for (auto& vp : vcpus_) {
                    uint64_t& lpcr = vp->cpu->s.spr[cpu::sprn::LPCR];
                    lpcr = mflags ? (lpcr | cpu::lpcr::ILE) : (lpcr & ~cpu::lpcr::ILE);
                }
            } else if (resource == 3) {  // address translation mode (AIL)
                if (mflags == 1 || mflags > 3 || (mflags == 3 && !cap(CapId::AilMode3))) {
                    ret = H_UNSUPPORTED_FLAG;
                    break;
                }
                for (auto& vp : vcpus_) {
                    uint64_t& lpcr = vp->cpu->s.spr[cpu::sprn::LPCR];
                    lpcr = (lpcr & ~cpu::lpcr::AIL) | (mflags << cpu::lpcr::AIL_SHIFT);
                }
            } else {
                ret = H_FUNCTION;  // QEMU: unknown resources are unsupported
            }
            break;
        }
        case H_GET_CPU_CHARACTERISTICS: {
            uint64_t chr = 0, behv = 0;
            const uint8_t cfpc = cap(CapId::Cfpc), sbbc = cap(CapId::Sbbc), ibs = cap(CapId::Ibs);
            if (cfpc == capval::WORKAROUND) { chr |= CHAR_L1D_FLUSH_ORI30 | CHAR_L1D_FLUSH_TRIG2; behv |= BEHV_L1D_FLUSH_PR; }
            if (cfpc != capval::BROKEN) chr |= CHAR_L1D_THREAD_PRIV;
            if (sbbc == capval::WORKAROUND) { chr |= CHAR_SPEC_BAR_ORI31; behv |= BEHV_BNDS_CHK_SPEC_BAR; }
            if (ibs == capval::FIXED_CCD) chr |= CHAR_CACHE_COUNT_DIS;
            if (ibs == capval::FIXED_IBS) chr |= CHAR_BCCTRL_SERIALISED;
            if (ibs == capval::WORKAROUND) {
                behv |= BEHV_FLUSH_COUNT_CACHE;
                if (cap(CapId::CcfAssist)) chr |= CHAR_BCCTR_FLUSH_ASSIST;
            }
            behv |= BEHV_FAVOUR_SECURITY;
            g[4] = chr;
            g[5] = behv;
            break;
        }
        case H_IPI: {
            if (active_ic_ != IcMode::Xics || g[4] >= vcpus_.size()) { ret = H_PARAMETER; break; }
            Vcpu& t = *vcpus_[g[4]];
            t.icp.mfrr = static_cast<uint8_t>(g[5]);
            icp_update(t);
            break;
        }
        case H_XIRR: {
            if (active_ic_ != IcMode::Xics) { ret = H_FUNCTION; break; }
            // Accept: the pending source becomes the XIRR, CPPR rises to its priority.
            const uint32_t x = v.icp.xirr;
            g[4] = x;
            if ((x & 0xFFFFFF) != 0) {
                v.icp.xirr = (uint32_t(v.icp.pending_priority) << 24);
                v.icp.pending_priority = 0xFF;
                c.clear_pending(cpu::kPendExternal);
            }
            break;
        }
        case H_CPPR:
            if (active_ic_ != IcMode::Xics) { ret = H_FUNCTION; break; }
            v.icp.xirr = (v.icp.xirr & 0x00FFFFFF) | (uint32_t(g[4] & 0xFF) << 24);
            icp_update(v);
            break;
        case H_EOI:
            if (active_ic_ != IcMode::Xics) { ret = H_FUNCTION; break; }
            v.icp.xirr = (v.icp.xirr & 0x00FFFFFF) | (uint32_t(g[4] >> 24) << 24);
            icp_update(v);
            break;
        case H_IPOLL:
            if (active_ic_ != IcMode::Xics) { ret = H_FUNCTION; break; }
            g[4] = v.icp.xirr;
            g[5] = v.icp.mfrr;
            break;
        case H_INT_GET_SOURCE_INFO: case H_INT_SET_SOURCE_CONFIG: case H_INT_GET_SOURCE_CONFIG:
        case H_INT_GET_QUEUE_INFO: case H_INT_SET_QUEUE_CONFIG: case H_INT_GET_QUEUE_CONFIG:
        case H_INT_SET_OS_REPORTING_LINE: case H_INT_GET_OS_REPORTING_LINE: case H_INT_ESB:
        case H_INT_SYNC: case H_INT_RESET:
            return h_xive(v, c, nr);
        case KVMPPC_H_CAS: return h_cas(v, c);
        case KVMPPC_H_RTAS: return h_rtas(v, c);
        default: ret = H_FUNCTION; break;
    }
    g[3] = static_cast<uint64_t>(ret);
    return flow;
}

// XICS presentation: the IPI (MFRR) is presented when more favoured than CPPR and than what
// is already pending.
void SpaprMachine::icp_update(Vcpu& v) {
    const uint8_t cppr = static_cast<uint8_t>(v.icp.xirr >> 24);
    if (v.icp.mfrr < cppr && v.icp.mfrr < v.icp.pending_priority) {
        v.icp.pending_priority = v.icp.mfrr;
        v.icp.xirr = (v.icp.xirr & 0xFF000000) | kXicsIpiSource;
    }
    if (v.icp.pending_priority < cppr && (v.icp.xirr & 0xFFFFFF) != 0) v.cpu->set_pending(cpu::kPendExternal);
    else v.cpu->clear_pending(cpu::kPendExternal);
}

int SpaprMachine::h_xive(Vcpu&, cpu::Cpu& c, uint64_t nr) {
    auto& g = c.s.gpr;
    int64_t ret = H_SUCCESS;
    auto notify = [&](int target) {
        if (target >= 0 && static_cast<size_t>(target) < vcpus_.size())
            vcpus_[static_cast<size_t>(target)]->cpu->set_pending(cpu::kPendExternal);
    };
    const uint64_t flags = g[4];
    if (active_ic_ != IcMode::Xive) {
        g[3] = static_cast<uint64_t>(H_FUNCTION);  // XIVE hcalls exist only in XIVE mode
        return cpu::kJump;
    }
    auto source = [&](uint64_t lisn) -> XiveSource* {
        return lisn < xive_.sources.size() ? &xive_.sources[lisn] : nullptr;
    };
    auto queue = [&](uint64_t target, uint64_t prio) -> XiveQueue* {
        if (target >= xive_.queues.size() || prio >= Xive::kPriorities) return nullptr;
        return &xive_.queues[target][prio];
    };
    switch (nr) {
        case H_INT_GET_SOURCE_INFO: {
            if (flags) { ret = H_PARAMETER; break; }
            if (!source(g[5])) { ret = H_P2; break; }
            // The ESB pages are not mapped for a real-mode guest: ESB accesses go via H_INT_ESB.
            g[4] = XIVE_SRC_H_INT_ESB | XIVE_SRC_TRIGGER;
            g[5] = ~uint64_t(0);
            g[6] = ~uint64_t(0);
            g[7] = kXiveEsbShift;
            break;
        }
        case H_INT_SET_SOURCE_CONFIG: {
            if (flags & ~(XIVE_SRC_SET_EISN | XIVE_SRC_MASK)) { ret = H_PARAMETER; break; }
            XiveSource* s = source(g[5]);
            if (!s) { ret = H_P2; break; }
            const uint64_t target = g[6], prio = g[7];
            if (flags & XIVE_SRC_MASK || prio == 0xFF) {
                s->masked = true;
                s->priority = 0xFF;
                break;
            }
            if (target >= vcpus_.size()) { ret = H_P3; break; }
            if (prio >= Xive::kPriorities) { ret = H_P4; break; }
            s->masked = false;
            s->target = static_cast<uint32_t>(target);
            s->priority = static_cast<uint8_t>(prio);
            // The EAS keeps 31 bits of event data (EAS_END_DATA).
            if (flags & XIVE_SRC_SET_EISN) s->eisn = static_cast<uint32_t>(g[8] & 0x7FFFFFFF);
            if (s->pq == 0b01) s->pq = 0b00;  // configuring a source turns it on
            break;
        }
        case H_INT_GET_SOURCE_CONFIG: {
            const XiveSource* s = source(g[5]);
            if (flags) { ret = H_PARAMETER; break; }
            if (!s) { ret = H_P2; break; }
            g[4] = s->target;
            g[5] = s->masked ? 0xFF : s->priority;
            g[6] = s->eisn;
            break;
        }
        case H_INT_GET_QUEUE_INFO: {
            if (flags) { ret = H_PARAMETER; break; }
            if (g[5] >= vcpus_.size()) { ret = H_P2; break; }
            if (g[6] >= Xive::kPriorities) { ret = H_P3; break; }
            g[4] = ~uint64_t(0);  // no notification page mapped
            g[5] = 16;            // queues of up to 64 KiB
            break;
        }
        case H_INT_SET_QUEUE_CONFIG: {
            if (flags & ~XIVE_END_ALWAYS_NOTIFY) { ret = H_PARAMETER; break; }
            XiveQueue* q = queue(g[5], g[6]);
            if (g[5] >= vcpus_.size()) { ret = H_P2; break; }
            if (!q) { ret = H_P3; break; }
            const uint64_t qpage = g[7], qsize = g[8];
            if (qsize == 0) { *q = XiveQueue{}; break; }
            if (qsize != 12 && qsize != 16 && qsize != 21 && qsize != 24) { ret = H_P5; break; }
            if ((qpage & ((uint64_t(1) << qsize) - 1)) || !mem_.contains(qpage, uint64_t(1) << qsize)) { ret = H_P4; break; }
            *q = XiveQueue{qpage, static_cast<uint8_t>(qsize), 0, true, (flags & XIVE_END_ALWAYS_NOTIFY) != 0};
            break;
        }
        case H_INT_GET_QUEUE_CONFIG: {
            if (flags & ~XIVE_END_DEBUG) { ret = H_PARAMETER; break; }
            const XiveQueue* q = queue(g[5], g[6]);
            if (g[5] >= vcpus_.size()) { ret = H_P2; break; }
            if (!q) { ret = H_P3; break; }
            g[4] = q->always_notify ? XIVE_END_ALWAYS_NOTIFY : 0;
            g[5] = q->qpage;
            g[6] = q->qshift;
            if (flags & XIVE_END_DEBUG) g[7] = (uint64_t(q->generation) << 63) | q->index;
            break;
        }
        case H_INT_ESB: {
            if (flags & ~XIVE_ESB_STORE) { ret = H_PARAMETER; break; }
            if (!source(g[5])) { ret = H_P2; break; }
            const uint64_t offset = g[6];
            if (offset >= (uint64_t(1) << kXiveEsbShift)) { ret = H_P3; break; }
            int target = -1;
            if (flags & XIVE_ESB_STORE) {
                xive_.esb_store(mem_, static_cast<uint32_t>(g[5]), offset, target);
                g[4] = 0;
            } else {
                g[4] = xive_.esb_load(mem_, static_cast<uint32_t>(g[5]), offset, target);
            }
            notify(target);
            break;
        }
        case H_INT_SYNC:
            if (flags) { ret = H_PARAMETER; break; }
            if (!source(g[5])) { ret = H_P2; break; }
            break;
        case H_INT_RESET:
            if (flags) { ret = H_PARAMETER; break; }
            xive_.reset();
            break;
        default:  // the OS reporting line is not implemented (as in QEMU)
            ret = H_FUNCTION;
            break;
    }
    g[3] = static_cast<uint64_t>(ret);
    return cpu::kJump;
}

int SpaprMachine::h_cas(Vcpu& v, cpu::Cpu& c) {
    auto& g = c.s.gpr;
    const uint64_t vec = g[4];
    const uint32_t real_pvr = c.model().pvr;
    const uint32_t max = cfg_.max_compat_pvr;
    uint64_t a = vec;
    bool explicit_match = false;
    uint32_t best = 0;
    try {
        for (int i = 0; i < 512; ++i, a += 8) {
            const uint32_t mask = be32(mem_, a), pvr = be32(mem_, a + 4);
            if (~mask & pvr) break;  // terminator: pvr has bits outside its mask
            if ((real_pvr & mask) == (pvr & mask)) explicit_match = true;
            else if (compat_valid(c.model(), pvr, best, max, beh_.compat)) best = pvr;
        }
        a += 8;
        // Option vectors: count - 1, then for each: length byte L and L+1 bytes.
        std::array<uint8_t, 32> ov5{};
        bool isa300 = false;
        const unsigned nvec = byte_at(mem_, a) + 1u;
        ++a;
        for (unsigned n = 1; n <= nvec && n <= 16; ++n) {
            const unsigned len = byte_at(mem_, a) + 1u;
            if (n == 1 && len >= 3) isa300 = (byte_at(mem_, a + 3) & 0x80) != 0;
            if (n == 5)
                for (unsigned i = 0; i < len && i < ov5.size(); ++i) ov5[i] = byte_at(mem_, a + 1 + i);
            a += 1 + len;
        }
        (void)isa300;
        uint32_t chosen = best;
        // Older QEMU preferred raw mode, unless a compat mode was imposed (max-cpu-compat / -cpu compat=).
        if (!beh_.cas_prefers_compat && explicit_match && max == 0) chosen = 0;
        if (chosen == 0 && (!explicit_match || max != 0)) {
            log_error("Couldn't negotiate a suitable PVR during CAS");
            g[3] = static_cast<uint64_t>(H_HARDWARE);
            return cpu::kJump;
        }
        if (chosen != v.compat_pvr || beh_.cas_update_unconditional) set_compat_all(chosen);
        // Option vector 5: the "both" bits are the platform's to announce, never the guest's.
        if (ov5[23] & 0x80) {
            log_error("guest requested hash and radix MMU, which is invalid.");
            powered_off_ = true;
            return cpu::kHalt;
        }
        if (ov5[22] & 0x80) {
            log_error("guest requested an invalid interrupt mode");
            powered_off_ = true;
            return cpu::kHalt;
        }
        if ((ov5[23] & 0x40) && !compat_valid(c.model(), logical_pvr::V3_00, 0, max)) {
            log_error("Guest requested unavailable MMU mode (radix).");
            powered_off_ = true;
            return cpu::kHalt;
        }
        // Interrupt mode from option vector 5 byte 23.
        const bool guest_xive = (ov5[22] & 0x40) != 0, guest_xics = !guest_xive;
        const IcMode mode = cfg_.ic_mode();
        IcMode want = active_ic_;
        if (mode == IcMode::Xics || mode == IcMode::Legacy) {
            if (!guest_xics) {
                log_error("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property");
                powered_off_ = true;
                return cpu::kHalt;
            }
            want = IcMode::Xics;
        } else if (mode == IcMode::Xive) {
            if (!guest_xive) {
                log_error("Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode machine property or try ic-mode=xics or ic-mode=dual");
                powered_off_ = true;
                return cpu::kHalt;
            }
            want = IcMode::Xive;
        } else {
            want = guest_xive ? IcMode::Xive : IcMode::Xics;
        }
        std::copy(ov5.begin(), ov5.end(), ov5_cas_.begin());
        // The CAS response: a be32 header (version 1) then the updated device tree, into the
        // guest's buffer (size 0: the guest wants none, a ppcmig convenience).
        const uint64_t resp = g[5], resp_size = g[6];
        if (resp_size != 0) {
            build_fdt();
            if (resp_size < 4 + fdt_.size() || !mem_.contains(resp, resp_size)) {
                log_error("SLOF provided insufficient CAS buffer size");
                powered_off_ = true;
                return cpu::kHalt;
            }
            put_be32(mem_, resp, 1);
            mem_.write(resp + 4, fdt_);
        }
        g[3] = static_cast<uint64_t>(H_SUCCESS);
        g[4] = chosen;  // ppcmig: the negotiated logical PVR (0: raw)
        if (want != active_ic_) {
            active_ic_ = want;
            if (beh_.cas_reboot_on_ic_change) {  // older QEMU: reboot into the new controller
                request_reset(true);
                return cpu::kHalt;
            }
        }
    } catch (const std::out_of_range&) {
        g[3] = static_cast<uint64_t>(H_PARAMETER);
    }
    return cpu::kJump;
}

int SpaprMachine::h_rtas(Vcpu& v, cpu::Cpu& c) {
    auto& g = c.s.gpr;
    const uint64_t buf = g[4];
    try {
        const uint32_t token = be32(mem_, buf), nargs = be32(mem_, buf + 4), nret = be32(mem_, buf + 8);
        const uint64_t args = buf + 12, rets = args + 4ull * nargs;
        auto arg = [&](unsigned i) { return be32(mem_, args + 4ull * i); };
        auto ret = [&](unsigned i, uint32_t val) {
            if (i < nret) put_be32(mem_, rets + 4ull * i, val);
        };
        g[3] = static_cast<uint64_t>(H_SUCCESS);
        switch (token) {
            case RTAS_DISPLAY_CHARACTER:
                console_ += static_cast<char>(arg(0));
                ret(0, 0);
                break;
            case RTAS_GET_TIME_OF_DAY: {
                // Virtual time since 2000-01-01 00:00:00 (time base at 512 MHz).
                const uint64_t ns = now_ * 1000 / 512;
                uint64_t secs = ns / 1'000'000'000ull;
                const uint32_t s = secs % 60, mi = (secs / 60) % 60, h = (secs / 3600) % 24;
                uint64_t days = secs / 86400;
                unsigned y = 2000, mo = 1;
                auto leap = [](unsigned yr) { return (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0; };
                while (days >= (leap(y) ? 366u : 365u)) days -= leap(y) ? 366 : 365, ++y;
                static constexpr unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
                while (true) {
                    const unsigned dm = mdays[mo - 1] + (mo == 2 && leap(y) ? 1 : 0);
                    if (days < dm) break;
                    days -= dm;
                    ++mo;
                }
                ret(0, 0); ret(1, y); ret(2, mo); ret(3, static_cast<uint32_t>(days + 1));
                ret(4, h); ret(5, mi); ret(6, s); ret(7, static_cast<uint32_t>(ns % 1'000'000'000ull));
                break;
            }
            case RTAS_POWER_OFF:
                ret(0, 0);
                power_off();
                for (auto& vp : vcpus_) vp->cpu->request_halt();
                return cpu::kHalt;
            case RTAS_SYSTEM_REBOOT:
                ret(0, 0);
                request_reset(false);
                return cpu::kHalt;
            case RTAS_QUERY_CPU_STOPPED_STATE: {
                const uint32_t id = arg(0);
                if (id >= vcpus_.size()) { ret(0, static_cast<uint32_t>(-3)); break; }
                ret(0, 0);
                ret(1, vcpus_[id]->running ? 2 : 0);
                break;
            }
            case RTAS_START_CPU: {
                const uint32_t id = arg(0);
                if (id >= vcpus_.size() || vcpus_[id]->running) { ret(0, static_cast<uint32_t>(-3)); break; }
                start_cpu(id, arg(1), arg(2));
                ret(0, 0);
                break;
            }
            case RTAS_STOP_SELF:
                v.running = false;
                return cpu::kHalt;
            case RTAS_IBM_SET_XIVE: case RTAS_IBM_GET_XIVE: case RTAS_IBM_INT_OFF: case RTAS_IBM_INT_ON: {
                // XICS source configuration (PAPR); only while XICS is the active controller.
                const uint32_t irq = arg(0);
                if (active_ic_ != IcMode::Xics || irq < kXicsIrqBase || irq - kXicsIrqBase >= ics_.size()) {
                    ret(0, static_cast<uint32_t>(-3));
                    break;
                }
                IcsIrq& e = ics_[irq - kXicsIrqBase];
                if (token == RTAS_IBM_SET_XIVE) {
                    if (arg(1) >= vcpus_.size()) { ret(0, static_cast<uint32_t>(-3)); break; }
                    e.server = arg(1);
                    e.priority = static_cast<uint8_t>(arg(2));
                    e.saved_priority = e.priority;
                } else if (token == RTAS_IBM_GET_XIVE) {
                    ret(1, e.server);
                    ret(2, e.priority);
                } else if (token == RTAS_IBM_INT_OFF) {
                    e.saved_priority = e.priority;
                    e.priority = 0xFF;
                } else {
                    e.priority = e.saved_priority;
                }
                ret(0, 0);
                break;
            }
            default:
                ret(0, static_cast<uint32_t>(-3));
                break;
        }
    } catch (const std::out_of_range&) {
        g[3] = static_cast<uint64_t>(H_PARAMETER);
    }
    return cpu::kJump;
}

void SpaprMachine::build_fdt() {
    fdt_.assign(64 * 1024, 0);
    void* f = fdt_.data();
    auto check = [](int rc, const char* what) {
        if (rc < 0) throw std::runtime_error(fmt::format("device tree: {}: {}", what, fdt_strerror(rc)));
    };
    check(fdt_create(f, static_cast<int>(fdt_.size())), "create");
    check(fdt_finish_reservemap(f), "reservemap");
    check(fdt_begin_node(f, ""), "root");
    check(fdt_property_string(f, "compatible", "qemu,pseries"), "compatible");
    check(fdt_property_string(f, "model", "IBM pSeries (emulated by ppcmig)"), "model");
    check(fdt_property_u32(f, "#address-cells", 2), "cells");
    check(fdt_property_u32(f, "#size-cells", 2), "cells");

    check(fdt_begin_node(f, "chosen"), "chosen");
    check(fdt_property_string(f, "stdout-path", "/vdevice/vty@71000000"), "stdout-path");
    // What the platform supports in option vector 5, as (byte index, value) pairs: byte 23
    // interrupt controllers (per ic-mode), 24 MMU (radix from POWER9 on), 25/26 radix options.
    const IcMode mode = cfg_.ic_mode();
    const bool radix = compat_valid(cfg_.cpu, logical_pvr::V3_00, 0, cfg_.max_compat_pvr);
    const uint8_t platform[] = {23, static_cast<uint8_t>(mode == IcMode::Dual ? 0x80 : mode == IcMode::Xive ? 0x40 : 0x00),
                                24, static_cast<uint8_t>(radix ? 0xC0 : 0x00), 25, 0x00, 26, 0x40};
    check(fdt_property(f, "ibm,arch-vec-5-platform-support", platform, sizeof platform), "ov5 platform");
    check(fdt_end_node(f), "chosen end");

    check(fdt_begin_node(f, "memory@0"), "memory");
    check(fdt_property_string(f, "device_type", "memory"), "memory");
    const uint32_t reg[4] = {0, 0, cpu_to_fdt32(uint32_t(mem_.size() >> 32)), cpu_to_fdt32(uint32_t(mem_.size()))};
    check(fdt_property(f, "reg", reg, sizeof reg), "memory reg");
    check(fdt_end_node(f), "memory end");

    check(fdt_begin_node(f, "cpus"), "cpus");
    check(fdt_property_u32(f, "#address-cells", 1), "cpus");
    check(fdt_property_u32(f, "#size-cells", 0), "cpus");
    for (const auto& vp : vcpus_) {
        const cpu::Cpu& c = *vp->cpu;
        const std::string family(cpu::to_string(c.model().family));
        check(fdt_begin_node(f, fmt::format("PowerPC,{}@{:x}", family, vp->index).c_str()), "cpu");
        check(fdt_property_string(f, "device_type", "cpu"), "cpu");
        check(fdt_property_u32(f, "reg", vp->index), "cpu reg");
        check(fdt_property_u32(f, "cpu-version", vp->compat_pvr ? vp->compat_pvr : c.model().pvr), "cpu-version");
        check(fdt_property_u32(f, "timebase-frequency", 512000000), "tb");
        check(fdt_property_u32(f, "ibm,ppc-interrupt-server#s", vp->index), "servers");
        // pa-features: length byte, attribute type 0, then feature bytes by ISA level.
        const uint8_t level = static_cast<uint8_t>(c.model().level);
        const uint8_t pa[] = {0x18, 0x00, 0xF6, 0x3F, 0xC7, 0xC0, 0x80, 0xF0, 0x80, 0x00, 0x00, 0x00, 0x00,
                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x80, 0x00,
                              static_cast<uint8_t>(level >= static_cast<uint8_t>(isa::IsaLevel::v3_0) ? 0x80 : 0x00), 0x00};
        check(fdt_property(f, "ibm,pa-features", pa, sizeof pa), "pa-features");
        check(fdt_end_node(f), "cpu end");
    }
    check(fdt_end_node(f), "cpus end");

    check(fdt_begin_node(f, "rtas"), "rtas");
    const struct { const char* name; uint32_t token; } tokens[] = {
        {"display-character", RTAS_DISPLAY_CHARACTER}, {"get-time-of-day", RTAS_GET_TIME_OF_DAY},
        {"power-off", RTAS_POWER_OFF}, {"system-reboot", RTAS_SYSTEM_REBOOT},
        {"query-cpu-stopped-state", RTAS_QUERY_CPU_STOPPED_STATE}, {"start-cpu", RTAS_START_CPU},
        {"stop-self", RTAS_STOP_SELF}, {"ibm,set-xive", RTAS_IBM_SET_XIVE},
        {"ibm,get-xive", RTAS_IBM_GET_XIVE}, {"ibm,int-off", RTAS_IBM_INT_OFF}, {"ibm,int-on", RTAS_IBM_INT_ON},
    };
    for (const auto& t : tokens) check(fdt_property_u32(f, t.name, t.token), "rtas token");
    static constexpr char hypertas[] = "hcall-pft\0hcall-term\0hcall-dabr\0hcall-interrupt\0hcall-tce\0"
                                       "hcall-vio\0hcall-splpar\0hcall-join\0hcall-bulk\0hcall-set-mode\0"
                                       "hcall-sprg0\0hcall-copy\0hcall-debug\0hcall-vphn\0hcall-multi-tce";
    check(fdt_property(f, "ibm,hypertas-functions", hypertas, sizeof hypertas), "hypertas");
    check(fdt_end_node(f), "rtas end");

    check(fdt_begin_node(f, "vdevice"), "vdevice");
    check(fdt_begin_node(f, "vty@71000000"), "vty");
    check(fdt_property_string(f, "device_type", "serial"), "vty");
    check(fdt_property_string(f, "compatible", "hvterm1"), "vty");
    check(fdt_property_u32(f, "reg", Vty::kReg), "vty");
    const uint32_t vty_irq[2] = {cpu_to_fdt32(vty_.irq), 0};  // source, edge (MSI-type)
    check(fdt_property(f, "interrupts", vty_irq, sizeof vty_irq), "vty interrupts");
    check(fdt_end_node(f), "vty end");
    check(fdt_end_node(f), "vdevice end");

    // PHB 0: its bus id and the PIO, 32-bit and (when split) 64-bit MMIO windows as ranges
    // (PCI address: space code, 64-bit bus address; CPU address; size).
    check(fdt_begin_node(f, fmt::format("pci@{:x}", phb_.buid).c_str()), "phb");
    check(fdt_property_string(f, "device_type", "pci"), "phb");
    check(fdt_property_string(f, "compatible", "IBM,Logical_PHB"), "phb");
    check(fdt_property_u32(f, "#address-cells", 3), "phb");
    check(fdt_property_u32(f, "#size-cells", 2), "phb");
    check(fdt_property_u32(f, "#interrupt-cells", 1), "phb");
    const uint32_t bus_range[2] = {0, cpu_to_fdt32(0xFF)};
    check(fdt_property(f, "bus-range", bus_range, sizeof bus_range), "phb bus-range");
    std::vector<uint32_t> ranges;
    auto range = [&](uint32_t space, uint64_t bus, uint64_t cpu_addr, uint64_t size) {
        for (const uint64_t v : {uint64_t(space), bus >> 32, bus & 0xFFFFFFFF, cpu_addr >> 32, cpu_addr & 0xFFFFFFFF,
                                 size >> 32, size & 0xFFFFFFFF})
            ranges.push_back(cpu_to_fdt32(static_cast<uint32_t>(v)));
    };
    range(0x01000000, 0, phb_.io_win_addr, phb_.io_win_size);
    range(0x02000000, 0x80000000, phb_.mem_win_addr, phb_.mem_win_size);
    // A split legacy window continues on the bus right after the 32-bit part (4 GiB); the
    // 2.8 placement maps its 64-bit window 1:1.
    const uint64_t mem64_bus = at_most(*cfg_.version, 2, 7) ? uint64_t(1) << 32 : phb_.mem64_win_addr;
    if (phb_.mem64_win_size) range(0x03000000, mem64_bus, phb_.mem64_win_addr, phb_.mem64_win_size);
    check(fdt_property(f, "ranges", ranges.data(), static_cast<int>(ranges.size() * sizeof(uint32_t))), "phb ranges");
    const uint32_t phb_reg[4] = {cpu_to_fdt32(uint32_t(phb_.buid >> 32)), cpu_to_fdt32(uint32_t(phb_.buid)), 0, 0};
    check(fdt_property(f, "reg", phb_reg, sizeof phb_reg), "phb reg");
    check(fdt_end_node(f), "phb end");

    check(fdt_end_node(f), "root end");
    check(fdt_finish(f), "finish");
    fdt_.resize(fdt_totalsize(f));
}

}  // namespace ppcmig::machine
