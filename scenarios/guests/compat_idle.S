# compat_idle: a compat-mode guest that idles in H_CEDE and returns from its decrementer
# interrupt the way Linux's exception fast path does (mfsrr0 r11 / mfsrr1 r12 on entry,
# mtsrr0 r11; mtsrr1 r12; rfid on exit), into an ISA 2.06 instruction: the first instruction
# after the `sc 1` of H_CEDE is `popcntd`. A migration that restores a wrong PCR (so that 2.06
# instructions trap under KVM-HV) then shows up exactly as in the seed thread's cases 11/18: a
# Program interrupt whose SRR0/SRR1 equal the guest's r11/r12. The raw 0x700 handler captures
# r11/r12 and SRR0/SRR1 before anything else and reports them. See README.md.
    .include "guest.inc"

    # Build variants choose the default PVR list (README.md: compat_idle, compat_idle_p7).
    .ifndef DEF_P7_ONLY
    .set DEF_P7_ONLY, 0
    .endif
    .if DEF_P7_ONLY
    .set DEF_NPAIRS, 1
    .set DEF_PAIR0, 0xffffffff0f000003  # power7 compat only (seed case 18)
    .set DEF_PAIR1, 0
    .set DEF_PAIR2, 0
    .else
    .set DEF_NPAIRS, 3
    .set DEF_PAIR0, 0xffff0000004d0000  # POWER8 family (real PVR)
    .set DEF_PAIR1, 0xffffffff0f000004  # power8 compat (ISA 2.07)
    .set DEF_PAIR2, 0xffffffff0f000003  # power7 compat (ISA 2.06)
    .endif

    .set CAS_BUF_SIZE, 0x40000
    .set MAX_PAIRS, 8

    # this guest's words in the per-CPU area (r13), reachable from a raw vector without r2
    .set G_TICKS,     PC_GUEST + 0x00   # decrementer interrupts taken
    .set G_DEC_SRR0,  PC_GUEST + 0x08   # SRR0/SRR1 of the last one (where its rfid returned)
    .set G_DEC_SRR1,  PC_GUEST + 0x10
    .set G_DEC_R10,   PC_GUEST + 0x18   # the DEC handler's scratch
    .set G_PROG_R11,  PC_GUEST + 0x20   # Program interrupt: the interrupted r11, r12, SRR0, SRR1
    .set G_PROG_R12,  PC_GUEST + 0x28
    .set G_PROG_SRR0, PC_GUEST + 0x30
    .set G_PROG_SRR1, PC_GUEST + 0x38
    .set G_OPERAND,   PC_GUEST + 0x40   # ldbrx operand

    # SRR1 bits an interrupt sets (33:36, 42:47); the rest is the interrupted MSR
    .set SRR1_INT_BITS, 0x783f0000

    PARAMS_BEGIN "compat_idle"
    PARAM rounds, 20                # rounds (0: forever), one H_CEDE each
    PARAM period, 0x100000          # TB ticks to sleep per round (2 ms at 512 MHz)
    PARAM late_limit, 0x4000000     # a wake-up without a tick this long after the deadline fails
    PARAM ov1_isa3, 0x00            # option vector 1 byte 3 (0: a pre-ISA 3.00 guest)
    PARAM expect_pvr, 0             # if nonzero: the negotiated cpu-version must equal it
    PARAM inject, 0                 # in this round, execute an illegal instruction after the cede
    PARAM npairs, DEF_NPAIRS        # PVR list entries used, (mask << 32 | pvr), at most 8
    PARAM pair0, DEF_PAIR0
    PARAM pair1, DEF_PAIR1
    PARAM pair2, DEF_PAIR2
    PARAM pair3, 0
    PARAM pair4, 0
    PARAM pair5, 0
    PARAM pair6, 0
    PARAM pair7, 0
    PARAMS_END

    .section .rodata
    .p2align 3
# logical PVR -> name
mode_rows:
    .quad 0x0f000002, name_p6
    .quad 0x0f000003, name_p7
    .quad 0x0f100003, name_p7p
    .quad 0x0f000004, name_p8
    .quad 0x0f000005, name_p9
    .quad 0x0f000006, name_p10
    .quad 0x0f000007, name_p11
    .quad 0, 0
name_p6:  .asciz "power6"
name_p7:  .asciz "power7"
name_p7p: .asciz "power7+"
name_p8:  .asciz "power8"
name_p9:  .asciz "power9"
name_p10: .asciz "power10"
name_p11: .asciz "power11"
name_raw: .asciz "raw"
name_unknown: .asciz "unknown"
str_cpu_version: .asciz "cpu-version"

    .bss
    .p2align 3
arch_vec:   .space 512

    .text
# ---------------------------------------------------------------- raw vectors
# Copied over the library's stubs by install_vector; they address memory only through r13
# (the per-CPU area), like Linux's PACA, so they need neither r2 nor a stack.

# 0x900 decrementer: Linux-style entry and exit. Only r10 is saved (in the per-CPU area), r11
# and r12 take SRR0/SRR1 and still hold them at the rfid, so the interrupted context loses its
# r11/r12: guest_main never has live values in them while MSR[EE] is set (as Linux's volatile
# r11/r12 around its soft-masked paths). CR and XER are not touched.
dec_vector:
    std     r10, G_DEC_R10(r13)
    mfsrr0  r11
    mfsrr1  r12
    std     r11, G_DEC_SRR0(r13)
    std     r12, G_DEC_SRR1(r13)
    ld      r10, G_TICKS(r13)
    addi    r10, r10, 1
    std     r10, G_TICKS(r13)
    lis     r10, 0x7fff             # park DEC (level-triggered: it must not stay negative)
    ori     r10, r10, 0xffff
    mtdec   r10
    ld      r10, G_DEC_R10(r13)
    mtsrr0  r11
    mtsrr1  r12
    rfid
dec_vector_end:
    .if dec_vector_end - dec_vector > 0x80
    .error "dec_vector does not fit 0x900..0x97f"
    .endif

# 0x700 program: capture the interrupted r11/r12 and SRR0/SRR1 before anything else, then
# continue exactly as the library's vector stub (r12 via SPRG2, CTR via SPRG3, int_common with
# the vector in r12), so probes and the registered routine (prog_handler) work as usual.
prog_vector:
    std     r11, G_PROG_R11(r13)
    std     r12, G_PROG_R12(r13)
    mfsrr0  r11
    std     r11, G_PROG_SRR0(r13)
    mfsrr1  r11
    std     r11, G_PROG_SRR1(r13)
    ld      r11, G_PROG_R11(r13)
    mtspr   SPR_SPRG2, r12
    mfctr   r12
    mtspr   SPR_SPRG3, r12
    ld      r12, VEC_COMMON_PTR(0)
    mtctr   r12
    li      r12, 0x700
    bctr
prog_vector_end:
    .if prog_vector_end - prog_vector > 0x100
    .error "prog_vector does not fit 0x700..0x7ff"
    .endif

# install_vector(r3 = code, r4 = length in bytes, r5 = vector): copy and make it fetchable.
install_vector:
    li      r6, 0
1:  lwzx    r7, r3, r6
    stwx    r7, r5, r6
    dcbst   r5, r6
    sync
    icbi    r5, r6
    addi    r6, r6, 4
    cmpd    r6, r4
    blt     1b
    sync
    isync
    blr

# Program interrupt outside a probe: report it with the values the raw vector captured.
# SRR0 is printed as the absolute address (== r11 after a Linux-style rfid) and, as srr0_link,
# relative to the link address; rfid_return=1 when SRR0 == r11 and SRR1 is r12 plus the
# interrupt's own bits, i.e. the faulting instruction was the rfid's target.
prog_handler:
    bl      console_break
    PUTS    "program-interrupt srr0="
    ld      r3, G_PROG_SRR0(r13)
    bl      put_hex
    PUTS    " srr1="
    ld      r3, G_PROG_SRR1(r13)
    bl      put_hex
    PUTS    " r11="
    ld      r3, G_PROG_R11(r13)
    bl      put_hex
    PUTS    " r12="
    ld      r3, G_PROG_R12(r13)
    bl      put_hex
    PUTS    " srr0_link="
    ld      r3, G_PROG_SRR0(r13)
    subf    r3, r2, r3
    bl      put_hex
    PUTS    " insn="
    ld      r14, G_PROG_SRR0(r13)   # the word there, if it lies in the image (SRR0 may be junk)
    LA      r3, _start
    cmpld   r14, r3
    blt     2f
    LA      r3, _end
    cmpld   r14, r3
    bge     2f
    lwz     r3, 0(r14)
    li      r4, 8
    bl      put_hexw
    b       3f
2:  PUTS    "none"
3:
    PUTS    " rfid_return="
    li      r3, 0
    ld      r4, G_PROG_SRR0(r13)
    ld      r5, G_PROG_R11(r13)
    cmpd    r4, r5
    bne     1f
    ld      r4, G_PROG_SRR1(r13)
    ld      r5, G_PROG_R12(r13)
    LI32    r6, SRR1_INT_BITS
    andc    r4, r4, r6
    andc    r5, r5, r6
    cmpd    r4, r5
    bne     1f
    li      r3, 1
1:  bl      put_dec
    bl      newline
    FAIL    "program-interrupt"

# ---------------------------------------------------------------- reference computations
# Results of the 2.06 instructions recomputed with pre-2.06 instructions only.

# ref_popcnt(r3) -> r3 = number of set bits
ref_popcnt:
    li      r4, 0
1:  cmpdi   r3, 0
    beq     2f
    addi    r5, r3, -1
    and     r3, r3, r5              # clear the lowest set bit
    addi    r4, r4, 1
    b       1b
2:  mr      r3, r4
    blr

# ref_bswap(r3) -> r3 = r3 with its 8 bytes reversed
ref_bswap:
    li      r4, 0
    li      r5, 8
    mtctr   r5
1:  sldi    r4, r4, 8
    rldicl  r5, r3, 0, 56
    or      r4, r4, r5
    srdi    r3, r3, 8
    bdnz    1b
    mr      r3, r4
    blr

# ref_bperm(r3 = indices, r4 = source) -> r3: bit 7-i = source bit (MSB 0) named by index byte
# i (byte 0 = most significant), 0 for an index >= 64
ref_bperm:
    li      r5, 0
    li      r6, 0                   # i
1:  sldi    r7, r6, 3
    addi    r7, r7, 8
    rldcl   r7, r3, r7, 56          # index byte i
    sldi    r5, r5, 1
    cmpldi  r7, 64
    bge     2f
    addi    r7, r7, 1
    rldcl   r8, r4, r7, 63          # source bit r7 - 1 (MSB 0)
    or      r5, r5, r8
2:  addi    r6, r6, 1
    cmpdi   r6, 8
    blt     1b
    mr      r3, r5
    blr

# ref_divdeu_ok(r3 = quotient, r4 = dividend a, r5 = divisor b, a < b) -> r3 = 1 iff
# quotient = floor(a * 2^64 / b), i.e. 0 <= a * 2^64 - q * b < b
ref_divdeu_ok:
    mulhdu  r6, r3, r5              # q * b = r6:r7
    mulld   r7, r3, r5
    neg     r8, r7                  # remainder = (a - r6 - (r7 != 0)) : -r7
    subf    r9, r6, r4
    cmpdi   r7, 0
    beq     1f
    addi    r9, r9, -1
1:  li      r3, 0
    cmpdi   r9, 0                   # remainder < 2^64
    bnelr
    cmpld   r8, r5                  # and < b
    bgelr
    li      r3, 1
    blr

# ---------------------------------------------------------------- main
guest_main:
    ENTER   18
    # PVR list from the parameters, then CAS; nothing is printed before CAS
    LDPARAM r15, npairs
    cmpldi  r15, MAX_PAIRS
    ble     1f
    li      r15, MAX_PAIRS
1:  LA      r3, arch_vec
    LA      r4, guest_params + P_pair0
    mr      r5, r15
    LDPARAM r6, ov1_isa3
    li      r7, 0                   # XICS
    bl      build_arch_vector
    bl      heap_base
    mr      r20, r3                 # response buffer
    LA      r21, arch_vec
    mr      r3, r21
    mr      r4, r20
    LI32    r5, CAS_BUF_SIZE
    bl      cas_call
    mr      r22, r3                 # status
    mr      r23, r4                 # r4 after CAS (ppcmig: the logical PVR, 0 for raw)
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " period="
    LDPARAM r3, period
    bl      put_hex
    PUTS    " pairs="
    PUT_DEC r15
    bl      newline
    PUTS    "cas status="
    PUT_SDEC r22
    cmpdi   r22, 0
    beq     2f
    bl      newline
    FAIL    "cas-failed"
2:  # negotiated mode: cpu-version of the response device tree, else ppcmig's r4
    li      r25, -1
    mr      r3, r20
    bl      cas_response_fdt
    cmpdi   r3, 0
    beq     3f
    LA      r4, str_cpu_version
    bl      fdt_find_prop
    cmpdi   r3, 0
    beq     3f
    LWZ_BE  r25, 0, r3, r4
3:  mfpvr   r27
    cmpdi   r25, -1
    bne     5f
    cmpd    r23, r21                # r4 unchanged: QEMU without a response device tree
    bne     4f
    bl      newline
    FAIL    "no-cas-result"
4:  mr      r25, r23
    cmpdi   r25, 0
    bne     5f
    mr      r25, r27                # 0: raw mode
5:  LA      r29, name_raw
    cmpd    r25, r27
    beq     8f
    LA      r3, mode_rows
    LA      r29, name_unknown
6:  ld      r4, 0(r3)
    cmpdi   r4, 0
    beq     8f
    cmpd    r4, r25
    beq     7f
    addi    r3, r3, 16
    b       6b
7:  ld      r29, 8(r3)
    add     r29, r29, r2
8:  PUTS    " mode="
    mr      r3, r29
    bl      puts
    PUTS    " cpu_version="
    mr      r3, r25
    li      r4, 8
    bl      put_hexw
    bl      newline
    LDPARAM r3, expect_pvr
    cmpdi   r3, 0
    beq     9f
    cmpd    r3, r25
    beq     9f
    FAIL    "unexpected-mode"
9:  # raw vectors over the library's stubs (installed before guest_main), and the report
    LA      r3, dec_vector
    li      r4, dec_vector_end - dec_vector
    li      r5, 0x900
    bl      install_vector
    LA      r3, prog_vector
    li      r4, prog_vector_end - prog_vector
    li      r5, 0x700
    bl      install_vector
    SET_HANDLER 0x700, prog_handler
    li      r30, 0                  # round
    li      r31, 0                  # ticks expected so far

# Register use in a round (non-volatile: hypercalls and the DEC handler keep them):
# r15 x, r19 divdeu dividend, r22 &G_OPERAND, r23 divisor, r24 deadline, r28 bpermd indices,
# results r16 popcntd, r17 ldbrx, r18 divdeu, r21 bpermd, r25 H_CEDE status, r26 ticks before.
round_loop:
    addi    r30, r30, 1
    addi    r31, r31, 1
    mr      r3, r30                 # the round's operand
    bl      mix64
    mr      r15, r3
    addi    r22, r13, G_OPERAND
    std     r15, 0(r22)
    srdi    r19, r15, 1             # dividend < divisor: divdeu is defined
    li      r23, 1
    sldi    r23, r23, 63
    or      r23, r23, r15
    LI64    r28, 0x3f3f3f3f3f3f3f3f
    and     r28, r28, r15           # bit indices 0..63
    bl      ee_off
    ld      r26, G_TICKS(r13)
    LDPARAM r14, period
    mftb    r24
    add     r24, r24, r14
    mtdec   r14
cede_again:
    li      r3, H_CEDE
    LDPARAM r4, inject
    cmpd    r4, r30
    beq     inject_fault
    .globl  cede_call
cede_call:
    sc      1
    # the DEC interrupt that ends the cede returns here (its SRR0): ISA 2.06 first
    .globl  cede_return
cede_return:
    popcntd r16, r15
    ldbrx   r17, 0, r22
    divdeu  r18, r19, r23
    bpermd  r21, r28, r15
    mr      r25, r3
    bl      ee_off
    cmpdi   r25, H_SUCCESS
    beq     10f
    PUTS    "cede-status="
    PUT_SDEC r25
    bl      newline
    FAIL    "cede-status"
10: ld      r3, G_TICKS(r13)
    cmpd    r3, r26
    bne     11f
    mftb    r3                      # woke without a tick: cede again, up to late_limit
    subf    r3, r24, r3
    LDPARAM r4, late_limit
    cmpd    r3, r4
    ble     cede_again
    PUTS    "lost-wakeup round="
    PUT_DEC r30
    bl      newline
    FAIL    "lost-wakeup"
11: cmpd    r3, r31
    beq     12f
    PUTS    "tick-count round="
    PUT_DEC r30
    PUTS    " ticks="
    ld      r3, G_TICKS(r13)
    bl      put_dec
    bl      newline
    FAIL    "tick-count"
12: # check the 2.06 results against pre-2.06 computations
    mr      r3, r15
    bl      ref_popcnt
    cmpd    r3, r16
    bne     20f
    mr      r3, r15
    bl      ref_bswap
    cmpd    r3, r17
    bne     20f
    mr      r3, r28
    mr      r4, r15
    bl      ref_bperm
    cmpd    r3, r21
    bne     20f
    mr      r3, r18
    mr      r4, r19
    mr      r5, r23
    bl      ref_divdeu_ok
    cmpdi   r3, 1
    bne     20f
    # sum = (ldbrx ^ rotl(divdeu, 17)) + (popcntd << 8 | bpermd)
    rotldi  r14, r18, 17
    xor     r14, r14, r17
    sldi    r3, r16, 8
    or      r3, r3, r21
    add     r14, r14, r3
    PUTS    "round="
    PUT_DEC r30
    PUTS    " ticks="
    ld      r3, G_TICKS(r13)
    bl      put_dec
    PUTS    " sum="
    PUT_HEX r14
    PUTS    " ok"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     round_loop
    cmpd    r30, r3
    blt     round_loop
    li      r3, 0
    LEAVE   18
20: PUTS    "wrong-result round="
    PUT_DEC r30
    PUTS    " x="
    PUT_HEX r15
    PUTS    " popcntd="
    PUT_HEX r16
    PUTS    " ldbrx="
    PUT_HEX r17
    PUTS    " divdeu="
    PUT_HEX r18
    PUTS    " bpermd="
    PUT_HEX r21
    bl      newline
    FAIL    "wrong-result"

# inject: the cede's return target is an illegal instruction instead (negative control of the
# report: the Program interrupt has SRR0 = r11 and SRR1 = r12 + illegal-instruction bit)
inject_fault:
    sc      1
    .long   0                       # illegal in every ISA level
    b       cede_return

guest_secondary:
    blr
