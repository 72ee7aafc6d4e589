// Architected state of one ppc64 vCPU, and the register bit definitions the engine uses.
// Plain data: copyable, comparable, fully initialised (determinism and migration depend on it).
#pragma once

#include <array>
#include <cstdint>

namespace ppcmig::cpu {

/// A 128-bit VSX register. hi is doubleword 0 (the FPR for VSR 0-31), lo is doubleword 1.
/// Vector elements use the ISA's big-endian element numbering through the accessors in vreg.hpp.
struct Vsr {
    uint64_t lo = 0;
    uint64_t hi = 0;
    friend bool operator==(const Vsr&, const Vsr&) = default;
};

namespace msr {
inline constexpr uint64_t SF = uint64_t(1) << 63;
inline constexpr uint64_t HV = uint64_t(1) << 60;
inline constexpr uint64_t TS1 = uint64_t(1) << 34;
inline constexpr uint64_t TS0 = uint64_t(1) << 33;
inline constexpr uint64_t TM = uint64_t(1) << 32;
inline constexpr uint64_t VEC = uint64_t(1) << 25;
inline constexpr uint64_t VSX = uint64_t(1) << 23;
inline constexpr uint64_t ILE = uint64_t(1) << 16;
inline constexpr uint64_t EE = uint64_t(1) << 15;
inline constexpr uint64_t PR = uint64_t(1) << 14;
inline constexpr uint64_t FP = uint64_t(1) << 13;
inline constexpr uint64_t ME = uint64_t(1) << 12;
inline constexpr uint64_t FE0 = uint64_t(1) << 11;
inline constexpr uint64_t SE = uint64_t(1) << 10;
inline constexpr uint64_t BE = uint64_t(1) << 9;
inline constexpr uint64_t FE1 = uint64_t(1) << 8;
inline constexpr uint64_t IR = uint64_t(1) << 5;
inline constexpr uint64_t DR = uint64_t(1) << 4;
inline constexpr uint64_t PMM = uint64_t(1) << 2;
inline constexpr uint64_t RI = uint64_t(1) << 1;
inline constexpr uint64_t LE = uint64_t(1) << 0;
}  // namespace msr

namespace xer {
inline constexpr uint64_t SO = uint64_t(1) << 31;
inline constexpr uint64_t OV = uint64_t(1) << 30;
inline constexpr uint64_t CA = uint64_t(1) << 29;
inline constexpr uint64_t OV32 = uint64_t(1) << 19;
inline constexpr uint64_t CA32 = uint64_t(1) << 18;
}  // namespace xer

namespace fpscr {
inline constexpr uint64_t FX = uint64_t(1) << 31;
inline constexpr uint64_t FEX = uint64_t(1) << 30;
inline constexpr uint64_t VX = uint64_t(1) << 29;
inline constexpr uint64_t OX = uint64_t(1) << 28;
inline constexpr uint64_t UX = uint64_t(1) << 27;
inline constexpr uint64_t ZX = uint64_t(1) << 26;
inline constexpr uint64_t XX = uint64_t(1) << 25;
inline constexpr uint64_t VXSNAN = uint64_t(1) << 24;
inline constexpr uint64_t VXISI = uint64_t(1) << 23;
inline constexpr uint64_t VXIDI = uint64_t(1) << 22;
inline constexpr uint64_t VXZDZ = uint64_t(1) << 21;
inline constexpr uint64_t VXIMZ = uint64_t(1) << 20;
inline constexpr uint64_t VXVC = uint64_t(1) << 19;
inline constexpr uint64_t FR = uint64_t(1) << 18;
inline constexpr uint64_t FI = uint64_t(1) << 17;
inline constexpr uint64_t FPRF = uint64_t(0x1F) << 12;  ///< C || FPCC
inline constexpr uint64_t C = uint64_t(1) << 16;
inline constexpr uint64_t FL = uint64_t(1) << 15;
inline constexpr uint64_t FG = uint64_t(1) << 14;
inline constexpr uint64_t FE = uint64_t(1) << 13;
inline constexpr uint64_t FU = uint64_t(1) << 12;
inline constexpr uint64_t VXSOFT = uint64_t(1) << 10;
inline constexpr uint64_t VXSQRT = uint64_t(1) << 9;
inline constexpr uint64_t VXCVI = uint64_t(1) << 8;
inline constexpr uint64_t VE = uint64_t(1) << 7;
inline constexpr uint64_t OE = uint64_t(1) << 6;
inline constexpr uint64_t UE = uint64_t(1) << 5;
inline constexpr uint64_t ZE = uint64_t(1) << 4;
inline constexpr uint64_t XE = uint64_t(1) << 3;
inline constexpr uint64_t NI = uint64_t(1) << 2;
inline constexpr uint64_t RN = 3;
/// All invalid-operation cause bits (VX is their summary).
inline constexpr uint64_t VX_ALL = VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSOFT | VXSQRT | VXCVI;
}  // namespace fpscr

namespace vscr {
inline constexpr uint32_t NJ = 1u << 16;
inline constexpr uint32_t SAT = 1u;
}  // namespace vscr

namespace lpcr {
inline constexpr uint64_t ILE = uint64_t(1) << 25;
inline constexpr uint64_t AIL_SHIFT = 23;
inline constexpr uint64_t AIL = uint64_t(3) << AIL_SHIFT;
inline constexpr uint64_t LD = uint64_t(1) << 17;
inline constexpr uint64_t HR = uint64_t(1) << 20;
}  // namespace lpcr

/// SPR numbers the engine gives meaning to (the registry in spr.hpp has the full list).
namespace sprn {
inline constexpr unsigned XER = 1, DSCR_U = 3, LR = 8, CTR = 9, AMR_U = 13, DSCR = 17, DSISR = 18,
                          DAR = 19, DEC = 22, SDR1 = 25, SRR0 = 26, SRR1 = 27, CFAR = 28, AMR = 29,
                          PIDR = 48, IAMR = 61, TFHAR = 128, TFIAR = 129, TEXASR = 130, TEXASRU = 131,
                          CTRL_R = 136, CTRL_W = 152, FSCR = 153, UAMOR = 157, PSPB = 159,
                          DPDES = 176, DAWR0 = 180, RPR = 186, CIABR = 187, DAWRX0 = 188,
                          HFSCR = 190, VRSAVE = 256, SPRG3_U = 259, TB = 268, TBU = 269,
                          SPRG0 = 272, SPRG1 = 273, SPRG2 = 274, SPRG3 = 275, TBL_W = 284,
                          TBU_W = 285, TBU40 = 286, PVR = 287, HSPRG0 = 304, HSPRG1 = 305,
                          HDSISR = 306, HDAR = 307, SPURR = 308, PURR = 309, HDEC = 310,
                          HRMOR = 313, HSRR0 = 314, HSRR1 = 315, LPCR = 318, LPIDR = 319,
                          HMER = 336, HMEER = 337, PCR = 338, HEIR = 339, AMOR = 349, TIR = 446,
                          PTCR = 464, USPRG0 = 496, SIER_U = 768, MMCR0_U = 779, TAR = 815,
                          PPR = 896, PPR32 = 898, PIR = 1023;
}  // namespace sprn

/// Complete architected state of a vCPU.
struct CpuState {
    std::array<uint64_t, 32> gpr{};
    uint64_t nip = 0;
    uint64_t msr = 0;
    uint32_t cr = 0;  ///< CR0 in bits 31..28
    uint64_t lr = 0;
    uint64_t ctr = 0;
    uint64_t xer = 0;  ///< SO/OV/CA/OV32/CA32 at their architected positions, plus byte count
    uint64_t fpscr = 0;
    uint32_t vscr = 0;
    std::array<Vsr, 64> vsr{};  ///< VSR 0-31 (FPRs in hi), VSR 32-63 (= VR 0-31)
    std::array<uint64_t, 1024> spr{};  ///< every other SPR, by number (LR/CTR/XER live above)
    uint64_t dec_base_tb = 0;  ///< time base when DEC was last written (DEC counts down from it)
    uint64_t reserve_addr = ~uint64_t(0);  ///< larx reservation (all ones: none)
    uint64_t reserve_len = 0;
    uint64_t reserve_val = 0;   ///< reserved data (first doubleword)
    uint64_t reserve_val2 = 0;  ///< second doubleword for lqarx
    friend bool operator==(const CpuState&, const CpuState&) = default;
};

}  // namespace ppcmig::cpu
