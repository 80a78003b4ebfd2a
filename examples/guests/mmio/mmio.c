/* A guest that checks every emulated instruction family against the MMIO scratch device, differentially. */
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

/*
 * The platform's scratch device (devices/mmio_scratch.h) holds what is written to it, yet every
 * access to it traps and is emulated by the monitor. Each case below runs the same instruction
 * twice: natively on an ordinary RAM buffer, and on the device. Registers, the defined flags and
 * the 64 bytes of memory must come out identical.
 */
#define SCRATCH       0xfeb00000ULL
#define SCRATCH_COUNT (SCRATCH + 0xff0)
#define BUF_SIZE      64

#define FL_CF         0x001ULL
#define FL_PF         0x004ULL
#define FL_AF         0x010ULL
#define FL_ZF         0x040ULL
#define FL_SF         0x080ULL
#define FL_DF         0x400ULL
#define FL_OF         0x800ULL
#define FL_ALL        (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_LOGIC      (FL_ALL & ~FL_AF) /* AF is undefined after AND/OR/XOR/TEST */

struct cpu_state {
	uint64_t rax, rcx, rdx, rsi, rdi, flags;
};

typedef void (*run_fn)(struct cpu_state *s, uint64_t mem);

/* RBX holds the memory operand's address; RAX, RCX, RDX, RSI, RDI and the flags go in and out. */
#define EXEC(insn)                                                                  \
	__asm__ volatile("pushq %[fl]\n\tpopfq\n\t" insn "\n\tpushfq\n\tpopq %[fl]" \
	                 : "+a"(s->rax), "+c"(s->rcx), "+d"(s->rdx), "+S"(s->rsi),  \
	                   "+D"(s->rdi), [fl] "+r"(s->flags)                        \
	                 : "b"(mem)                                                 \
	                 : "memory", "cc", "xmm0", "xmm1")

#define CASE(fn, insn)                                    \
	static void fn(struct cpu_state *s, uint64_t mem) \
	{                                                 \
		EXEC(insn);                               \
	}

CASE(mov_store32, "movl %%eax, 4(%%rbx)")
CASE(mov_store8, "movb %%al, 7(%%rbx)")
CASE(mov_store16, "movw %%ax, 10(%%rbx)")
CASE(mov_store64, "movq %%rax, 16(%%rbx)")
CASE(mov_load32, "movl 4(%%rbx), %%eax")
CASE(mov_load8, "movb 3(%%rbx), %%al")
CASE(mov_load16, "movw 6(%%rbx), %%ax")
CASE(mov_load64, "movq 8(%%rbx), %%rax")
CASE(mov_imm32, "movl $0x89abcdef, 12(%%rbx)")
CASE(mov_imm64, "movq $-2, 24(%%rbx)")
CASE(mov_index, "movl (%%rbx,%%rcx,4), %%eax")
CASE(movzx8, "movzbl 5(%%rbx), %%eax")
CASE(movzx16, "movzwq 6(%%rbx), %%rax")
CASE(movsx8, "movsbq 9(%%rbx), %%rax")
CASE(movsx16, "movswl 10(%%rbx), %%eax")
CASE(movsxd, "movslq 12(%%rbx), %%rax")
CASE(add_store, "addl %%eax, 4(%%rbx)")
CASE(add_load, "addq 8(%%rbx), %%rax")
CASE(adc_store, "adcl %%eax, 4(%%rbx)")
CASE(sub_store, "subw %%ax, 2(%%rbx)")
CASE(sbb_load, "sbbq 8(%%rbx), %%rax")
CASE(and_store, "andl %%eax, 4(%%rbx)")
CASE(or_store, "orq %%rax, 8(%%rbx)")
CASE(or_imm, "orl $0x80000001, 4(%%rbx)")
CASE(xor_load, "xorl 4(%%rbx), %%eax")
CASE(cmp_mem, "cmpl %%eax, 4(%%rbx)")
CASE(cmp_imm8, "cmpb $0x40, 3(%%rbx)")
CASE(test_mem, "testl %%eax, 4(%%rbx)")
CASE(inc_mem, "incl 4(%%rbx)")
CASE(dec_mem, "decw 2(%%rbx)")
CASE(neg_mem, "negq 8(%%rbx)")
CASE(not_mem, "notl 4(%%rbx)")
CASE(xchg_mem, "xchgl %%eax, 4(%%rbx)")
CASE(cmpxchg_mem, "lock cmpxchgl %%ecx, 4(%%rbx)")
CASE(xadd_mem, "lock xaddq %%rax, 8(%%rbx)")
CASE(bt_reg, "btl %%ecx, (%%rbx)")
CASE(bts_imm, "btsl $5, 4(%%rbx)")
CASE(btr_reg, "btrq %%rcx, (%%rbx)")
CASE(btc_imm, "btcw $3, 2(%%rbx)")
CASE(setcc_mem, "cmpl %%eax, %%ecx\n\tsetl 1(%%rbx)")
CASE(cmovcc_mem, "cmpl %%eax, %%ecx\n\tcmovbl 4(%%rbx), %%eax")
CASE(push_pop_mem, "pushq 8(%%rbx)\n\tpopq %%rax")
CASE(pop_to_mem, "pushq %%rax\n\tpopq 16(%%rbx)")
CASE(movnti_mem, "movnti %%eax, 20(%%rbx)")
CASE(sse_movdqu, "movdqu 16(%%rbx), %%xmm0\n\tmovdqu %%xmm0, 32(%%rbx)")
CASE(sse_movaps, "movaps (%%rbx), %%xmm1\n\tmovaps %%xmm1, 48(%%rbx)")
CASE(sse_movq, "movq 8(%%rbx), %%xmm0\n\tmovq %%xmm0, %%rax")
CASE(sse_movd_store, "movd %%eax, %%xmm1\n\tmovd %%xmm1, 60(%%rbx)")
/* String instructions: RDI or RSI point at the operand (set up by string_case below). */
CASE(rep_stosd, "rep stosl")
CASE(rep_movsb, "rep movsb")
CASE(rep_movsq_back, "std\n\trep movsq\n\tcld")
CASE(lodsw, "lodsw")
CASE(repe_cmpsb, "repe cmpsb")
CASE(scasb, "scasb")

struct test_case {
	const char *name;
	run_fn run;
	uint64_t flag_mask;
	uint64_t rax, rcx, rdx;
};

static const struct test_case cases[] = {
    {"mov store 32", mov_store32, FL_ALL, 0x1122334455667788ULL, 0, 0},
    {"mov store 8", mov_store8, FL_ALL, 0x99, 0, 0},
    {"mov store 16", mov_store16, FL_ALL, 0xbeef, 0, 0},
    {"mov store 64", mov_store64, FL_ALL, 0x0123456789abcdefULL, 0, 0},
    {"mov load 32", mov_load32, FL_ALL, ~0ULL, 0, 0},
    {"mov load 8", mov_load8, FL_ALL, ~0ULL, 0, 0},
    {"mov load 16", mov_load16, FL_ALL, ~0ULL, 0, 0},
    {"mov load 64", mov_load64, FL_ALL, 0, 0, 0},
    {"mov imm32", mov_imm32, FL_ALL, 0, 0, 0},
    {"mov imm64", mov_imm64, FL_ALL, 0, 0, 0},
    {"mov scaled index", mov_index, FL_ALL, 0, 3, 0},
    {"movzx 8", movzx8, FL_ALL, ~0ULL, 0, 0},
    {"movzx 16", movzx16, FL_ALL, ~0ULL, 0, 0},
    {"movsx 8", movsx8, FL_ALL, 0, 0, 0},
    {"movsx 16", movsx16, FL_ALL, 0, 0, 0},
    {"movsxd", movsxd, FL_ALL, 0, 0, 0},
    {"add to memory", add_store, FL_ALL, 0x80000001, 0, 0},
    {"add from memory", add_load, FL_ALL, 0x7fffffffffffffffULL, 0, 0},
    {"adc to memory", adc_store, FL_ALL, 0xfffffffe, 0, 0},
    {"sub to memory", sub_store, FL_ALL, 0x9999, 0, 0},
    {"sbb from memory", sbb_load, FL_ALL, 5, 0, 0},
    {"and to memory", and_store, FL_LOGIC, 0xf0f0f0f0, 0, 0},
    {"or to memory", or_store, FL_LOGIC, 0x8000000000000001ULL, 0, 0},
    {"or immediate", or_imm, FL_LOGIC, 0, 0, 0},
    {"xor from memory", xor_load, FL_LOGIC, 0x12345678, 0, 0},
    {"cmp with memory", cmp_mem, FL_ALL, 0x33332222, 0, 0},
    {"cmp imm8", cmp_imm8, FL_ALL, 0, 0, 0},
    {"test with memory", test_mem, FL_LOGIC, 0x80000000, 0, 0},
    {"inc memory", inc_mem, FL_ALL, 0, 0, 0},
    {"dec memory", dec_mem, FL_ALL, 0, 0, 0},
    {"neg memory", neg_mem, FL_ALL, 0, 0, 0},
    {"not memory", not_mem, FL_ALL, 0, 0, 0},
    {"xchg with memory", xchg_mem, FL_ALL, 0xaaaabbbb, 0, 0},
    {"cmpxchg, unequal", cmpxchg_mem, FL_ALL, 0x5555, 0x7777, 0},
    {"xadd", xadd_mem, FL_ALL, 0x0101010101010101ULL, 0, 0},
    {"bt register offset", bt_reg, FL_CF, 0, 37, 0},
    {"bts immediate", bts_imm, FL_CF, 0, 0, 0},
    {"btr register offset", btr_reg, FL_CF, 0, 70, 0},
    {"btc immediate", btc_imm, FL_CF, 0, 0, 0},
    {"setcc to memory", setcc_mem, FL_ALL, 5, 3, 0},
    {"cmovcc from memory", cmovcc_mem, FL_ALL, 9, 3, 0},
    {"push memory", push_pop_mem, FL_ALL, 0, 0, 0},
    {"pop to memory", pop_to_mem, FL_ALL, 0xfeedfacecafebeefULL, 0, 0},
    {"movnti", movnti_mem, FL_ALL, 0x600df00d, 0, 0},
    {"movdqu", sse_movdqu, FL_ALL, 0, 0, 0},
    {"movaps", sse_movaps, FL_ALL, 0, 0, 0},
    {"movq xmm", sse_movq, FL_ALL, 0, 0, 0},
    {"movd xmm", sse_movd_store, FL_ALL, 0x13572468, 0, 0},
};

/* Fill a buffer with the starting pattern through 8-byte stores (8 emulated stores on the device). */
static void fill(uint64_t base)
{
	for (unsigned i = 0; i < BUF_SIZE / 8; i++)
		((volatile uint64_t *)base)[i] =
		    0x0f1e2d3c4b5a6978ULL * (i + 1) + 0x8000000000000000ULL * (i & 1);
}

static bool same_memory(uint64_t a, uint64_t b)
{
	for (unsigned i = 0; i < BUF_SIZE / 8; i++)
		if (((volatile uint64_t *)a)[i] != ((volatile uint64_t *)b)[i])
			return false;
	return true;
}

static uint8_t ram[BUF_SIZE] __attribute__((aligned(64)));
static uint8_t ram_other[BUF_SIZE] __attribute__((aligned(64)));
static unsigned passed, failed;

static void report(const char *name, uint64_t flags_in, bool ok, const struct cpu_state *n,
                   const struct cpu_state *e)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	guest_printf("mmio: FAIL %s (flags in %#lx): native rax %#lx flags %#lx, emulated rax %#lx "
	             "flags %#lx\n",
	             name, (unsigned long)flags_in, (unsigned long)n->rax, (unsigned long)n->flags,
	             (unsigned long)e->rax, (unsigned long)e->flags);
}

static void run_case(const struct test_case *c, uint64_t flags_in)
{
	struct cpu_state native = {c->rax, c->rcx, c->rdx, 0, 0, flags_in};
	struct cpu_state emulated = native;
	bool ok;

	fill((uint64_t)ram);
	fill(SCRATCH);
	c->run(&native, (uint64_t)ram);
	c->run(&emulated, SCRATCH);
	ok = native.rax == emulated.rax && native.rcx == emulated.rcx &&
	     native.rdx == emulated.rdx &&
	     (native.flags & c->flag_mask) == (emulated.flags & c->flag_mask) &&
	     same_memory((uint64_t)ram, SCRATCH);
	report(c->name, flags_in, ok, &native, &emulated);
}

/* A string instruction with the device on one side: RSI/RDI/RCX are compared relative to the buffers. */
static void string_case(const char *name, run_fn run, uint64_t flag_mask, bool dev_is_dest,
                        uint64_t rcx, uint64_t offset, uint64_t flags_in)
{
	struct cpu_state native = {0x5a5a5a5a5a5a5a5aULL, rcx, 0, 0, 0, flags_in};
	struct cpu_state emulated = native;
	uint64_t other = (uint64_t)ram_other;
	bool ok;

	fill((uint64_t)ram);
	fill(SCRATCH);
	fill(other);
	ram_other[5] ^= 0x40; /* so that REPE CMPSB stops early */
	native.rsi = dev_is_dest ? other + offset : (uint64_t)ram + offset;
	native.rdi = dev_is_dest ? (uint64_t)ram + offset : other + offset;
	emulated.rsi = dev_is_dest ? other + offset : SCRATCH + offset;
	emulated.rdi = dev_is_dest ? SCRATCH + offset : other + offset;
	run(&native, 0);
	run(&emulated, 0);
	if (dev_is_dest) {
		native.rdi -= (uint64_t)ram;
		emulated.rdi -= SCRATCH;
	} else {
		native.rsi -= (uint64_t)ram;
		emulated.rsi -= SCRATCH;
	}
	ok = native.rax == emulated.rax && native.rcx == emulated.rcx &&
	     native.rsi == emulated.rsi && native.rdi == emulated.rdi &&
	     (native.flags & flag_mask) == (emulated.flags & flag_mask) &&
	     same_memory((uint64_t)ram, SCRATCH);
	report(name, flags_in, ok, &native, &emulated);
}

/* INS/OUTS trap as port I/O and are emulated too: REP OUTSB to COM1, REP INSB from its LSR. */
static void string_port_io(void)
{
	static const char line[] = "mmio: rep outsb reached COM1 through the emulator\n";
	const char *src = line;
	uint64_t count = sizeof(line) - 1;
	uint8_t lsr[4] = {0, 0, 0, 0};
	uint8_t *dst = lsr;
	bool ok;

	__asm__ volatile("cld\n\trep outsb"
	                 : "+S"(src), "+c"(count)
	                 : "d"(GUEST_COM1_PORT)
	                 : "memory");
	ok = count == 0 && src == line + sizeof(line) - 1;
	count = sizeof(lsr);
	__asm__ volatile("rep insb" : "+D"(dst), "+c"(count) : "d"(GUEST_COM1_PORT + 5) : "memory");
	/* The line status register: transmitter empty and holding register empty (0x60). */
	for (unsigned i = 0; i < sizeof(lsr); i++)
		ok = ok && (lsr[i] & 0x60) == 0x60;
	ok = ok && count == 0 && dst == lsr + sizeof(lsr);
	if (ok) {
		passed++;
	} else {
		failed++;
		guest_printf("mmio: FAIL string port I/O (LSR %x %x, count %lu)\n", lsr[0], lsr[3],
		             (unsigned long)count);
	}
}

int main(const struct guest_start_info *info)
{
	static const uint64_t flag_sets[] = {0x2, 0x2 | FL_ALL};
	uint64_t reads_before, reads_after;

	guest_check_start_info(info);
	reads_before = *(volatile uint64_t *)SCRATCH_COUNT;
	for (unsigned f = 0; f < 2; f++) {
		for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i], flag_sets[f]);
		string_case("rep stosd to the device", rep_stosd, FL_ALL, true, 4, 16,
		            flag_sets[f]);
		string_case("rep movsb from the device", rep_movsb, FL_ALL, false, 16, 8,
		            flag_sets[f]);
		string_case("rep movsb to the device", rep_movsb, FL_ALL, true, 13, 3,
		            flag_sets[f]);
		string_case("rep movsq backwards to the device", rep_movsq_back, FL_ALL, true, 3,
		            40, flag_sets[f]);
		string_case("lodsw from the device", lodsw, FL_ALL, false, 0, 6, flag_sets[f]);
		string_case("repe cmpsb device against RAM", repe_cmpsb, FL_ALL, false, 16, 0,
		            flag_sets[f]);
		string_case("scasb on the device", scasb, FL_ALL, true, 0, 2, flag_sets[f]);
	}
	string_port_io();
	reads_after = *(volatile uint64_t *)SCRATCH_COUNT;
	guest_printf("mmio: %u cases matched the processor, %u did not; the device saw %lu reads\n",
	             passed, failed, (unsigned long)(reads_after - reads_before));
	if (failed || reads_after <= reads_before) {
		guest_printf("mmio: FAIL\n");
		return 1;
	}
	guest_printf("mmio: PASS\n");
	return 0;
}
