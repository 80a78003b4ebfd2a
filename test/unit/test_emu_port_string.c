/* Host tests of INS/OUTS emulation after a string port-I/O exit: REP, direction, refusals. */
#include "test/unit/emu_test.h"

TestSuite(emu_port_string, .init = emu_test_setup, .fini = emu_test_teardown);

/* A port device for the tests: reads count up from 0x40, writes are recorded. */
static uint8_t written[64];
static unsigned nwritten;
static uint8_t next_in;

static int port_read(void *opaque, uint16_t port, unsigned size, uint32_t *value)
{
	(void)opaque;
	cr_assert_eq(port, 0x3f8);
	*value = 0;
	for (unsigned i = 0; i < size; i++)
		*value |= (uint32_t)(0x40 + next_in++) << (8 * i);
	return 0;
}

static int port_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
	(void)opaque;
	cr_assert_eq(port, 0x3f8);
	for (unsigned i = 0; i < size && nwritten < sizeof(written); i++)
		written[nwritten++] = (uint8_t)(value >> (8 * i));
	return 0;
}

static struct emu_ops ops_with_ports(void)
{
	struct emu_ops ops = fake_emu_ops;

	ops.port_read = port_read;
	ops.port_write = port_write;
	return ops;
}

static int run_port_string(const struct emu_ops *ops, const void *bytes, unsigned len)
{
	fake_emu_code(&g, bytes, len);
	g.injected = false;
	return emu_port_string_exit(&ctx, ops, &g);
}

Test(emu_port_string, rep_outsb_sends_ram_to_the_port)
{
	struct emu_ops ops = ops_with_ports();
	static const uint8_t rep_outsb[] = {0xf3, 0x6e};

	memcpy(g.ram + 0x8000, "hello", 5);
	g.regs[EMU_REG_RSI] = 0x8000;
	g.regs[EMU_REG_RCX] = 5;
	g.regs[EMU_REG_RDX] = 0x3f8;
	nwritten = 0;
	cr_assert_eq(run_port_string(&ops, rep_outsb, sizeof(rep_outsb)), EMU_DONE);
	cr_expect_eq(nwritten, 5);
	cr_expect_eq(memcmp(written, "hello", 5), 0);
	cr_expect_eq(g.regs[EMU_REG_RSI], 0x8005);
	cr_expect_eq(g.regs[EMU_REG_RCX], 0);
	cr_expect_eq(g.regs[EMU_REG_RIP], FAKE_EMU_CODE + 2);
}

Test(emu_port_string, insw_backwards_fills_ram_from_the_port)
{
	struct emu_ops ops = ops_with_ports();
	static const uint8_t rep_insw[] = {0x66, 0xf3, 0x6d};

	g.regs[EMU_REG_RDI] = 0x9004;
	g.regs[EMU_REG_RCX] = 3;
	g.regs[EMU_REG_RDX] = 0x3f8;
	g.regs[EMU_REG_RFLAGS] |= 0x400; /* DF: downwards */
	next_in = 0;
	cr_assert_eq(run_port_string(&ops, rep_insw, sizeof(rep_insw)), EMU_DONE);
	cr_expect_eq(g.ram[0x9004], 0x40);
	cr_expect_eq(g.ram[0x9005], 0x41);
	cr_expect_eq(g.ram[0x9002], 0x42);
	cr_expect_eq(g.ram[0x9000], 0x44);
	cr_expect_eq(g.regs[EMU_REG_RDI], 0x9004 - 6);
	cr_expect_eq(g.regs[EMU_REG_RCX], 0);
}

Test(emu_port_string, outs_from_an_unmapped_page_faults_into_the_guest)
{
	struct emu_ops ops = ops_with_ports();
	static const uint8_t outsb[] = {0x6e};

	g.regs[EMU_REG_RSI] = 0x7f0000000000ULL; /* nothing maps it */
	g.regs[EMU_REG_RDX] = 0x3f8;
	nwritten = 0;
	cr_assert_eq(run_port_string(&ops, outsb, sizeof(outsb)), EMU_FAULT_INJECTED);
	cr_expect_eq(g.vector, 14, "#PF");
	cr_expect_eq(nwritten, 0, "nothing reached the port");
}

Test(emu_port_string, refusals)
{
	struct emu_ops ops = ops_with_ports();
	static const uint8_t mov_load[] = {0x8b, 0x03};
	static const uint8_t outsb[] = {0x6e};

	/* No port callbacks: the monitor cannot have meant it. */
	cr_expect_lt(run_port_string(&fake_emu_ops, outsb, sizeof(outsb)), 0);
	/* A port exit that finds something else at RIP (code changed under it): an error. */
	g.regs[EMU_REG_RBX] = MMIO;
	cr_expect_lt(run_port_string(&ops, mov_load, sizeof(mov_load)), 0);
	/* OUTS reached through an MMIO exit: #UD, not port I/O behind the monitor's back. */
	g.regs[EMU_REG_RSI] = MMIO;
	g.regs[EMU_REG_RDX] = 0x3f8;
	cr_expect_eq(EMU_RUN(0x6e), EMU_FAULT_INJECTED);
	cr_expect_eq(g.vector, 6);
}
