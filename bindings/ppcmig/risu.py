"""RISU-style differential testing: random instruction snippets run on the engine and under
qemu-user from identical register state, compared register by register.

A *batch* is one static Linux executable (no libc) holding many snippets. For each snippet the
harness code loads a random register state from a table, calls the snippet body, stores the
resulting state into an output table, and at the end writes the whole output table to stdout.
The same executable runs on the engine (``ppcmig._ppcmig.run_user``) and under
``qemu-ppc64``/``qemu-ppc64le``; their stdout bytes are compared record by record, with bits the
ISA leaves undefined (or where QEMU is known to depart from the ISA) masked per snippet.
"""
from __future__ import annotations

import random
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

# ---------------------------------------------------------------- record layout
GPR_OFF, CR_OFF, XER_OFF, FPSCR_OFF, VSCR_OFF, VSR_OFF, SCRATCH_OFF = 0, 256, 264, 272, 288, 304, 1328
SCRATCH_SIZE = 256
RECORD = 1600  # bytes per snippet state record (input and output)

# Registers the harness keeps for itself: r1 (stack, untouched), r26 body table, r27 end,
# r28 input record, r29 scratch memory, r30 output record, r31 loop temp.
HARNESS_GPRS = frozenset({1, 26, 27, 28, 29, 30, 31})
FREE_GPRS = [r for r in range(32) if r not in HARNESS_GPRS]

# FPSCR bits (64-bit register, LSB numbering).
FPSCR_FR = 1 << 18
FPSCR_FPRF = 0x1F << 12

CATEGORIES = ("fixed", "fp", "vmx", "vsx")


@dataclass
class Snippet:
    """One snippet: its body in assembler syntax and what to ignore when comparing.

    ``ignores`` holds (register, kind) pairs: kinds are "hi32" (upper word of a GPR), "all"
    (a whole GPR), "cr0", "fhi32" (upper word of an FPR), "fprf" (FPSCR[FPRF]), "vsr_dw1"
    (doubleword 1 of a VSR); register -1 where the kind names no register.
    """

    body: list[str]
    ignores: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Mismatch:
    """A snippet whose final state differs between the engine and the peer."""

    index: int
    body: list[str]
    disassembly: list[str]
    differences: list[str]
    engine_dump: str
    peer_dump: str

    def render(self) -> str:
        lines = [f"snippet {self.index}:"]
        lines += [f"    {t}" for t in self.disassembly]
        lines.append("  differences (engine vs qemu):")
        lines += [f"    {d}" for d in self.differences]
        lines.append("  engine:")
        lines += [f"    {l}" for l in self.engine_dump.splitlines()]
        lines.append("  qemu:")
        lines += [f"    {l}" for l in self.peer_dump.splitlines()]
        return "\n".join(lines)


@dataclass
class BatchResult:
    category: str
    endian: str
    cpu: str
    snippets: int
    mismatches: list[Mismatch]
    engine_exit: int
    peer_exit: int
    engine_fault: str


# ---------------------------------------------------------------- random values
def _special_doubles() -> list[int]:
    return [
        0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
        0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000001,
        0x7FF4000000000000, 0x7FF0000000000001,  # SNaNs
        0x0000000000000001, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
        0x4340000000000000, 0x41DFFFFFFFC00000, 0xC1E0000000000000, 0x43E0000000000000,
        0x3FE0000000000000, 0x3FF8000000000000, 0x4000000000000000, 0x36A0000000000000,
        0x47EFFFFFE0000000, 0x380FFFFFF0000000, 0x3810000000000000,
    ]


def _rand_double(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.3:
        return rng.choice(_special_doubles())
    if r < 0.5:  # representable as single
        sign = rng.getrandbits(1) << 63
        exp = rng.randint(1023 - 130, 1023 + 130)
        return sign | (exp << 52) | (rng.getrandbits(23) << 29)
    if r < 0.8:  # moderate exponent
        sign = rng.getrandbits(1) << 63
        exp = rng.randint(1023 - 60, 1023 + 60)
        return sign | (exp << 52) | rng.getrandbits(52)
    return rng.getrandbits(64)


def _rand_gpr(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.25:
        return rng.choice([0, 1, 2, 0xFFFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000,
                           0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0xFFFFFFFF80000000,
                           0xFF, 0x80, 0x8000, 0xFFFF])
    if r < 0.45:
        return rng.getrandbits(rng.randint(1, 40))
    if r < 0.55:
        return (-rng.getrandbits(rng.randint(1, 40))) & 0xFFFFFFFFFFFFFFFF
    return rng.getrandbits(64)


# ---------------------------------------------------------------- snippet generators
Gen = Callable[[random.Random], Snippet]


def _g(rng: random.Random) -> int:
    return rng.choice(FREE_GPRS)


def _gnz(rng: random.Random) -> int:
    return rng.choice([r for r in FREE_GPRS if r != 0])


def _fixed_insn(rng: random.Random, isa31: bool) -> tuple[list[str], list[tuple[int, int]]]:
    """One fixed-point instruction (with a guard preamble where operands must be constrained).
    Returns (lines, ignore list of (gpr, 'hi32'|'all'))."""
    rt, ra, rb, rc = _g(rng), _gnz(rng), _g(rng), _g(rng)
    si = rng.randint(-32768, 32767)
    ui = rng.randint(0, 65535)
    o = rng.choice(["", "o"])
    dot = rng.choice(["", "."])
    sh5, mb5, me5 = rng.randint(0, 31), rng.randint(0, 31), rng.randint(0, 31)
    sh6, mb6 = rng.randint(0, 63), rng.randint(0, 63)
    bf, bfa = rng.randint(0, 7), rng.randint(0, 7)
    bt, ba, bb = rng.randint(0, 31), rng.randint(0, 31), rng.randint(0, 31)
    choices: list[Callable[[], tuple[list[str], list[tuple[int, str]]]]] = [
        lambda: ([f"{rng.choice(['add', 'addc', 'adde', 'subf', 'subfc', 'subfe'])}{o}{dot} {rt},{ra},{rb}"], []),
        lambda: ([f"{rng.choice(['addme', 'addze', 'subfme', 'subfze', 'neg'])}{o}{dot} {rt},{ra}"], []),
        lambda: ([f"{rng.choice(['addi', 'addis'])} {rt},{ra},{si}"], []),
        lambda: ([f"{rng.choice(['addic', 'addic.', 'subfic', 'mulli'])} {rt},{ra},{si}"], []),
        lambda: ([f"{rng.choice(['mullw', 'mulld'])}{o}{dot} {rt},{ra},{rb}"], []),
        lambda: ([f"{rng.choice(['mulhd', 'mulhdu'])}{dot} {rt},{ra},{rb}"], []),
        lambda: ([f"{rng.choice(['mulhw', 'mulhwu'])} {rt},{ra},{rb}"], [(rt, "hi32")]),
        # Divisor forced odd (non-zero); INT_MIN / -1 stays possible but has probability 2^-64.
        lambda: ([f"ori {rb},{rb},1", f"{rng.choice(['divd', 'divdu'])}{o}{dot} {rt},{ra},{rb}"], []),
        lambda: ([f"ori {rb},{rb},1", f"{rng.choice(['divw', 'divwu'])}{o} {rt},{ra},{rb}"], [(rt, "hi32")]),
        lambda: ([f"ori {rb},{rb},1", f"{rng.choice(['modsd', 'modud', 'modsw', 'moduw'])} {rt},{ra},{rb}"], []),
        lambda: ([f"{rng.choice(['and', 'or', 'xor', 'nand', 'nor', 'eqv', 'andc', 'orc'])}{dot} {ra},{rt},{rb}"], []),
        lambda: ([f"{rng.choice(['andi.', 'andis.', 'ori', 'oris', 'xori', 'xoris'])} {ra},{rt},{ui}"], []),
        lambda: ([f"{rng.choice(['extsb', 'extsh', 'extsw', 'cntlzw', 'cntlzd', 'cnttzw', 'cnttzd'])}{dot} {ra},{rt}"], []),
        lambda: ([f"{rng.choice(['popcntb', 'popcntw', 'popcntd', 'prtyw', 'prtyd'])} {ra},{rt}"], []),
        lambda: ([f"{rng.choice(['cmpb', 'bpermd'])} {ra},{rt},{rb}"], []),
        lambda: ([f"rlwinm{dot} {ra},{rt},{sh5},{mb5},{me5}"], []),
        lambda: ([f"rlwnm{dot} {ra},{rt},{rb},{mb5},{me5}"], []),
        lambda: ([f"rlwimi{dot} {ra},{rt},{sh5},{mb5},{me5}"], []),
        lambda: ([f"{rng.choice(['rldicl', 'rldicr', 'rldic', 'rldimi'])}{dot} {ra},{rt},{sh6},{mb6}"], []),
        lambda: ([f"{rng.choice(['rldcl', 'rldcr'])}{dot} {ra},{rt},{rb},{mb6}"], []),
        lambda: ([f"{rng.choice(['slw', 'srw', 'sraw', 'sld', 'srd', 'srad'])}{dot} {ra},{rt},{rb}"], []),
        lambda: ([f"srawi{dot} {ra},{rt},{sh5}"], []),
        lambda: ([f"sradi{dot} {ra},{rt},{sh6}"], []),
        lambda: ([f"extswsli{dot} {ra},{rt},{sh6}"], []),
        lambda: ([f"isel {rt},{ra},{rb},{bt}"], []),
        lambda: ([f"{rng.choice(['cmpd', 'cmpw', 'cmpld', 'cmplw'])} {bf},{ra},{rb}"], []),
        lambda: ([f"{rng.choice(['cmpdi', 'cmpwi'])} {bf},{ra},{si}"], []),
        lambda: ([f"{rng.choice(['cmpldi', 'cmplwi'])} {bf},{ra},{ui}"], []),
        lambda: ([f"cmprb {bf},{rng.randint(0, 1)},{ra},{rb}"], []),
        lambda: ([f"cmpeqb {bf},{ra},{rb}"], []),
        lambda: ([f"setb {rt},{bfa}"], []),
        lambda: ([f"{rng.choice(['crand', 'cror', 'crxor', 'crnand', 'crnor', 'creqv', 'crandc', 'crorc'])} {bt},{ba},{bb}"], []),
        lambda: ([f"mcrf {bf},{bfa}"], []),
        lambda: ([f"mtcrf {rng.randint(0, 255)},{rt}"], []),
        lambda: ([f"mfcr {rt}"], []),
        lambda: ([f"mcrxrx {bf}"], []),
        lambda: ([f"maddhd {rt},{ra},{rb},{rc}"], []),
        lambda: ([f"maddhdu {rt},{ra},{rb},{rc}"], []),
        lambda: ([f"maddld {rt},{ra},{rb},{rc}"], []),
        lambda: ([f"addex {rt},{ra},{rb},0"], []),
        lambda: _mem_op(rng, rt, rb),
    ]
    if isa31:
        choices += [
            lambda: ([f"{rng.choice(['brh', 'brw', 'brd'])} {ra},{rt}"], []),
            lambda: ([f"{rng.choice(['pdepd', 'pextd', 'cfuged', 'cntlzdm', 'cnttzdm'])} {ra},{rt},{rb}"], []),
            lambda: ([f"{rng.choice(['setbc', 'setbcr', 'setnbc', 'setnbcr'])} {rt},{bt}"], []),
        ]
    return rng.choice(choices)()


def _mem_op(rng: random.Random, rt: int, rx: int) -> tuple[list[str], list[tuple[int, str]]]:
    """A load or store against the scratch area (r29)."""
    kind = rng.choice(["lbz", "lhz", "lha", "lwz", "lwa", "ld", "stb", "sth", "stw", "std",
                       "lbzx", "lhzx", "lhax", "lwzx", "lwax", "ldx", "stbx", "sthx", "stwx", "stdx",
                       "lhbrx", "lwbrx", "ldbrx", "sthbrx", "stwbrx", "stdbrx"])
    if kind.endswith("x"):
        off = rng.randint(0, SCRATCH_SIZE - 8)
        return [f"li {rx},{off}", f"{kind} {rt},29,{rx}"], []
    align = 4 if kind in ("ld", "lwa", "std") else 1
    off = rng.randint(0, (SCRATCH_SIZE - 8) // align) * align
    return [f"{kind} {rt},{off}(29)"], []


# Masks for single-precision results: QEMU 7.2 classifies single denormals as normal in FPRF
# and truncates a NaN operand's low fraction bits (see tests/QEMU_DEVIATIONS.md, S3/S5).
_SINGLE = [(-1, "fprf")]


# An instruction whose *result value* may differ for a documented reason goes last in its
# snippet, so the masked value cannot reach other instructions.
TAIL = (-2, "tail")


def _single(ft: int) -> list[tuple[int, str]]:
    return _SINGLE + [(ft, "f_low29"), TAIL]


def _fp_insn(rng: random.Random) -> tuple[list[str], list[tuple[int, str]]]:
    ft, fa, fb, fc = (rng.randint(0, 31) for _ in range(4))
    dot = rng.choice(["", "", "."])
    bf = rng.randint(0, 7)
    a = rng.choice([
        lambda: ([f"{rng.choice(['fadd', 'fsub', 'fmul', 'fdiv'])}{dot} {ft},{fa},{fb}"], []),
        lambda: ([f"{rng.choice(['fadds', 'fsubs', 'fmuls', 'fdivs'])}{dot} {ft},{fa},{fb}"], _single(ft)),
        lambda: ([f"{rng.choice(['fmadd', 'fmsub'])}{dot} {ft},{fa},{fc},{fb}"], []),
        lambda: ([f"{rng.choice(['fmadds', 'fmsubs'])}{dot} {ft},{fa},{fc},{fb}"], _single(ft)),
        # QEMU rounds the negated value of fnm* (S4): compared in round-to-nearest only.
        lambda: (["mtfsfi 7,0", f"{rng.choice(['fnmadd', 'fnmsub'])}{dot} {ft},{fa},{fc},{fb}"], []),
        lambda: (["mtfsfi 7,0", f"{rng.choice(['fnmadds', 'fnmsubs'])}{dot} {ft},{fa},{fc},{fb}"], _single(ft) + [TAIL]),
        lambda: ([f"fsqrt{dot} {ft},{fb}"], []),
        lambda: ([f"fsqrts{dot} {ft},{fb}"], _single(ft)),
        lambda: ([f"fsel{dot} {ft},{fa},{fc},{fb}"], []),
        lambda: ([f"{rng.choice(['fmr', 'fneg', 'fabs', 'fnabs'])}{dot} {ft},{fb}"], []),
        lambda: ([f"fcpsgn{dot} {ft},{fa},{fb}"], []),
        # QEMU clears FI in fcmpu/fcmpo and sets FPRF[C] for fcmpo with a NaN (S8).
        lambda: ([f"{rng.choice(['fcmpu', 'fcmpo'])} {bf},{fa},{fb}"], [(-1, "fi"), (-1, "fpscr_c")]),
        lambda: ([f"frsp{dot} {ft},{fb}"], [(-1, "fprf")]),
        # FPRF is undefined after fcti* (ISA); the upper word of the *w forms too.
        lambda: ([f"{rng.choice(['fctid', 'fctidz', 'fctidu', 'fctiduz'])}{dot} {ft},{fb}"], [(-1, "fprf")]),
        lambda: ([f"{rng.choice(['fctiw', 'fctiwz', 'fctiwu', 'fctiwuz'])}{dot} {ft},{fb}"], [(ft, "fhi32"), (-1, "fprf")]),
        lambda: ([f"{rng.choice(['fcfid', 'fcfidu', 'fcfids', 'fcfidus'])}{dot} {ft},{fb}"], [(-1, "fprf")]),
        lambda: ([f"{rng.choice(['frin', 'friz', 'frip', 'frim'])}{dot} {ft},{fb}"], []),
        # Status fields and the rounding mode only: the enable bits (VE..XE, NI) stay off, because
        # qemu-user runs with MSR[FE0,FE1] set (enabled exceptions raise SIGFPE) where Linux
        # leaves them clear.
        # Exception bits are only cleared, never set directly: QEMU sets FX when an exception
        # bit that is already 1 is raised again (S1) and not on mtfsb1 (S2).
        lambda: ([f"mtfsfi 7,{rng.randint(0, 3)}"], []),
        lambda: ([f"mtfsb0 {rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 23, 30, 31])}"], []),
        lambda: ([f"mtfsb1 {rng.choice([30, 31])}"], []),
        # mffs is not generated: it would copy masked FPSCR bits into an FPR (the whole FPSCR is
        # compared at the end of every snippet anyway). mcrfs skips fields 3 and 4 (FR/FI/FPRF).
        # Field 0 is skipped: clearing FX while other exception bits stay set exposes S1 (QEMU sets
        # FX again), which reaches CR1 through any later Rc=1 instruction.
        lambda: ([f"mcrfs {bf},{rng.choice([1, 2, 5, 6])}"], []),
        lambda: ([f"{rng.choice(['ftdiv'])} {bf},{fa},{fb}"], []),
        lambda: ([f"ftsqrt {bf},{fb}"], []),
        lambda: ([f"fmrgew {ft},{fa},{fb}"], []),
        lambda: ([f"fmrgow {ft},{fa},{fb}"], []),
        lambda: ([f"{rng.choice(['lfd', 'lfs'])} {ft},{rng.randint(0, 30) * 8}(29)"], []),
        lambda: ([f"{rng.choice(['stfd', 'stfs'])} {ft},{rng.randint(0, 30) * 8}(29)"], []),
        lambda: ([f"li 3,{rng.randint(0, 30) * 8}", f"{rng.choice(['lfiwax', 'lfiwzx', 'stfiwx'])} {ft},29,3"], []),
    ])
    return a()


def _vmx_insn(rng: random.Random) -> tuple[list[str], list[tuple[int, str]]]:
    vt, va, vb, vc = (rng.randint(0, 31) for _ in range(4))
    dot = rng.choice(["", "."])
    ops3 = ["vaddubm", "vadduhm", "vadduwm", "vaddudm", "vadduqm", "vaddubs", "vadduhs", "vadduws",
            "vaddsbs", "vaddshs", "vaddsws", "vsububm", "vsubuhm", "vsubuwm", "vsubudm", "vsubuqm",
            "vsububs", "vsubuhs", "vsubuws", "vsubsbs", "vsubshs", "vsubsws", "vaddcuw", "vsubcuw",
            "vavgub", "vavguh", "vavguw", "vavgsb", "vavgsh", "vavgsw", "vmaxub", "vmaxuh", "vmaxuw",
            "vmaxud", "vmaxsb", "vmaxsh", "vmaxsw", "vmaxsd", "vminub", "vminuh", "vminuw", "vminud",
            "vminsb", "vminsh", "vminsw", "vminsd", "vmuleub", "vmuloub", "vmuleuh", "vmulouh",
            "vmulesb", "vmulosb", "vmulesh", "vmulosh", "vmuleuw", "vmulouw", "vmulesw", "vmulosw",
            "vmuluwm", "vand", "vandc", "vor", "vxor", "vnor", "vorc", "vnand", "veqv", "vslb", "vslh",
            "vslw", "vsld", "vsrb", "vsrh", "vsrw", "vsrd", "vsrab", "vsrah", "vsraw", "vsrad", "vrlb",
            "vrlh", "vrlw", "vrld", "vsl", "vsr", "vslo", "vsro", "vmrghb", "vmrghh", "vmrghw",
            "vmrglb", "vmrglh", "vmrglw", "vmrgew", "vmrgow", "vpkuhum", "vpkuwum", "vpkudum",
            "vpkuhus", "vpkuwus", "vpkudus", "vpkshus", "vpkswus", "vpksdus", "vpkshss", "vpkswss",
            "vpksdss", "vpkpx", "vsum4ubs", "vsum4sbs", "vsum4shs", "vsum2sws", "vsumsws", "vpmsumb",
            "vpmsumh", "vpmsumw", "vpmsumd", "vcipher", "vcipherlast", "vncipher", "vncipherlast",
            "vbpermq", "vslv", "vsrv", "vrlwnm", "vrldnm", "vabsdub", "vabsduh", "vabsduw",
            "vaddfp", "vsubfp", "vmaxfp", "vminfp"]
    cmps = ["vcmpequb", "vcmpequh", "vcmpequw", "vcmpequd", "vcmpgtub", "vcmpgtuh", "vcmpgtuw", "vcmpgtud",
            "vcmpgtsb", "vcmpgtsh", "vcmpgtsw", "vcmpgtsd", "vcmpneb", "vcmpneh", "vcmpnew", "vcmpnezb",
            "vcmpnezh", "vcmpnezw", "vcmpeqfp", "vcmpgefp", "vcmpgtfp", "vcmpbfp"]
    ops2 = ["vupkhsb", "vupkhsh", "vupkhsw", "vupklsb", "vupklsh", "vupklsw", "vupkhpx", "vupklpx",
            "vclzb", "vclzh", "vclzw", "vclzd", "vctzb", "vctzh", "vctzw", "vctzd", "vpopcntb",
            "vpopcnth", "vpopcntw", "vpopcntd", "vgbbd", "vsbox", "vnegw", "vnegd", "vextsb2w", "vextsh2w",
            "vextsb2d", "vextsh2d", "vextsw2d", "vprtybw", "vprtybd", "vprtybq", "vrfin", "vrfiz", "vrfip", "vrfim"]
    a = rng.choice([
        lambda: ([f"{rng.choice(ops3)} {vt},{va},{vb}"], []),
        lambda: ([f"{rng.choice(cmps)}{dot} {vt},{va},{vb}"], []),
        lambda: ([f"{rng.choice(ops2)} {vt},{vb}"], []),
        lambda: ([f"{rng.choice(['vperm', 'vpermr', 'vpermxor', 'vmsumubm', 'vmsummbm', 'vmsumuhm', 'vmsumshm', 'vmsumuhs', 'vmsumshs', 'vmhaddshs', 'vmhraddshs', 'vmladduhm', 'vsel', 'vaddeuqm', 'vaddecuq', 'vsubeuqm', 'vsubecuq', 'vmaddfp', 'vnmsubfp'])} {vt},{va},{vb},{vc}"], []),
        lambda: ([f"vsldoi {vt},{va},{vb},{rng.randint(0, 15)}"], []),
        lambda: ([f"{rng.choice(['vspltb'])} {vt},{vb},{rng.randint(0, 15)}"], []),
        lambda: ([f"{rng.choice(['vsplth'])} {vt},{vb},{rng.randint(0, 7)}"], []),
        lambda: ([f"{rng.choice(['vspltw'])} {vt},{vb},{rng.randint(0, 3)}"], []),
        lambda: ([f"{rng.choice(['vspltisb', 'vspltish', 'vspltisw'])} {vt},{rng.randint(-16, 15)}"], []),
        lambda: ([f"{rng.choice(['vcfsx', 'vcfux', 'vctsxs', 'vctuxs'])} {vt},{vb},{rng.randint(0, 31)}"], []),
        lambda: ([f"{rng.choice(['vshasigmaw', 'vshasigmad'])} {vt},{va},{rng.randint(0, 1)},{rng.randint(0, 15)}"], []),
        lambda: ([f"mfvscr {vt}"], []),
        lambda: ([f"li 3,{rng.randint(0, 14) * 16}", f"{rng.choice(['lvx', 'stvx', 'lvsl', 'lvsr', 'lvebx', 'lvehx', 'lvewx', 'stvebx', 'stvehx', 'stvewx'])} {vt},29,3"], []),
    ])
    return a()


def _vsx_insn(rng: random.Random) -> tuple[list[str], list[tuple[int, str]]]:
    xt, xa, xb, xc = (rng.randint(0, 63) for _ in range(4))
    dot = rng.choice(["", "."])
    bf = rng.randint(0, 7)
    arith3 = ["xsadddp", "xssubdp", "xsmuldp", "xsdivdp", "xsaddsp", "xssubsp", "xsmulsp", "xsdivsp",
              "xsmaxdp", "xsmindp", "xvadddp", "xvsubdp", "xvmuldp", "xvdivdp", "xvaddsp", "xvsubsp",
              "xvmulsp", "xvdivsp", "xvmaxdp", "xvmindp", "xvmaxsp", "xvminsp", "xsmaddadp", "xsmaddmdp",
              "xsmsubadp", "xsnmaddadp", "xvmaddadp", "xvmaddasp", "xvnmsubmdp", "xscpsgndp", "xvcpsgndp",
              "xvcpsgnsp", "xsmaxcdp", "xsmincdp", "xsmaxjdp", "xsminjdp", "xscmpeqdp", "xscmpgtdp", "xscmpgedp"]
    logic3 = ["xxland", "xxlandc", "xxlor", "xxlxor", "xxlnor", "xxlorc", "xxlnand", "xxleqv",
              "xxmrghw", "xxmrglw", "xxperm", "xxpermr"]
    arith2 = ["xssqrtdp", "xssqrtsp", "xsrdpi", "xsrdpic", "xsrdpim", "xsrdpip", "xsrdpiz", "xsrsp",
              "xscvdpsp", "xscvspdp", "xscvdpspn", "xscvspdpn", "xscvdpsxds", "xscvdpsxws", "xscvdpuxds",
              "xscvdpuxws", "xscvsxddp", "xscvuxddp", "xscvsxdsp", "xscvuxdsp", "xsabsdp", "xsnabsdp",
              "xsnegdp", "xvsqrtdp", "xvsqrtsp", "xvrdpi", "xvrdpiz", "xvrspi", "xvrspiz", "xvcvdpsp",
              "xvcvspdp", "xvcvdpsxds", "xvcvdpsxws", "xvcvspsxws", "xvcvsxddp", "xvcvuxddp", "xvcvsxwdp",
              "xvcvsxwsp", "xvabsdp", "xvnegsp", "xxbrh", "xxbrw", "xxbrd", "xxbrq", "xscvhpdp", "xscvdphp",
              "xvcvhpsp", "xvcvsphp", "xvxexpdp", "xvxsigdp"]
    def vec_masks(op: str, t: int) -> list[tuple[int, str]]:
        m: list[tuple[int, str]] = []
        if op.startswith("xv"):
            m += [(-1, "fi"), (-1, "ux")]  # QEMU: invalid clears FR/FI; OX hides UX (S9, S10)
        if op.startswith("xs") and (op.endswith("sp") or op in ("xscvdpsp", "xsrsp", "xscvsxdsp", "xscvuxdsp")):
            m += [(-1, "fprf"), (t, "vsr_dw0_low29")]  # single results: S3, S5, S6
        if "cvdps" in op or "cvsps" in op or "cvdpux" in op or "cvspux" in op:
            m += [(t, "vsr"), TAIL]  # QEMU's NaN-to-integer value and later elements (S12)
        if op in ("xsmaxcdp", "xsmincdp"):
            m += [(t, "vsr"), TAIL]  # QEMU picks XA for (+0, -0) (S13)
        if op.startswith("xsnm") or op.startswith("xvnm"):
            m += [(t, "vsr"), (-1, "fprf"), TAIL]  # rounding of the negated value (S4)
        if any(k == "vsr_dw0_low29" for _, k in m):
            m.append(TAIL)
        return m

    def arith(ops: list[str], n: int) -> tuple[list[str], list[tuple[int, str]]]:
        op = rng.choice(ops)
        args = f"{xt},{xa},{xb}" if n == 3 else f"{xt},{xb}"
        return [f"{op} {args}"], vec_masks(op, xt)

    a = rng.choice([
        lambda: arith(arith3, 3),
        lambda: ([f"{rng.choice(logic3)} {xt},{xa},{xb}"], []),
        lambda: arith(arith2, 2),
        lambda: ([f"{rng.choice(['xvcmpeqdp', 'xvcmpgtdp', 'xvcmpgedp', 'xvcmpeqsp', 'xvcmpgtsp', 'xvcmpgesp'])}{dot} {xt},{xa},{xb}"], []),
        lambda: ([f"{rng.choice(['xscmpudp', 'xscmpodp', 'xscmpexpdp'])} {bf},{xa},{xb}"], [(-1, "fi"), (-1, "fpscr_c")]),
        lambda: ([f"xxsel {xt},{xa},{xb},{xc}"], []),
        lambda: ([f"xxpermdi {xt},{xa},{xb},{rng.randint(0, 3)}"], []),
        lambda: ([f"xxsldwi {xt},{xa},{xb},{rng.randint(0, 3)}"], []),
        lambda: ([f"xxspltw {xt},{xb},{rng.randint(0, 3)}"], []),
        lambda: ([f"xxspltib {xt},{rng.randint(0, 255)}"], []),
        lambda: ([f"xxextractuw {xt},{xb},{rng.randint(0, 12)}"], []),
        lambda: ([f"xxinsertw {xt},{xb},{rng.randint(0, 12)}"], []),
        lambda: ([f"{rng.choice(['mfvsrd', 'mfvsrwz', 'mfvsrld'])} {_g(rng)},{xt}"], []),
        lambda: ([f"{rng.choice(['mtvsrd', 'mtvsrwa', 'mtvsrwz', 'mtvsrws'])} {xt},{_g(rng)}"], [(xt, "vsr_dw1")]),
        lambda: ([f"mtvsrdd {xt},{_g(rng)},{_g(rng)}"], []),
        lambda: ([f"li 3,{rng.randint(0, 14) * 16}", f"{rng.choice(['lxvd2x', 'lxvw4x', 'lxvh8x', 'lxvb16x', 'lxvx', 'lxvdsx', 'lxvwsx', 'stxvd2x', 'stxvw4x', 'stxvh8x', 'stxvb16x', 'stxvx', 'stxsdx', 'stxsiwx', 'stxsspx'])} {xt},29,3"], []),
        # Scalar loads: ISA 3.0 zeroes doubleword 1, QEMU 7.2 leaves it unchanged; copying dw0
        # over dw1 right after keeps the difference from reaching later instructions.
        lambda: ([f"li 3,{rng.randint(0, 14) * 16}", f"{rng.choice(['lxsdx', 'lxsiwax', 'lxsiwzx', 'lxsspx'])} {xt},29,3",
                  f"xxpermdi {xt},{xt},{xt},0"], []),
        lambda: ([f"{rng.choice(['lxv', 'stxv'])} {xt},{rng.randint(0, 14) * 16}(29)"], []),
    ])
    return a()


def make_snippet(category: str, rng: random.Random, isa31: bool = False) -> Snippet:
    """A random snippet of 1-4 instructions of one category (at most one TAIL op, placed last)."""
    gens = {"fixed": lambda: _fixed_insn(rng, isa31), "fp": lambda: _fp_insn(rng),
            "vmx": lambda: _vmx_insn(rng), "vsx": lambda: _vsx_insn(rng)}
    if category not in gens:
        raise ValueError(f"unknown RISU category {category!r} (expected one of {', '.join(CATEGORIES)})")
    sn = Snippet(body=[])
    tail: tuple[list[str], list[tuple[int, str]]] | None = None
    for _ in range(rng.randint(1, 4)):
        lines, ign = gens[category]()
        if TAIL in ign:
            if tail is None:
                tail = (lines, [i for i in ign if i != TAIL])
            continue
        sn.body += lines
        sn.ignores += ign
    if tail is not None:
        sn.body += tail[0]
        sn.ignores += tail[1]
    return sn


# ---------------------------------------------------------------- assembly
def _state_io(category: str, load: bool) -> list[str]:
    """Harness code that loads (or stores) the snippet-visible state from r28 (or to r30)."""
    base = 28 if load else 30
    out: list[str] = []
    vec = category in ("vmx", "vsx")
    fp = category in ("fp", "vsx", "vmx")
    if load:
        if fp:
            out += [f"lfd 0,{FPSCR_OFF}({base})", "mtfsf 255,0,1,0"]
        if vec:
            out += [f"addi 3,{base},{VSCR_OFF}", "lvx 0,0,3", "mtvscr 0"]
            for i in range(64):
                out += [f"addi 3,{base},{VSR_OFF + 16 * i}", f"lxvd2x {i},0,3"]
        elif fp:
            for i in range(32):
                out.append(f"lfd {i},{VSR_OFF + 16 * i}({base})")
        # scratch memory: copy the input's scratch bytes to r29's area
        out += [f"addi 3,{base},{SCRATCH_OFF}"]
        for i in range(0, SCRATCH_SIZE, 8):
            out += [f"ld 4,{i}(3)", f"std 4,{i}(29)"]
        out += [f"ld 3,{XER_OFF}({base})", "mtxer 3", f"ld 3,{CR_OFF}({base})", "mtcrf 255,3"]
        for r in FREE_GPRS:
            out.append(f"ld {r},{8 * r}({base})")
    else:
        for r in FREE_GPRS:
            out.append(f"std {r},{8 * r}({base})")
        out += ["mfcr 3", f"std 3,{CR_OFF}({base})", "mfxer 3", f"std 3,{XER_OFF}({base})"]
        # Registers first: reading FPSCR and VSCR goes through f0/v0.
        if vec:
            for i in range(64):
                out += [f"addi 3,{base},{VSR_OFF + 16 * i}", f"stxvd2x {i},0,3"]
            out += ["mfvscr 0", f"addi 3,{base},{VSCR_OFF}", "stvx 0,0,3"]
        elif fp:
            for i in range(32):
                out.append(f"stfd {i},{VSR_OFF + 16 * i}({base})")
        if fp:
            out += ["mffs 0", f"stfd 0,{FPSCR_OFF}({base})"]
        out += [f"addi 3,{base},{SCRATCH_OFF}"]
        for i in range(0, SCRATCH_SIZE, 8):
            out += [f"ld 4,{i}(29)", f"std 4,{i}(3)"]
    return out


def _random_record(category: str, rng: random.Random, le: bool) -> bytes:
    rec = bytearray(RECORD)
    e = "<" if le else ">"
    for r in range(32):
        struct.pack_into(e + "Q", rec, 8 * r, _rand_gpr(rng))
    cr = rng.getrandbits(32)
    struct.pack_into(e + "Q", rec, CR_OFF, cr)
    xer = rng.choice([0, 1 << 31, 1 << 30, 1 << 29, (1 << 29) | (1 << 18), (1 << 31) | (1 << 30) | (1 << 19)])
    xer |= rng.getrandbits(7)
    struct.pack_into(e + "Q", rec, XER_OFF, xer)
    rn = rng.randint(0, 3)
    sticky = rng.choice([0, 0, 1 << 31 | 1 << 25, 1 << 31 | 1 << 29 | 1 << 24])  # FX set with any exception bit
    struct.pack_into(e + "Q", rec, FPSCR_OFF, rn | sticky)
    vscr = rng.choice([0, 1, 0x10000, 0x10001])  # SAT, NJ
    vbytes = vscr.to_bytes(4, "little" if le else "big")
    # mtvscr takes word element 3 of the VR (BE numbering); lvx in LE mode reverses the quadword.
    struct.pack_into("16s", rec, VSCR_OFF, (bytes(12) + vbytes) if not le else (vbytes + bytes(12)))
    for i in range(64):
        d0 = _rand_double(rng) if rng.random() < 0.7 else rng.getrandbits(64)
        d1 = _rand_double(rng) if rng.random() < 0.7 else rng.getrandbits(64)
        if category in ("vmx", "vsx") and rng.random() < 0.3:  # single-precision lanes
            d0 = (_rand_double(rng) >> 32) << 32 | (_rand_double(rng) >> 32)
        struct.pack_into(e + "QQ", rec, VSR_OFF + 16 * i, d0, d1)
    rec[SCRATCH_OFF:SCRATCH_OFF + SCRATCH_SIZE] = rng.randbytes(SCRATCH_SIZE)
    return bytes(rec)


def generate_batch_source(category: str, n: int, seed: int, le: bool, isa31: bool = False) -> tuple[str, list[Snippet], bytes]:
    """Assembler source for a batch of n snippets, the snippets, and the input table."""
    rng = random.Random(seed)
    snippets = [make_snippet(category, rng, isa31) for _ in range(n)]
    inputs = b"".join(_random_record(category, rng, le) for _ in range(n))
    lines: list[str] = ["\t.machine power10" if isa31 else "\t.machine power9", "\t.text", "\t.align 6"]
    if le:
        lines += ["\t.abiversion 2", "\t.globl _start", "_start:"]
    else:
        lines += ["\t.section \".opd\",\"aw\"", "\t.align 3", "\t.globl _start", "_start:",
                  "\t.quad .L_start,.TOC.@tocbase,0", "\t.text", ".L_start:"]
    lines += [
        "\tbl 1f", "1:\tmflr 31",
        "\taddis 28,31,(.Lin-1b)@ha", "\taddi 28,28,(.Lin-1b)@l",
        "\taddis 30,31,(.Lout-1b)@ha", "\taddi 30,30,(.Lout-1b)@l",
        "\taddis 29,31,(.Lscratch-1b)@ha", "\taddi 29,29,(.Lscratch-1b)@l",
        "\taddis 26,31,(.Lbodies-1b)@ha", "\taddi 26,26,(.Lbodies-1b)@l",
        f"\tli 27,{n}",
        ".Lloop:",
    ]
    lines += ["\t" + l for l in _state_io(category, load=True)]
    lines += ["\tld 31,0(26)", "\tmtctr 31", "\tbctrl"]
    lines += ["\t" + l for l in _state_io(category, load=False)]
    lines += [f"\taddi 28,28,{RECORD}", f"\taddi 30,30,{RECORD}", "\taddi 26,26,8",
              "\taddi 27,27,-1", "\tcmpdi 27,0", "\tbne .Lloop"]
    # write(1, out, n*RECORD); exit_group(0)
    lines += ["\tbl 2f", "2:\tmflr 4", "\taddis 4,4,(.Lout-2b)@ha", "\taddi 4,4,(.Lout-2b)@l",
              "\tli 3,1", f"\tlis 5,{(n * RECORD) >> 16}", f"\tori 5,5,{(n * RECORD) & 0xFFFF}",
              "\tli 0,4", "\tsc", "\tli 3,0", "\tli 0,234", "\tsc"]
    for i, sn in enumerate(snippets):
        lines += ["\t.align 4", f".Lb{i}:"] + ["\t" + l for l in sn.body] + ["\tblr"]
    lines += ["\t.data", "\t.align 4", ".Lbodies:"] + [f"\t.quad .Lb{i}" for i in range(n)]
    lines += ["\t.align 4", ".Lin:", f"\t.incbin \"risu_in.bin\""]
    lines += ["\t.bss", "\t.align 4", ".Lout:", f"\t.space {n * RECORD}", ".Lscratch:", f"\t.space {SCRATCH_SIZE}"]
    return "\n".join(lines) + "\n", snippets, inputs


# ---------------------------------------------------------------- build and run
def cross_prefix(le: bool) -> str:
    return "powerpc64le-linux-gnu-" if le else "powerpc64-linux-gnu-"


def build_batch(workdir: Path, category: str, n: int, seed: int, le: bool, isa31: bool = False) -> tuple[Path, list[Snippet]]:
    """Assemble and link a batch; returns the ELF and its snippets."""
    workdir.mkdir(parents=True, exist_ok=True)
    src, snippets, inputs = generate_batch_source(category, n, seed, le, isa31)
    (workdir / "risu.S").write_text(src)
    (workdir / "risu_in.bin").write_bytes(inputs)
    pre = cross_prefix(le)
    flags = ["-mlittle" if le else "-mbig", "-a64", "-mpower10"]
    subprocess.run([pre + "as", *flags, "-I", str(workdir), "-o", str(workdir / "risu.o"), str(workdir / "risu.S")],
                   check=True, capture_output=True, text=True)
    subprocess.run([pre + "ld", "-static", "-e", "_start", "-o", str(workdir / "risu.elf"), str(workdir / "risu.o")],
                   check=True, capture_output=True, text=True)
    # Body addresses, for disassembling mismatches.
    return workdir / "risu.elf", snippets


def _fields(rec: bytes, le: bool, category: str) -> dict[str, int]:
    e = "<" if le else ">"
    f: dict[str, int] = {}
    for r in FREE_GPRS:
        f[f"r{r}"] = struct.unpack_from(e + "Q", rec, 8 * r)[0]
    f["cr"] = struct.unpack_from(e + "Q", rec, CR_OFF)[0] & 0xFFFFFFFF
    f["xer"] = struct.unpack_from(e + "Q", rec, XER_OFF)[0]
    if category != "fixed":
        f["fpscr"] = struct.unpack_from(e + "Q", rec, FPSCR_OFF)[0]
    if category in ("vmx", "vsx"):
        raw = rec[VSCR_OFF:VSCR_OFF + 16]
        f["vscr"] = int.from_bytes(raw[12:16], "big") if not le else int.from_bytes(raw[0:4], "little")
        for i in range(64):
            d0, d1 = struct.unpack_from(e + "QQ", rec, VSR_OFF + 16 * i)
            f[f"vs{i}.dw0"], f[f"vs{i}.dw1"] = d0, d1
    elif category == "fp":
        for i in range(32):
            f[f"f{i}"] = struct.unpack_from(e + "Q", rec, VSR_OFF + 16 * i)[0]
    for i in range(0, SCRATCH_SIZE, 8):
        f[f"mem+{i}"] = struct.unpack_from(e + "Q", rec, SCRATCH_OFF + i)[0]
    return f


def _masks(sn: Snippet, category: str) -> dict[str, int]:
    """Per-field bit masks of what to IGNORE."""
    m: dict[str, int] = {}
    if category in ("fp", "vsx", "vmx"):
        m["fpscr"] = FPSCR_FR  # QEMU 7.2 never updates FPSCR[FR]
    for reg, kind in sn.ignores:
        if kind == "hi32":
            m[f"r{reg}"] = m.get(f"r{reg}", 0) | 0xFFFFFFFF00000000
        elif kind == "all":
            m[f"r{reg}"] = 0xFFFFFFFFFFFFFFFF
        elif kind == "cr0":
            m["cr"] = m.get("cr", 0) | 0xE0000000
        elif kind == "fhi32":
            m[f"f{reg}"] = m.get(f"f{reg}", 0) | 0xFFFFFFFF00000000
            m[f"vs{reg}.dw0"] = m.get(f"vs{reg}.dw0", 0) | 0xFFFFFFFF00000000
        elif kind == "fprf":
            m["fpscr"] = m.get("fpscr", 0) | FPSCR_FPRF
        elif kind == "vsr_dw1":
            m[f"vs{reg}.dw1"] = 0xFFFFFFFFFFFFFFFF  # undefined after mtvsr* in ISA <= 3.0
        elif kind == "vsr":
            m[f"vs{reg}.dw0"] = m[f"vs{reg}.dw1"] = 0xFFFFFFFFFFFFFFFF
        elif kind == "f_low29":
            m[f"f{reg}"] = m.get(f"f{reg}", 0) | 0x1FFFFFFF
            m[f"vs{reg}.dw0"] = m.get(f"vs{reg}.dw0", 0) | 0x1FFFFFFF
        elif kind == "vsr_dw0_low29":
            m[f"vs{reg}.dw0"] = m.get(f"vs{reg}.dw0", 0) | 0x1FFFFFFF
            m[f"vs{reg}.dw1"] = m.get(f"vs{reg}.dw1", 0) | 0x1FFFFFFF
        elif kind == "fi":
            m["fpscr"] = m.get("fpscr", 0) | (1 << 17)
        elif kind == "fpscr_c":
            m["fpscr"] = m.get("fpscr", 0) | (1 << 16)
        elif kind == "ux":
            m["fpscr"] = m.get("fpscr", 0) | (1 << 27) | (1 << 31)
        elif kind == "fx":
            m["fpscr"] = m.get("fpscr", 0) | (1 << 31)
        else:
            raise ValueError(f"unknown ignore kind {kind!r}")
    return m


def _dump(f: dict[str, int]) -> str:
    items = [f"{k}={v:#x}" for k, v in f.items() if not k.startswith("mem+")]
    return "\n".join(" ".join(items[i:i + 6]) for i in range(0, len(items), 6))


def compare(engine_out: bytes, peer_out: bytes, snippets: Sequence[Snippet], category: str, le: bool,
            limit: int = 5) -> list[Mismatch]:
    """Record-by-record comparison; returns up to ``limit`` mismatches."""
    out: list[Mismatch] = []
    n = len(snippets)
    if len(engine_out) != n * RECORD or len(peer_out) != n * RECORD:
        raise RuntimeError(f"RISU output sizes differ from {n} records: engine {len(engine_out)} bytes, "
                           f"qemu {len(peer_out)} bytes")
    for i, sn in enumerate(snippets):
        a = engine_out[i * RECORD:(i + 1) * RECORD]
        b = peer_out[i * RECORD:(i + 1) * RECORD]
        if a == b:
            continue
        fa, fb = _fields(a, le, category), _fields(b, le, category)
        masks = _masks(sn, category)
        diffs = [f"{k}: {fa[k]:#018x} != {fb[k]:#018x}" for k in fa
                 if (fa[k] ^ fb[k]) & ~masks.get(k, 0) & 0xFFFFFFFFFFFFFFFF]
        if not diffs:
            continue
        dis = _disassemble_body(sn.body, le)
        out.append(Mismatch(i, sn.body, dis, diffs, _dump(fa), _dump(fb)))
        if len(out) >= limit:
            break
    return out


def _disassemble_body(body: list[str], le: bool) -> list[str]:
    """The body assembled alone and disassembled by the engine (shows what actually ran)."""
    from . import disassemble
    with tempfile.TemporaryDirectory() as td:
        p = Path(td)
        (p / "b.S").write_text("\t.machine power10\n" + "\n".join("\t" + l for l in body) + "\n")
        pre = cross_prefix(le)
        try:
            subprocess.run([pre + "as", "-a64", "-mlittle" if le else "-mbig", "-mpower10", "-o", str(p / "b.o"), str(p / "b.S")],
                           check=True, capture_output=True)
            subprocess.run([pre + "objcopy", "-O", "binary", "-j", ".text", str(p / "b.o"), str(p / "b.bin")],
                           check=True, capture_output=True)
            data = (p / "b.bin").read_bytes()
        except subprocess.CalledProcessError:
            return list(body)
    return [f"{i.address:4x}: {i.text}" for i in disassemble(data, 0, le)]


def run_batch(workdir: Path, category: str, n: int, seed: int, le: bool, cpu: str = "power9",
              limit: int = 5) -> BatchResult:
    """Build one batch, run it on the engine and under qemu-user, compare."""
    from . import _ppcmig
    isa31 = cpu.lower().startswith("power10")
    elf, snippets = build_batch(workdir, category, n, seed, le, isa31)
    qemu = "qemu-ppc64le" if le else "qemu-ppc64"
    peer = subprocess.run([qemu, "-cpu", cpu, str(elf)], capture_output=True, timeout=600)
    eng = _ppcmig.run_user(str(elf), [], cpu.upper(), 2_000_000_000)
    mism: list[Mismatch] = []
    if peer.returncode == 0 and eng["exit_code"] == 0:
        mism = compare(eng["stdout"], peer.stdout, snippets, category, le, limit)
    return BatchResult(category, "le" if le else "be", cpu, n, mism, int(eng["exit_code"]), peer.returncode,
                       str(eng["fault"]))


def run_category(root: Path, category: str, total: int, batch: int = 2000, seed: int = 1,
                 endians: Iterable[bool] = (False, True), cpu: str = "power9") -> list[BatchResult]:
    """Run ``total`` snippets of a category split into batches over the given endiannesses."""
    results = []
    ends = list(endians)
    k = 0
    done = 0
    while done < total:
        le = ends[k % len(ends)]
        n = min(batch, total - done)
        results.append(run_batch(root / f"{category}-{cpu}-{k}", category, n, seed * 1000 + k, le, cpu))
        done += n
        k += 1
    return results
