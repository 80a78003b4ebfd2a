/* Unit tests for the I/O APIC: ID and version, redirection entry masks, remote IRR, access rules. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/ioapic.h"
#include "devices/mmio_bus.h"

static struct ioapic io;
static struct mmio_bus bus;

static void setup(void)
{
	ioapic_init(&io, 1);
	mmio_bus_init(&bus);
	cr_assert_eq(mmio_bus_register(&bus, IOAPIC_BASE, IOAPIC_SIZE, &ioapic_mmio_ops, &io), 0);
}

static void wr32(uint64_t off, uint32_t v)
{
	cr_assert(mmio_bus_write(&bus, IOAPIC_BASE + off, &v, 4));
}

static uint32_t rd32(uint64_t off)
{
	uint32_t v;

	cr_assert(mmio_bus_read(&bus, IOAPIC_BASE + off, &v, 4));
	return v;
}

static uint32_t reg_read(uint32_t reg)
{
	wr32(IOAPIC_IOREGSEL, reg);
	return rd32(IOAPIC_IOWIN);
}

static void reg_write(uint32_t reg, uint32_t v)
{
	wr32(IOAPIC_IOREGSEL, reg);
	wr32(IOAPIC_IOWIN, v);
}

TestSuite(ioapic, .init = setup);

Test(ioapic, id_version_arbitration)
{
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 0x01000000U);
	cr_assert_eq(reg_read(IOAPIC_REG_VERSION), 0x00170020U);
	cr_assert_eq(reg_read(IOAPIC_REG_ARB), 0x01000000U);
	reg_write(IOAPIC_REG_ID, 0xFFFFFFFFU);
	cr_assert_eq(reg_read(IOAPIC_REG_ID), 0x0F000000U);
	reg_write(IOAPIC_REG_VERSION, 0);
	cr_assert_eq(reg_read(IOAPIC_REG_VERSION), 0x00170020U);
	cr_assert_eq(rd32(IOAPIC_IOREGSEL), IOAPIC_REG_VERSION);
}

Test(ioapic, entries_reset_masked)
{
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		cr_assert_eq(reg_read(0x10 + 2 * i), 0x00010000U);
		cr_assert_eq(reg_read(0x11 + 2 * i), 0);
	}
	cr_assert_eq(reg_read(0x10 + 2 * IOAPIC_PINS), 0, "past entry 23: nothing");
	cr_assert_eq(reg_read(0xFF), 0);
}

/* Bits software can change in each half of an entry. */
struct rw_case {
	uint32_t written, low, high;
};

ParameterizedTestParameters(ioapic, entry_rw_masks)
{
	static struct rw_case cases[] = {
	    {0xFFFFFFFFU, 0x0001AFFFU, 0xFF000000U}, {0x00000000U, 0x00000000U, 0x00000000U},
	    {0x00005000U, 0x00000000U, 0x00000000U}, /* delivery status, remote IRR: RO */
	    {0x0000A0FFU, 0x0000A0FFU, 0x00000000U}, {0x00FFFFFFU, 0x0001AFFFU, 0x00000000U},
	};
	return cr_make_param_array(struct rw_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rw_case *c, ioapic, entry_rw_masks, .init = setup)
{
	reg_write(0x10 + 2 * 5, c->written);
	reg_write(0x11 + 2 * 5, c->written);
	cr_assert_eq(reg_read(0x10 + 2 * 5), c->low);
	cr_assert_eq(reg_read(0x11 + 2 * 5), c->high);
	cr_assert_eq(reg_read(0x10 + 2 * 6), 0x00010000U, "the neighbour is untouched");
}

Test(ioapic, remote_irr_for_level_entries)
{
	reg_write(0x10 + 2 * 9, 0x8000 | 0x49); /* level, unmasked, vector 0x49 */
	ioapic_set_irq(&io, 9, true);
	cr_assert_eq(reg_read(0x10 + 2 * 9), 0xC049U, "accepted: remote IRR");
	ioapic_set_irq(&io, 9, false);
	cr_assert_eq(reg_read(0x10 + 2 * 9), 0xC049U, "remote IRR waits for the EOI");
	ioapic_eoi(&io, 0x49);
	cr_assert_eq(reg_read(0x10 + 2 * 9), 0x8049U);
	ioapic_set_irq(&io, 9, true);
	wr32(IOAPIC_EOI, 0x49);
	cr_assert_eq(reg_read(0x10 + 2 * 9), 0xC049U, "still asserted: taken again");
	reg_write(0x10 + 2 * 9, 0x49);
	cr_assert_eq(reg_read(0x10 + 2 * 9), 0x0049U, "edge entries have no remote IRR");
}

Test(ioapic, masked_and_edge_entries_keep_remote_irr_clear)
{
	reg_write(0x10 + 2 * 3, 0x18030);
	ioapic_set_irq(&io, 3, true);
	cr_assert_eq(reg_read(0x10 + 2 * 3), 0x18030U);
	reg_write(0x10 + 2 * 4, 0x30);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(reg_read(0x10 + 2 * 4), 0x30U);
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, 0xFFFFFFFFU, true);
}

Test(ioapic, only_aligned_dwords)
{
	uint8_t b = 0x01;
	uint64_t q = ~0ULL;

	cr_assert(mmio_bus_write(&bus, IOAPIC_BASE, &b, 1));
	cr_assert_eq(rd32(IOAPIC_IOREGSEL), 0);
	cr_assert(mmio_bus_read(&bus, IOAPIC_BASE + 0x10, &q, 8));
	cr_assert_eq(q, 0);
	cr_assert(mmio_bus_read(&bus, IOAPIC_BASE + 0x12, &b, 1));
	cr_assert_eq(b, 0);
	cr_assert_eq(io.bad_accesses, 3);
	cr_assert_eq(rd32(0x20), 0, "unimplemented offsets read 0");
}

/* ---- Messages toward the local APICs ---- */

static uint64_t sent[16];
static unsigned nr_sent;
static bool accept_messages;

static bool record_message(void *opaque, uint64_t entry)
{
	(void)opaque;
	if (nr_sent < 16)
		sent[nr_sent] = entry;
	nr_sent++;
	return accept_messages;
}

static void setup_bus(void)
{
	setup();
	nr_sent = 0;
	accept_messages = true;
	ioapic_set_bus(&io, &(struct ioapic_bus){record_message, NULL});
}

Test(ioapic, edge_sends_on_rising_edges_only, .init = setup_bus)
{
	reg_write(0x11 + 2 * 4, 0x03000000U); /* destination APIC 3 */
	reg_write(0x10 + 2 * 4, 0x834);       /* logical, fixed, edge, vector 0x34 */
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(nr_sent, 1);
	cr_assert_eq(sent[0], 0x0300000000000834ULL, "the whole entry goes with the message");
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(nr_sent, 1, "no new edge");
	ioapic_set_irq(&io, 4, false);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(nr_sent, 2);
	cr_assert_eq(reg_read(0x10 + 2 * 4), 0x834U, "edge: no remote IRR, delivery status idle");
}

Test(ioapic, masked_edge_is_lost, .init = setup_bus)
{
	reg_write(0x10 + 2 * 5, IOAPIC_RTE_MASKED | 0x35);
	ioapic_set_irq(&io, 5, true);
	reg_write(0x10 + 2 * 5, 0x35);
	cr_assert_eq(nr_sent, 0, "the 82093AA drops edges while masked");
	ioapic_set_irq(&io, 5, false);
	ioapic_set_irq(&io, 5, true);
	cr_assert_eq(nr_sent, 1);
}

Test(ioapic, level_sends_once_until_eoi, .init = setup_bus)
{
	reg_write(0x10 + 2 * 10, 0x8000 | 0x3A);
	ioapic_set_irq(&io, 10, true);
	cr_assert_eq(nr_sent, 1);
	cr_assert(ioapic_entry(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	ioapic_set_irq(&io, 10, false);
	ioapic_set_irq(&io, 10, true);
	cr_assert_eq(nr_sent, 1, "remote IRR holds further messages");
	ioapic_eoi(&io, 0x3B);
	cr_assert_eq(nr_sent, 1, "another vector's EOI");
	ioapic_eoi(&io, 0x3A);
	cr_assert_eq(nr_sent, 2, "still asserted at the EOI: sent again");
	ioapic_set_irq(&io, 10, false);
	ioapic_eoi(&io, 0x3A);
	cr_assert_eq(nr_sent, 2);
	cr_assert_not(ioapic_entry(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
}

Test(ioapic, unmasking_an_asserted_level_entry_sends, .init = setup_bus)
{
	reg_write(0x10 + 2 * 11, IOAPIC_RTE_MASKED | 0x8000 | 0x3B);
	ioapic_set_irq(&io, 11, true);
	cr_assert_eq(nr_sent, 0);
	reg_write(0x10 + 2 * 11, 0x8000 | 0x3B);
	cr_assert_eq(nr_sent, 1);
	cr_assert(ioapic_entry(&io, 11) & IOAPIC_RTE_REMOTE_IRR);
}

Test(ioapic, refused_level_message_sets_no_remote_irr, .init = setup_bus)
{
	accept_messages = false;
	reg_write(0x10 + 2 * 12, 0x8000 | 0x3C);
	ioapic_set_irq(&io, 12, true);
	cr_assert_eq(nr_sent, 1);
	cr_assert_not(ioapic_entry(&io, 12) & IOAPIC_RTE_REMOTE_IRR, "nobody would EOI it");
}

Test(ioapic, eoi_register_and_out_of_range_pins, .init = setup_bus)
{
	reg_write(0x10 + 2 * 13, 0x8000 | 0x3D);
	ioapic_set_irq(&io, 13, true);
	wr32(IOAPIC_EOI, 0x3D);
	cr_assert_eq(nr_sent, 2, "the version-0x20 EOI register acts as a broadcast");
	ioapic_set_irq(&io, IOAPIC_PINS, true);
	cr_assert_eq(ioapic_entry(&io, IOAPIC_PINS), 0);
	cr_assert_eq(nr_sent, 2);
}
