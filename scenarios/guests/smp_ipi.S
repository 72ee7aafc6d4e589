# smp_ipi: negotiates the interrupt controller with CAS, finds the stopped vCPUs with RTAS
# query-cpu-stopped-state, starts them with RTAS start-cpu and plays IPI ping-pong with each
# through the active controller:
#   XICS: H_IPI to the target server; the target takes an external interrupt (0x500), accepts it
#         with H_XIRR (source 2 = IPI), clears its MFRR with H_IPI(self, 0xff) and H_EOI's it.
#         Secondaries wait in H_CEDE (with MSR[EE] off while they check their mailbox).
#   XIVE: each vCPU has an event queue (H_INT_SET_QUEUE_CONFIG); IPI source LISN n targets server
#         n (H_INT_SET_SOURCE_CONFIG). A sender triggers through H_INT_ESB only (set PQ=11, then
#         a load-EOI forwards the event); the receiver polls its queue in memory and EOI's with
#         an H_INT_ESB load. No TIMA access: the CPPR stays 0, so no exception is presented.
# Each ping carries a sequence number in the target's mailbox; the target answers with an IPI
# back after writing seq ^ ACK_MAGIC. At the end every secondary is told to stop, calls RTAS
# stop-self, and the boot vCPU waits until query-cpu-stopped-state reports it stopped.
# See README.md.
    .include "guest.inc"

    PARAMS_BEGIN "smp_ipi"
    PARAM rounds, 8                 # rounds (0: forever)
    PARAM pings, 16                 # ping-pongs per secondary per round
    PARAM max_secondaries, 7        # secondaries used (at most MAX_CPUS - 1)
    PARAM max_cpu_id, 64            # RTAS cpu ids scanned: 0 .. max_cpu_id - 1
    PARAM intc, 0x00                # option vector 5 byte 23: 0x00 XICS, 0x40 XIVE
    PARAM timeout, 0x40000000       # TB ticks to wait for an answer (2 s at 512 MHz)
    PARAM use_cede, 1               # XICS: secondaries wait in H_CEDE (0: spin)
    PARAM inject, 0                 # negative control: in this round the first ping is not sent
    PARAMS_END

    .set CAS_BUF_SIZE, 0x40000
    .set EQ_OFFSET, 0x40000         # event queues: heap + EQ_OFFSET + index * 4 KiB
    .set XICS_PRIO, 5               # MFRR value of an IPI
    .set XIVE_PRIO, 6               # event queue priority (7 is reserved by the platform)
    .set XIVE_EISN_BASE, 0x100      # event data = XIVE_EISN_BASE + logical index
    .set ACK_MAGIC, 0x5a5a
    .set CMD_RUN, 0
    .set CMD_STOP, 1
    .set ESB_LOAD_EOI, 0x000
    .set ESB_SET_PQ_00, 0xc00
    .set ESB_SET_PQ_11, 0xf00

    # per-CPU fields (PC_GUEST area); mailboxes on their own cache lines
    .set PCG_IPIS,     PC_GUEST + 0x00   # IPIs received
    .set PCG_SPURIOUS, PC_GUEST + 0x08
    .set PCG_ERR,      PC_GUEST + 0x10   # first error code (ERR_*), 0 = none
    .set PCG_ERR_INFO, PC_GUEST + 0x18
    .set PCG_EQ,       PC_GUEST + 0x20   # XIVE event queue
    .set PCG_EQ_IDX,   PC_GUEST + 0x28
    .set PCG_EQ_GEN,   PC_GUEST + 0x30
    .set PCG_XIVE,     PC_GUEST + 0x38   # 1 in XIVE mode
    .set PCG_BOOT_ID,  PC_GUEST + 0x40   # server of the boot vCPU
    .set PCG_READY,    PC_GUEST + 0x48
    .set PCG_SEQ,      PC_GUEST + 0x80   # written by the boot vCPU
    .set PCG_CMD,      PC_GUEST + 0x88
    .set PCG_ACK,      PC_GUEST + 0x100  # written by the secondary

    .set ERR_XISR,     1                 # XICS: unexpected interrupt source
    .set ERR_EQ_DATA,  2                 # XIVE: unexpected event data
    .set ERR_HCALL,    3                 # a hypercall failed (info: number << 16 | -status)
    .set ERR_ACK,      4                 # wrong sequence number seen

    .section .rodata
    .p2align 3
# PVR list: every compat mode and every real PVR family (cas_boot's default)
pvr_rows:
    .quad 0xffff000000800000, 0xffff0000004e0000, 0xffff0000004d0000, 0xffff0000004c0000
    .quad 0xffff0000004b0000, 0xffff0000004a0000, 0xffff0000003f0000
    .quad 0xffffffff0f000006, 0xffffffff0f000005, 0xffffffff0f000004, 0xffffffff0f000003
    .quad 0xffffffff0f000002
    .set NPVR_ROWS, 12

    .bss
    .p2align 3
cpu_ids:    .space 8 * MAX_CPUS     # server of each logical CPU
arch_vec:   .space 512

    .text
# percpu_of(r3 = logical index) -> r3 = per-CPU area
percpu_of:
    LA      r4, percpu_areas
    sldi    r3, r3, 12
    add     r3, r3, r4
    blr

# set_err(r3 = code, r4 = info): record this CPU's first error
set_err:
    ld      r5, PCG_ERR(r13)
    cmpdi   r5, 0
    bnelr
    std     r4, PCG_ERR_INFO(r13)
    sync
    std     r3, PCG_ERR(r13)
    blr

# hcall_check(r3 = status, r4 = hcall number): status != 0 -> ERR_HCALL. Returns status.
hcall_check:
    cmpdi   r3, 0
    beqlr
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -48(r1)
    std     r3, 32(r1)
    sldi    r4, r4, 16
    neg     r5, r3
    or      r4, r4, r5
    li      r3, ERR_HCALL
    bl      set_err
    ld      r3, 32(r1)
    addi    r1, r1, 48
    ld      r0, 16(r1)
    mtlr    r0
    blr

# send_ipi(r3 = target server): through the active controller.
send_ipi:
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -64(r1)
    std     r3, 48(r1)
    sync                            # mailbox writes before the interrupt
    ld      r4, PCG_XIVE(r13)
    cmpdi   r4, 0
    bne     1f
    mr      r4, r3
    li      r3, H_IPI
    li      r5, XICS_PRIO
    sc      1
    li      r4, H_IPI
    bl      hcall_check
    b       2f
1:  li      r3, H_INT_ESB           # PQ=11, then load-EOI: 11 -> 10 and the event is forwarded
    li      r4, 0
    ld      r5, 48(r1)
    li      r6, ESB_SET_PQ_11
    li      r7, 0
    sc      1
    li      r4, H_INT_ESB
    bl      hcall_check
    li      r3, H_INT_ESB
    li      r4, 0
    ld      r5, 48(r1)
    li      r6, ESB_LOAD_EOI
    li      r7, 0
    sc      1
    li      r4, H_INT_ESB
    bl      hcall_check
2:  addi    r1, r1, 64
    ld      r0, 16(r1)
    mtlr    r0
    blr

# xics_handler: external interrupt (XICS mode)
xics_handler:
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -64(r1)
    std     r14, 48(r1)
    li      r3, H_XIRR
    sc      1
    mr      r14, r4                 # xirr
    li      r4, H_XIRR
    bl      hcall_check
    clrldi  r3, r14, 40             # XISR
    cmpdi   r3, 0
    bne     1f
    ld      r3, PCG_SPURIOUS(r13)
    addi    r3, r3, 1
    std     r3, PCG_SPURIOUS(r13)
    b       3f
1:  cmpdi   r3, 2                   # the IPI source
    beq     2f
    mr      r4, r3
    li      r3, ERR_XISR
    bl      set_err
    b       4f
2:  li      r3, H_IPI               # clear our MFRR
    ld      r4, PC_SERVER(r13)
    li      r5, 0xff
    sc      1
    li      r4, H_IPI
    bl      hcall_check
    ld      r3, PCG_IPIS(r13)
    addi    r3, r3, 1
    std     r3, PCG_IPIS(r13)
4:  li      r3, H_EOI
    mr      r4, r14
    sc      1
    li      r4, H_EOI
    bl      hcall_check
3:  ld      r14, 48(r1)
    addi    r1, r1, 64
    ld      r0, 16(r1)
    mtlr    r0
    blr

# xive_poll() -> r3 = 1 if an event was consumed from this CPU's queue (and EOI'd), else 0.
xive_poll:
    ld      r5, PCG_EQ(r13)
    ld      r6, PCG_EQ_IDX(r13)
    ld      r7, PCG_EQ_GEN(r13)
    sldi    r8, r6, 2
    add     r8, r8, r5
    LWZ_BE  r9, 0, r8, r10
    srwi    r10, r9, 31
    cmpd    r10, r7
    beq     1f
    li      r3, 0
    blr
1:  mflr    r0
    std     r0, 16(r1)
    stdu    r1, -48(r1)
    lwsync                          # the entry before the mailbox it announces
    addi    r6, r6, 1
    cmpdi   r6, 1024                # 4 KiB queue of 4-byte entries; wrapping flips the generation
    blt     2f
    li      r6, 0
    xori    r7, r7, 1
    std     r7, PCG_EQ_GEN(r13)
2:  std     r6, PCG_EQ_IDX(r13)
    clrlwi  r9, r9, 1
    ld      r3, PC_INDEX(r13)
    addi    r3, r3, XIVE_EISN_BASE
    cmpd    r9, r3
    beq     3f
    mr      r4, r9
    li      r3, ERR_EQ_DATA
    bl      set_err
3:  li      r3, H_INT_ESB           # EOI our IPI source (LISN = our server): PQ 10 -> 00
    li      r4, 0
    ld      r5, PC_SERVER(r13)
    li      r6, ESB_LOAD_EOI
    li      r7, 0
    sc      1
    li      r4, H_INT_ESB
    bl      hcall_check
    ld      r3, PCG_IPIS(r13)
    addi    r3, r3, 1
    std     r3, PCG_IPIS(r13)
    li      r3, 1
    addi    r1, r1, 48
    ld      r0, 16(r1)
    mtlr    r0
    blr

# intc_cpu_init: per-CPU interrupt setup done by the CPU itself (XICS: accept all priorities).
intc_cpu_init:
    ld      r4, PCG_XIVE(r13)
    cmpdi   r4, 0
    bnelr
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -48(r1)
    li      r3, H_CPPR
    li      r4, 0xff
    sc      1
    li      r4, H_CPPR
    bl      hcall_check
    addi    r1, r1, 48
    ld      r0, 16(r1)
    mtlr    r0
    blr

# xive_setup_cpu(r3 = per-CPU area): queue + IPI source for that CPU (run by the boot vCPU).
xive_setup_cpu:
    ENTER   2
    mr      r14, r3
    bl      heap_base
    addis   r3, r3, EQ_OFFSET >> 16
    ld      r4, PC_INDEX(r14)
    sldi    r4, r4, 12
    add     r15, r3, r4             # queue page
    li      r0, 0                   # zeroed: generation bits 0 = empty for generation 1
    li      r5, 512
    mtctr   r5
    mr      r6, r15
1:  std     r0, 0(r6)
    addi    r6, r6, 8
    bdnz    1b
    std     r15, PCG_EQ(r14)
    li      r0, 0
    std     r0, PCG_EQ_IDX(r14)
    li      r0, 1
    std     r0, PCG_EQ_GEN(r14)
    sync
    li      r3, H_INT_SET_QUEUE_CONFIG
    li      r4, 0
    ld      r5, PC_SERVER(r14)
    li      r6, XIVE_PRIO
    mr      r7, r15
    li      r8, 12                  # 4 KiB
    sc      1
    li      r4, H_INT_SET_QUEUE_CONFIG
    bl      hcall_check
    cmpdi   r3, 0
    bne     9f
    li      r3, H_INT_SET_SOURCE_CONFIG
    li      r4, 2                   # SET_EISN
    ld      r5, PC_SERVER(r14)      # LISN: the IPI source of that server
    ld      r6, PC_SERVER(r14)
    li      r7, XIVE_PRIO
    ld      r8, PC_INDEX(r14)
    addi    r8, r8, XIVE_EISN_BASE
    sc      1
    li      r4, H_INT_SET_SOURCE_CONFIG
    bl      hcall_check
    cmpdi   r3, 0
    bne     9f
    li      r3, H_INT_ESB           # enable the source: PQ=00 (sources start with PQ=01, off)
    li      r4, 0
    ld      r5, PC_SERVER(r14)
    li      r6, ESB_SET_PQ_00
    li      r7, 0
    sc      1
    li      r4, H_INT_ESB
    bl      hcall_check
9:  LEAVE   2

# wait_event(r3 = count) -> r3 = 0 once this CPU has received `count` IPIs in all (the count,
# not a snapshot: the answer may arrive before we start waiting), 1 on timeout (TB based).
# Used by the boot vCPU; keeps MSR[EE] on in XICS mode.
wait_event:
    ENTER   3
    mr      r14, r3
    mftb    r15
    LDPARAM r16, timeout
    add     r15, r15, r16
1:  ld      r3, PCG_XIVE(r13)
    cmpdi   r3, 0
    beq     2f
    bl      xive_poll
2:  ld      r3, PCG_IPIS(r13)
    cmpd    r3, r14
    bge     3f
    mftb    r3
    cmpld   r3, r15
    blt     1b
    li      r3, 1
    b       4f
3:  li      r3, 0
4:  LEAVE   3

# Secondary: set up, report ready, then answer pings until told to stop.
guest_secondary:
    ENTER   4
    ld      r14, PCG_BOOT_ID(r13)
    bl      intc_cpu_init
    sync
    li      r3, 1
    std     r3, PCG_READY(r13)
    ld      r15, PCG_ACK(r13)       # last sequence number answered
    ld      r16, PCG_IPIS(r13)      # IPIs already handled
sec_loop:
    ld      r3, PCG_XIVE(r13)
    cmpdi   r3, 0
    bne     sec_xive
    bl      ee_off                  # XICS: check the mailbox with EE off, so that an IPI
    ld      r3, PCG_IPIS(r13)       # arriving after the check keeps H_CEDE from sleeping
    cmpd    r3, r16
    bne     sec_msg
    LDPARAM r3, use_cede
    cmpdi   r3, 0
    beq     1f
    li      r3, H_CEDE              # returns with EE on; the IPI is then taken at once
    sc      1
    b       sec_loop
1:  bl      ee_on
    b       sec_loop
sec_xive:
    bl      xive_poll
    cmpdi   r3, 0
    beq     sec_loop
sec_msg:
    ld      r16, PCG_IPIS(r13)
    lwsync
    ld      r3, PCG_CMD(r13)
    cmpdi   r3, CMD_STOP
    beq     sec_stop
    ld      r17, PCG_SEQ(r13)
    cmpd    r17, r15                # a new ping must carry a new sequence number
    bne     2f
    li      r3, ERR_ACK
    mr      r4, r17
    bl      set_err
2:  mr      r15, r17
    xori    r3, r17, ACK_MAGIC
    std     r3, PCG_ACK(r13)
    mr      r3, r14                 # pong
    bl      send_ipi
    b       sec_loop
sec_stop:
    bl      ee_off
    sync
    li      r3, 2                   # stopping: QEMU's query-cpu-stopped-state also reports a
    std     r3, PCG_READY(r13)      # vCPU idle in H_CEDE as stopped, so say it explicitly
    LEAVE   4                       # secondary_entry then calls RTAS stop-self

# report_errors: print and fail if any CPU recorded an error (r27 = number of CPUs).
report_errors:
    ENTER   3
    li      r14, 0
1:  cmpd    r14, r27
    bge     3f
    mr      r3, r14
    bl      percpu_of
    mr      r15, r3
    ld      r16, PCG_ERR(r15)
    cmpdi   r16, 0
    beq     2f
    bl      ee_off
    bl      console_break
    PUTS    "cpu-error cpu="
    PUT_DEC r14
    PUTS    " code="
    PUT_DEC r16
    PUTS    " info="
    ld      r3, PCG_ERR_INFO(r15)
    bl      put_hex
    bl      newline
    FAIL    "cpu-error"
2:  addi    r14, r14, 1
    b       1b
3:  LEAVE   3

guest_main:
    ENTER   18
    # CAS first: it must run while the other vCPUs are stopped, and nothing is printed before it
    LA      r3, arch_vec
    LA      r4, pvr_rows
    li      r5, NPVR_ROWS
    li      r6, 0xc0
    LDPARAM r7, intc
    bl      build_arch_vector
    bl      heap_base
    mr      r4, r3
    LA      r3, arch_vec
    LI32    r5, CAS_BUF_SIZE
    bl      cas_call
    mr      r20, r3
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " pings="
    LDPARAM r3, pings
    bl      put_dec
    PUTS    " max_secondaries="
    LDPARAM r3, max_secondaries
    bl      put_dec
    PUTS    " intc_req="
    LDPARAM r3, intc
    bl      put_hex
    bl      newline
    cmpdi   r20, 0
    beq     1f
    PUTS    "cas status="
    PUT_SDEC r20
    bl      newline
    FAIL    "cas-failed"
1:  bl      xive_active
    mr      r21, r3
    # find the vCPUs: the running one is us, the stopped ones are secondaries
    LDPARAM r22, max_secondaries
    cmpldi  r22, MAX_CPUS - 1
    ble     2f
    li      r22, MAX_CPUS - 1
2:  LA      r23, cpu_ids
    li      r27, 1                  # CPUs found (index 0 = boot)
    li      r24, -1                 # boot server
    li      r14, 0
    LDPARAM r15, max_cpu_id
3:  cmpd    r14, r15
    bge     6f
    li      r3, RTAS_QUERY_CPU_STOPPED
    li      r4, 1
    li      r5, 2
    mr      r6, r14
    bl      rtas_call
    cmpdi   r3, 0
    bne     5f
    cmpdi   r4, 0
    beq     4f
    cmpdi   r24, -1                 # running: the boot vCPU (the first one found)
    bne     5f
    mr      r24, r14
    std     r14, 0(r23)
    b       5f
4:  addi    r3, r27, -1             # stopped: a secondary, if we still want one
    cmpd    r3, r22
    bge     5f
    sldi    r3, r27, 3
    stdx    r14, r23, r3
    addi    r27, r27, 1
5:  addi    r14, r14, 1
    b       3b
6:  cmpdi   r24, -1
    bne     7f
    FAIL    "no-boot-cpu"
7:  PUTS    "intc="
    cmpdi   r21, 0
    beq     8f
    PUTS    "xive"
    b       9f
8:  PUTS    "xics"
9:  PUTS    " cpus="
    PUT_DEC r27
    PUTS    " ids="
    li      r14, 0
10: sldi    r3, r14, 3
    ldx     r3, r23, r3
    bl      put_dec
    addi    r14, r14, 1
    cmpd    r14, r27
    bge     11f
    li      r3, ','
    bl      putc
    b       10b
11: bl      newline
    cmpdi   r27, 2
    bge     12f
    FAIL    "no-secondary-cpu"
12: # per-CPU state and interrupt setup
    std     r24, PC_SERVER(r13)
    li      r14, 0
13: mr      r3, r14
    bl      percpu_of
    mr      r15, r3
    cmpdi   r14, 0
    beq     14f
    mr      r3, r14                 # secondaries' areas get their stacks now (percpu_setup)
    sldi    r4, r14, 3
    ldx     r4, r23, r4
    bl      percpu_setup
    sldi    r4, r14, 3
    ldx     r4, r23, r4
    std     r4, PC_SERVER(r15)
14: std     r21, PCG_XIVE(r15)
    std     r24, PCG_BOOT_ID(r15)
    cmpdi   r21, 0
    beq     15f
    mr      r3, r15
    bl      xive_setup_cpu
15: addi    r14, r14, 1
    cmpd    r14, r27
    blt     13b
    bl      report_errors
    SET_HANDLER 0x500, xics_handler
    bl      intc_cpu_init
    bl      ee_on
    # start the secondaries and wait until each is ready
    li      r14, 1
16: mr      r3, r14
    sldi    r4, r14, 3
    ldx     r4, r23, r4
    bl      start_secondary
    cmpdi   r3, 0
    beq     17f
    mr      r15, r3
    PUTS    "start-cpu status="
    PUT_SDEC r15
    bl      newline
    FAIL    "start-cpu"
17: mr      r3, r14
    bl      percpu_of
    mr      r15, r3
    mftb    r16
    LDPARAM r3, timeout
    add     r16, r16, r3
18: ld      r3, PCG_READY(r15)
    cmpdi   r3, 0
    bne     19f
    mftb    r3
    cmpld   r3, r16
    blt     18b
    FAIL    "secondary-not-ready"
19: addi    r14, r14, 1
    cmpd    r14, r27
    blt     16b
    bl      report_errors
    PUTS    "started="
    addi    r3, r27, -1
    bl      put_dec
    bl      newline
    # rounds of ping-pong: r28 round, r29 ping, r14 secondary
    li      r28, 0
    ld      r26, PCG_IPIS(r13)      # answers expected so far
round_loop:
    addi    r28, r28, 1
    li      r29, 0
ping_loop:
    addi    r29, r29, 1
    li      r14, 1
20: mr      r3, r14
    bl      percpu_of
    mr      r15, r3
    sldi    r17, r28, 32            # sequence number: round, ping, cpu
    sldi    r3, r29, 8
    or      r17, r17, r3
    or      r17, r17, r14
    std     r17, PCG_SEQ(r15)
    LDPARAM r3, inject              # negative control: drop the first ping of that round
    cmpd    r3, r28
    bne     21f
    cmpdi   r29, 1
    bne     21f
    cmpdi   r14, 1
    beq     22f
21: ld      r3, PC_SERVER(r15)
    bl      send_ipi
22: addi    r26, r26, 1
    mr      r3, r26
    bl      wait_event
    cmpdi   r3, 0
    beq     23f
    bl      ee_off
    PUTS    "lost-ipi round="
    PUT_DEC r28
    PUTS    " ping="
    PUT_DEC r29
    PUTS    " cpu="
    PUT_DEC r14
    PUTS    " ack="
    ld      r3, PCG_ACK(r15)
    xori    r3, r3, ACK_MAGIC
    cmpd    r3, r17
    li      r3, 0
    bne     221f
    li      r3, 1
221: bl     put_dec
    bl      newline
    bl      report_errors
    FAIL    "lost-ipi"
23: lwsync
    ld      r3, PCG_ACK(r15)
    xori    r3, r3, ACK_MAGIC
    cmpd    r3, r17
    beq     24f
    mr      r16, r3
    bl      ee_off
    PUTS    "bad-ack cpu="
    PUT_DEC r14
    PUTS    " seq="
    PUT_HEX r17
    PUTS    " got="
    PUT_HEX r16
    bl      newline
    FAIL    "bad-ack"
24: addi    r14, r14, 1
    cmpd    r14, r27
    blt     20b
    LDPARAM r3, pings
    cmpd    r29, r3
    blt     ping_loop
    bl      report_errors
    PUTS    "round="
    PUT_DEC r28
    PUTS    " pings="
    addi    r3, r27, -1
    mulld   r3, r3, r29
    bl      put_dec
    PUTS    " ok"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     round_loop
    cmpd    r28, r3
    blt     round_loop
    # exact IPI counts: every ping and every pong delivered exactly once
    addi    r3, r27, -1
    mulld   r3, r3, r28
    LDPARAM r4, pings
    mulld   r25, r3, r4             # pongs the boot vCPU received
    ld      r3, PCG_IPIS(r13)
    cmpd    r3, r25
    beq     25f
    mr      r16, r3
    PUTS    "ipi-count cpu=0 expected="
    PUT_DEC r25
    PUTS    " got="
    PUT_DEC r16
    bl      newline
    FAIL    "ipi-count"
25: # stop the secondaries (a last IPI wakes them) and wait for RTAS to see them stopped
    li      r14, 1
26: mr      r3, r14
    bl      percpu_of
    mr      r15, r3
    li      r3, CMD_STOP
    std     r3, PCG_CMD(r15)
    ld      r3, PC_SERVER(r15)
    bl      send_ipi
    mftb    r16
    LDPARAM r3, timeout
    add     r16, r16, r3
261: ld     r3, PCG_READY(r15)      # wait for "stopping", then for RTAS to report it stopped
    cmpdi   r3, 2
    beq     262f
    mftb    r3
    cmpld   r3, r16
    blt     261b
    b       28f
262: lwsync
27: li      r3, RTAS_QUERY_CPU_STOPPED
    li      r4, 1
    li      r5, 2
    ld      r6, PC_SERVER(r15)
    bl      rtas_call
    cmpdi   r3, 0
    bne     28f
    cmpdi   r4, 0
    beq     29f
    mftb    r3
    cmpld   r3, r16
    blt     27b
28: PUTS    "not-stopped cpu="
    PUT_DEC r14
    bl      newline
    FAIL    "stop-self"
29: ld      r3, PCG_IPIS(r15)       # the secondary got every ping plus the stop IPI
    LDPARAM r4, pings
    mulld   r4, r4, r28
    addi    r4, r4, 1
    cmpd    r3, r4
    beq     30f
    mr      r16, r3
    mr      r17, r4
    PUTS    "ipi-count cpu="
    PUT_DEC r14
    PUTS    " expected="
    PUT_DEC r17
    PUTS    " got="
    PUT_DEC r16
    PUTS    " spurious="
    ld      r3, PCG_SPURIOUS(r15)
    bl      put_dec
    bl      newline
    FAIL    "ipi-count"
30: addi    r14, r14, 1
    cmpd    r14, r27
    blt     26b
    bl      report_errors
    bl      ee_off
    PUTS    "stopped="
    addi    r3, r27, -1
    bl      put_dec
    bl      newline
    li      r3, 0
    LEAVE   18
