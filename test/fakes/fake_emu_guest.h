/* A guest for the emulator's host tests, bench and fuzzer: RAM, page tables, registers and one MMIO window. */
#ifndef TEST_FAKES_FAKE_EMU_GUEST_H
#define TEST_FAKES_FAKE_EMU_GUEST_H

#include "emulator/emu.h"

#define FAKE_EMU_RAM_SIZE  (4U << 20)    /* guest RAM: GPA [0, 4 MiB) */
#define FAKE_EMU_MMIO_BASE 0xfeb00000ULL /* the device window: GPA [base, base + 8 KiB) */
#define FAKE_EMU_MMIO_SIZE 8192U
#define FAKE_EMU_CODE      0x1000ULL /* where fake_emu_code() puts instructions (GVA = GPA) */
#define FAKE_EMU_TABLES    (FAKE_EMU_RAM_SIZE - (1U << 20)) /* page tables live in the top MiB */
#define FAKE_EMU_IDENTITY  (512U << 10) /* GVA = GPA for this much RAM when paging is on */

/* Page-table entry bits for fake_emu_map*(). */
#define FAKE_PTE_P  0x1ULL
#define FAKE_PTE_W  0x2ULL
#define FAKE_PTE_U  0x4ULL
#define FAKE_PTE_PS 0x80ULL
#define FAKE_PTE_XD (1ULL << 63)

enum fake_emu_paging {
	FAKE_PAGING_NONE,
	FAKE_PAGING_32,
	FAKE_PAGING_PAE,
	FAKE_PAGING_4L,
	FAKE_PAGING_5L
};

struct fake_emu_guest {
	uint8_t *ram;
	uint64_t regs[EMU_REG_COUNT];
	struct emu_segment segs[6];
	struct emu_control ctl;
	enum fake_emu_paging paging;
	uint64_t next_table; /* GPA of the next free page-table page */
	bool vectors;        /* read_vector/write_vector reachable */
	uint8_t vec[16][32];
	uint8_t mmio[FAKE_EMU_MMIO_SIZE];
	unsigned mmio_reads, mmio_writes;
	hv_gpa_t last_mmio_gpa;
	unsigned last_mmio_len;
	int fail_reg_reads; /* make read_reg fail (after this many successful calls; -1: never) */
	bool injected;
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
	uint64_t cr2;
	char last_log[256];
	char logs[2048]; /* every line, separated by newlines (truncated when full) */
	unsigned nlogs;
};

extern const struct emu_ops fake_emu_ops;
/* The same table without vector-register access (read_vector/write_vector NULL). */
extern const struct emu_ops fake_emu_ops_novec;

/* A guest in 64-bit mode with 4-level paging and RAM identity-mapped for its first 512 KiB. */
void fake_emu_init(struct fake_emu_guest *g);
/* Back to a fresh state in the given mode, keeping the RAM buffer (only its low 64 KiB is cleared). */
void fake_emu_reset(struct fake_emu_guest *g, enum fake_emu_paging paging, unsigned code_size);
void fake_emu_free(struct fake_emu_guest *g);
/*
 * Switch the guest to `paging` (with CR0/CR4/EFER to match) and empty its page tables; then
 * identity-map [0, FAKE_EMU_IDENTITY) of RAM and the MMIO window. code_size is the code segment's
 * default: 8 (64-bit, with 4L/5L), 4 or 2 (real mode when paging is off).
 */
void fake_emu_set_mode(struct fake_emu_guest *g, enum fake_emu_paging paging, unsigned code_size);
/* Map one 4 KiB page gva → gpa with `flags` at the leaf (and P|W|U above it). */
void fake_emu_map(struct fake_emu_guest *g, uint64_t gva, uint64_t gpa, uint64_t flags);
/* The leaf entry fake_emu_map() wrote for gva (to flip bits in tests), or NULL. */
void *fake_emu_pte(struct fake_emu_guest *g, uint64_t gva);
/* Put instruction bytes at FAKE_EMU_CODE and point RIP at them. */
void fake_emu_code(struct fake_emu_guest *g, const void *bytes, unsigned len);
/* Flat segments for the mode (base 0, limit 4 GiB or 64 KiB in real mode). */
void fake_emu_flat_segments(struct fake_emu_guest *g, unsigned code_size);

#endif
