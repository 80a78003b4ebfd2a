/* The BIOS image of a partition: option-ROM space, the ACPI tables, and a reset vector that halts. */
#include "rom/rom.h"

#include <string.h>

#include "monitor/lib/errno.h"
#include "rom/acpi.h"

#define OFFSET(gpa) ((size_t)((gpa)-ROM_BIOS_GPA))

/* Real-mode code at ROM_HALT_GPA: nothing boots from this BIOS, so a reset parks the processor. */
static const uint8_t halt_loop[] = {
    0xfa,       /* cli */
    0xf4,       /* hlt */
    0xeb, 0xfd, /* jmp back to the hlt (an NMI or SMI could wake it) */
};

/* At ROM_RESET_GPA: jmp far F000:FF00, i.e. ROM_HALT_GPA, then the date and the model byte. */
static const uint8_t reset_vector[16] = {
    0xea, 0x00, 0xff, 0x00, 0xf0,                      /* jmp far ptr16:16 */
    '0',  '1',  '/',  '0',  '1',  '/', '2', '5', 0x00, /* BIOS date at 0xffff5 */
    0xfc,                                              /* model: PC/AT */
    0x00,
};

_Static_assert(ROM_HALT_GPA == 0xf0000U + 0xff00U, "the far jump's target");

int rom_build_bios(uint8_t *image, size_t size, const struct rom_config *cfg)
{
	struct acpi_platform p;

	if (!image || !cfg || size != ROM_BIOS_SIZE || cfg->nvps == 0 || cfg->nvps > ROM_MAX_VPS)
		return -EINVAL;
	/* Unused ROM reads as an erased part does, and never looks like a 0x55aa option ROM. */
	memset(image, ROM_FILL, size);
	p = (struct acpi_platform){
	    .nvps = cfg->nvps,
	    .io_apic_id = cfg->io_apic_id,
	    .local_apic_address = ROM_LOCAL_APIC_GPA,
	    .io_apic_address = ROM_IO_APIC_GPA,
	    .sci_irq = ROM_SCI_IRQ,
	    .pm_base = ROM_PM_BASE,
	};
	if (!acpi_build_tables(image + OFFSET(ROM_RSDP_GPA),
	                       OFFSET(ROM_HALT_GPA) - OFFSET(ROM_RSDP_GPA), ROM_RSDP_GPA, &p))
		return -EINVAL;
	memcpy(image + OFFSET(ROM_HALT_GPA), halt_loop, sizeof(halt_loop));
	memcpy(image + OFFSET(ROM_RESET_GPA), reset_vector, sizeof(reset_vector));
	return 0;
}
