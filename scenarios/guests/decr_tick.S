# decr_tick: a periodic decrementer tick with absolute deadlines (deadline_k = deadline_0 +
# k * period; the handler re-arms DEC for the next deadline). The main loop spins reading the
# time base and checks: TB never goes backwards, no tick arrives before its deadline, no tick is
# later than late_limit after its deadline (a lost DEC interrupt shows up as a missing tick).
# Prints one line per `ticks` ticks. See README.md.
    .include "guest.inc"

    PARAMS_BEGIN "decr_tick"
    PARAM rounds, 8                 # rounds (0: forever)
    PARAM ticks, 32                 # ticks per round
    PARAM period, 0x40000           # TB ticks between deadlines (512 us at 512 MHz)
    PARAM late_limit, 0x2000000     # max TB ticks a tick may be late (64 ms at 512 MHz)
    PARAM early_slack, 64           # TB ticks a tick may precede its deadline (timer rounding)
    PARAMS_END

    .bss
    .p2align 3
dt_deadline:    .space 8            # deadline of the next tick
dt_last_tb:     .space 8            # TB at the previous tick
dt_ticks:       .space 8
dt_fail:        .space 8            # 0, or 1 early / 2 late / 3 TB backwards (in the handler)
dt_fail_tb:     .space 8
dt_fail_dl:     .space 8

    .text
# Decrementer interrupt: check the tick against its deadline, arm DEC for the next one.
dec_handler:
    mftb    r5
    LA      r11, dt_deadline
    ld      r6, 0(r11)
    LA      r12, dt_fail
    LDPARAM r7, early_slack
    subf    r8, r7, r6
    cmpd    r5, r8                  # TB < deadline - early_slack: early
    bge     1f
    li      r9, 1
    b       3f
1:  subf    r8, r6, r5              # lateness
    LDPARAM r7, late_limit
    cmpd    r8, r7
    ble     2f
    li      r9, 2
    b       3f
2:  LA      r10, dt_last_tb
    ld      r8, 0(r10)
    cmpld   r5, r8
    bge     4f
    li      r9, 3
3:  ld      r10, 0(r12)             # keep the first failure
    cmpdi   r10, 0
    bne     4f
    std     r9, 0(r12)
    LA      r10, dt_fail_tb
    std     r5, 0(r10)
    LA      r10, dt_fail_dl
    std     r6, 0(r10)
4:  LA      r10, dt_last_tb
    std     r5, 0(r10)
    LDPARAM r7, period
    add     r6, r6, r7
    std     r6, 0(r11)
    mftb    r5
    subf    r8, r5, r6              # DEC = next deadline - now, clamped to [0, 2^31 - 1]
    cmpdi   r8, 0
    bge     5f
    li      r8, 0
5:  LI32    r9, 0x7fffffff
    cmpd    r8, r9
    ble     6f
    mr      r8, r9
6:  mtdec   r8
    LA      r10, dt_ticks
    ld      r8, 0(r10)
    addi    r8, r8, 1
    std     r8, 0(r10)
    blr

guest_main:
    ENTER   12
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " ticks="
    LDPARAM r3, ticks
    bl      put_dec
    PUTS    " period="
    LDPARAM r3, period
    bl      put_hex
    PUTS    " late_limit="
    LDPARAM r3, late_limit
    bl      put_hex
    bl      newline
    SET_HANDLER 0x900, dec_handler
    LDPARAM r14, period
    LDPARAM r15, ticks
    LDPARAM r16, late_limit
    LA      r17, dt_deadline
    LA      r18, dt_ticks
    LA      r19, dt_fail
    li      r20, 0                  # round
    mr      r21, r15                # tick count ending the round
    mftb    r22                     # previous TB read
    LA      r3, dt_last_tb
    std     r22, 0(r3)
    add     r3, r22, r14            # first deadline
    std     r3, 0(r17)
    mtdec   r14
    bl      ee_on
loop:
    mftb    r5
    cmpld   r5, r22
    bge     1f
    mr      r23, r5
    bl      ee_off
    PUTS    "tb-backwards prev="
    PUT_HEX r22
    PUTS    " now="
    PUT_HEX r23
    bl      newline
    FAIL    "tb-backwards"
1:  mr      r22, r5
    ld      r3, 0(r19)
    cmpdi   r3, 0
    bne     handler_failed
    ld      r6, 0(r17)
    subf    r7, r6, r5              # TB past the pending deadline by more than late_limit
    cmpd    r7, r16
    ble     2f
    mr      r23, r5
    mr      r24, r6
    bl      ee_off
    PUTS    "lost-tick tick="
    ld      r3, 0(r18)
    bl      put_dec
    PUTS    " tb="
    PUT_HEX r23
    PUTS    " deadline="
    PUT_HEX r24
    bl      newline
    FAIL    "lost-tick"
2:  ld      r3, 0(r18)
    cmpld   r3, r21
    blt     loop
    addi    r20, r20, 1
    PUTS    "round="
    PUT_DEC r20
    PUTS    " ticks="
    PUT_DEC r21
    PUTS    " ok"
    bl      newline
    add     r21, r21, r15
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     loop
    cmpd    r20, r3
    blt     loop
    bl      ee_off
    LI32    r3, 0x7fffffff
    mtdec   r3
    li      r3, 0
    LEAVE   12

handler_failed:
    mr      r23, r3
    bl      ee_off
    cmpdi   r23, 1
    bne     1f
    PUTS    "early-tick"
    b       3f
1:  cmpdi   r23, 2
    bne     2f
    PUTS    "late-tick"
    b       3f
2:  PUTS    "tick-tb-backwards"
3:  PUTS    " tick="
    ld      r3, 0(r18)
    bl      put_dec
    PUTS    " tb="
    LA      r3, dt_fail_tb
    ld      r3, 0(r3)
    bl      put_hex
    PUTS    " deadline="
    LA      r3, dt_fail_dl
    ld      r3, 0(r3)
    bl      put_hex
    bl      newline
    cmpdi   r23, 1
    bne     4f
    FAIL    "early-tick"
4:  cmpdi   r23, 2
    bne     5f
    FAIL    "late-tick"
5:  FAIL    "tb-backwards"

guest_secondary:
    blr
