# cas_boot: negotiates the processor compatibility mode with KVMPPC_H_CAS from a configurable
# PVR list, reports the negotiated mode, then executes one probe instruction per ISA level each
# round and checks that the set of trapping probes never changes (a migration must preserve the
# compat mode, i.e. PCR). See README.md for parameters and output.
    .include "guest.inc"

    # Build variants choose the default PVR list (README.md: cas_boot, _compat, _raw, _p7).
    .ifndef DEF_COMPAT
    .set DEF_COMPAT, 0x7c           # logical PVRs 2.05 .. 3.10
    .endif
    .ifndef DEF_RAW
    .set DEF_RAW, 0xf               # POWER7 .. POWER10 families
    .endif

    .set CAS_BUF_SIZE, 0x40000
    .set NPROBES, 5

    PARAMS_BEGIN "cas_boot"
    PARAM rounds, 8                 # probe rounds (0: forever)
    PARAM work, 20000               # busy-loop iterations between rounds
    PARAM compat_mask, DEF_COMPAT   # bit n (2..7): list logical PVR 0x0f00000n; bit 8: 0x0f100003
    PARAM raw_mask, DEF_RAW         # bit 0 POWER7(+), 1 POWER8(E/NVL), 2 POWER9, 3 POWER10
    PARAM ov1_isa3, 0xc0            # option vector 1 byte 3: 0x80 ISA 3.00, 0x40 ISA 3.1
    PARAM intc, 0x00                # option vector 5 byte 23: 0x00 XICS, 0x40 XIVE
    PARAM expect_pvr, 0             # if nonzero: the negotiated cpu-version must equal it
    PARAM expect_gating, 0          # 1: probes newer than the compat level must trap (KVM-HV)
    PARAM n_extra, 0                # extra (mask << 32 | pvr) pairs appended to the list
    PARAM extra0, 0
    PARAM extra1, 0
    PARAM extra2, 0
    PARAM extra3, 0
    PARAM extra4, 0
    PARAM extra5, 0
    PARAM extra6, 0
    PARAM extra7, 0
    PARAMS_END

    .section .rodata
    .p2align 3
# (select bit, mask << 32 | pvr), newest first; a zero select ends each table.
raw_rows:
    .quad 8, 0xffff000000800000     # POWER10
    .quad 4, 0xffff0000004e0000     # POWER9
    .quad 2, 0xffff0000004d0000     # POWER8
    .quad 2, 0xffff0000004c0000     # POWER8NVL
    .quad 2, 0xffff0000004b0000     # POWER8E
    .quad 1, 0xffff0000004a0000     # POWER7+
    .quad 1, 0xffff0000003f0000     # POWER7
    .quad 0, 0
compat_rows:
    .quad 0x80,  0xffffffff0f000007 # 3.10 (POWER11)
    .quad 0x40,  0xffffffff0f000006 # 3.10
    .quad 0x20,  0xffffffff0f000005 # 3.00
    .quad 0x10,  0xffffffff0f000004 # 2.07
    .quad 0x100, 0xffffffff0f100003 # 2.06+
    .quad 0x08,  0xffffffff0f000003 # 2.06
    .quad 0x04,  0xffffffff0f000002 # 2.05
    .quad 0, 0
# logical PVR -> (name, ISA level index of the newest probe that must execute)
mode_rows:
    .quad 0x0f000002, 0, name_p6
    .quad 0x0f000003, 1, name_p7
    .quad 0x0f100003, 1, name_p7p
    .quad 0x0f000004, 2, name_p8
    .quad 0x0f000005, 3, name_p9
    .quad 0x0f000006, 4, name_p10
    .quad 0x0f000007, 4, name_p11
    .quad 0, 0, 0
probe_names:
    .quad lvl0, lvl1, lvl2, lvl3, lvl4
name_p6:  .asciz "power6"
name_p7:  .asciz "power7"
name_p7p: .asciz "power7+"
name_p8:  .asciz "power8"
name_p9:  .asciz "power9"
name_p10: .asciz "power10"
name_p11: .asciz "power11"
name_raw: .asciz "raw"
lvl0:     .asciz " 2.05="
lvl1:     .asciz " 2.06="
lvl2:     .asciz " 2.07="
lvl3:     .asciz " 3.0="
lvl4:     .asciz " 3.1="
str_cpu_version: .asciz "cpu-version"

    .bss
    .p2align 3
pvr_table:  .space 8 * 32
arch_vec:   .space 512
probe_res:  .space 8 * NPROBES      # vector each probe trapped with (0: executed)
probe_srr1: .space 8 * NPROBES
probe_ref:  .space 8 * NPROBES      # round 1 results

    .text
# r14 table cursor, r15 count; append_rows(r3 = rows, r4 = select mask)
append_rows:
1:  ld      r5, 0(r3)
    cmpdi   r5, 0
    beqlr
    and.    r5, r5, r4
    beq     2f
    ld      r6, 8(r3)
    std     r6, 0(r14)
    addi    r14, r14, 8
    addi    r15, r15, 1
2:  addi    r3, r3, 16
    b       1b

guest_main:
    ENTER   18
    LA      r14, pvr_table
    li      r15, 0
    LA      r3, raw_rows
    LDPARAM r4, raw_mask
    bl      append_rows
    LA      r3, compat_rows
    LDPARAM r4, compat_mask
    bl      append_rows
    LDPARAM r16, n_extra            # at most 8 extras
    cmpldi  r16, 8
    ble     1f
    li      r16, 8
1:  LA      r17, guest_params + P_extra0
2:  cmpdi   r16, 0
    beq     3f
    ld      r6, 0(r17)
    std     r6, 0(r14)
    addi    r14, r14, 8
    addi    r15, r15, 1
    addi    r17, r17, 8
    addi    r16, r16, -1
    b       2b
3:  LA      r3, arch_vec
    LA      r4, pvr_table
    mr      r5, r15
    LDPARAM r6, ov1_isa3
    LDPARAM r7, intc
    bl      build_arch_vector
    # Nothing is printed before CAS: a platform that resets at CAS would repeat it.
    bl      heap_base
    mr      r20, r3                 # response buffer
    LA      r21, arch_vec
    mr      r3, r21
    mr      r4, r20
    LI32    r5, CAS_BUF_SIZE
    bl      cas_call
    mr      r22, r3                 # status
    mr      r23, r4                 # r4 after CAS
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " compat_mask="
    LDPARAM r3, compat_mask
    bl      put_hex
    PUTS    " raw_mask="
    LDPARAM r3, raw_mask
    bl      put_hex
    PUTS    " pairs="
    PUT_DEC r15
    PUTS    " intc_req="
    LDPARAM r3, intc
    bl      put_hex
    bl      newline
    PUTS    "cas status="
    PUT_SDEC r22
    cmpdi   r22, 0
    beq     4f
    bl      newline
    FAIL    "cas-failed"
4:  # negotiated mode: cpu-version from the response device tree, and/or ppcmig's r4
    li      r25, -1
    mr      r3, r20
    bl      cas_response_fdt
    mr.     r24, r3
    beq     5f
    LA      r4, str_cpu_version
    bl      fdt_find_prop
    cmpdi   r3, 0
    beq     5f
    LWZ_BE  r25, 0, r3, r4
5:  li      r26, -1
    cmpd    r23, r21
    beq     6f
    mr      r26, r23
6:  mfpvr   r27
    cmpdi   r25, -1
    bne     7f
    cmpdi   r26, -1
    bne     61f
    bl      newline
    FAIL    "no-cas-result"         # neither a response FDT nor r4
61: mr      r25, r26                # only r4: 0 means raw
    cmpdi   r25, 0
    bne     8f
    mr      r25, r27
    b       8f
7:  cmpdi   r26, -1                 # both: must agree
    beq     8f
    mr      r3, r26
    cmpdi   r26, 0
    bne     71f
    mr      r3, r27
71: cmpd    r3, r25
    beq     8f
    PUTS    " cpu_version="
    PUT_HEX r25
    PUTS    " r4="
    PUT_HEX r26
    bl      newline
    FAIL    "cas-r4-mismatch"
8:  # r25 = cpu-version; find its name and level (r28 = level, -1 for raw)
    li      r28, -1
    LA      r29, name_raw
    cmpd    r25, r27
    beq     10f
    LA      r3, mode_rows
9:  ld      r4, 0(r3)
    cmpdi   r4, 0
    beq     91f
    cmpd    r4, r25
    beq     92f
    addi    r3, r3, 24
    b       9b
91: li      r29, 0                  # unknown logical PVR
    b       10f
92: ld      r28, 8(r3)
    ld      r29, 16(r3)
    add     r29, r29, r2
10: PUTS    " mode="
    cmpdi   r29, 0
    beq     11f
    mr      r3, r29
    bl      puts
    b       12f
11: PUTS    "unknown"
12: PUTS    " cpu_version="
    mr      r3, r25
    li      r4, 8
    bl      put_hexw
    bl      xive_active
    mr      r30, r3
    PUTS    " intc="
    cmpdi   r30, 0
    beq     13f
    PUTS    "xive"
    b       14f
13: PUTS    "xics"
14: bl      newline
    LDPARAM r3, expect_pvr
    cmpdi   r3, 0
    beq     15f
    cmpd    r3, r25
    beq     15f
    FAIL    "unexpected-mode"
15: bl      enable_fp_vec
    li      r31, 0                  # round
    li      r30, 0                  # PVR change already reported
rounds_loop:
    addi    r31, r31, 1
    LDPARAM r14, work
    li      r3, 0
16: cmpdi   r14, 0
    beq     17f
    bl      mix64
    addi    r14, r14, -1
    b       16b
17: bl      run_probes
    cmpdi   r31, 1
    bne     30f
    # round 1: report, keep as reference, check monotonicity (and gating if asked)
    PUTS    "probe"
    li      r14, 0
    LA      r15, probe_res
    LA      r16, probe_ref
    li      r17, 0                  # seen a trap
18: sldi    r18, r14, 3
    ldx     r19, r15, r18
    stdx    r19, r16, r18
    LA      r3, probe_names
    ldx     r3, r3, r18
    add     r3, r3, r2
    bl      puts
    mr      r3, r14
    bl      put_probe_result
    cmpdi   r19, 0
    beq     19f
    li      r17, 1
    b       20f
19: cmpdi   r17, 0                  # executed after an older level trapped
    beq     20f
    li      r17, 2
20: addi    r14, r14, 1
    cmpdi   r14, NPROBES
    blt     18b
    bl      newline
    cmpdi   r17, 2
    bne     21f
    FAIL    "probe-not-monotonic"
21: LDPARAM r3, expect_gating
    cmpdi   r3, 0
    beq     40f
    cmpdi   r28, -1                 # raw mode: nothing is gated
    beq     40f
    li      r14, 0
22: sldi    r18, r14, 3
    ldx     r19, r15, r18
    cmpd    r14, r28
    bgt     23f
    cmpdi   r19, 0                  # at or below the compat level: must execute
    beq     24f
    FAIL    "probe-gating"
23: cmpdi   r19, 0                  # newer: must trap
    bne     24f
    FAIL    "probe-gating"
24: addi    r14, r14, 1
    cmpdi   r14, NPROBES
    blt     22b
    b       40f
30: # later rounds: every probe must behave as in round 1
    li      r14, 0
    LA      r15, probe_res
    LA      r16, probe_ref
31: sldi    r18, r14, 3
    ldx     r19, r15, r18
    ldx     r20, r16, r18
    cmpd    r19, r20
    beq     32f
    PUTS    "round="
    PUT_DEC r31
    PUTS    " probe-changed"
    LA      r3, probe_names
    ldx     r3, r3, r18
    add     r3, r3, r2
    bl      puts
    mr      r3, r14
    bl      put_probe_result
    PUTS    " was="
    PUT_HEX r20
    bl      newline
    FAIL    "probe-changed"
32: addi    r14, r14, 1
    cmpdi   r14, NPROBES
    blt     31b
40: mfpvr   r3                      # a changed real PVR is reported once, not a failure
    cmpd    r3, r27
    beq     41f
    cmpdi   r30, 0
    bne     41f
    li      r30, 1
    mr      r14, r3
    PUTS    "note pvr-changed old="
    mr      r3, r27
    li      r4, 8
    bl      put_hexw
    PUTS    " new="
    mr      r3, r14
    li      r4, 8
    bl      put_hexw
    bl      newline
41: PUTS    "round="
    PUT_DEC r31
    PUTS    " probes=same"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     rounds_loop
    cmpd    r31, r3
    blt     rounds_loop
    li      r3, 0
    LEAVE   18

# put_probe_result(r3 = probe index): ok | trap (illegal instruction) | prog:<srr1> | unavail:<vec>
put_probe_result:
    ENTER   2
    sldi    r14, r3, 3
    LA      r3, probe_res
    ldx     r15, r3, r14
    cmpdi   r15, 0
    bne     1f
    PUTS    "ok"
    b       9f
1:  cmpdi   r15, 0x700
    bne     3f
    LA      r3, probe_srr1
    ldx     r14, r3, r14
    andis.  r3, r14, SRR1_PROG_ILLEGAL >> 16
    beq     2f
    PUTS    "trap"
    b       9f
2:  PUTS    "prog:"
    PUT_HEX r14
    b       9f
3:  PUTS    "unavail:"
    PUT_HEX r15
9:  LEAVE   2

# run_probes: one instruction per ISA level, results in probe_res / probe_srr1.
    .macro ONE_PROBE idx
    PROBE_END r3
    LA      r4, probe_res
    std     r3, 8*\idx(r4)
    ld      r3, PC_PROBE_SRR1(r13)
    LA      r4, probe_srr1
    std     r3, 8*\idx(r4)
    .endm
run_probes:
    li      r6, 0x1234
    li      r7, 0x5678
    PROBE_BEGIN
    cmpb    r5, r6, r7              # ISA 2.05 (POWER6)
    ONE_PROBE 0
    PROBE_BEGIN
    popcntd r5, r6                  # ISA 2.06 (POWER7)
    ONE_PROBE 1
    PROBE_BEGIN
    mfvsrd  r5, vs0                 # ISA 2.07 (POWER8), needs MSR[FP]
    ONE_PROBE 2
    PROBE_BEGIN
    cnttzd  r5, r6                  # ISA 3.0 (POWER9)
    ONE_PROBE 3
    PROBE_BEGIN
    setbc   r5, 2                   # ISA 3.1 (POWER10)
    ONE_PROBE 4
    blr

guest_secondary:
    blr
