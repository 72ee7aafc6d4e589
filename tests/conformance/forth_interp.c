/* A small Forth interpreter: the source text is tokenized, colon definitions are compiled to
 * threaded code (with IF/ELSE/THEN, BEGIN/UNTIL, DO/LOOP/+LOOP resolved to branch offsets),
 * and a dispatch loop runs it on a data stack, a return stack and a cell memory. The programs
 * print primes, factorials, FizzBuzz, Collatz records, GCD tables and a sieve. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash = 0x71374491b5c0fbcfULL;

typedef int64_t cell;
enum op {
    OP_LIT, OP_CALL, OP_RET, OP_BRANCH, OP_ZBRANCH, OP_DO, OP_LOOP, OP_PLOOP, OP_I, OP_J,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_DUP, OP_DROP, OP_SWAP, OP_OVER, OP_ROT,
    OP_LT, OP_GT, OP_EQ, OP_AND, OP_OR, OP_NOT, OP_DOT, OP_EMIT, OP_CR, OP_FETCH, OP_STORE,
    OP_NEG, OP_MAX, OP_MIN, OP_ABS, OP_TOR, OP_FROMR, OP_ZEQ, OP_PLUSSTORE, OP_DOTS, OP_UDOT,
    OP_COUNT
};
static const char* prim_names[] = {
    "(lit)", "(call)", "exit", "(branch)", "(0branch)", "(do)", "(loop)", "(+loop)", "i", "j",
    "+", "-", "*", "/", "mod", "dup", "drop", "swap", "over", "rot",
    "<", ">", "=", "and", "or", "invert", ".", "emit", "cr", "@", "!",
    "negate", "max", "min", "abs", ">r", "r>", "0=", "+!", ".s", "u."};

#define CODE_MAX 20000
#define DICT_MAX 200
#define MEM_CELLS 4096
struct vm {
    cell code[CODE_MAX];
    int ncode;
    struct {
        char name[32];
        int addr;
    } dict[DICT_MAX];
    int ndict;
    cell ds[256], rs[256];
    int sp, rp;
    cell mem[MEM_CELLS];
    int nvars;
    char out[1 << 16];
    size_t outlen;
    long steps;
    int errors;
};

static void out_str(struct vm* v, const char* s) {
    size_t n = strlen(s);
    if (v->outlen + n < sizeof v->out) {
        memcpy(v->out + v->outlen, s, n);
        v->outlen += n;
    }
}
static void flush(struct vm* v) {
    fwrite(v->out, 1, v->outlen, stdout);
    for (size_t i = 0; i < v->outlen; ++i) hash = (hash ^ (unsigned char)v->out[i]) * 0x100000001b3ULL;
    v->outlen = 0;
}

static int find_word(const struct vm* v, const char* w) {
    for (int i = v->ndict - 1; i >= 0; --i)
        if (strcmp(v->dict[i].name, w) == 0) return i;
    return -1;
}
static int find_prim(const char* w) {
    for (int i = OP_I; i < OP_COUNT; ++i)
        if (strcmp(prim_names[i], w) == 0) return i;
    return -1;
}

#define PUSH(x) (v->ds[v->sp++ & 255] = (x))
#define POP() (v->ds[--v->sp & 255])
#define TOP (v->ds[(v->sp - 1) & 255])

static void run(struct vm* v, int start) {
    int pc = start, error = 0;
    v->rp = 0;
    v->rs[v->rp++] = -1;
    while (pc >= 0 && !error) {
        ++v->steps;
        cell op = v->code[pc++];
        cell a, b, c;
        char buf[32];
        switch ((enum op)op) {
            case OP_LIT: PUSH(v->code[pc++]); break;
            case OP_CALL: v->rs[v->rp++ & 255] = pc + 1; pc = (int)v->code[pc]; break;
            case OP_RET: pc = (int)v->rs[--v->rp & 255]; break;
            case OP_BRANCH: pc += (int)v->code[pc]; break;
            case OP_ZBRANCH: a = POP(); pc += a ? 1 : (int)v->code[pc]; break;
            case OP_DO: a = POP(); b = POP(); v->rs[v->rp++ & 255] = b; v->rs[v->rp++ & 255] = a; break;
            case OP_LOOP:
            case OP_PLOOP: {
                cell inc = op == OP_LOOP ? 1 : POP();
                cell idx = v->rs[(v->rp - 1) & 255], lim = v->rs[(v->rp - 2) & 255];
                cell nidx = idx + inc;
                (void)idx;
                int done = inc >= 0 ? nidx >= lim : nidx < lim; /* counted-loop semantics */
                if (done) {
                    v->rp -= 2;
                    ++pc;
                } else {
                    v->rs[(v->rp - 1) & 255] = nidx;
                    pc += (int)v->code[pc];
                }
                break;
            }
            case OP_I: PUSH(v->rs[(v->rp - 1) & 255]); break;
            case OP_J: PUSH(v->rs[(v->rp - 3) & 255]); break;
            case OP_ADD: b = POP(); a = POP(); PUSH((cell)((uint64_t)a + (uint64_t)b)); break;
            case OP_SUB: b = POP(); a = POP(); PUSH((cell)((uint64_t)a - (uint64_t)b)); break;
            case OP_MUL: b = POP(); a = POP(); PUSH((cell)((uint64_t)a * (uint64_t)b)); break;
            case OP_DIV:
            case OP_MOD:
                b = POP();
                a = POP();
                if (b == 0 || (a == INT64_MIN && b == -1)) {
                    out_str(v, "<division error>");
                    error = 1;
                    break;
                }
                PUSH(op == OP_DIV ? a / b : a % b);
                break;
            case OP_DUP: a = TOP; PUSH(a); break;
            case OP_DROP: --v->sp; break;
            case OP_SWAP: b = POP(); a = POP(); PUSH(b); PUSH(a); break;
            case OP_OVER: b = POP(); a = POP(); PUSH(a); PUSH(b); PUSH(a); break;
            case OP_ROT: c = POP(); b = POP(); a = POP(); PUSH(b); PUSH(c); PUSH(a); break;
            case OP_LT: b = POP(); a = POP(); PUSH(a < b ? -1 : 0); break;
            case OP_GT: b = POP(); a = POP(); PUSH(a > b ? -1 : 0); break;
            case OP_EQ: b = POP(); a = POP(); PUSH(a == b ? -1 : 0); break;
            case OP_AND: b = POP(); a = POP(); PUSH(a & b); break;
            case OP_OR: b = POP(); a = POP(); PUSH(a | b); break;
            case OP_NOT: a = POP(); PUSH(~a); break;
            case OP_DOT: snprintf(buf, sizeof buf, "%" PRId64 " ", POP()); out_str(v, buf); break;
            case OP_UDOT: snprintf(buf, sizeof buf, "%" PRIu64 " ", (uint64_t)POP()); out_str(v, buf); break;
            case OP_EMIT: buf[0] = (char)POP(); buf[1] = 0; out_str(v, buf); break;
            case OP_CR: out_str(v, "\n"); break;
            case OP_FETCH: a = POP(); PUSH(a >= 0 && a < MEM_CELLS ? v->mem[a] : 0); break;
            case OP_STORE: a = POP(); b = POP(); if (a >= 0 && a < MEM_CELLS) v->mem[a] = b; break;
            case OP_PLUSSTORE: a = POP(); b = POP(); if (a >= 0 && a < MEM_CELLS) v->mem[a] += b; break;
            case OP_NEG: a = POP(); PUSH((cell)(0 - (uint64_t)a)); break;
            case OP_MAX: b = POP(); a = POP(); PUSH(a > b ? a : b); break;
            case OP_MIN: b = POP(); a = POP(); PUSH(a < b ? a : b); break;
            case OP_ABS: a = POP(); PUSH(a < 0 ? (cell)(0 - (uint64_t)a) : a); break;
            case OP_TOR: v->rs[v->rp++ & 255] = POP(); break;
            case OP_FROMR: PUSH(v->rs[--v->rp & 255]); break;
            case OP_ZEQ: a = POP(); PUSH(a == 0 ? -1 : 0); break;
            case OP_DOTS:
                snprintf(buf, sizeof buf, "<%d> ", v->sp);
                out_str(v, buf);
                for (int i = 0; i < v->sp; ++i) {
                    snprintf(buf, sizeof buf, "%" PRId64 " ", v->ds[i & 255]);
                    out_str(v, buf);
                }
                break;
            default: error = 2; break;
        }
        if (v->sp < 0 || v->sp > 250 || v->rp < 0 || v->rp > 250) {
            out_str(v, "<stack error>");
            error = 3;
        }
    }
    if (error) {
        ++v->errors;
        v->sp = 0;
    }
}

static void emit(struct vm* v, cell x) {
    if (v->ncode < CODE_MAX) v->code[v->ncode++] = x;
}

/* Immediate code (outside colon definitions) is compiled line by line into a scratch area after
 * the dictionary and run at the end of the line, so control structures work everywhere. */
static void run_pending(struct vm* v, int* imm_start) {
    if (*imm_start >= 0 && v->ncode > *imm_start) {
        emit(v, OP_RET);
        run(v, *imm_start);
        v->ncode = *imm_start;
    }
    *imm_start = -1;
}

static void interpret(struct vm* v, const char* src) {
    char tok[64];
    int compiling = 0, cstack[64], csp = 0, imm_start = -1;
    const char* p = src;
    for (;;) {
        while (*p == ' ' || *p == '\t') ++p;
        if (*p == '\n' || !*p) {
            if (!compiling) run_pending(v, &imm_start);
            if (!*p) break;
            ++p;
            continue;
        }
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\n' && *p != '\t' && n < sizeof tok - 1) tok[n++] = *p++;
        tok[n] = 0;
        if (strcmp(tok, "(") == 0) { /* comment */
            while (*p && *p != ')') ++p;
            if (*p) ++p;
            continue;
        }
        if (strcmp(tok, ":") == 0 || strcmp(tok, "variable") == 0) {
            run_pending(v, &imm_start);
            while (*p == ' ') ++p;
            char name[32];
            n = 0;
            while (*p && *p != ' ' && *p != '\n' && n < 31) name[n++] = *p++;
            name[n] = 0;
            strcpy(v->dict[v->ndict].name, name);
            v->dict[v->ndict].addr = v->ncode;
            if (tok[0] == ':') {
                compiling = 1;
            } else { /* a variable is a word that pushes its cell address */
                ++v->ndict;
                emit(v, OP_LIT);
                emit(v, 64 + v->nvars);
                emit(v, OP_RET);
                v->nvars += strcmp(name, "sieve") == 0 ? 2048 : 1;
            }
            continue;
        }
        if (strcmp(tok, ";") == 0) {
            emit(v, OP_RET);
            ++v->ndict;
            compiling = 0;
            continue;
        }
        if (!compiling && imm_start < 0) imm_start = v->ncode;
        if (strcmp(tok, ".\"") == 0) { /* string literal: compile EMITs */
            if (*p == ' ') ++p;
            while (*p && *p != '"') {
                emit(v, OP_LIT);
                emit(v, (unsigned char)*p++);
                emit(v, OP_EMIT);
            }
            if (*p) ++p;
            continue;
        }
        if (strcmp(tok, "if") == 0) { emit(v, OP_ZBRANCH); cstack[csp++] = v->ncode; emit(v, 0); continue; }
        if (strcmp(tok, "else") == 0) {
            emit(v, OP_BRANCH);
            int here = v->ncode;
            emit(v, 0);
            int at = cstack[--csp];
            v->code[at] = v->ncode - at;
            cstack[csp++] = here;
            continue;
        }
        if (strcmp(tok, "then") == 0) { int at = cstack[--csp]; v->code[at] = v->ncode - at; continue; }
        if (strcmp(tok, "begin") == 0) { cstack[csp++] = v->ncode; continue; }
        if (strcmp(tok, "until") == 0) { emit(v, OP_ZBRANCH); emit(v, cstack[--csp] - v->ncode); continue; }
        if (strcmp(tok, "do") == 0) { emit(v, OP_DO); cstack[csp++] = v->ncode; continue; }
        if (strcmp(tok, "loop") == 0 || strcmp(tok, "+loop") == 0) {
            emit(v, tok[0] == '+' ? OP_PLOOP : OP_LOOP);
            emit(v, cstack[--csp] - v->ncode);
            continue;
        }
        int w = find_word(v, tok), prim = w < 0 ? find_prim(tok) : -1;
        char* end;
        long long num = strtoll(tok, &end, 10);
        if (w >= 0) {
            emit(v, OP_CALL);
            emit(v, v->dict[w].addr);
        } else if (prim >= 0) {
            emit(v, prim);
        } else if (*end == 0) {
            emit(v, OP_LIT);
            emit(v, num);
        } else {
            flush(v);
            printf("[unknown word %s]", tok);
        }
    }
    flush(v);
}

static const char* definitions =
    ": square dup * ;\n"
    ": cube dup square * ;\n"
    ": fact ( n -- n! ) 1 swap 1 + 1 do i * loop ;\n"
    ": divides? ( n d -- f ) mod 0= ;\n"
    "variable flag\n"
    ": prime? ( n -- f ) dup 2 < if drop 0 else -1 flag ! 2 begin over over dup * < if -1 else\n"
    "   over over divides? if 0 flag ! then 1 + 0 then until drop drop flag @ then ;\n"
    ": primes ( n -- ) 2 do i prime? if i . then loop cr ;\n"
    ": fizz ( n -- ) dup 15 mod 0= if drop .\" FizzBuzz \" else dup 3 mod 0= if drop .\" Fizz \" else\n"
    "   dup 5 mod 0= if drop .\" Buzz \" else . then then then ;\n"
    ": fizzbuzz 1 + 1 do i fizz loop cr ;\n"
    ": csteps ( n -- steps ) 0 swap begin dup 1 > if dup 2 mod if 3 * 1 + else 2 / then swap 1 + swap 0 else -1 then until drop ;\n"
    "variable best\n"
    "variable bestn\n"
    ": records ( n -- ) 0 best ! 1 do i csteps dup best @ > if dup best ! i bestn ! i . .\" : \" . cr else drop then loop ;\n"
    ": gcd ( a b -- g ) begin dup 0= if -1 else swap over mod 0 then until drop ;\n"
    ": gcdtable 13 1 do 13 1 do j i gcd . loop cr loop ;\n"
    "variable sieve\n"
    ": sieveinit ( n -- ) 0 do -1 sieve i + ! loop ;\n"
    ": mark ( n p -- ) dup square rot swap do 0 sieve i + ! dup +loop drop ;\n"
    ": strikeall ( n -- ) dup 2 do sieve i + @ if dup i i * > if dup i mark then then loop drop ;\n"
    ": countall ( n -- c ) 0 swap 2 do sieve i + @ if 1 + then loop ;\n"
    ": countdown ( n -- ) begin dup . 3 - dup 0 < until drop cr ;\n";

static const char* main_program =
    ".\" squares: \" 21 1 do i square . loop cr\n"
    ".\" cubes: \" 16 -5 do i cube . loop cr\n"
    ".\" factorials: \" 21 1 do i fact u. loop cr\n"
    ".\" primes: \" 300 primes\n"
    "40 fizzbuzz\n"
    ".\" collatz records:\" cr 2500 records\n"
    ".\" gcd table:\" cr gcdtable\n"
    ".\" sieve: \" 2000 sieveinit 2000 strikeall 2000 countall . cr\n"
    ".\" stack: \" 1 2 3 4 5 .s drop drop drop drop drop cr\n"
    ".\" arith: \" 7 -2 / . 7 -2 mod . -7 2 / . -7 2 mod . 100 7 max . -3 abs . 5 negate . cr\n"
    ".\" div by zero: \" 1 0 / cr\n"
    ".\" unknown: \" frobnicate cr\n"
    ".\" big: \" 1 62 0 do 2 * loop dup . 2 * . cr\n"
    ".\" nested loops: \" 4 0 do 3 0 do i j * 10 * j + . loop loop cr\n"
    ".\" down by tens: \" 0 100 do i . -10 +loop cr\n"
    ".\" countdown: \" 20 countdown\n"
    ".\" steps: \" 97 csteps . 871 csteps . 77031 csteps . cr\n";

int main(void) {
    static struct vm vm;
    interpret(&vm, definitions);
    interpret(&vm, main_program);
    printf("\ndictionary=%d code=%d steps=%ld errors=%d\n", vm.ndict, vm.ncode, vm.steps, vm.errors);
    printf("hash %016" PRIx64 "\n", hash);
    return (int)(hash % 100) + 21;
}
