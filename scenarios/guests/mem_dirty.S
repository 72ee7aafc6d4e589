# mem_dirty: fills `pages` pages after the image with a self-identifying pattern, then each
# round re-reads every page against the generation it must hold and rewrites the pages whose
# turn it is ((page + round) % stride == 0) with the next generation. A page that comes back
# stale (e.g. a dirty page a migration failed to resend) or corrupted is reported with its
# page, word, expected and found values. See README.md.
    .include "guest.inc"

    PARAMS_BEGIN "mem_dirty"
    PARAM rounds, 8                 # rounds (0: forever)
    PARAM pages, 1024               # pages in the region (at the first 64 KiB boundary after the image)
    PARAM page_size, 4096           # bytes per page (multiple of 8)
    PARAM stride, 3                 # a page is rewritten every `stride` rounds
    PARAM seed, 0x5eed              # pattern seed
    PARAM inject, 0                 # negative control: in this round, skip one due rewrite
    PARAMS_END

    .set WORD_STEP_HI, 0x9e3779b9   # word i of a page holds base(page, gen) + i * WORD_STEP
    .set WORD_STEP_LO, 0x7f4a7c15

    .text
# page_base(r3 = page, r4 = generation) -> r3 = value of the page's first doubleword.
page_base:
    mflr    r0
    std     r0, 16(r1)
    stdu    r1, -48(r1)
    sldi    r3, r3, 32
    xor     r3, r3, r4
    LDPARAM r5, seed
    sldi    r5, r5, 20
    xor     r3, r3, r5
    bl      mix64
    addi    r1, r1, 48
    ld      r0, 16(r1)
    mtlr    r0
    blr

# page_gen(r3 = page, r4 = round) -> r3 = times the page has been rewritten after round `round`.
page_gen:
    LDPARAM r5, stride
    divdu   r6, r3, r5
    mulld   r6, r6, r5
    subf    r6, r6, r3              # page % stride
    subf    r6, r6, r5              # stride - page % stride, in 1..stride
    cmpd    r4, r6                  # first rewrite in round r6
    bge     1f
    li      r3, 0
    blr
1:  subf    r3, r6, r4
    divdu   r3, r3, r5
    addi    r3, r3, 1
    blr

# fill_page(r3 = page, r4 = generation)
fill_page:
    ENTER   2
    mr      r14, r3
    bl      page_base
    LI32    r5, WORD_STEP_HI
    sldi    r5, r5, 32
    oris    r5, r5, WORD_STEP_LO >> 16
    ori     r5, r5, WORD_STEP_LO & 0xffff
    LDPARAM r6, page_size
    mulld   r7, r14, r6
    add     r7, r7, r29             # page address
    srdi    r6, r6, 3
    mtctr   r6
1:  std     r3, 0(r7)
    add     r3, r3, r5
    addi    r7, r7, 8
    bdnz    1b
    LEAVE   2

# check_page(r3 = page, r4 = generation) -> r3 = 0, or 1 after printing the first mismatch.
check_page:
    ENTER   6
    mr      r14, r3
    mr      r15, r4
    bl      page_base
    LI32    r5, WORD_STEP_HI
    sldi    r5, r5, 32
    oris    r5, r5, WORD_STEP_LO >> 16
    ori     r5, r5, WORD_STEP_LO & 0xffff
    LDPARAM r6, page_size
    mulld   r7, r14, r6
    add     r7, r7, r29
    srdi    r6, r6, 3
    mtctr   r6
    li      r8, 0
1:  ld      r9, 0(r7)
    cmpd    r9, r3
    bne     2f
    add     r3, r3, r5
    addi    r7, r7, 8
    addi    r8, r8, 1
    bdnz    1b
    li      r3, 0
    LEAVE   6
2:  mr      r16, r8                 # word
    mr      r17, r3                 # expected
    mr      r18, r9                 # found
    li      r19, 0                  # found == the previous generation's value: a stale page
    cmpdi   r15, 0
    beq     3f
    mr      r3, r14
    addi    r4, r15, -1
    bl      page_base
    LI32    r5, WORD_STEP_HI
    sldi    r5, r5, 32
    oris    r5, r5, WORD_STEP_LO >> 16
    ori     r5, r5, WORD_STEP_LO & 0xffff
    mulld   r5, r5, r16
    add     r3, r3, r5
    cmpd    r3, r18
    bne     3f
    li      r19, 1
3:  bl      console_break
    PUTS    "mismatch round="
    PUT_DEC r28
    PUTS    " page="
    PUT_DEC r14
    PUTS    " word="
    PUT_DEC r16
    PUTS    " gen="
    PUT_DEC r15
    PUTS    " expected="
    PUT_HEX r17
    PUTS    " found="
    PUT_HEX r18
    PUTS    " stale="
    PUT_DEC r19
    bl      newline
    li      r3, 1
    LEAVE   6

guest_main:
    ENTER   18
    li      r3, 0
    bl      guest_banner
    PUTS    "params rounds="
    LDPARAM r3, rounds
    bl      put_dec
    PUTS    " pages="
    LDPARAM r3, pages
    bl      put_dec
    PUTS    " page_size="
    LDPARAM r3, page_size
    bl      put_dec
    PUTS    " stride="
    LDPARAM r3, stride
    bl      put_dec
    bl      newline
    LDPARAM r3, page_size
    andi.   r3, r3, 7
    beq     1f
    FAIL    "bad-page-size"
1:  LDPARAM r3, stride
    cmpdi   r3, 0
    bne     2f
    FAIL    "bad-stride"
2:  bl      heap_base
    mr      r29, r3                 # region base (r29 is read by fill/check)
    LDPARAM r27, pages
    li      r28, 0                  # round
    li      r14, 0                  # initial fill: generation 0
3:  cmpd    r14, r27
    bge     round_loop
    mr      r3, r14
    li      r4, 0
    bl      fill_page
    addi    r14, r14, 1
    b       3b
round_loop:
    addi    r28, r28, 1
    li      r14, 0                  # verify every page against round - 1
4:  cmpd    r14, r27
    bge     5f
    mr      r3, r14
    addi    r4, r28, -1
    bl      page_gen
    mr      r4, r3
    mr      r3, r14
    bl      check_page
    cmpdi   r3, 0
    beq     41f
    FAIL    "memory-corrupt"
41: addi    r14, r14, 1
    b       4b
5:  li      r14, 0                  # rewrite the pages whose turn it is
    li      r15, 0                  # pages rewritten
    LDPARAM r16, stride
6:  cmpd    r14, r27
    bge     7f
    add     r3, r14, r28
    divdu   r4, r3, r16
    mulld   r4, r4, r16
    cmpd    r4, r3
    bne     61f
    LDPARAM r3, inject              # fault injection: leave the first due page stale
    cmpd    r3, r28
    bne     60f
    cmpdi   r15, 0
    bne     60f
    addi    r15, r15, 1
    b       61f
60: mr      r3, r14
    mr      r4, r28
    bl      page_gen
    mr      r4, r3
    mr      r3, r14
    bl      fill_page
    addi    r15, r15, 1
61: addi    r14, r14, 1
    b       6b
7:  PUTS    "round="
    PUT_DEC r28
    PUTS    " verified="
    PUT_DEC r27
    PUTS    " dirtied="
    PUT_DEC r15
    PUTS    " ok"
    bl      newline
    LDPARAM r3, rounds
    cmpdi   r3, 0
    beq     round_loop
    cmpd    r28, r3
    blt     round_loop
    li      r3, 0
    LEAVE   18

guest_secondary:
    blr
