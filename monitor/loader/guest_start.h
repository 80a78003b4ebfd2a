/* The ELF64 guest start contract: machine state and the start-info block a purpose-built guest gets. */
#ifndef MONITOR_GUEST_START_H
#define MONITOR_GUEST_START_H

/*
 * Self-contained (only <stdint.h>): guests include it too. See docs/guest-images.md.
 *
 * An ELF64 guest starts in 64-bit long mode at CPL 0 with:
 *   RIP = e_entry; RSP = GUEST_START_STACK_TOP; RDI = GUEST_START_INFO_GPA; RFLAGS = 0x2
 *   (interrupts off); CS = 0x08 (64-bit code), DS = ES = SS = FS = GS = 0x10 (flat data);
 *   GDT at GUEST_START_GDT_GPA; no IDT (limit 0: load your own before enabling interrupts);
 *   CR0 = PE|MP|ET|NE|WP|PG; CR4 = PAE|OSFXSR|OSXMMEXCPT; EFER = LME|LMA;
 *   CR3 = GUEST_START_PML4_GPA: the low 4 GiB identity-mapped with 2 MiB pages, writable and
 *   executable (what is really there is decided by the platform: RAM up to mem=, devices above).
 * PT_LOAD segments must lie inside [GUEST_START_LOAD_MIN, mem): the first MiB belongs to the platform.
 * The guest ends by writing a 32-bit value V to port 0xF4; its exit status is then (V << 1) | 1.
 */

#include <stdint.h>

#define GUEST_START_GDT_GPA       0x1000ULL
#define GUEST_START_INFO_GPA      0x2000ULL
#define GUEST_START_PML4_GPA      0x3000ULL /* then the PDPT at 0x4000 and four PDs at 0x5000-0x8fff */
#define GUEST_START_TABLES_END    0x9000ULL
#define GUEST_START_STACK_TOP     0x80000ULL
#define GUEST_START_LOAD_MIN      0x100000ULL

#define GUEST_START_CODE_SELECTOR 0x08U
#define GUEST_START_DATA_SELECTOR 0x10U

#define GUEST_START_MAGIC         0x3176686cU /* "lhv1" */

/* At GUEST_START_INFO_GPA; the command line follows in the same page. */
struct guest_start_info {
	uint32_t magic;        /* GUEST_START_MAGIC */
	uint32_t version;      /* 1 */
	uint64_t mem_size;     /* bytes of RAM from GPA 0 */
	uint64_t cmdline_gpa;  /* NUL-terminated: the module's ARGS (after "--"), may be empty */
	uint32_t cmdline_size; /* bytes including the NUL */
	uint32_t reserved;
};

#define GUEST_START_CMDLINE_GPA (GUEST_START_INFO_GPA + 64U)
#define GUEST_START_CMDLINE_MAX (4096U - 64U)

#endif
