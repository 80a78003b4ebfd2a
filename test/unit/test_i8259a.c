/* Unit tests for the i8259A pair: ICW/OCW programming, priorities and rotation, EOI modes, cascade. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "devices/i8259a.h"
#include "devices/io_bus.h"

static struct pic pic;
static struct io_bus bus;

static void outb(uint16_t port, uint8_t v)
{
	cr_assert(io_bus_write(&bus, port, 1, v));
}

static uint8_t inb(uint16_t port)
{
	uint32_t v;

	cr_assert(io_bus_read(&bus, port, 1, &v));
	return (uint8_t)v;
}

/* The PC BIOS sequence: master at vector 0x20, slave at 0x28 on IR2, 8086 mode. */
static void program(uint8_t icw4)
{
	outb(0x20, 0x11);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, icw4);
	outb(0xA0, 0x11);
	outb(0xA1, 0x28);
	outb(0xA1, 0x02);
	outb(0xA1, icw4);
	outb(0x21, 0x00);
	outb(0xA1, 0x00);
}

static void setup(void)
{
	pic_init(&pic);
	io_bus_init(&bus);
	cr_assert_eq(
	    io_bus_register(&bus, PIC_MASTER_PORT, PIC_PORT_COUNT, &pic_chip_io_ops, &pic.chip[0]),
	    0);
	cr_assert_eq(
	    io_bus_register(&bus, PIC_SLAVE_PORT, PIC_PORT_COUNT, &pic_chip_io_ops, &pic.chip[1]),
	    0);
	cr_assert_eq(io_bus_register(&bus, PIC_ELCR_PORT, PIC_ELCR_COUNT, &pic_elcr_io_ops, &pic),
	             0);
	program(0x01);
}

TestSuite(i8259a, .init = setup);

Test(i8259a, reset_and_imr_readback)
{
	cr_assert_eq(inb(0x20), 0, "IRR after init");
	cr_assert_eq(inb(0x21), 0);
	outb(0x21, 0xA5);
	outb(0xA1, 0x5A);
	cr_assert_eq(inb(0x21), 0xA5);
	cr_assert_eq(inb(0xA1), 0x5A);
	cr_assert_eq(pic_pending_vector(&pic), -1);
	cr_assert_not(pic_int_output(&pic));
	/* ICW1 clears the mask again. */
	outb(0x20, 0x11);
	cr_assert_eq(inb(0x21), 0x00, "the first data write after ICW1 is ICW2, not OCW1");
}

Test(i8259a, irr_isr_and_nonspecific_eoi)
{
	pic_raise(&pic, 1);
	cr_assert_eq(inb(0x20), 0x02, "IRR is read by default");
	cr_assert_eq(pic_pending_vector(&pic), 0x21);
	cr_assert_eq(pic_acknowledge(&pic), 0x21);
	outb(0x20, 0x0B); /* OCW3: read ISR */
	cr_assert_eq(inb(0x20), 0x02);
	outb(0x20, 0x0A); /* OCW3: read IRR */
	cr_assert_eq(inb(0x20), 0x00, "an edge request leaves IRR at INTA");
	outb(0x20, 0x20); /* non-specific EOI */
	outb(0x20, 0x0B);
	cr_assert_eq(inb(0x20), 0x00);
}

Test(i8259a, masked_lines_wait)
{
	outb(0x21, 0x08);
	pic_raise(&pic, 3);
	cr_assert_eq(pic_pending_vector(&pic), -1);
	outb(0x21, 0x00);
	cr_assert_eq(pic_pending_vector(&pic), 0x23);
}

/* Fully nested order after rotation: lines raised together come out in this order. */
struct priority_case {
	uint8_t ocw2; /* a set-priority command, or 0 for none */
	uint8_t raised;
	int order[8];
};

ParameterizedTestParameters(i8259a, priority_order)
{
	static struct priority_case cases[] = {
	    {0x00, 0xFB, {0, 1, 3, 4, 5, 6, 7, -1}},
	    {0xC7, 0x88, {3, 7, -1}},    /* IR7 lowest: the reset order */
	    {0xC3, 0x89, {7, 0, 3, -1}}, /* IR3 lowest: IR4 highest */
	    {0xC5, 0x61, {6, 0, 5, -1}}, /* IR5 lowest */
	    {0xC0, 0x03, {1, 0, -1}},    /* IR0 lowest */
	};
	return cr_make_param_array(struct priority_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct priority_case *c, i8259a, priority_order, .init = setup)
{
	if (c->ocw2)
		outb(0x20, c->ocw2);
	for (unsigned i = 0; i < 8; i++)
		if (c->raised & (1U << i) && i != PIC_CASCADE_IRQ)
			pic_raise(&pic, i);
	for (unsigned i = 0; i < 8 && c->order[i] >= 0; i++) {
		cr_assert_eq(pic_acknowledge(&pic), 0x20 + c->order[i], "step %u", i);
		outb(0x20, 0x20);
	}
	cr_assert_eq(pic_pending_vector(&pic), -1);
}

Test(i8259a, nesting_blocks_lower_and_allows_higher)
{
	pic_raise(&pic, 3);
	cr_assert_eq(pic_acknowledge(&pic), 0x23);
	pic_raise(&pic, 5);
	cr_assert_eq(pic_pending_vector(&pic), -1, "IR5 waits behind IR3 in service");
	pic_raise(&pic, 1);
	cr_assert_eq(pic_pending_vector(&pic), 0x21, "IR1 preempts");
	cr_assert_eq(pic_acknowledge(&pic), 0x21);
	outb(0x20, 0x20); /* ends IR1, the highest in service */
	cr_assert_eq(pic_pending_vector(&pic), -1);
	outb(0x20, 0x63); /* specific EOI for IR3 */
	cr_assert_eq(pic_acknowledge(&pic), 0x25);
}

Test(i8259a, rotate_on_nonspecific_eoi)
{
	pic_raise(&pic, 2 + 1);
	cr_assert_eq(pic_acknowledge(&pic), 0x23);
	outb(0x20, 0xA0); /* rotate on non-specific EOI: IR3 becomes lowest */
	pic_raise(&pic, 0);
	pic_lower(&pic, 3);
	pic_raise(&pic, 3);
	pic_raise(&pic, 4);
	cr_assert_eq(pic_acknowledge(&pic), 0x24, "IR4 now has the highest priority");
	outb(0x20, 0x20);
	cr_assert_eq(pic_acknowledge(&pic), 0x20);
	outb(0x20, 0x20);
	cr_assert_eq(pic_acknowledge(&pic), 0x23);
}

Test(i8259a, rotate_on_specific_eoi)
{
	pic_raise(&pic, 6);
	cr_assert_eq(pic_acknowledge(&pic), 0x26);
	outb(0x20, 0xE6);
	outb(0x20, 0x0B);
	cr_assert_eq(inb(0x20), 0);
	pic_raise(&pic, 7);
	pic_raise(&pic, 0);
	cr_assert_eq(pic_acknowledge(&pic), 0x27, "IR7 follows the new lowest IR6");
}

Test(i8259a, auto_eoi_and_rotation)
{
	program(0x03); /* AEOI */
	pic_raise(&pic, 4);
	cr_assert_eq(pic_acknowledge(&pic), 0x24);
	outb(0x20, 0x0B);
	cr_assert_eq(inb(0x20), 0, "auto-EOI leaves nothing in service");
	outb(0x20, 0x80); /* rotate in AEOI mode */
	pic_raise(&pic, 5);
	cr_assert_eq(pic_acknowledge(&pic), 0x25);
	pic_raise(&pic, 1);
	pic_raise(&pic, 6);
	cr_assert_eq(pic_acknowledge(&pic), 0x26, "IR5 became the lowest: IR6 leads");
}

Test(i8259a, special_mask_mode)
{
	pic_raise(&pic, 1);
	cr_assert_eq(pic_acknowledge(&pic), 0x21);
	pic_raise(&pic, 5);
	cr_assert_eq(pic_pending_vector(&pic), -1);
	outb(0x21, 0x02); /* mask the level in service */
	outb(0x20, 0x68); /* OCW3: set special mask mode */
	cr_assert_eq(pic_pending_vector(&pic), 0x25, "lower levels are enabled");
	outb(0x20, 0x48); /* clear special mask mode */
	cr_assert_eq(pic_pending_vector(&pic), -1);
}

Test(i8259a, cascade)
{
	pic_raise(&pic, 10);
	cr_assert_eq(inb(0xA0), 0x04);
	cr_assert_eq(pic_pending_vector(&pic), 0x2A);
	cr_assert_eq(pic_acknowledge(&pic), 0x2A);
	outb(0x20, 0x0B);
	outb(0xA0, 0x0B);
	cr_assert_eq(inb(0x20), 0x04, "the master has its cascade input in service");
	cr_assert_eq(inb(0xA0), 0x04);
	pic_raise(&pic, 9);
	cr_assert_eq(pic_pending_vector(&pic), -1, "fully nested: the slave is busy");
	outb(0xA0, 0x20);
	outb(0x20, 0x20);
	cr_assert_eq(pic_acknowledge(&pic), 0x29);
	/* Masking the cascade input hides the whole slave. */
	outb(0xA0, 0x20);
	outb(0x20, 0x20);
	pic_raise(&pic, 15);
	outb(0x21, 0x04);
	cr_assert_eq(pic_pending_vector(&pic), -1);
}

Test(i8259a, special_fully_nested)
{
	program(0x11);
	pic_raise(&pic, 12);
	cr_assert_eq(pic_acknowledge(&pic), 0x2C);
	pic_raise(&pic, 9);
	cr_assert_eq(pic_pending_vector(&pic), 0x29, "SFNM lets a higher slave request through");
}

Test(i8259a, poll_command)
{
	outb(0x20, 0x0C);
	cr_assert_eq(inb(0x20), 0x00, "nothing pending");
	pic_raise(&pic, 6);
	outb(0x20, 0x0C);
	cr_assert_eq(inb(0x20), 0x86);
	outb(0x20, 0x0B);
	cr_assert_eq(inb(0x20), 0x40, "poll acknowledges");
}

Test(i8259a, level_triggered_through_elcr)
{
	outb(0x4D1, 0x02); /* IRQ 9 level */
	cr_assert_eq(inb(0x4D1), 0x02);
	pic_raise(&pic, 9);
	cr_assert_eq(pic_acknowledge(&pic), 0x29);
	outb(0xA0, 0x20);
	outb(0x20, 0x20);
	cr_assert_eq(pic_pending_vector(&pic), 0x29, "a level line still high asks again");
	pic_lower(&pic, 9);
	cr_assert_eq(pic_pending_vector(&pic), -1);
	cr_assert_eq(inb(0xA0), 0);
}

Test(i8259a, elcr_masks_fixed_edge_lines)
{
	outb(0x4D0, 0xFF);
	outb(0x4D1, 0xFF);
	cr_assert_eq(inb(0x4D0), PIC_ELCR_MASK_MASTER);
	cr_assert_eq(inb(0x4D1), PIC_ELCR_MASK_SLAVE);
}

Test(i8259a, ltim_makes_every_line_level)
{
	outb(0x20, 0x19);
	outb(0x21, 0x20);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	pic_raise(&pic, 5);
	pic_lower(&pic, 5);
	cr_assert_eq(pic_pending_vector(&pic), -1);
}

Test(i8259a, spurious_when_request_vanishes)
{
	cr_assert_eq(pic_acknowledge(&pic), 0x27);
	outb(0x20, 0x0B);
	cr_assert_eq(inb(0x20), 0, "a spurious IR7 is not put in service");
}

Test(i8259a, wide_access_is_two_byte_cycles)
{
	uint32_t v;

	cr_assert(io_bus_write(&bus, 0x20, 2, 0x5A0B)); /* OCW3 read ISR, then IMR 0x5A */
	cr_assert_eq(inb(0x21), 0x5A);
	cr_assert(io_bus_read(&bus, 0x20, 4, &v));
	cr_assert_eq(v, 0xFFFF5A00U, "bytes past the chip read all ones");
}

Test(i8259a, single_mode_without_icw3_or_icw4)
{
	outb(0x20, 0x12); /* single, no ICW4 */
	outb(0x21, 0x40);
	outb(0x21, 0x33); /* OCW1 already */
	cr_assert_eq(inb(0x21), 0x33);
	pic_raise(&pic, 2);
	cr_assert_eq(pic_pending_vector(&pic), -1, "IR2 is the cascade input on this board");
}

Test(i8259a, lines_out_of_range_are_ignored)
{
	pic_raise(&pic, 16);
	pic_raise(&pic, 0xFFFFFFFFU);
	cr_assert_eq(pic_pending_vector(&pic), -1);
}
