/* Host tests of the ACPI table builder on its own: checksums, sizes and refusals. */
#include <criterion/criterion.h>
#include <string.h>

#include "rom/acpi.h"

static const struct acpi_platform platform = {
    .nvps = 2,
    .local_apic_address = 0xfee00000,
    .io_apic_address = 0xfec00000,
    .sci_irq = 9,
    .pm_base = 0x600,
};

Test(acpi, checksum_makes_the_sum_zero)
{
	uint8_t b[7] = {1, 2, 3, 250, 0, 0, 0};
	uint8_t s = 0;

	b[4] = acpi_checksum(b, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		s = (uint8_t)(s + b[i]);
	cr_expect_eq(s, 0);
	cr_expect_eq(acpi_checksum(b, 0), 0);
}

Test(acpi, every_table_sums_to_zero)
{
	static uint8_t area[0x2000];
	size_t used = acpi_build_tables(area, sizeof(area), 0xe0000, &platform);

	cr_assert_gt(used, 0);
	for (size_t off = 16; off + 36 <= used; off += 16) {
		struct acpi_header h;
		uint8_t s = 0;

		memcpy(&h, area + off, sizeof(h));
		if (!memcmp(h.signature, "FACS", 4) || h.length < 36 || off + h.length > used ||
		    !(h.signature[0] >= 'A' && h.signature[0] <= 'Z'))
			continue;
		for (size_t i = 0; i < h.length; i++)
			s = (uint8_t)(s + area[off + i]);
		cr_expect_eq(s, 0, "%.4s at +%#zx", h.signature, off);
	}
}

Test(acpi, refuses_what_it_cannot_describe)
{
	static uint8_t area[0x2000];
	struct acpi_platform p = platform;

	cr_expect_eq(acpi_build_tables(area, 0x400, 0xe0000, &p), 0, "too small");
	cr_expect_eq(acpi_build_tables(area, sizeof(area), 0xe0008, &p), 0, "misaligned");
	p.nvps = 0;
	cr_expect_eq(acpi_build_tables(area, sizeof(area), 0xe0000, &p), 0);
	p.nvps = 255;
	cr_expect_eq(acpi_build_tables(area, sizeof(area), 0xe0000, &p), 0);
	cr_expect_eq(acpi_build_tables(NULL, sizeof(area), 0xe0000, &platform), 0);
}
