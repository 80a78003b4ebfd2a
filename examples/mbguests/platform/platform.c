/* Multiboot v1 platform guest: checks its multiboot info, the ACPI tables in ROM, ROM is read-only, the devices. */
#include "checks.h"
#include "mbguest.h"

/* The multiboot information as the specification lays it out (only the fields read here). */
struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct mb_mmap {
	uint32_t size;
	uint32_t base_lo, base_hi, len_lo, len_hi;
	uint32_t type;
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
};

#define MB_BOOT_MAGIC 0x2badb002U
#define MB_MEMORY     (1U << 0)
#define MB_CMDLINE    (1U << 2)
#define MB_MODS       (1U << 3)
#define MB_MMAP       (1U << 6)
#define MB_LOADER     (1U << 9)

extern char __image_end[];

/* Enabled processors the MADT lists, for fw_cfg's NB_CPUS (0 until the MADT is read). */
static uint32_t madt_cpus;

static uint8_t sum(const volatile uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

static void check_info(const struct mb_info *mb)
{
	check((mb->flags & (MB_MEMORY | MB_CMDLINE | MB_MMAP)) ==
	          (MB_MEMORY | MB_CMDLINE | MB_MMAP),
	      "info flags: memory, cmdline and memory map");
	put_str("mem_lower ");
	put_dec(mb->mem_lower);
	put_str(" KiB, mem_upper ");
	put_dec(mb->mem_upper);
	put_line(" KiB");
	check(mb->mem_lower > 0 && mb->mem_lower <= 640, "mem_lower within 640 KiB");
	check(mb->mem_upper >= 1024, "at least 1 MiB above 1 MiB");
	if (mb->flags & MB_CMDLINE) {
		put_str("cmdline '");
		put_str((const char *)mb->cmdline);
		put_line("'");
	}
	if (mb->flags & MB_LOADER) {
		put_str("loader '");
		put_str((const char *)mb->boot_loader_name);
		put_line("'");
	}
}

static void check_modules(const struct mb_info *mb)
{
	const struct mb_module *m = (const struct mb_module *)mb->mods_addr;
	uint32_t prev_end = (uint32_t)__image_end;
	bool ok = true;

	if (!(mb->flags & MB_MODS)) {
		put_line("no module list");
		return;
	}
	put_str("modules: ");
	put_dec(mb->mods_count);
	put_line("");
	for (uint32_t i = 0; i < mb->mods_count; i++) {
		put_str("  ");
		put_hex(m[i].mod_start);
		put_str("-");
		put_hex(m[i].mod_end);
		put_str(" '");
		put_str(m[i].string ? (const char *)m[i].string : "(none)");
		put_line("'");
		/* Asked for by header flag 0, and above everything this image occupies. */
		ok &= (m[i].mod_start & 0xfff) == 0 && m[i].mod_end >= m[i].mod_start &&
		      m[i].mod_start >= prev_end;
		prev_end = m[i].mod_end;
	}
	check(ok, "modules page-aligned, above the kernel, not overlapping");
}

static void check_mmap(const struct mb_info *mb)
{
	uint32_t at = mb->mmap_addr, end = mb->mmap_addr + mb->mmap_length;
	uint32_t upper_end = 0x100000 + mb->mem_upper * 1024;
	bool low = false, high = false;

	while (at + sizeof(struct mb_mmap) <= end) {
		const struct mb_mmap *e = (const struct mb_mmap *)at;
		uint32_t base = e->base_lo, len = e->len_lo;

		put_str("  mmap ");
		if (e->base_hi) {
			put_hex(e->base_hi);
			put_str(":");
		}
		put_hex(base);
		put_str(" +");
		put_hex(len);
		put_str(" type ");
		put_dec(e->type);
		put_line("");
		if (e->type == 1 && e->base_hi == 0 && base == 0 && len >= mb->mem_lower * 1024)
			low = true;
		if (e->type == 1 && e->base_hi == 0 && base <= 0x100000 &&
		    (e->len_hi || base + len >= upper_end))
			high = true;
		at += e->size + 4;
	}
	check(low, "memory map: low RAM available from 0");
	check(high, "memory map: RAM from 1 MiB as mem_upper says");
}

/* A table at a physical address: its signature and checksum. */
static const struct acpi_header *table(uint32_t pa, const char *sig)
{
	const struct acpi_header *h = (const struct acpi_header *)pa;

	if (memcmp(h->signature, sig, 4) != 0 || h->length < sizeof(*h))
		return 0;
	return h;
}

static void check_madt(const struct acpi_header *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t lapics = 0, ioapics = 0;

	for (uint32_t off = 44; off + 2 <= h->length && p[off + 1] >= 2; off += p[off + 1]) {
		if (p[off] == 0 && (p[off + 4] & 1))
			lapics++;
		if (p[off] == 1)
			ioapics++;
	}
	put_str("MADT: local APIC at ");
	put_hex(*(const uint32_t *)(p + 36));
	put_str(", ");
	put_dec(lapics);
	put_str(" enabled processor(s), ");
	put_dec(ioapics);
	put_line(" IOAPIC(s)");
	check(lapics >= 1 && ioapics == 1, "MADT: processors and one IOAPIC");
	madt_cpus = lapics;
}

static const volatile uint8_t *check_acpi(void)
{
	const volatile uint8_t *rsdp = 0;
	const uint8_t *root;
	uint32_t entry_size, n;

	/* "Finding the RSDP on IA-PC Systems": the BIOS read-only area, 16-byte boundaries. */
	for (uint32_t pa = 0xe0000; pa < 0x100000; pa += 16) {
		const volatile uint8_t *p = (const volatile uint8_t *)pa;
		if (memcmp((const void *)p, "RSD PTR ", 8) == 0 && sum(p, 20) == 0) {
			rsdp = p;
			break;
		}
	}
	check(rsdp != 0, "RSDP found in 0xe0000-0xfffff");
	if (!rsdp)
		return 0;
	put_str("RSDP at ");
	put_hex((uint32_t)rsdp);
	put_str(" revision ");
	put_dec(rsdp[15]);
	put_line("");
	if (rsdp[15] >= 2) {
		check(sum(rsdp, *(const volatile uint32_t *)(rsdp + 20)) == 0,
		      "RSDP extended checksum");
		root = (const uint8_t *)table(*(const volatile uint32_t *)(rsdp + 24), "XSDT");
		entry_size = 8;
	} else {
		root = (const uint8_t *)table(*(const volatile uint32_t *)(rsdp + 16), "RSDT");
		entry_size = 4;
	}
	check(root && sum(root, ((const struct acpi_header *)root)->length) == 0,
	      "root table (XSDT or RSDT) checksum");
	if (!root)
		return rsdp;
	n = (((const struct acpi_header *)root)->length - 36) / entry_size;
	bool fadt = false, madt = false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pa = *(const uint32_t *)(root + 36 + i * entry_size);
		const struct acpi_header *h;

		if ((h = table(pa, "FACP"))) {
			const uint8_t *f = (const uint8_t *)h;
			const struct acpi_header *dsdt = table(*(const uint32_t *)(f + 40), "DSDT");
			fadt = sum(f, h->length) == 0;
			put_str("FADT: PM timer at port ");
			put_hex(*(const uint32_t *)(f + 76));
			put_str(", SCI ");
			put_dec(*(const uint16_t *)(f + 46));
			put_line("");
			check(*(const uint32_t *)(f + 76) != 0, "FADT: a PM timer block");
			check(dsdt && sum((const uint8_t *)dsdt, dsdt->length) == 0,
			      "DSDT checksum");
		} else if ((h = table(pa, "APIC"))) {
			madt = sum((const uint8_t *)h, h->length) == 0;
			check_madt(h);
		}
	}
	check(fadt, "FADT present, checksum right");
	check(madt, "MADT present, checksum right");
	return rsdp;
}

/* ROM: a write must not change what reads return. */
static void check_rom_write(volatile uint8_t *p)
{
	uint8_t before = *p;

	*p = (uint8_t)~before;
	check(*p == before, "a write to ROM does not change it");
}

/*
 * The device models (devices.c), in an order that keeps each check's assumptions: the PM timer
 * first because the others time their waits with it; the PIC before the PIT, whose channel 0
 * then raises IRQ 0 into the (masked) master's IRR.
 */
static void check_devices(const struct mb_info *mb)
{
	uint32_t mem_upper = (mb->flags & MB_MEMORY) ? mb->mem_upper : 0;

	check_pm_timer();
	check_pic();
	check_pit();
	check_rtc(mem_upper);
	check_ioapic();
	check_lapic();
	check_fw_cfg(mem_upper, madt_cpus);
	check_pci();
	check_unclaimed_io();
	check_testdev();
}

int main(uint32_t magic, const struct mb_info *mb)
{
	const volatile uint8_t *rsdp;

	put_line("multiboot v1 platform guest");
	check(magic == MB_BOOT_MAGIC, "EAX holds the multiboot magic 0x2badb002");
	if (magic != MB_BOOT_MAGIC)
		return 1;
	check_info(mb);
	check_modules(mb);
	if (mb->flags & MB_MMAP)
		check_mmap(mb);
	rsdp = check_acpi();
	if (rsdp)
		check_rom_write((volatile uint8_t *)rsdp);
	check_devices(mb);
	put_str(failures() ? "platform: FAILED, " : "platform: all checks passed, ");
	put_dec(failures());
	put_line(" failure(s)");
	return (int)failures();
}
