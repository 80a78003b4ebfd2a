/* Host tests of the BIOS image: found and parsed the way a guest does it, every table checked. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "rom/acpi.h"
#include "rom/rom.h"

static uint8_t *image;

static void setup(void)
{
	image = malloc(ROM_BIOS_SIZE);
	cr_assert_not_null(image);
	memset(image, 0, ROM_BIOS_SIZE);
}

static void teardown(void)
{
	free(image);
}

TestSuite(rom, .init = setup, .fini = teardown);

/* The guest's view: GPA -> image byte; anything outside the ROM fails the test. */
static const uint8_t *at(uint64_t gpa, uint64_t len)
{
	cr_assert(gpa >= ROM_BIOS_GPA && gpa + len <= ROM_BIOS_GPA + ROM_BIOS_SIZE,
	          "GPA %#llx+%#llx outside the ROM", (unsigned long long)gpa,
	          (unsigned long long)len);
	return image + (gpa - ROM_BIOS_GPA);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* "Finding the RSDP on IA-PC Systems": "RSD PTR " on a 16-byte boundary in 0xe0000-0xfffff. */
static uint64_t scan_rsdp(void)
{
	for (uint64_t gpa = 0xe0000; gpa < 0x100000; gpa += 16) {
		const uint8_t *p = at(gpa, 16);
		if (memcmp(p, "RSD PTR ", 8) == 0 && sum(at(gpa, 20), 20) == 0)
			return gpa;
	}
	return 0;
}

/* A table as a guest checks it: signature, length inside the ROM, checksum. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	struct acpi_header h;

	memcpy(&h, at(gpa, sizeof(h)), sizeof(h));
	cr_assert_eq(memcmp(h.signature, sig, 4), 0, "%.4s at %#llx, expected %s", h.signature,
	             (unsigned long long)gpa, sig);
	cr_assert_geq(h.length, sizeof(h));
	cr_assert_eq(sum(at(gpa, h.length), h.length), 0, "%s checksum", sig);
	cr_assert_eq(memcmp(h.oem_id, "LIBHV ", 6), 0);
	return at(gpa, h.length);
}

static struct acpi_rsdp get_rsdp(void)
{
	struct acpi_rsdp r;
	uint64_t gpa = scan_rsdp();

	cr_assert_neq(gpa, 0, "no RSDP found by the scan");
	memcpy(&r, at(gpa, sizeof(r)), sizeof(r));
	return r;
}

/* Finds a table through the XSDT (and checks the RSDT lists the same one). */
static const uint8_t *find(const char *sig)
{
	struct acpi_rsdp r = get_rsdp();
	struct acpi_header x, rs;
	const uint8_t *xsdt = table(r.xsdt_address, "XSDT");
	const uint8_t *rsdt = table(r.rsdt_address, "RSDT");

	memcpy(&x, xsdt, sizeof(x));
	memcpy(&rs, rsdt, sizeof(rs));
	cr_assert_eq((x.length - 36) / 8, (rs.length - 36) / 4, "RSDT and XSDT list as many");
	for (uint32_t i = 0; i < (x.length - 36) / 8; i++) {
		uint64_t e64;
		uint32_t e32;
		memcpy(&e64, xsdt + 36 + 8 * i, 8);
		memcpy(&e32, rsdt + 36 + 4 * i, 4);
		cr_assert_eq(e64, e32);
		if (memcmp(at(e64, 4), sig, 4) == 0)
			return table(e64, sig);
	}
	cr_assert_fail("%s not listed", sig);
	return NULL;
}

static void build(uint32_t nvps)
{
	struct rom_config cfg = {.nvps = nvps, .io_apic_id = 0};

	cr_assert_eq(rom_build_bios(image, ROM_BIOS_SIZE, &cfg), 0);
}

Test(rom, rsdp_found_by_the_scan_with_both_checksums)
{
	struct acpi_rsdp r;

	build(1);
	r = get_rsdp();
	cr_expect_eq(scan_rsdp() % 16, 0);
	cr_expect_eq(r.revision, 2);
	cr_expect_eq(r.length, 36);
	cr_expect_eq(sum((const uint8_t *)&r, 20), 0, "checksum");
	cr_expect_eq(sum((const uint8_t *)&r, 36), 0, "extended checksum");
	cr_expect_neq(r.rsdt_address, 0);
	cr_expect_eq(r.xsdt_address >> 32, 0);
}

Test(rom, fadt_describes_the_pm_block_and_points_at_a_valid_dsdt)
{
	struct acpi_fadt f;
	struct acpi_facs facs;

	build(1);
	memcpy(&f, find("FACP"), sizeof(f));
	cr_expect_eq(f.header.length, 244);
	cr_expect_eq(f.pm_tmr_blk, 0x608);
	cr_expect_eq(f.pm_tmr_len, 4);
	cr_expect_eq(f.pm1a_evt_blk, 0x600);
	cr_expect_eq(f.pm1a_cnt_blk, 0x604);
	cr_expect_eq(f.sci_int, 9);
	cr_expect_eq(f.flags & ACPI_FADT_TMR_VAL_EXT, 0, "the PM timer is 24 bits");
	cr_expect(f.flags & ACPI_FADT_USE_PLATFORM_CLOCK);
	cr_expect_eq(f.x_pm_tmr_blk.address, 0x608);
	cr_expect_eq(f.x_pm_tmr_blk.space_id, ACPI_GAS_SYSTEM_IO);
	cr_expect_eq(f.x_pm_tmr_blk.bit_width, 32);
	cr_expect_eq(f.x_dsdt, f.dsdt);
	cr_expect_eq(f.smi_cmd, 0, "always in ACPI mode");
	table(f.dsdt, "DSDT");
	memcpy(&facs, at(f.firmware_ctrl, sizeof(facs)), sizeof(facs));
	cr_expect_eq(memcmp(facs.signature, "FACS", 4), 0);
	cr_expect_eq(facs.length, 64);
	cr_expect_eq(f.firmware_ctrl % 64, 0);
}

ParameterizedTestParameters(rom, madt_per_vp_count)
{
	static uint32_t counts[] = {1, 2, 4, 17, ROM_MAX_VPS};
	return cr_make_param_array(uint32_t, counts, sizeof(counts) / sizeof(counts[0]));
}

ParameterizedTest(uint32_t *nvps, rom, madt_per_vp_count)
{
	struct acpi_madt m;
	const uint8_t *t;
	uint32_t lapics = 0, ioapics = 0, overrides = 0, nmis = 0;

	build(*nvps);
	t = find("APIC");
	memcpy(&m, t, sizeof(m));
	cr_expect_eq(m.local_apic_address, 0xfee00000);
	cr_expect_eq(m.flags & ACPI_MADT_PCAT_COMPAT, 1);
	for (uint32_t off = sizeof(m); off < m.header.length;) {
		uint8_t type = t[off], len = t[off + 1];

		cr_assert_geq(len, 2);
		cr_assert_leq(off + len, m.header.length);
		if (type == ACPI_MADT_LOCAL_APIC) {
			struct acpi_madt_local_apic l;
			memcpy(&l, t + off, sizeof(l));
			cr_expect_eq(l.apic_id, lapics);
			cr_expect_eq(l.processor_uid, lapics);
			cr_expect_eq(l.flags & ACPI_MADT_ENABLED, 1);
			lapics++;
		} else if (type == ACPI_MADT_IO_APIC) {
			struct acpi_madt_io_apic io;
			memcpy(&io, t + off, sizeof(io));
			cr_expect_eq(io.address, 0xfec00000);
			cr_expect_eq(io.gsi_base, 0);
			ioapics++;
		} else if (type == ACPI_MADT_INT_OVERRIDE) {
			struct acpi_madt_int_override o;
			memcpy(&o, t + off, sizeof(o));
			if (o.source == 0) {
				cr_expect_eq(o.gsi, 2, "IRQ0 -> GSI2");
				cr_expect_eq(o.flags, 0);
			} else {
				cr_expect_eq(o.source, 9);
				cr_expect_eq(o.gsi, 9);
				cr_expect_eq(o.flags, 0xd, "SCI: level, active high");
			}
			overrides++;
		} else if (type == ACPI_MADT_LOCAL_APIC_NMI) {
			nmis++;
		}
		off += len;
	}
	cr_expect_eq(lapics, *nvps);
	cr_expect_eq(ioapics, 1);
	cr_expect_eq(overrides, 2);
	cr_expect_eq(nmis, 1);
}

Test(rom, reset_vector_jumps_to_a_halt_loop)
{
	const uint8_t *v, *h;
	uint16_t off, seg;

	build(1);
	v = at(ROM_RESET_GPA, 5);
	cr_assert_eq(v[0], 0xea, "far jmp");
	memcpy(&off, v + 1, 2);
	memcpy(&seg, v + 3, 2);
	h = at((uint64_t)seg * 16 + off, 4);
	cr_expect_eq(h[0], 0xfa, "cli");
	cr_expect_eq(h[1], 0xf4, "hlt");
	cr_expect_eq(h[2], 0xeb, "jmp");
	cr_expect_eq((int8_t)h[3], -3, "back to the hlt");
	cr_expect_eq(*at(0xffffe, 1), 0xfc, "PC/AT model byte");
}

Test(rom, option_rom_space_is_empty)
{
	build(2);
	for (uint64_t gpa = ROM_OPTION_GPA; gpa < ROM_OPTION_END; gpa += ROM_OPTION_ALIGN)
		cr_assert_neq(at(gpa, 2)[0], 0x55, "no option ROM signature at %#llx",
		              (unsigned long long)gpa);
}

Test(rom, refuses_bad_configurations)
{
	struct rom_config cfg = {.nvps = 0};

	cr_expect_eq(rom_build_bios(image, ROM_BIOS_SIZE, &cfg), -EINVAL);
	cfg.nvps = ROM_MAX_VPS + 1;
	cr_expect_eq(rom_build_bios(image, ROM_BIOS_SIZE, &cfg), -EINVAL);
	cfg.nvps = 1;
	cr_expect_eq(rom_build_bios(image, ROM_BIOS_SIZE - 1, &cfg), -EINVAL);
	cr_expect_eq(rom_build_bios(NULL, ROM_BIOS_SIZE, &cfg), -EINVAL);
}
