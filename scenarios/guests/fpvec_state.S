# fpvec_state: each round loads a round-specific pattern into all 64 VSRs (so all FPRs and VRs),
# FPSCR and VSCR, runs an integer-only busy loop (the registers must survive whatever happens
# meanwhile, e.g. a migration), then reads everything back through three views (stxvd2x for
# VSR 0-63, stfd for FPR 0-31, stvx for VR 0-31, plus mffs and mfvscr) and compares it with the
# pattern. Even rounds load with lxvd2x only, odd rounds load VR 0-31 with lvx. See README.md.
    .include "guest.inc"

    PARAMS_BEGIN "fpvec_state"
    PARAM rounds, 8                 # rounds (0: forever)
    PARAM work, 200000              # busy-loop iterations while the state is held
    PARAM seed, 0xf00d              # pattern seed
    PARAM inject, 0                 # negative control: in this round, invert VSR 17 and 49 after loading
    PARAMS_END

    .set MAX_REPORT, 8              # mismatches printed before failing

    .bss
    .p2align 4
fv_exp:     .space 64 * 16          # expected VSR n: dw0, dw1 (native doublewords)
fv_vrimg:   .space 32 * 16          # the same for VR 0-31 laid out for lvx/stvx
fv_vsr:     .space 64 * 16          # stxvd2x dump
fv_fpr:     .space 32 * 8           # stfd dump
fv_vr:      .space 32 * 16          # stvx dump
fv_ctl:     .space 16               # FPSCR image (dw), then the VSCR image (quadword below)
fv_vscr:    .space 16
fv_ctl_out: .space 16
fv_vscr_out:.space 16

    .text
    .if GUEST_LE
    .set VR_DW0, 8                  # stvx/lvx reverse the quadword in little-endian mode
    .set VR_DW1, 0
    .set VSCR_WORD, 0
    .else
    .set VR_DW0, 0
    .set VR_DW1, 8
    .set VSCR_WORD, 12
    .endif

# expected values for round r14: fv_exp, fv_vrimg, FPSCR (r20) and VSCR (r21)
make_pattern:
    ENTER   4
    LA      r14, fv_exp
    li      r15, 0
1:  LDPARAM r3, seed
    sldi    r3, r3, 32
    sldi    r4, r31, 16             # r31 = round
    xor     r3, r3, r4
    xor     r3, r3, r15             # r15 = 2 * reg + dw
    bl      mix64
    sldi    r4, r15, 3
    stdx    r3, r14, r4
    addi    r15, r15, 1
    cmpdi   r15, 128
    blt     1b
    LA      r16, fv_vrimg           # VR i = VSR 32 + i
    addi    r14, r14, 32 * 16
    li      r15, 0
2:  ld      r3, 0(r14)
    std     r3, VR_DW0(r16)
    ld      r3, 8(r14)
    std     r3, VR_DW1(r16)
    addi    r14, r14, 16
    addi    r16, r16, 16
    addi    r15, r15, 1
    cmpdi   r15, 32
    blt     2b
    # FPSCR: rounding mode = round & 3; odd rounds also set XX and FX (sticky bits, no enables)
    andi.   r3, r31, 3
    andi.   r4, r31, 1
    beq     3f
    oris    r3, r3, 0x8200
3:  LA      r4, fv_ctl
    std     r3, 0(r4)
    # VSCR: NJ on even rounds, SAT on rounds = 1 mod 3
    li      r3, 0
    andi.   r4, r31, 1
    bne     4f
    oris    r3, r3, 1               # NJ
4:  li      r5, 3
    divdu   r4, r31, r5
    mulld   r4, r4, r5
    subf    r4, r4, r31
    cmpdi   r4, 1
    bne     5f
    ori     r3, r3, 1               # SAT
5:  LA      r4, fv_vscr
    li      r5, 0
    std     r5, 0(r4)
    std     r5, 8(r4)
    stw     r3, VSCR_WORD(r4)
    LEAVE   4

# load_state: FPSCR and VSCR first (they go through f0 / v0), then all registers.
load_state:
    LA      r3, fv_ctl
    lfd     f0, 0(r3)
    mtfsf   0xff, f0
    LA      r3, fv_vscr
    lvx     v0, 0, r3
    mtvscr  v0
    LA      r3, fv_exp
    li      r4, 0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lxvd2x  vs\n, r3, r4
    addi    r4, r4, 16
    .endr
    andi.   r5, r31, 1
    bne     1f
    .irp n, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
    lxvd2x  vs\n, r3, r4
    addi    r4, r4, 16
    .endr
    blr
1:  LA      r3, fv_vrimg
    li      r4, 0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lvx     v\n, r3, r4
    addi    r4, r4, 16
    .endr
    blr

# dump_state: every view of the state into the dump areas (the control registers last, since
# reading them needs f0 / v0).
dump_state:
    LA      r3, fv_vsr
    li      r4, 0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
    stxvd2x vs\n, r3, r4
    addi    r4, r4, 16
    .endr
    LA      r3, fv_fpr
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    stfd    f\n, 8*\n(r3)
    .endr
    LA      r3, fv_vr
    li      r4, 0
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    stvx    v\n, r3, r4
    addi    r4, r4, 16
    .endr
    mffs    f0
    LA      r3, fv_ctl_out
    stfd    f0, 0(r3)
    mfvscr  v0
    LA      r3, fv_vscr_out
    stvx    v0, 0, r3
    blr

# report(r3 = view name, r4 = register, r5 = dw, r6 = expected, r7 = found): print one mismatch
# (the first MAX_REPORT only); r24 counts them.
report:
    ENTER   5
    addi    r24, r24, 1
    cmpdi   r24, MAX_REPORT
    bgt     1f
    mr      r14, r3
    mr      r15, r4
    mr      r16, r5
    mr      r17, r6
    mr      r18, r7
    PUTS    "mismatch round="
    PUT_DEC r31
    PUTS    " reg="
    mr      r3, r14
    bl      puts
    PUT_DEC r15
    PUTS    " dw="
    PUT_DEC r16
    PUTS    " expected="
    PUT_HEX r17
    PUTS    " found="
    PUT_HEX r18
    bl      newline
1:  LEAVE   5

    .section .rodata
s_vsr:  .asciz "vsr"
s_fpr:  .asciz "fpr"
s_vr:   .asciz "vr"
s_fpscr: .asciz "fpscr"
s_vscr: .asciz "vscr"
    .text

# compare the dumps with the pattern; r24 = mismatches
check_state:
    ENTER   6
    li      r24, 0
    LA      r14, fv_exp
    LA      r15, fv_vsr
    li      r16, 0                  # VSR 0-63, both doublewords
1:  sldi    r3, r16, 3
    ldx     r6, r14, r3
    ldx     r7, r15, r3
    cmpd    r6, r7
    beq     2f
    LA      r3, s_vsr
    srdi    r4, r16, 1
    andi.   r5, r16, 1
    bl      report
2:  addi    r16, r16, 1
    cmpdi   r16, 128
    blt     1b
    LA      r15, fv_fpr             # FPR i = VSR i doubleword 0
    li      r16, 0
3:  sldi    r3, r16, 4
    ldx     r6, r14, r3
    sldi    r3, r16, 3
    ldx     r7, r15, r3
    cmpd    r6, r7
    beq     4f
    LA      r3, s_fpr
    mr      r4, r16
    li      r5, 0
    bl      report
4:  addi    r16, r16, 1
    cmpdi   r16, 32
    blt     3b
    LA      r14, fv_vrimg           # VR i through stvx, in the lvx layout
    LA      r15, fv_vr
    li      r16, 0
5:  xori    r3, r16, VR_DW0 / 8     # r16 counts in register order; memory order may be swapped
    sldi    r3, r3, 3
    ldx     r6, r14, r3
    ldx     r7, r15, r3
    cmpd    r6, r7
    beq     6f
    LA      r3, s_vr
    srdi    r4, r16, 1
    andi.   r5, r16, 1
    bl      report
6:  addi    r16, r16, 1
    cmpdi   r16, 64
    blt     5b
    LA      r3, fv_ctl              # FPSCR (low word: the upper word is DRN, left alone)
    lwz     r6, 4 * (1 - GUEST_LE)(r3)
    LA      r3, fv_ctl_out
    lwz     r7, 4 * (1 - GUEST_LE)(r3)
    cmpw    r6, r7
    beq     7f
    LA      r3, s_fpscr
    li      r4, 0
    li      r5, 0
    bl      report
7:  LA      r3, fv_vscr
    lwz     r6, VSCR_WORD(r3)
    LA      r3, fv_vscr_out
    lwz     r7, VSCR_WORD(r3)
    cmpw    r6, r7
    beq     8f
    LA      r3, s_vscr
    li      r4, 0
    li      r5, 0
    bl      report
8:  mr      r3, r24
    LEAVE   6

guest_main:
    ENTER   18
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " work="
    LDPARAM r3, work
    bl      put_dec
    PUTS    " seed="
    LDPARAM r3, seed
    bl      put_hex
    bl      newline
    bl      enable_fp_vec
    li      r31, 0                  # round
round_loop:
    addi    r31, r31, 1
    bl      make_pattern
    bl      load_state
    LDPARAM r3, inject
    cmpd    r3, r31
    bne     1f
    xxlnor  vs17, vs17, vs17        # FPR 17 + its doubleword 1
    xxlnor  vs49, vs49, vs49        # VR 17
1:  LDPARAM r14, work               # integer-only work while the state is live
    mr      r15, r31
2:  cmpdi   r14, 0
    beq     3f
    mr      r3, r15
    bl      mix64
    mr      r15, r3
    addi    r14, r14, -1
    b       2b
3:  bl      dump_state
    bl      check_state
    mr.     r24, r3
    beq     4f
    PUTS    "round="
    PUT_DEC r31
    PUTS    " mismatches="
    PUT_DEC r24
    bl      newline
    FAIL    "fpvec-corrupt"
4:  PUTS    "round="
    PUT_DEC r31
    PUTS    " vsr=64 fpr=32 vr=32 fpscr="
    LA      r3, fv_ctl_out
    lwz     r3, 4 * (1 - GUEST_LE)(r3)
    bl      put_hex
    PUTS    " vscr="
    LA      r3, fv_vscr_out
    lwz     r3, VSCR_WORD(r3)
    bl      put_hex
    PUTS    " work="
    PUT_HEX r15
    PUTS    " ok"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     round_loop
    cmpd    r31, r3
    blt     round_loop
    li      r3, 0
    LEAVE   18

guest_secondary:
    blr
