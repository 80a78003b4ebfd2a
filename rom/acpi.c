/* ACPI tables for the BIOS image, built from the partition's configuration with every checksum right. */
#include "rom/acpi.h"

#include <string.h>

/* Offsets of each table inside the area (aligned as each wants: the RSDP 16, the FACS 64). */
#define OFF_RSDP     0x000U
#define OFF_RSDT     0x040U
#define OFF_XSDT     0x080U
#define OFF_FACS     0x100U
#define OFF_FADT     0x200U
#define OFF_DSDT     0x300U
#define OFF_MADT     0x400U

#define MAX_VPS      254U /* UID and APIC ID 0xff mean "all processors" / broadcast */

#define ROOT_ENTRIES 2U /* FADT, MADT */

#define OEM_ID       "LIBHV "
#define OEM_TABLE_ID "PCLITE  "
#define CREATOR_ID   "LHV "

/* The multiple-APIC table's extra entries: two overrides and one NMI wiring. */
#define MADT_SIZE(n)                                                                    \
	(sizeof(struct acpi_madt) + (n) * sizeof(struct acpi_madt_local_apic) +         \
	 sizeof(struct acpi_madt_io_apic) + 2 * sizeof(struct acpi_madt_int_override) + \
	 sizeof(struct acpi_madt_local_apic_nmi))

_Static_assert(OFF_RSDT >= OFF_RSDP + sizeof(struct acpi_rsdp), "RSDT after the RSDP");
_Static_assert(OFF_XSDT >= OFF_RSDT + sizeof(struct acpi_header) + ROOT_ENTRIES * 4, "XSDT");
_Static_assert(OFF_FACS >= OFF_XSDT + sizeof(struct acpi_header) + ROOT_ENTRIES * 8, "FACS");
_Static_assert(OFF_FACS % 64 == 0, "the FACS is 64-byte aligned");
_Static_assert(OFF_FADT >= OFF_FACS + sizeof(struct acpi_facs), "FADT after the FACS");
_Static_assert(OFF_DSDT >= OFF_FADT + sizeof(struct acpi_fadt), "DSDT after the FADT");
_Static_assert(OFF_MADT >= OFF_DSDT + sizeof(struct acpi_header), "MADT after the DSDT");

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return (uint8_t)(0x100U - sum);
}

static struct acpi_header header(const char *sig, uint32_t length, uint8_t revision)
{
	struct acpi_header h;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = length;
	h.revision = revision;
	memcpy(h.oem_id, OEM_ID, 6);
	memcpy(h.oem_table_id, OEM_TABLE_ID, 8);
	h.oem_revision = 1;
	memcpy(h.creator_id, CREATOR_ID, 4);
	h.creator_revision = 1;
	return h;
}

/* Sets the checksum of the table at t (its header's length says how long it is). */
static void seal(uint8_t *t)
{
	struct acpi_header h;

	memcpy(&h, t, sizeof(h));
	t[__builtin_offsetof(struct acpi_header, checksum)] = 0;
	t[__builtin_offsetof(struct acpi_header, checksum)] = acpi_checksum(t, h.length);
}

static struct acpi_gas io_gas(uint32_t port, uint8_t bytes)
{
	return (struct acpi_gas){
	    .space_id = ACPI_GAS_SYSTEM_IO, .bit_width = (uint8_t)(bytes * 8U), .address = port};
}

/*
 * The fixed hardware of a PIIX4-like power-management block: PM1a event (4 bytes), PM1a control
 * (2 bytes) and the 24-bit PM timer (4 bytes) at pm_base, +4, +8 — QEMU's layout with its
 * base at 0x600, so the timer is at 0x608. No GPE block, no SMI command port (the platform is
 * always in ACPI mode), no reset register, no fixed power or sleep buttons.
 */
static void build_fadt(uint8_t *t, uint32_t gpa_facs, uint32_t gpa_dsdt,
                       const struct acpi_platform *p)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	f.header = header("FACP", sizeof(f), 4);
	f.firmware_ctrl = gpa_facs;
	f.dsdt = gpa_dsdt;
	f.sci_int = p->sci_irq;
	f.pm1a_evt_blk = p->pm_base;
	f.pm1a_cnt_blk = p->pm_base + 4U;
	f.pm_tmr_blk = p->pm_base + 8U;
	f.pm1_evt_len = 4;
	f.pm1_cnt_len = 2;
	f.pm_tmr_len = 4;
	f.p_lvl2_lat = 0x0fff; /* > 100: C2 not supported */
	f.p_lvl3_lat = 0x0fff; /* > 1000: C3 not supported */
	f.century = 0x32;      /* the CMOS century byte, as PC firmware has it */
	f.iapc_boot_arch = ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_VGA_NOT_PRESENT; /* no 8042 */
	/* The timer is 24 bits (TMR_VAL_EXT clear); it is the clock OSPM should count with. */
	f.flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
	          ACPI_FADT_SLP_BUTTON | ACPI_FADT_USE_PLATFORM_CLOCK;
	f.x_dsdt = gpa_dsdt;
	f.x_pm1a_evt_blk = io_gas(f.pm1a_evt_blk, f.pm1_evt_len);
	f.x_pm1a_cnt_blk = io_gas(f.pm1a_cnt_blk, f.pm1_cnt_len);
	f.x_pm_tmr_blk = io_gas(f.pm_tmr_blk, f.pm_tmr_len);
	memcpy(t, &f, sizeof(f));
	seal(t);
}

static size_t build_madt(uint8_t *t, const struct acpi_platform *p)
{
	struct acpi_madt m;
	struct acpi_madt_io_apic io = {ACPI_MADT_IO_APIC,  sizeof(io), p->io_apic_id, 0,
	                               p->io_apic_address, 0};
	/* The PIT's IRQ 0 is wired to IOAPIC pin 2; the SCI is level-triggered, active high. */
	struct acpi_madt_int_override ovr[2] = {
	    {ACPI_MADT_INT_OVERRIDE, sizeof(ovr[0]), 0, 0, 2, 0},
	    {ACPI_MADT_INT_OVERRIDE, sizeof(ovr[0]), 0, (uint8_t)p->sci_irq, p->sci_irq,
	     ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL},
	};
	/* LINT1 of every local APIC is the NMI line, as on PCs. */
	struct acpi_madt_local_apic_nmi nmi = {ACPI_MADT_LOCAL_APIC_NMI, sizeof(nmi), 0xff, 0, 1};
	size_t at = sizeof(m), len = MADT_SIZE(p->nvps);

	m.header = header("APIC", (uint32_t)len, 3);
	m.local_apic_address = p->local_apic_address;
	m.flags = ACPI_MADT_PCAT_COMPAT;
	memcpy(t, &m, sizeof(m));
	for (uint32_t i = 0; i < p->nvps; i++) {
		struct acpi_madt_local_apic lapic = {ACPI_MADT_LOCAL_APIC, sizeof(lapic),
		                                     (uint8_t)i, (uint8_t)i, ACPI_MADT_ENABLED};
		memcpy(t + at, &lapic, sizeof(lapic));
		at += sizeof(lapic);
	}
	memcpy(t + at, &io, sizeof(io));
	at += sizeof(io);
	memcpy(t + at, ovr, sizeof(ovr));
	at += sizeof(ovr);
	memcpy(t + at, &nmi, sizeof(nmi));
	seal(t);
	return len;
}

static void build_roots(uint8_t *area, uint32_t area_gpa)
{
	const uint32_t tables[ROOT_ENTRIES] = {area_gpa + OFF_FADT, area_gpa + OFF_MADT};
	struct acpi_header h;
	struct acpi_rsdp r;

	h = header("RSDT", sizeof(h) + ROOT_ENTRIES * 4, 1);
	memcpy(area + OFF_RSDT, &h, sizeof(h));
	memcpy(area + OFF_RSDT + sizeof(h), tables, sizeof(tables));
	seal(area + OFF_RSDT);

	h = header("XSDT", sizeof(h) + ROOT_ENTRIES * 8, 1);
	memcpy(area + OFF_XSDT, &h, sizeof(h));
	for (uint32_t i = 0; i < ROOT_ENTRIES; i++) {
		uint64_t e = tables[i];
		memcpy(area + OFF_XSDT + sizeof(h) + i * 8, &e, 8);
	}
	seal(area + OFF_XSDT);

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, OEM_ID, 6);
	r.revision = 2;
	r.rsdt_address = area_gpa + OFF_RSDT;
	r.length = sizeof(r);
	r.xsdt_address = area_gpa + OFF_XSDT;
	r.checksum = acpi_checksum(&r, ACPI_RSDP_V1_LENGTH);
	r.extended_checksum = acpi_checksum(&r, sizeof(r));
	memcpy(area + OFF_RSDP, &r, sizeof(r));
}

size_t acpi_build_tables(uint8_t *area, size_t size, uint32_t area_gpa,
                         const struct acpi_platform *p)
{
	struct acpi_facs facs;
	struct acpi_header dsdt;
	size_t madt_len;

	if (!area || !p || p->nvps == 0 || p->nvps > MAX_VPS || area_gpa % 16 != 0 ||
	    size < OFF_MADT + MADT_SIZE(p->nvps))
		return 0;
	memset(area, 0, OFF_MADT + MADT_SIZE(p->nvps));

	/* Firmware owns no waking vector or global lock here: the FACS is only there to be valid. */
	memset(&facs, 0, sizeof(facs));
	memcpy(facs.signature, "FACS", 4);
	facs.length = sizeof(facs);
	facs.version = 2;
	memcpy(area + OFF_FACS, &facs, sizeof(facs));

	/* An empty DefinitionBlock: a header with no AML. Revision 2 means 64-bit integers. */
	dsdt = header("DSDT", sizeof(dsdt), 2);
	memcpy(area + OFF_DSDT, &dsdt, sizeof(dsdt));
	seal(area + OFF_DSDT);

	build_fadt(area + OFF_FADT, area_gpa + OFF_FACS, area_gpa + OFF_DSDT, p);
	madt_len = build_madt(area + OFF_MADT, p);
	build_roots(area, area_gpa);
	return OFF_MADT + madt_len;
}
