/* ACPI table formats the BIOS image carries (RSDP, RSDT/XSDT, FADT, FACS, DSDT, MADT) and their builder. */
#ifndef ROM_ACPI_H
#define ROM_ACPI_H

#include <stddef.h>
#include <stdint.h>

/*
 * Layouts from the ACPI Specification (6.x), chapter "ACPI Software Programming Model". Tables
 * put multi-byte fields at unaligned offsets (the FADT's IAPC_BOOT_ARCH at 109, the XSDT's
 * 64-bit entries at 36), so the structures are packed; the _Static_asserts pin every size and
 * the offsets a reader cares about. Structures are built in monitor memory and copied out whole.
 */
#define ACPI_PACKED __attribute__((packed))

/* "Root System Description Pointer (RSDP) Structure", revision 2. */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision; /* 2: ACPI 2.0 and later, with the XSDT */
	uint32_t rsdt_address;
	uint32_t length; /* 36 */
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP revision 2");
#define ACPI_RSDP_V1_LENGTH 20U

/* "System Description Table Header". */
struct acpi_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* the whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header");

/* "Generic Address Structure (GAS)". */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_SYSTEM_IO, ... */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0: undefined (legacy reasons) */
	uint64_t address;
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_gas) == 12, "Generic Address Structure");
#define ACPI_GAS_SYSTEM_IO 1U

/* "Fixed ACPI Description Table (FADT)" through X_GPE1_BLK: the ACPI 2.0-4.0 length. */
struct acpi_fadt {
	struct acpi_header header; /* "FACP" */
	uint32_t firmware_ctrl;    /* the FACS */
	uint32_t dsdt;
	uint8_t reserved0; /* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd; /* 0: no SMI command port, the platform is always in ACPI mode */
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_fadt) == 244, "FADT (revision 4 length)");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sci_int) == 46, "FADT SCI_INT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT PM_TMR_BLK");
_Static_assert(__builtin_offsetof(struct acpi_fadt, pm_tmr_len) == 91, "FADT PM_TMR_LEN");
_Static_assert(__builtin_offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH");
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT Flags");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK");

/* FADT Flags ("Fixed ACPI Description Table Fixed Feature Flags"). */
#define ACPI_FADT_WBINVD             (1U << 0)
#define ACPI_FADT_PROC_C1            (1U << 2)
#define ACPI_FADT_PWR_BUTTON         (1U << 4) /* set: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON         (1U << 5) /* set: no fixed-feature sleep button */
#define ACPI_FADT_TMR_VAL_EXT        (1U << 8) /* set: the PM timer is 32 bits, clear: 24 */
#define ACPI_FADT_USE_PLATFORM_CLOCK (1U << 15)

/* IA-PC boot architecture flags. */
#define ACPI_IAPC_LEGACY_DEVICES  (1U << 0)
#define ACPI_IAPC_8042            (1U << 1)
#define ACPI_IAPC_VGA_NOT_PRESENT (1U << 2)

/* "Firmware ACPI Control Structure (FACS)": no checksum, 64-byte aligned. */
struct acpi_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;   /* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");

/* "Multiple APIC Description Table (MADT)": the fixed part; entries follow. */
struct acpi_madt {
	struct acpi_header header; /* "APIC" */
	uint32_t local_apic_address;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part");
#define ACPI_MADT_PCAT_COMPAT 1U /* dual 8259s are present too */

/* Entry types and structures ("Interrupt Controller Structure Types"). */
#define ACPI_MADT_LOCAL_APIC     0U
#define ACPI_MADT_IO_APIC        1U
#define ACPI_MADT_INT_OVERRIDE   2U
#define ACPI_MADT_LOCAL_APIC_NMI 4U

struct acpi_madt_local_apic {
	uint8_t type;
	uint8_t length; /* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* ACPI_MADT_ENABLED */
} ACPI_PACKED;

struct acpi_madt_io_apic {
	uint8_t type;
	uint8_t length; /* 12 */
	uint8_t io_apic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} ACPI_PACKED;

struct acpi_madt_int_override {
	uint8_t type;
	uint8_t length; /* 10 */
	uint8_t bus;    /* 0: ISA */
	uint8_t source; /* the ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* ACPI_MPS_* polarity and trigger mode */
} ACPI_PACKED;

struct acpi_madt_local_apic_nmi {
	uint8_t type;
	uint8_t length;        /* 6 */
	uint8_t processor_uid; /* 0xff: every processor */
	uint16_t flags;
	uint8_t lint; /* which LINTn pin */
} ACPI_PACKED;

_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "MADT processor local APIC");
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "MADT I/O APIC");
_Static_assert(sizeof(struct acpi_madt_int_override) == 10, "MADT interrupt source override");
_Static_assert(sizeof(struct acpi_madt_local_apic_nmi) == 6, "MADT local APIC NMI");

#define ACPI_MADT_ENABLED      1U
#define ACPI_MPS_POLARITY_HIGH 0x1U /* bits 1:0 = 01 active high */
#define ACPI_MPS_TRIGGER_LEVEL 0xcU /* bits 3:2 = 11 level */

/* What the tables describe. */
struct acpi_platform {
	uint32_t nvps;      /* processors: APIC IDs and ACPI UIDs 0..nvps-1 */
	uint8_t io_apic_id; /* what the IOAPIC's ID register reads */
	uint32_t local_apic_address;
	uint32_t io_apic_address;
	uint16_t sci_irq;
	uint16_t pm_base; /* PM1a event block; control at +4, timer at +8 (PIIX4 layout) */
};

/* The byte that makes len bytes at p sum to 0 when stored in the checksum field (which is 0). */
uint8_t acpi_checksum(const void *p, size_t len);

/*
 * Writes RSDP, RSDT, XSDT, FACS, FADT, DSDT and MADT into `area` (size bytes of the BIOS image
 * that the guest sees at GPA area_gpa; the RSDP goes at its start, so area_gpa must be 16-byte
 * aligned and inside 0xe0000-0xfffff). Returns the bytes used, or 0 when `size` is too small or
 * the platform is not describable (no processors, more than 255).
 */
size_t acpi_build_tables(uint8_t *area, size_t size, uint32_t area_gpa,
                         const struct acpi_platform *p);

#endif
