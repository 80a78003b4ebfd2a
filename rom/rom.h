/* The partition's BIOS area 0xc0000-0xfffff: the ROM image the monitor builds, and option ROMs in it. */
#ifndef ROM_ROM_H
#define ROM_ROM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The image covers GPAs [ROM_BIOS_GPA, ROM_BIOS_GPA + ROM_BIOS_SIZE). The monitor builds it in the
 * partition's own RAM block (the bytes behind those GPAs, which are otherwise unused: the PC hole)
 * and maps that range read+execute only, so reads and instruction fetches cost no exit and writes
 * exit as a write to a read-only mapping, to be discarded (and counted) and the instruction skipped.
 *
 *   0xc0000-0xdffff  option ROMs (rom_place_option), 2 KiB aligned; unused bytes read 0xff
 *   0xe0000-...      ACPI tables: the RSDP first (at ROM_RSDP_GPA, 16-byte aligned, inside the
 *                    0xe0000-0xfffff range guests scan), then RSDT, XSDT, FACS, FADT, DSDT, MADT
 *   0xfff00          ROM_HALT_GPA: CLI; HLT; JMP back to the HLT
 *   0xffff0          the reset vector: a far JMP F000:FF00 to the halt loop
 *   0xffff5          a BIOS date string, 0xffffe the PC/AT model byte (0xfc)
 */
#define ROM_BIOS_GPA     0xc0000U
#define ROM_BIOS_SIZE    0x40000U
#define ROM_OPTION_GPA   0xc0000U
#define ROM_OPTION_END   0xe0000U
#define ROM_OPTION_ALIGN 0x800U
#define ROM_RSDP_GPA     0xe0000U
#define ROM_HALT_GPA     0xfff00U
#define ROM_RESET_GPA    0xffff0U
#define ROM_FILL         0xffU

/* The pc-lite platform's fixed addresses the tables describe (docs/platform.md). */
#define ROM_LOCAL_APIC_GPA 0xfee00000U
#define ROM_IO_APIC_GPA    0xfec00000U
#define ROM_PM_BASE        0x600U /* PM1a event; control at 0x604, the PM timer at 0x608 */
#define ROM_SCI_IRQ        9U
#define ROM_MAX_VPS        254U

struct rom_config {
	uint32_t nvps;      /* 1..ROM_MAX_VPS: one enabled processor local APIC (ID = index) each */
	uint8_t io_apic_id; /* what the IOAPIC model's ID register reads (0 by default, as QEMU) */
};

/*
 * Builds the BIOS image for one partition into image (size must be ROM_BIOS_SIZE; the caller
 * passes the host view of the partition's RAM at ROM_BIOS_GPA). Returns 0, or -EINVAL for a bad
 * size or configuration (nothing is promised about image then).
 */
int rom_build_bios(uint8_t *image, size_t size, const struct rom_config *cfg);

/*
 * Checks an option ROM ("PCI Firmware Specification" / IBM PC legacy format): at least 3 bytes,
 * bytes 0x55 0xaa, a non-zero length byte (in 512-byte units) that the file covers, and the
 * declared bytes summing to 0 modulo 256. Returns 0 with the declared length in *length, or
 * -ENOEXEC with the reason in err.
 */
int rom_check_option(const void *rom, size_t rom_size, size_t *length, char *err, size_t errlen);

/*
 * Places a checked option ROM into the BIOS image at *next_gpa (ROM_OPTION_GPA for the first),
 * rounded up to ROM_OPTION_ALIGN, and advances *next_gpa past it. Only the declared length is
 * copied. Returns 0 with the GPA used in *placed_gpa, -ENOEXEC for an invalid ROM, -ENOSPC when
 * it does not fit below ROM_OPTION_END, -EINVAL for bad arguments.
 */
int rom_place_option(uint8_t *image, size_t size, const void *rom, size_t rom_size,
                     uint32_t *next_gpa, uint32_t *placed_gpa, char *err, size_t errlen);

#endif
