/* Host tests of the checked accessor into a child's RAM: bounds, the PC hole, overflow. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>

#include "monitor/guest_ram.h"
#include "monitor/lib/errno.h"

#define RAM_SIZE (2ULL << 20)

static struct guest_ram ram;

static void setup(void)
{
	ram.size = RAM_SIZE;
	ram.hpa = 0x40000000;
	ram.hva = calloc(1, RAM_SIZE);
	cr_assert_not_null(ram.hva);
}

static void teardown(void)
{
	free(ram.hva);
}

TestSuite(guest_ram, .init = setup, .fini = teardown);

struct range_case {
	uint64_t gpa;
	uint64_t len;
	bool ok;
};

ParameterizedTestParameters(guest_ram, ranges)
{
	static struct range_case cases[] = {
	    {0, 1, true},
	    {0, GUEST_RAM_HOLE_START, true},
	    {GUEST_RAM_HOLE_START - 1, 1, true},
	    {GUEST_RAM_HOLE_START - 1, 2, false}, /* runs into the hole */
	    {GUEST_RAM_HOLE_START, 1, false},
	    {0xc0000, 0x1000, false}, /* ROM area */
	    {GUEST_RAM_HOLE_END - 1, 1, false},
	    {GUEST_RAM_HOLE_END, 1, true},
	    {0, RAM_SIZE, false}, /* spans the hole */
	    {GUEST_RAM_HOLE_END, RAM_SIZE - GUEST_RAM_HOLE_END, true},
	    {RAM_SIZE - 1, 1, true},
	    {RAM_SIZE - 1, 2, false},
	    {RAM_SIZE, 0, true}, /* empty, at the end */
	    {RAM_SIZE, 1, false},
	    {0xfffffffffffff000ULL, 0x2000, false}, /* wraps */
	    {1, 0xffffffffffffffffULL, false},
	    {0x0000ffffffffffffULL, 1, false},
	};
	return cr_make_param_array(struct range_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct range_case *c, guest_ram, ranges)
{
	void *p = guest_ram_ptr(&ram, c->gpa, c->len);

	if (c->ok)
		cr_expect_eq(p, ram.hva + c->gpa, "gpa %#llx len %#llx", (unsigned long long)c->gpa,
		             (unsigned long long)c->len);
	else
		cr_expect_null(p, "gpa %#llx len %#llx", (unsigned long long)c->gpa,
		               (unsigned long long)c->len);
}

Test(guest_ram, write_and_zero)
{
	static const char text[] = "guest";

	cr_assert_eq(guest_ram_write(&ram, 0x1000, text, sizeof(text)), 0);
	cr_expect_str_eq((char *)ram.hva + 0x1000, "guest");
	cr_assert_eq(guest_ram_zero(&ram, 0x1000, 2), 0);
	cr_expect_str_eq((char *)ram.hva + 0x1002, "est");
	cr_expect_eq(ram.hva[0x1000], 0);
	cr_expect_eq(guest_ram_write(&ram, RAM_SIZE - 2, text, sizeof(text)), -EFAULT);
	cr_expect_eq(guest_ram_zero(&ram, GUEST_RAM_HOLE_START, 1), -EFAULT);
	cr_expect_eq(ram.hva[RAM_SIZE - 2], 0, "a refused write writes nothing");
}
