# idle_cede: arms DEC for `period` TB ticks and waits in H_CEDE until the decrementer
# interrupt wakes it, `cedes` times per round. Checks: H_CEDE returns H_SUCCESS with MSR[EE]
# set, the wake-up tick is not before its deadline and not later than late_limit after it,
# and counts wake-ups without a tick (spurious). See README.md.
    .include "guest.inc"

    PARAMS_BEGIN "idle_cede"
    PARAM rounds, 8                 # rounds (0: forever)
    PARAM cedes, 16                 # H_CEDE waits per round
    PARAM period, 0x100000          # TB ticks to sleep (2 ms at 512 MHz)
    PARAM late_limit, 0x4000000     # max TB ticks a wake-up may be late (128 ms)
    PARAM early_slack, 64           # TB ticks a wake-up may precede its deadline
    PARAMS_END

    .bss
    .p2align 3
ic_ticks:   .space 8
ic_tick_tb: .space 8

    .text
# Decrementer interrupt: record the tick and park DEC far away (DEC interrupts are level
# triggered: leaving DEC negative would re-interrupt at once).
dec_handler:
    mftb    r5
    LA      r6, ic_tick_tb
    std     r5, 0(r6)
    LA      r6, ic_ticks
    ld      r7, 0(r6)
    addi    r7, r7, 1
    std     r7, 0(r6)
    LI32    r5, 0x7fffffff
    mtdec   r5
    blr

guest_main:
    ENTER   14
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " cedes="
    LDPARAM r3, cedes
    bl      put_dec
    PUTS    " period="
    LDPARAM r3, period
    bl      put_hex
    bl      newline
    SET_HANDLER 0x900, dec_handler
    LDPARAM r14, period
    LDPARAM r15, cedes
    LDPARAM r16, late_limit
    LDPARAM r17, early_slack
    LA      r18, ic_ticks
    li      r20, 0                  # round
round_loop:
    addi    r20, r20, 1
    li      r21, 0                  # cedes done this round
    li      r22, 0                  # spurious wake-ups this round
cede_loop:
    bl      ee_off
    ld      r23, 0(r18)             # ticks before
    mftb    r24
    add     r24, r24, r14           # deadline
    mtdec   r14
1:  li      r3, H_CEDE
    sc      1
    mr      r25, r3
    mfmsr   r26
    cmpdi   r25, H_SUCCESS
    beq     2f
    bl      ee_off
    PUTS    "cede-status="
    PUT_SDEC r25
    bl      newline
    FAIL    "cede-status"
2:  andi.   r3, r26, MSR_EE
    bne     3f
    FAIL    "cede-ee-clear"
3:  ld      r3, 0(r18)
    cmpd    r3, r23
    bne     5f
    addi    r22, r22, 1             # woke without a tick
    mftb    r3
    subf    r3, r24, r3
    cmpd    r3, r16
    ble     1b
    bl      ee_off
    PUTS    "lost-wakeup deadline="
    PUT_HEX r24
    bl      newline
    FAIL    "lost-wakeup"
5:  LA      r3, ic_tick_tb
    ld      r25, 0(r3)
    subf    r3, r17, r24
    cmpd    r25, r3
    bge     6f
    bl      ee_off
    PUTS    "early-wakeup tb="
    PUT_HEX r25
    PUTS    " deadline="
    PUT_HEX r24
    bl      newline
    FAIL    "early-wakeup"
6:  subf    r3, r24, r25
    cmpd    r3, r16
    ble     7f
    bl      ee_off
    PUTS    "late-wakeup tb="
    PUT_HEX r25
    PUTS    " deadline="
    PUT_HEX r24
    bl      newline
    FAIL    "late-wakeup"
7:  addi    r21, r21, 1
    cmpd    r21, r15
    blt     cede_loop
    bl      ee_off
    PUTS    "round="
    PUT_DEC r20
    PUTS    " cedes="
    PUT_DEC r21
    PUTS    " spurious="
    PUT_DEC r22
    PUTS    " ok"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     round_loop
    cmpd    r20, r3
    blt     round_loop
    li      r3, 0
    LEAVE   14

guest_secondary:
    blr
