// Book I fixed-point instructions: rows and semantics.
#include <bit>
#include <type_traits>
#include <vector>

#include "cpu/insns/common.hpp"

namespace ppcmig::cpu::insn {
namespace {

constexpr auto FX = Category::FixedPoint;
constexpr auto ST = Category::Storage;

// ---------------- loads and stores ----------------
template <class T>
uint64_t extend(T v, bool sext) {
    if (sext) return static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
    return static_cast<uint64_t>(v);
}


template <class T, bool Sext, Ea K>
int ld(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = extend(c.load<T>(ea_of<K>(c, d)), Sext);
    return kNext;
}
template <class T, bool Sext, Ea K>
int ldu(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d), rt = f_rt(d);
    if (ra == 0 || ra == rt) return illegal(c, d);
    const uint64_t ea = ea_upd<K>(c, d);
    c.s.gpr[rt] = extend(c.load<T>(ea), Sext);
    c.s.gpr[ra] = ea;
    return kNext;
}
template <class T, Ea K>
int st(Cpu& c, const Decoded& d) {
    c.store<T>(ea_of<K>(c, d), static_cast<T>(c.s.gpr[f_rt(d)]));
    return c.store_flow();
}
template <class T, Ea K>
int stu(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    if (ra == 0) return illegal(c, d);
    const uint64_t ea = ea_upd<K>(c, d);
    c.store<T>(ea, static_cast<T>(c.s.gpr[f_rt(d)]));
    c.s.gpr[ra] = ea;
    return c.store_flow();
}
template <class T>
int ld_brx(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = c.load_rev<T>(ea_x(c, d));
    return kNext;
}
template <class T>
int st_brx(Cpu& c, const Decoded& d) {
    c.store_rev<T>(ea_x(c, d), static_cast<T>(c.s.gpr[f_rt(d)]));
    return c.store_flow();
}

int alignment(Cpu& c, const Decoded& d, uint64_t ea) {
    return c.interrupt({Vector::Alignment, d.pc, 0, ea, d.word});
}

int lmw(Cpu& c, const Decoded& d) {
    const unsigned rt = f_rt(d), ra = f_ra(d);
    if (ra >= rt) return illegal(c, d);  // RA in RT..31, RA=0 included, is an invalid form
    uint64_t ea = ea_d(c, d);
    if (c.little_endian() || (ea & 3)) return alignment(c, d, ea);
    for (unsigned r = rt; r < 32; ++r, ea = c.ea(ea + 4)) c.s.gpr[r] = c.load<uint32_t>(ea);
    return kNext;
}
int stmw(Cpu& c, const Decoded& d) {
    uint64_t ea = ea_d(c, d);
    if (c.little_endian() || (ea & 3)) return alignment(c, d, ea);
    for (unsigned r = f_rt(d); r < 32; ++r, ea = c.ea(ea + 4)) c.store<uint32_t>(ea, static_cast<uint32_t>(c.s.gpr[r]));
    return c.store_flow();
}

// Load/store string: nb bytes from EA into RT, RT+1, ... (4 bytes a register, wrapping to r0).
int load_string(Cpu& c, const Decoded& d, uint64_t ea, unsigned nb) {
    if (c.little_endian()) return alignment(c, d, ea);
    const unsigned rt = f_rt(d), ra = f_ra(d);
    // Invalid form: RA (or RB for lswx) in the range of registers to be loaded.
    const unsigned nr = (nb + 3) / 4;
    for (unsigned i = 0; i < nr; ++i) {
        const unsigned r = (rt + i) & 31;
        if ((r == ra && ra != 0)) return illegal(c, d);
    }
    unsigned r = (rt + 31) & 31;
    unsigned shift = 0;
    for (unsigned i = 0; i < nb; ++i) {
        if (i % 4 == 0) {
            r = (r + 1) & 31;
            c.s.gpr[r] = 0;
            shift = 24;
        }
        c.s.gpr[r] |= uint64_t(c.load<uint8_t>(c.ea(ea + i))) << shift;
        shift -= 8;
    }
    return kNext;
}
int store_string(Cpu& c, const Decoded& d, uint64_t ea, unsigned nb) {
    if (c.little_endian()) return alignment(c, d, ea);
    unsigned r = (f_rt(d) + 31) & 31;
    unsigned shift = 0;
    for (unsigned i = 0; i < nb; ++i) {
        if (i % 4 == 0) {
            r = (r + 1) & 31;
            shift = 24;
        }
        c.store<uint8_t>(c.ea(ea + i), static_cast<uint8_t>(c.s.gpr[r] >> shift));
        shift -= 8;
    }
    return c.store_flow();
}
int lswi(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return load_string(c, d, c.ea(ra ? c.s.gpr[ra] : 0), static_cast<unsigned>(isa::operand_value(NB, d.word)));
}
int lswx(Cpu& c, const Decoded& d) {
    const unsigned rt = f_rt(d), nb = static_cast<unsigned>(c.s.xer & 0x7F);
    if (nb != 0 && (rt == f_ra(d) || rt == f_rb(d))) return illegal(c, d);
    return load_string(c, d, ea_x(c, d), nb);
}
int stswi(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    return store_string(c, d, c.ea(ra ? c.s.gpr[ra] : 0), static_cast<unsigned>(isa::operand_value(NB, d.word)));
}
int stswx(Cpu& c, const Decoded& d) { return store_string(c, d, ea_x(c, d), static_cast<unsigned>(c.s.xer & 0x7F)); }

// Quadword: RTp even; the 16 bytes form one integer in the current byte order (RTp = high half).
int lq(Cpu& c, const Decoded& d) {
    const unsigned rt = f_rt(d), ra = f_ra(d);
    if ((rt & 1) || rt == ra) return illegal(c, d);
    const uint64_t ea = ea_dq(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const uint64_t a = c.load<uint64_t>(ea), b = c.load<uint64_t>(c.ea(ea + 8));
    c.s.gpr[rt] = c.little_endian() ? b : a;
    c.s.gpr[rt + 1] = c.little_endian() ? a : b;
    return kNext;
}
int stq(Cpu& c, const Decoded& d) {
    const unsigned rs = f_rt(d);
    if (rs & 1) return illegal(c, d);
    const uint64_t ea = ea_ds(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const uint64_t hi = c.s.gpr[rs], lo = c.s.gpr[rs + 1];
    c.store<uint64_t>(ea, c.little_endian() ? lo : hi);
    c.store<uint64_t>(c.ea(ea + 8), c.little_endian() ? hi : lo);
    return c.store_flow();
}

// ---------------- reservations ----------------
template <class T>
int larx(Cpu& c, const Decoded& d) {
    const uint64_t ea = ea_x(c, d);
    if (ea & (sizeof(T) - 1)) return alignment(c, d, ea);
    const T v = c.load<T>(ea);
    c.s.gpr[f_rt(d)] = v;
    c.s.reserve_addr = ea;
    c.s.reserve_len = sizeof(T);
    c.s.reserve_val = v;
    return kNext;
}
template <class T>
int stcx(Cpu& c, const Decoded& d) {
    const uint64_t ea = ea_x(c, d);
    if (ea & (sizeof(T) - 1)) return alignment(c, d, ea);
    const bool ok = c.s.reserve_addr == ea && c.s.reserve_len == sizeof(T);
    c.s.reserve_addr = ~uint64_t(0);
    c.s.reserve_len = 0;
    set_crf(c.s, 0, (ok ? 2u : 0u) | so_bit(c.s));
    if (!ok) return kNext;
    c.store<T>(ea, static_cast<T>(c.s.gpr[f_rt(d)]));
    return c.store_flow();
}
int lqarx(Cpu& c, const Decoded& d) {
    const unsigned rt = f_rt(d);
    if ((rt & 1) || rt == f_ra(d) || rt == f_rb(d)) return illegal(c, d);
    const uint64_t ea = ea_x(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const uint64_t a = c.load<uint64_t>(ea), b = c.load<uint64_t>(c.ea(ea + 8));
    c.s.gpr[rt] = c.little_endian() ? b : a;
    c.s.gpr[rt + 1] = c.little_endian() ? a : b;
    c.s.reserve_addr = ea;
    c.s.reserve_len = 16;
    c.s.reserve_val = a;
    c.s.reserve_val2 = b;
    return kNext;
}
int stqcx(Cpu& c, const Decoded& d) {
    const unsigned rs = f_rt(d);
    if (rs & 1) return illegal(c, d);
    const uint64_t ea = ea_x(c, d);
    if (ea & 15) return alignment(c, d, ea);
    const bool ok = c.s.reserve_addr == ea && c.s.reserve_len == 16;
    c.s.reserve_addr = ~uint64_t(0);
    c.s.reserve_len = 0;
    set_crf(c.s, 0, (ok ? 2u : 0u) | so_bit(c.s));
    if (!ok) return kNext;
    const uint64_t hi = c.s.gpr[rs], lo = c.s.gpr[rs + 1];
    c.store<uint64_t>(ea, c.little_endian() ? lo : hi);
    c.store<uint64_t>(c.ea(ea + 8), c.little_endian() ? hi : lo);
    return c.store_flow();
}

// ---------------- arithmetic ----------------
int addi(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    c.s.gpr[f_rt(d)] = (ra ? c.s.gpr[ra] : 0) + static_cast<uint64_t>(f_si(d));
    return kNext;
}
int addis(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    c.s.gpr[f_rt(d)] = (ra ? c.s.gpr[ra] : 0) + (static_cast<uint64_t>(f_si(d)) << 16);
    return kNext;
}
int addpcis(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = c.ea(d.pc + 4 + (static_cast<uint64_t>(isa::operand_value(XO_D, d.word)) << 16));
    return kNext;
}
int addic(Cpu& c, const Decoded& d) {
    const auto x = add3(c.sf(), c.s.gpr[f_ra(d)], static_cast<uint64_t>(f_si(d)), 0);
    c.s.gpr[f_rt(d)] = x.r;
    set_ca(c.s, x.ca, x.ca32);
    return kNext;
}
int addic_rc(Cpu& c, const Decoded& d) {
    addic(c, d);
    set_cr0(c, c.s.gpr[f_rt(d)]);
    return kNext;
}
int subfic(Cpu& c, const Decoded& d) {
    const auto x = add3(c.sf(), ~c.s.gpr[f_ra(d)], static_cast<uint64_t>(f_si(d)), 1);
    c.s.gpr[f_rt(d)] = x.r;
    set_ca(c.s, x.ca, x.ca32);
    return kNext;
}
int mulli(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = c.s.gpr[f_ra(d)] * static_cast<uint64_t>(f_si(d));
    return kNext;
}

// XO-form add family. Kind selects operands: a = RA or ~RA, b = RB, 0 or -1, carry-in.
enum class AddK { Add, Addc, Adde, Addme, Addze, Subf, Subfc, Subfe, Subfme, Subfze, Neg };
template <AddK K>
int addx(Cpu& c, const Decoded& d) {
    const uint64_t ra = c.s.gpr[f_ra(d)], rb = c.s.gpr[f_rb(d)];
    const uint64_t ca = xer_ca(c.s) ? 1 : 0;
    AddResult x{};
    switch (K) {
        case AddK::Add: x = add3(c.sf(), ra, rb, 0); break;
        case AddK::Addc: x = add3(c.sf(), ra, rb, 0); break;
        case AddK::Adde: x = add3(c.sf(), ra, rb, ca); break;
        case AddK::Addme: x = add3(c.sf(), ra, ~uint64_t(0), ca); break;
        case AddK::Addze: x = add3(c.sf(), ra, 0, ca); break;
        case AddK::Subf: x = add3(c.sf(), ~ra, rb, 1); break;
        case AddK::Subfc: x = add3(c.sf(), ~ra, rb, 1); break;
        case AddK::Subfe: x = add3(c.sf(), ~ra, rb, ca); break;
        case AddK::Subfme: x = add3(c.sf(), ~ra, ~uint64_t(0), ca); break;
        case AddK::Subfze: x = add3(c.sf(), ~ra, 0, ca); break;
        case AddK::Neg: x = add3(c.sf(), ~ra, 0, 1); break;
    }
    c.s.gpr[f_rt(d)] = x.r;
    if constexpr (K != AddK::Add && K != AddK::Subf && K != AddK::Neg) set_ca(c.s, x.ca, x.ca32);
    if (f_oe(d)) set_ov(c.s, x.ov, x.ov32);
    return finish_rc(c, d, x.r);
}

int addex(Cpu& c, const Decoded& d) {
    // CY=0: carry in/out through OV (ISA 3.0 addex); other CY values are reserved.
    if (isa::operand_value(CY, d.word) != 0) return illegal(c, d);
    const uint64_t ov = (c.s.xer & xer::OV) ? 1 : 0;
    const auto x = add3(c.sf(), c.s.gpr[f_ra(d)], c.s.gpr[f_rb(d)], ov);
    c.s.gpr[f_rt(d)] = x.r;
    c.s.xer = (c.s.xer & ~(xer::OV | xer::OV32)) | (x.ca ? xer::OV : 0) | (x.ca32 ? xer::OV32 : 0);
    return kNext;
}

// Multiply. Undefined result bits (high word of the *w forms) are zero, as QEMU leaves them.
int mullw(Cpu& c, const Decoded& d) {
    const int64_t p = int64_t(int32_t(c.s.gpr[f_ra(d)])) * int64_t(int32_t(c.s.gpr[f_rb(d)]));
    c.s.gpr[f_rt(d)] = static_cast<uint64_t>(p);
    if (f_oe(d)) {
        const bool ov = p != int64_t(int32_t(p));
        set_ov(c.s, ov, ov);
    }
    return finish_rc(c, d, static_cast<uint64_t>(p));
}
int mulld(Cpu& c, const Decoded& d) {
    const __int128 p = static_cast<__int128>(int64_t(c.s.gpr[f_ra(d)])) * int64_t(c.s.gpr[f_rb(d)]);
    const uint64_t r = static_cast<uint64_t>(p);
    c.s.gpr[f_rt(d)] = r;
    if (f_oe(d)) {
        const bool ov = p != static_cast<__int128>(static_cast<int64_t>(r));
        set_ov(c.s, ov, ov);  // mulldo: OV32 mirrors OV
    }
    return finish_rc(c, d, r);
}
int mulhw(Cpu& c, const Decoded& d) {
    const int64_t p = int64_t(int32_t(c.s.gpr[f_ra(d)])) * int64_t(int32_t(c.s.gpr[f_rb(d)]));
    const uint64_t r = uint64_t(uint32_t(uint64_t(p) >> 32));
    c.s.gpr[f_rt(d)] = r;
    if (f_rcbit(d)) set_crf(c.s, 0, cmp_signed(c.s, int32_t(r), 0));
    return kNext;
}
int mulhwu(Cpu& c, const Decoded& d) {
    const uint64_t p = uint64_t(uint32_t(c.s.gpr[f_ra(d)])) * uint64_t(uint32_t(c.s.gpr[f_rb(d)]));
    const uint64_t r = p >> 32;
    c.s.gpr[f_rt(d)] = r;
    if (f_rcbit(d)) set_crf(c.s, 0, cmp_signed(c.s, int32_t(r), 0));
    return kNext;
}
int mulhd(Cpu& c, const Decoded& d) {
    const __int128 p = static_cast<__int128>(int64_t(c.s.gpr[f_ra(d)])) * int64_t(c.s.gpr[f_rb(d)]);
    const uint64_t r = static_cast<uint64_t>(p >> 64);
    c.s.gpr[f_rt(d)] = r;
    return finish_rc(c, d, r);
}
int mulhdu(Cpu& c, const Decoded& d) {
    const unsigned __int128 p = static_cast<unsigned __int128>(c.s.gpr[f_ra(d)]) * c.s.gpr[f_rb(d)];
    const uint64_t r = static_cast<uint64_t>(p >> 64);
    c.s.gpr[f_rt(d)] = r;
    return finish_rc(c, d, r);
}
int maddhd(Cpu& c, const Decoded& d) {
    const __int128 p = static_cast<__int128>(int64_t(c.s.gpr[f_ra(d)])) * int64_t(c.s.gpr[f_rb(d)]) +
                       int64_t(c.s.gpr[f_rc(d)]);
    c.s.gpr[f_rt(d)] = static_cast<uint64_t>(p >> 64);
    return kNext;
}
int maddhdu(Cpu& c, const Decoded& d) {
    const unsigned __int128 p =
        static_cast<unsigned __int128>(c.s.gpr[f_ra(d)]) * c.s.gpr[f_rb(d)] + c.s.gpr[f_rc(d)];
    c.s.gpr[f_rt(d)] = static_cast<uint64_t>(p >> 64);
    return kNext;
}
int maddld(Cpu& c, const Decoded& d) {
    c.s.gpr[f_rt(d)] = c.s.gpr[f_ra(d)] * c.s.gpr[f_rb(d)] + c.s.gpr[f_rc(d)];
    return kNext;
}

// Divide. Undefined results (divide by zero, overflow) read as zero; OV/OV32 per the ISA.
template <bool Signed, bool Extended>
int divw(Cpu& c, const Decoded& d) {
    const uint32_t a = uint32_t(c.s.gpr[f_ra(d)]), b = uint32_t(c.s.gpr[f_rb(d)]);
    uint64_t r = 0;
    bool ov = false;
    if constexpr (Signed) {
        const int64_t dividend = Extended ? int64_t(uint64_t(a) << 32) : int64_t(int32_t(a));
        const int64_t divisor = int32_t(b);
        if (divisor == 0 || (dividend == INT64_MIN && divisor == -1)) ov = true;
        else {
            const int64_t q = dividend / divisor;
            if (q != int64_t(int32_t(q))) ov = true;
            else r = uint64_t(uint32_t(q));
        }
    } else {
        const uint64_t dividend = Extended ? (uint64_t(a) << 32) : a;
        if (b == 0) ov = true;
        else {
            const uint64_t q = dividend / b;
            if (q > 0xFFFFFFFFull) ov = true;
            else r = q;
        }
    }
    c.s.gpr[f_rt(d)] = r;
    if (f_oe(d)) set_ov(c.s, ov, ov);
    if (f_rcbit(d)) set_crf(c.s, 0, cmp_signed(c.s, c.sf() ? int64_t(r) : int64_t(int32_t(r)), 0));
    return kNext;
}
template <bool Signed, bool Extended>
int divd(Cpu& c, const Decoded& d) {
    const uint64_t a = c.s.gpr[f_ra(d)], b = c.s.gpr[f_rb(d)];
    uint64_t r = 0;
    bool ov = false;
    if constexpr (Signed) {
        if constexpr (Extended) {
            const __int128 dividend = static_cast<__int128>(static_cast<unsigned __int128>(a) << 64);
            const __int128 divisor = int64_t(b);
            if (divisor == 0) ov = true;
            else {
                const __int128 q = dividend / divisor;
                if (q != static_cast<__int128>(static_cast<int64_t>(q))) ov = true;
                else r = static_cast<uint64_t>(q);
            }
        } else {
            const int64_t x = int64_t(a), y = int64_t(b);
            if (y == 0 || (x == INT64_MIN && y == -1)) ov = true;
            else r = static_cast<uint64_t>(x / y);
        }
    } else {
        if constexpr (Extended) {
            if (b == 0 || a >= b) ov = true;  // quotient would not fit in 64 bits
            else r = static_cast<uint64_t>((static_cast<unsigned __int128>(a) << 64) / b);
        } else {
            if (b == 0) ov = true;
            else r = a / b;
        }
    }
    c.s.gpr[f_rt(d)] = r;
    if (f_oe(d)) set_ov(c.s, ov, ov);
    return finish_rc(c, d, r);
}
template <bool Signed, bool Dword>
int modx(Cpu& c, const Decoded& d) {
    uint64_t r = 0;
    if constexpr (Dword) {
        const uint64_t a = c.s.gpr[f_ra(d)], b = c.s.gpr[f_rb(d)];
        if constexpr (Signed) {
            if (b != 0 && !(int64_t(a) == INT64_MIN && int64_t(b) == -1)) r = uint64_t(int64_t(a) % int64_t(b));
        } else if (b != 0) r = a % b;
    } else {
        const uint32_t a = uint32_t(c.s.gpr[f_ra(d)]), b = uint32_t(c.s.gpr[f_rb(d)]);
        if constexpr (Signed) {
            if (b != 0 && !(int32_t(a) == INT32_MIN && int32_t(b) == -1))
                r = uint64_t(int64_t(int32_t(a) % int32_t(b)));
        } else if (b != 0) r = a % b;
    }
    c.s.gpr[f_rt(d)] = r;
    return kNext;
}

// ---------------- compare ----------------
int cmpi(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 21) & 1;
    const uint64_t a = c.s.gpr[f_ra(d)];
    const int64_t av = l ? int64_t(a) : int64_t(int32_t(a));
    set_crf(c.s, f_bf(d), cmp_signed(c.s, av, f_si(d)));
    return kNext;
}
int cmpli(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 21) & 1;
    const uint64_t a = c.s.gpr[f_ra(d)];
    set_crf(c.s, f_bf(d), cmp_unsigned(c.s, l ? a : uint32_t(a), f_ui(d)));
    return kNext;
}
int cmp(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 21) & 1;
    const uint64_t a = c.s.gpr[f_ra(d)], b = c.s.gpr[f_rb(d)];
    set_crf(c.s, f_bf(d), l ? cmp_signed(c.s, int64_t(a), int64_t(b))
                            : cmp_signed(c.s, int32_t(a), int32_t(b)));
    return kNext;
}
int cmpl(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 21) & 1;
    const uint64_t a = c.s.gpr[f_ra(d)], b = c.s.gpr[f_rb(d)];
    set_crf(c.s, f_bf(d), l ? cmp_unsigned(c.s, a, b) : cmp_unsigned(c.s, uint32_t(a), uint32_t(b)));
    return kNext;
}
int cmprb(Cpu& c, const Decoded& d) {
    const bool l = (d.word >> 21) & 1;
    const uint8_t x = uint8_t(c.s.gpr[f_ra(d)]);
    const uint64_t b = c.s.gpr[f_rb(d)];
    const auto in = [&](unsigned hi_shift, unsigned lo_shift) {
        return uint8_t(b >> lo_shift) <= x && x <= uint8_t(b >> hi_shift);
    };
    const bool r = in(8, 0) || (l && in(24, 16));
    set_crf(c.s, f_bf(d), r ? 4u : 0u);
    return kNext;
}
int cmpeqb(Cpu& c, const Decoded& d) {
    const uint8_t x = uint8_t(c.s.gpr[f_ra(d)]);
    const uint64_t b = c.s.gpr[f_rb(d)];
    bool m = false;
    for (unsigned i = 0; i < 64; i += 8) m |= uint8_t(b >> i) == x;
    set_crf(c.s, f_bf(d), m ? 4u : 0u);
    return kNext;
}
int setb(Cpu& c, const Decoded& d) {
    const uint32_t f = get_crf(c.s, f_bfa(d));
    c.s.gpr[f_rt(d)] = (f & 8) ? ~uint64_t(0) : (f & 4) ? 1 : 0;
    return kNext;
}
template <bool Set, bool Neg>
int setbc(Cpu& c, const Decoded& d) {
    const bool b = get_crbit(c.s, f_ra(d));
    const bool on = Set ? b : !b;
    c.s.gpr[f_rt(d)] = on ? (Neg ? ~uint64_t(0) : 1) : 0;
    return kNext;
}

// ---------------- logical ----------------
enum class LogK { And, Or, Xor, Nand, Nor, Eqv, Andc, Orc };
template <LogK K>
int logx(Cpu& c, const Decoded& d) {
    const uint64_t s = c.s.gpr[f_rt(d)], b = c.s.gpr[f_rb(d)];
    uint64_t r = 0;
    switch (K) {
        case LogK::And: r = s & b; break;
        case LogK::Or: r = s | b; break;
        case LogK::Xor: r = s ^ b; break;
        case LogK::Nand: r = ~(s & b); break;
        case LogK::Nor: r = ~(s | b); break;
        case LogK::Eqv: r = ~(s ^ b); break;
        case LogK::Andc: r = s & ~b; break;
        case LogK::Orc: r = s | ~b; break;
    }
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int andi_rc(Cpu& c, const Decoded& d) {
    const uint64_t r = c.s.gpr[f_rt(d)] & f_ui(d);
    c.s.gpr[f_ra(d)] = r;
    set_cr0(c, r);
    return kNext;
}
int andis_rc(Cpu& c, const Decoded& d) {
    const uint64_t r = c.s.gpr[f_rt(d)] & (f_ui(d) << 16);
    c.s.gpr[f_ra(d)] = r;
    set_cr0(c, r);
    return kNext;
}
int ori(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = c.s.gpr[f_rt(d)] | f_ui(d); return kNext; }
int oris(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = c.s.gpr[f_rt(d)] | (f_ui(d) << 16); return kNext; }
int xori(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = c.s.gpr[f_rt(d)] ^ f_ui(d); return kNext; }
int xoris(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = c.s.gpr[f_rt(d)] ^ (f_ui(d) << 16); return kNext; }

// Unary RS -> RA operations with Rc.
template <uint64_t (*F)(uint64_t)>
int unary(Cpu& c, const Decoded& d) {
    const uint64_t r = F(c.s.gpr[f_rt(d)]);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
uint64_t u_extsb(uint64_t v) { return uint64_t(int64_t(int8_t(v))); }
uint64_t u_extsh(uint64_t v) { return uint64_t(int64_t(int16_t(v))); }
uint64_t u_extsw(uint64_t v) { return uint64_t(int64_t(int32_t(v))); }
uint64_t u_cntlzw(uint64_t v) { return uint64_t(std::countl_zero(uint32_t(v))); }
uint64_t u_cntlzd(uint64_t v) { return uint64_t(std::countl_zero(v)); }
uint64_t u_cnttzw(uint64_t v) { return uint64_t(std::countr_zero(uint32_t(v))); }
uint64_t u_cnttzd(uint64_t v) { return uint64_t(std::countr_zero(v)); }
uint64_t u_popcntb(uint64_t v) {
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += 8) r |= uint64_t(std::popcount(uint8_t(v >> i))) << i;
    return r;
}
uint64_t u_popcntw(uint64_t v) {
    return uint64_t(std::popcount(uint32_t(v))) | (uint64_t(std::popcount(uint32_t(v >> 32))) << 32);
}
uint64_t u_popcntd(uint64_t v) { return uint64_t(std::popcount(v)); }
uint64_t u_prtyw(uint64_t v) {
    const uint64_t x = v & 0x0101010101010101ull;
    auto word = [](uint64_t w) { return uint64_t(std::popcount(w) & 1); };
    return word(x & 0xFFFFFFFF) | (word(x >> 32) << 32);
}
uint64_t u_prtyd(uint64_t v) { return uint64_t(std::popcount(v & 0x0101010101010101ull) & 1); }
uint64_t u_brh(uint64_t v) {
    return ((v & 0x00FF00FF00FF00FFull) << 8) | ((v >> 8) & 0x00FF00FF00FF00FFull);
}
uint64_t u_brw(uint64_t v) {
    return uint64_t(__builtin_bswap32(uint32_t(v))) | (uint64_t(__builtin_bswap32(uint32_t(v >> 32))) << 32);
}
uint64_t u_brd(uint64_t v) { return __builtin_bswap64(v); }

int cmpb(Cpu& c, const Decoded& d) {
    const uint64_t s = c.s.gpr[f_rt(d)], b = c.s.gpr[f_rb(d)];
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += 8)
        if (uint8_t(s >> i) == uint8_t(b >> i)) r |= uint64_t(0xFF) << i;
    c.s.gpr[f_ra(d)] = r;
    return kNext;
}
int bpermd(Cpu& c, const Decoded& d) {
    const uint64_t s = c.s.gpr[f_rt(d)], b = c.s.gpr[f_rb(d)];
    uint64_t r = 0;
    for (unsigned i = 0; i < 8; ++i) {
        const unsigned idx = uint8_t(s >> (56 - 8 * i));
        const uint64_t bit = idx < 64 ? (b >> (63 - idx)) & 1 : 0;
        r |= bit << (7 - i);
    }
    c.s.gpr[f_ra(d)] = r;
    return kNext;
}

// Bit-manipulation (ISA 3.1).
uint64_t pext64(uint64_t v, uint64_t m) {
    uint64_t r = 0;
    unsigned k = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((m >> i) & 1) r |= ((v >> i) & 1) << k++;
    return r;
}
uint64_t pdep64(uint64_t v, uint64_t m) {
    uint64_t r = 0;
    unsigned k = 0;
    for (unsigned i = 0; i < 64; ++i)
        if ((m >> i) & 1) r |= ((v >> k++) & 1) << i;
    return r;
}
int pdepd(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = pdep64(c.s.gpr[f_rt(d)], c.s.gpr[f_rb(d)]); return kNext; }
int pextd(Cpu& c, const Decoded& d) { c.s.gpr[f_ra(d)] = pext64(c.s.gpr[f_rt(d)], c.s.gpr[f_rb(d)]); return kNext; }
int cfuged(Cpu& c, const Decoded& d) {
    const uint64_t s = c.s.gpr[f_rt(d)], m = c.s.gpr[f_rb(d)];
    const unsigned ones = unsigned(std::popcount(m));
    const uint64_t left = pext64(s, ~m), right = pext64(s, m);
    c.s.gpr[f_ra(d)] = (ones == 64 ? 0 : left << ones) | right;
    return kNext;
}
int cntlzdm(Cpu& c, const Decoded& d) {
    const uint64_t m = c.s.gpr[f_rb(d)];
    const unsigned n = unsigned(std::popcount(m));
    const uint64_t x = pext64(c.s.gpr[f_rt(d)], m);
    c.s.gpr[f_ra(d)] = n == 0 ? 0 : (x == 0 ? n : unsigned(std::countl_zero(x)) - (64 - n));
    return kNext;
}
int cnttzdm(Cpu& c, const Decoded& d) {
    const uint64_t m = c.s.gpr[f_rb(d)];
    const unsigned n = unsigned(std::popcount(m));
    const uint64_t x = pext64(c.s.gpr[f_rt(d)], m);
    c.s.gpr[f_ra(d)] = x == 0 ? n : unsigned(std::countr_zero(x));
    return kNext;
}

// ---------------- rotate and shift ----------------
uint64_t rotl32x(uint64_t v, unsigned n) {
    const uint32_t w = rotl32(uint32_t(v), n);
    return (uint64_t(w) << 32) | w;
}
int rlwinm(Cpu& c, const Decoded& d) {
    const unsigned sh = f_rb(d), mb = f_rc(d), me = (d.word >> 1) & 31;
    const uint64_t r = rotl32x(c.s.gpr[f_rt(d)], sh) & mask64(mb + 32, me + 32);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rlwnm(Cpu& c, const Decoded& d) {
    const unsigned sh = c.s.gpr[f_rb(d)] & 31, mb = f_rc(d), me = (d.word >> 1) & 31;
    const uint64_t r = rotl32x(c.s.gpr[f_rt(d)], sh) & mask64(mb + 32, me + 32);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rlwimi(Cpu& c, const Decoded& d) {
    const unsigned sh = f_rb(d), mb = f_rc(d), me = (d.word >> 1) & 31;
    const uint64_t m = mask64(mb + 32, me + 32);
    const uint64_t r = (rotl32x(c.s.gpr[f_rt(d)], sh) & m) | (c.s.gpr[f_ra(d)] & ~m);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
// MD/XS fields inline (hot): sh = sh0:4 || sh5 (bit 30); mb = mb0:4 (bits 21-25) || mb5 (bit 26).
unsigned md_sh(const Decoded& d) { return ((d.word >> 11) & 31) | (((d.word >> 1) & 1) << 5); }
unsigned md_mb(const Decoded& d) { return ((d.word >> 6) & 31) | (((d.word >> 5) & 1) << 5); }
int rldicl(Cpu& c, const Decoded& d) {
    const uint64_t r = rotl64(c.s.gpr[f_rt(d)], md_sh(d)) & mask64(md_mb(d), 63);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rldicr(Cpu& c, const Decoded& d) {
    const uint64_t r = rotl64(c.s.gpr[f_rt(d)], md_sh(d)) & mask64(0, md_mb(d));
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rldic(Cpu& c, const Decoded& d) {
    const unsigned sh = md_sh(d);
    const uint64_t r = rotl64(c.s.gpr[f_rt(d)], sh) & mask64(md_mb(d), 63 - sh);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rldimi(Cpu& c, const Decoded& d) {
    const unsigned sh = md_sh(d);
    const uint64_t m = mask64(md_mb(d), 63 - sh);
    const uint64_t r = (rotl64(c.s.gpr[f_rt(d)], sh) & m) | (c.s.gpr[f_ra(d)] & ~m);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rldcl(Cpu& c, const Decoded& d) {
    const uint64_t r = rotl64(c.s.gpr[f_rt(d)], c.s.gpr[f_rb(d)] & 63) & mask64(md_mb(d), 63);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int rldcr(Cpu& c, const Decoded& d) {
    const uint64_t r = rotl64(c.s.gpr[f_rt(d)], c.s.gpr[f_rb(d)] & 63) & mask64(0, md_mb(d));
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int slw(Cpu& c, const Decoded& d) {
    const unsigned n = c.s.gpr[f_rb(d)] & 63;
    const uint64_t r = n >= 32 ? 0 : uint64_t(uint32_t(uint32_t(c.s.gpr[f_rt(d)]) << n));
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int srw(Cpu& c, const Decoded& d) {
    const unsigned n = c.s.gpr[f_rb(d)] & 63;
    const uint64_t r = n >= 32 ? 0 : uint64_t(uint32_t(c.s.gpr[f_rt(d)]) >> n);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int sraw_n(Cpu& c, const Decoded& d, unsigned n) {
    const int32_t v = int32_t(c.s.gpr[f_rt(d)]);
    int64_t r;
    bool ca;
    if (n >= 32) {
        r = v < 0 ? -1 : 0;
        ca = v < 0;
    } else {
        r = int64_t(v >> n);
        ca = v < 0 && (uint32_t(v) & ((1u << n) - 1)) != 0;
    }
    c.s.gpr[f_ra(d)] = uint64_t(r);
    set_ca(c.s, ca, ca);
    return finish_rc(c, d, uint64_t(r));
}
int sraw(Cpu& c, const Decoded& d) { return sraw_n(c, d, c.s.gpr[f_rb(d)] & 63); }
int srawi(Cpu& c, const Decoded& d) { return sraw_n(c, d, f_rb(d)); }
int sld(Cpu& c, const Decoded& d) {
    const unsigned n = c.s.gpr[f_rb(d)] & 127;
    const uint64_t r = n >= 64 ? 0 : c.s.gpr[f_rt(d)] << n;
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int srd(Cpu& c, const Decoded& d) {
    const unsigned n = c.s.gpr[f_rb(d)] & 127;
    const uint64_t r = n >= 64 ? 0 : c.s.gpr[f_rt(d)] >> n;
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}
int srad_n(Cpu& c, const Decoded& d, unsigned n) {
    const int64_t v = int64_t(c.s.gpr[f_rt(d)]);
    int64_t r;
    bool ca;
    if (n >= 64) {
        r = v < 0 ? -1 : 0;
        ca = v < 0;
    } else {
        r = v >> n;
        ca = v < 0 && n != 0 && (uint64_t(v) & ((uint64_t(1) << n) - 1)) != 0;
    }
    c.s.gpr[f_ra(d)] = uint64_t(r);
    set_ca(c.s, ca, ca);
    return finish_rc(c, d, uint64_t(r));
}
int srad(Cpu& c, const Decoded& d) { return srad_n(c, d, c.s.gpr[f_rb(d)] & 127); }
int sradi(Cpu& c, const Decoded& d) { return srad_n(c, d, md_sh(d)); }
int extswsli(Cpu& c, const Decoded& d) {
    const uint64_t r = uint64_t(int64_t(int32_t(c.s.gpr[f_rt(d)]))) << md_sh(d);
    c.s.gpr[f_ra(d)] = r;
    return finish_rc(c, d, r);
}

int isel(Cpu& c, const Decoded& d) {
    const unsigned ra = f_ra(d);
    c.s.gpr[f_rt(d)] = get_crbit(c.s, f_rc(d)) ? (ra ? c.s.gpr[ra] : 0) : c.s.gpr[f_rb(d)];
    return kNext;
}

// ---------------- traps ----------------
bool trap_cond(unsigned to, int64_t a, int64_t b) {
    return ((to & 0x10) && a < b) || ((to & 0x08) && a > b) || ((to & 0x04) && a == b) ||
           ((to & 0x02) && uint64_t(a) < uint64_t(b)) || ((to & 0x01) && uint64_t(a) > uint64_t(b));
}
int trap_if(Cpu& c, const Decoded& d, bool t) { return t ? c.program(d, srr1::TRAP) : kNext; }
int twi(Cpu& c, const Decoded& d) {
    return trap_if(c, d, trap_cond(f_rt(d), int32_t(c.s.gpr[f_ra(d)]), int32_t(f_si(d))));
}
int tdi(Cpu& c, const Decoded& d) { return trap_if(c, d, trap_cond(f_rt(d), int64_t(c.s.gpr[f_ra(d)]), f_si(d))); }
int tw(Cpu& c, const Decoded& d) {
    return trap_if(c, d, trap_cond(f_rt(d), int32_t(c.s.gpr[f_ra(d)]), int32_t(c.s.gpr[f_rb(d)])));
}
int td(Cpu& c, const Decoded& d) {
    return trap_if(c, d, trap_cond(f_rt(d), int64_t(c.s.gpr[f_ra(d)]), int64_t(c.s.gpr[f_rb(d)])));
}

// ---------------- CR and XER moves ----------------
int mfcr(Cpu& c, const Decoded& d) { c.s.gpr[f_rt(d)] = c.s.cr; return kNext; }
int mfocrf(Cpu& c, const Decoded& d) {
    const unsigned fxm = (d.word >> 12) & 0xFF;
    // One-hot FXM: that field only; otherwise undefined (we give the whole CR masked).
    uint32_t m = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (fxm & (0x80 >> i)) m |= 0xF0000000u >> (4 * i);
    c.s.gpr[f_rt(d)] = c.s.cr & m;
    return kNext;
}
int mtcrf(Cpu& c, const Decoded& d) {
    const unsigned fxm = (d.word >> 12) & 0xFF;
    uint32_t m = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (fxm & (0x80 >> i)) m |= 0xF0000000u >> (4 * i);
    c.s.cr = (c.s.cr & ~m) | (uint32_t(c.s.gpr[f_rt(d)]) & m);
    return kNext;
}
int mcrxrx(Cpu& c, const Decoded& d) {
    const uint64_t x = c.s.xer;
    set_crf(c.s, f_bf(d), ((x & xer::OV) ? 8u : 0u) | ((x & xer::OV32) ? 4u : 0u) | ((x & xer::CA) ? 2u : 0u) |
                              ((x & xer::CA32) ? 1u : 0u));
    return kNext;
}

int darn(Cpu& c, const Decoded& d) {
    const unsigned l = unsigned(isa::operand_value(L_DARN, d.word));
    uint64_t r;
    switch (l) {
        case 0: r = c.env().random64(c) & 0xFFFFFFFF; break;
        case 1:
        case 2: r = c.env().random64(c); if (r == ~uint64_t(0)) r = 0; break;
        default: r = ~uint64_t(0); break;  // reserved L: the error value
    }
    c.s.gpr[f_rt(d)] = r;
    return kNext;
}

const std::vector<InsnSpec>& rows() {
    using F = uint16_t;
    constexpr F Rc = isa::F_Rc, OE = isa::F_OE, RcF = isa::F_RcFixed, S = isa::F_Store;
    static const std::vector<InsnSpec> t = {
        // D-form loads and stores
        row("lbz", isa::op(34), {RT, D, RA0}, L201, FX, 0, ld<uint8_t, false, Ea::D>),
        row("lbzu", isa::op(35), {RT, D, RA}, L201, FX, 0, ldu<uint8_t, false, Ea::D>),
        row("lhz", isa::op(40), {RT, D, RA0}, L201, FX, 0, ld<uint16_t, false, Ea::D>),
        row("lhzu", isa::op(41), {RT, D, RA}, L201, FX, 0, ldu<uint16_t, false, Ea::D>),
        row("lha", isa::op(42), {RT, D, RA0}, L201, FX, 0, ld<uint16_t, true, Ea::D>),
        row("lhau", isa::op(43), {RT, D, RA}, L201, FX, 0, ldu<uint16_t, true, Ea::D>),
        row("lwz", isa::op(32), {RT, D, RA0}, L201, FX, 0, ld<uint32_t, false, Ea::D>),
        row("lwzu", isa::op(33), {RT, D, RA}, L201, FX, 0, ldu<uint32_t, false, Ea::D>),
        row("stb", isa::op(38), {RT, D, RA0}, L201, FX, S, st<uint8_t, Ea::D>),
        row("stbu", isa::op(39), {RT, D, RA}, L201, FX, S, stu<uint8_t, Ea::D>),
        row("sth", isa::op(44), {RT, D, RA0}, L201, FX, S, st<uint16_t, Ea::D>),
        row("sthu", isa::op(45), {RT, D, RA}, L201, FX, S, stu<uint16_t, Ea::D>),
        row("stw", isa::op(36), {RT, D, RA0}, L201, FX, S, st<uint32_t, Ea::D>),
        row("stwu", isa::op(37), {RT, D, RA}, L201, FX, S, stu<uint32_t, Ea::D>),
        row("lmw", isa::op(46), {RT, D, RA0}, L201, FX, 0, lmw),
        row("stmw", isa::op(47), {RT, D, RA0}, L201, FX, S, stmw),
        // DS-form
        row("ld", isa::ds(58, 0), {RT, DS, RA0}, L201, FX, 0, ld<uint64_t, false, Ea::DS>),
        row("ldu", isa::ds(58, 1), {RT, DS, RA}, L201, FX, 0, ldu<uint64_t, false, Ea::DS>),
        row("lwa", isa::ds(58, 2), {RT, DS, RA0}, L201, FX, 0, ld<uint32_t, true, Ea::DS>),
        row("std", isa::ds(62, 0), {RT, DS, RA0}, L201, FX, S, st<uint64_t, Ea::DS>),
        row("stdu", isa::ds(62, 1), {RT, DS, RA}, L201, FX, S, stu<uint64_t, Ea::DS>),
        row("stq", isa::ds(62, 2), {RT, DS, RA0}, L207, FX, S, stq),
        row("lq", isa::op(56), {RT, DQ, RA0}, L207, FX, 0, lq),
        // X-form loads and stores
        row("lbzx", isa::xo10(31, 87), {RT, RA0, RB}, L201, FX, 0, ld<uint8_t, false, Ea::X>),
        row("lbzux", isa::xo10(31, 119), {RT, RA, RB}, L201, FX, 0, ldu<uint8_t, false, Ea::X>),
        row("lhzx", isa::xo10(31, 279), {RT, RA0, RB}, L201, FX, 0, ld<uint16_t, false, Ea::X>),
        row("lhzux", isa::xo10(31, 311), {RT, RA, RB}, L201, FX, 0, ldu<uint16_t, false, Ea::X>),
        row("lhax", isa::xo10(31, 343), {RT, RA0, RB}, L201, FX, 0, ld<uint16_t, true, Ea::X>),
        row("lhaux", isa::xo10(31, 375), {RT, RA, RB}, L201, FX, 0, ldu<uint16_t, true, Ea::X>),
        row("lwzx", isa::xo10(31, 23), {RT, RA0, RB}, L201, FX, 0, ld<uint32_t, false, Ea::X>),
        row("lwzux", isa::xo10(31, 55), {RT, RA, RB}, L201, FX, 0, ldu<uint32_t, false, Ea::X>),
        row("lwax", isa::xo10(31, 341), {RT, RA0, RB}, L201, FX, 0, ld<uint32_t, true, Ea::X>),
        row("lwaux", isa::xo10(31, 373), {RT, RA, RB}, L201, FX, 0, ldu<uint32_t, true, Ea::X>),
        row("ldx", isa::xo10(31, 21), {RT, RA0, RB}, L201, FX, 0, ld<uint64_t, false, Ea::X>),
        row("ldux", isa::xo10(31, 53), {RT, RA, RB}, L201, FX, 0, ldu<uint64_t, false, Ea::X>),
        row("stbx", isa::xo10(31, 215), {RT, RA0, RB}, L201, FX, S, st<uint8_t, Ea::X>),
        row("stbux", isa::xo10(31, 247), {RT, RA, RB}, L201, FX, S, stu<uint8_t, Ea::X>),
        row("sthx", isa::xo10(31, 407), {RT, RA0, RB}, L201, FX, S, st<uint16_t, Ea::X>),
        row("sthux", isa::xo10(31, 439), {RT, RA, RB}, L201, FX, S, stu<uint16_t, Ea::X>),
        row("stwx", isa::xo10(31, 151), {RT, RA0, RB}, L201, FX, S, st<uint32_t, Ea::X>),
        row("stwux", isa::xo10(31, 183), {RT, RA, RB}, L201, FX, S, stu<uint32_t, Ea::X>),
        row("stdx", isa::xo10(31, 149), {RT, RA0, RB}, L201, FX, S, st<uint64_t, Ea::X>),
        row("stdux", isa::xo10(31, 181), {RT, RA, RB}, L201, FX, S, stu<uint64_t, Ea::X>),
        row("lhbrx", isa::xo10(31, 790), {RT, RA0, RB}, L201, FX, 0, ld_brx<uint16_t>),
        row("lwbrx", isa::xo10(31, 534), {RT, RA0, RB}, L201, FX, 0, ld_brx<uint32_t>),
        row("ldbrx", isa::xo10(31, 532), {RT, RA0, RB}, L206, FX, 0, ld_brx<uint64_t>),
        row("sthbrx", isa::xo10(31, 918), {RT, RA0, RB}, L201, FX, S, st_brx<uint16_t>),
        row("stwbrx", isa::xo10(31, 662), {RT, RA0, RB}, L201, FX, S, st_brx<uint32_t>),
        row("stdbrx", isa::xo10(31, 660), {RT, RA0, RB}, L206, FX, S, st_brx<uint64_t>),
        row("lswi", isa::xo10(31, 597), {RT, RA0, NB}, L201, FX, 0, lswi),
        row("lswx", isa::xo10(31, 533), {RT, RA0, RB}, L201, FX, 0, lswx),
        row("stswi", isa::xo10(31, 725), {RT, RA0, NB}, L201, FX, S, stswi),
        row("stswx", isa::xo10(31, 661), {RT, RA0, RB}, L201, FX, S, stswx),
        // Reservations
        row("lbarx", isa::xo10(31, 52), {RT, RA0, RB, EH}, L206, ST, 0, larx<uint8_t>),
        row("lharx", isa::xo10(31, 116), {RT, RA0, RB, EH}, L206, ST, 0, larx<uint16_t>),
        row("lwarx", isa::xo10(31, 20), {RT, RA0, RB, EH}, L201, ST, 0, larx<uint32_t>),
        row("ldarx", isa::xo10(31, 84), {RT, RA0, RB, EH}, L201, ST, 0, larx<uint64_t>),
        row("lqarx", isa::xo10(31, 276), {RT, RA0, RB, EH}, L207, ST, 0, lqarx),
        row("stbcx.", isa::xo10(31, 694) | 1, {RT, RA0, RB}, L206, ST, RcF | S, stcx<uint8_t>),
        row("sthcx.", isa::xo10(31, 726) | 1, {RT, RA0, RB}, L206, ST, RcF | S, stcx<uint16_t>),
        row("stwcx.", isa::xo10(31, 150) | 1, {RT, RA0, RB}, L201, ST, RcF | S, stcx<uint32_t>),
        row("stdcx.", isa::xo10(31, 214) | 1, {RT, RA0, RB}, L201, ST, RcF | S, stcx<uint64_t>),
        row("stqcx.", isa::xo10(31, 182) | 1, {RT, RA0, RB}, L207, ST, RcF | S, stqcx),
        // Arithmetic
        row("addi", isa::op(14), {RT, RA0, SI}, L201, FX, 0, addi),
        row("addis", isa::op(15), {RT, RA0, SI}, L201, FX, 0, addis),
        row("addpcis", isa::a5(19, 2), {RT, XO_D}, L300, FX, 0, addpcis),
        row("addic", isa::op(12), {RT, RA, SI}, L201, FX, 0, addic),
        row("addic.", isa::op(13), {RT, RA, SI}, L201, FX, 0, addic_rc),
        row("subfic", isa::op(8), {RT, RA, SI}, L201, FX, 0, subfic),
        row("mulli", isa::op(7), {RT, RA, SI}, L201, FX, 0, mulli),
        row("add", isa::xo9(31, 266), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Add>),
        row("addc", isa::xo9(31, 10), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Addc>),
        row("adde", isa::xo9(31, 138), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Adde>),
        row("addme", isa::xo9(31, 234), {RT, RA}, L201, FX, Rc | OE, addx<AddK::Addme>),
        row("addze", isa::xo9(31, 202), {RT, RA}, L201, FX, Rc | OE, addx<AddK::Addze>),
        row("subf", isa::xo9(31, 40), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Subf>),
        row("subfc", isa::xo9(31, 8), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Subfc>),
        row("subfe", isa::xo9(31, 136), {RT, RA, RB}, L201, FX, Rc | OE, addx<AddK::Subfe>),
        row("subfme", isa::xo9(31, 232), {RT, RA}, L201, FX, Rc | OE, addx<AddK::Subfme>),
        row("subfze", isa::xo9(31, 200), {RT, RA}, L201, FX, Rc | OE, addx<AddK::Subfze>),
        row("neg", isa::xo9(31, 104), {RT, RA}, L201, FX, Rc | OE, addx<AddK::Neg>),
        row("addex", isa::op(31) | (170u << 1), {RT, RA, RB, CY}, L300, FX, 0, addex),
        row("mullw", isa::xo9(31, 235), {RT, RA, RB}, L201, FX, Rc | OE, mullw),
        row("mulld", isa::xo9(31, 233), {RT, RA, RB}, L201, FX, Rc | OE, mulld),
        row("mulhw", isa::xo9(31, 75), {RT, RA, RB}, L201, FX, Rc, mulhw),
        row("mulhwu", isa::xo9(31, 11), {RT, RA, RB}, L201, FX, Rc, mulhwu),
        row("mulhd", isa::xo9(31, 73), {RT, RA, RB}, L201, FX, Rc, mulhd),
        row("mulhdu", isa::xo9(31, 9), {RT, RA, RB}, L201, FX, Rc, mulhdu),
        row("maddhd", isa::va(48), {RT, RA, RB, RC}, L300, FX, 0, maddhd),
        row("maddhdu", isa::va(49), {RT, RA, RB, RC}, L300, FX, 0, maddhdu),
        row("maddld", isa::va(51), {RT, RA, RB, RC}, L300, FX, 0, maddld),
        row("divw", isa::xo9(31, 491), {RT, RA, RB}, L201, FX, Rc | OE, divw<true, false>),
        row("divwu", isa::xo9(31, 459), {RT, RA, RB}, L201, FX, Rc | OE, divw<false, false>),
        row("divwe", isa::xo9(31, 427), {RT, RA, RB}, L206, FX, Rc | OE, divw<true, true>),
        row("divweu", isa::xo9(31, 395), {RT, RA, RB}, L206, FX, Rc | OE, divw<false, true>),
        row("divd", isa::xo9(31, 489), {RT, RA, RB}, L201, FX, Rc | OE, divd<true, false>),
        row("divdu", isa::xo9(31, 457), {RT, RA, RB}, L201, FX, Rc | OE, divd<false, false>),
        row("divde", isa::xo9(31, 425), {RT, RA, RB}, L206, FX, Rc | OE, divd<true, true>),
        row("divdeu", isa::xo9(31, 393), {RT, RA, RB}, L206, FX, Rc | OE, divd<false, true>),
        row("modsw", isa::xo10(31, 779), {RT, RA, RB}, L300, FX, 0, modx<true, false>),
        row("moduw", isa::xo10(31, 267), {RT, RA, RB}, L300, FX, 0, modx<false, false>),
        row("modsd", isa::xo10(31, 777), {RT, RA, RB}, L300, FX, 0, modx<true, true>),
        row("modud", isa::xo10(31, 265), {RT, RA, RB}, L300, FX, 0, modx<false, true>),
        // Compare
        // Bit 9 is reserved and ignored (by objdump and QEMU alike).
        row("cmpi", isa::op(11), {BF, L10, RA, SI}, L201, FX, 0, cmpi, Privilege::Problem, 1u << 22),
        row("cmpli", isa::op(10), {BF, L10, RA, UI}, L201, FX, 0, cmpli, Privilege::Problem, 1u << 22),
        row("cmp", isa::xo10(31, 0), {BF, L10, RA, RB}, L201, FX, 0, cmp),
        row("cmpl", isa::xo10(31, 32), {BF, L10, RA, RB}, L201, FX, 0, cmpl),
        row("cmprb", isa::xo10(31, 192), {BF, L10, RA, RB}, L300, FX, 0, cmprb),
        row("cmpeqb", isa::xo10(31, 224), {BF, RA, RB}, L300, FX, 0, cmpeqb),
        row("setb", isa::xo10(31, 128), {RT, BFA}, L300, FX, 0, setb),
        row("setbc", isa::xo10(31, 384), {RT, BI_CR}, L310, FX, 0, setbc<true, false>),
        row("setbcr", isa::xo10(31, 416), {RT, BI_CR}, L310, FX, 0, setbc<false, false>),
        row("setnbc", isa::xo10(31, 448), {RT, BI_CR}, L310, FX, 0, setbc<true, true>),
        row("setnbcr", isa::xo10(31, 480), {RT, BI_CR}, L310, FX, 0, setbc<false, true>),
        // Logical
        row("andi.", isa::op(28), {RA, RT, UI}, L201, FX, 0, andi_rc),
        row("andis.", isa::op(29), {RA, RT, UI}, L201, FX, 0, andis_rc),
        row("ori", isa::op(24), {RA, RT, UI}, L201, FX, 0, ori),
        row("oris", isa::op(25), {RA, RT, UI}, L201, FX, 0, oris),
        row("xori", isa::op(26), {RA, RT, UI}, L201, FX, 0, xori),
        row("xoris", isa::op(27), {RA, RT, UI}, L201, FX, 0, xoris),
        row("and", isa::xo10(31, 28), {RA, RT, RB}, L201, FX, Rc, logx<LogK::And>),
        row("or", isa::xo10(31, 444), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Or>),
        row("xor", isa::xo10(31, 316), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Xor>),
        row("nand", isa::xo10(31, 476), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Nand>),
        row("nor", isa::xo10(31, 124), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Nor>),
        row("eqv", isa::xo10(31, 284), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Eqv>),
        row("andc", isa::xo10(31, 60), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Andc>),
        row("orc", isa::xo10(31, 412), {RA, RT, RB}, L201, FX, Rc, logx<LogK::Orc>),
        row("extsb", isa::xo10(31, 954), {RA, RT}, L201, FX, Rc, unary<u_extsb>),
        row("extsh", isa::xo10(31, 922), {RA, RT}, L201, FX, Rc, unary<u_extsh>),
        row("extsw", isa::xo10(31, 986), {RA, RT}, L201, FX, Rc, unary<u_extsw>),
        row("cntlzw", isa::xo10(31, 26), {RA, RT}, L201, FX, Rc, unary<u_cntlzw>),
        row("cntlzd", isa::xo10(31, 58), {RA, RT}, L201, FX, Rc, unary<u_cntlzd>),
        row("cnttzw", isa::xo10(31, 538), {RA, RT}, L300, FX, Rc, unary<u_cnttzw>),
        row("cnttzd", isa::xo10(31, 570), {RA, RT}, L300, FX, Rc, unary<u_cnttzd>),
        row("popcntb", isa::xo10(31, 122), {RA, RT}, L202, FX, 0, unary<u_popcntb>),
        row("popcntw", isa::xo10(31, 378), {RA, RT}, L206, FX, 0, unary<u_popcntw>),
        row("popcntd", isa::xo10(31, 506), {RA, RT}, L206, FX, 0, unary<u_popcntd>),
        row("prtyw", isa::xo10(31, 154), {RA, RT}, L205, FX, 0, unary<u_prtyw>),
        row("prtyd", isa::xo10(31, 186), {RA, RT}, L205, FX, 0, unary<u_prtyd>),
        row("brh", isa::xo10(31, 219), {RA, RT}, L310, FX, 0, unary<u_brh>),
        row("brw", isa::xo10(31, 155), {RA, RT}, L310, FX, 0, unary<u_brw>),
        row("brd", isa::xo10(31, 187), {RA, RT}, L310, FX, 0, unary<u_brd>),
        row("cmpb", isa::xo10(31, 508), {RA, RT, RB}, L205, FX, 0, cmpb),
        row("bpermd", isa::xo10(31, 252), {RA, RT, RB}, L206, FX, 0, bpermd),
        row("pdepd", isa::xo10(31, 156), {RA, RT, RB}, L310, FX, 0, pdepd),
        row("pextd", isa::xo10(31, 188), {RA, RT, RB}, L310, FX, 0, pextd),
        row("cfuged", isa::xo10(31, 220), {RA, RT, RB}, L310, FX, 0, cfuged),
        row("cntlzdm", isa::xo10(31, 59), {RA, RT, RB}, L310, FX, 0, cntlzdm),
        row("cnttzdm", isa::xo10(31, 571), {RA, RT, RB}, L310, FX, 0, cnttzdm),
        // Rotate and shift
        row("rlwinm", isa::op(21), {RA, RT, SH5, MB5, ME5}, L201, FX, Rc, rlwinm),
        row("rlwnm", isa::op(23), {RA, RT, RB, MB5, ME5}, L201, FX, Rc, rlwnm),
        row("rlwimi", isa::op(20), {RA, RT, SH5, MB5, ME5}, L201, FX, Rc, rlwimi),
        row("rldicl", isa::md(30, 0), {RA, RT, SH6, MB6}, L201, FX, Rc, rldicl),
        row("rldicr", isa::md(30, 1), {RA, RT, SH6, MB6}, L201, FX, Rc, rldicr),
        row("rldic", isa::md(30, 2), {RA, RT, SH6, MB6}, L201, FX, Rc, rldic),
        row("rldimi", isa::md(30, 3), {RA, RT, SH6, MB6}, L201, FX, Rc, rldimi),
        row("rldcl", isa::mds(30, 8), {RA, RT, RB, MB6}, L201, FX, Rc, rldcl),
        row("rldcr", isa::mds(30, 9), {RA, RT, RB, MB6}, L201, FX, Rc, rldcr),
        row("slw", isa::xo10(31, 24), {RA, RT, RB}, L201, FX, Rc, slw),
        row("srw", isa::xo10(31, 536), {RA, RT, RB}, L201, FX, Rc, srw),
        row("sraw", isa::xo10(31, 792), {RA, RT, RB}, L201, FX, Rc, sraw),
        row("srawi", isa::xo10(31, 824), {RA, RT, SH5}, L201, FX, Rc, srawi),
        row("sld", isa::xo10(31, 27), {RA, RT, RB}, L201, FX, Rc, sld),
        row("srd", isa::xo10(31, 539), {RA, RT, RB}, L201, FX, Rc, srd),
        row("srad", isa::xo10(31, 794), {RA, RT, RB}, L201, FX, Rc, srad),
        row("sradi", isa::op(31) | (413u << 2), {RA, RT, SH6}, L201, FX, Rc, sradi),
        row("extswsli", isa::op(31) | (445u << 2), {RA, RT, SH6}, L300, FX, Rc, extswsli),
        row("isel", isa::a5(31, 15), {RT, RA0, RB, BC}, L206, FX, 0, isel),
        // Traps
        row("twi", isa::op(3), {TO, RA, SI}, L201, FX, 0, twi),
        row("tdi", isa::op(2), {TO, RA, SI}, L201, FX, 0, tdi),
        row("tw", isa::xo10(31, 4), {TO, RA, RB}, L201, FX, 0, tw),
        row("td", isa::xo10(31, 68), {TO, RA, RB}, L201, FX, 0, td),
        // Moves
        row("mfcr", isa::xo10(31, 19), {RT}, L201, FX, 0, mfcr),
        row("mfocrf", isa::xo10(31, 19) | (1u << 20), {RT, FXM1}, L201, FX, 0, mfocrf),
        row("mtcrf", isa::xo10(31, 144), {FXM, RT}, L201, FX, 0, mtcrf),
        row("mtocrf", isa::xo10(31, 144) | (1u << 20), {FXM1, RT}, L201, FX, 0, mtcrf),
        row("mcrxrx", isa::xo10(31, 576), {BF}, L300, FX, 0, mcrxrx),
        row("darn", isa::xo10(31, 755), {RT, L_DARN}, L300, FX, 0, darn),
    };
    return t;
}

}  // namespace
}  // namespace ppcmig::cpu::insn

namespace ppcmig::isa {
std::span<const InsnSpec> table_fixed_point() { return cpu::insn::rows(); }
}  // namespace ppcmig::isa
