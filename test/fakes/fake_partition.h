/* A ready-made partition for host tests and fuzzers: RAM at GPA 0, one VP in 64-bit mode at CPL 0. */
#ifndef TEST_FAKES_FAKE_PARTITION_H
#define TEST_FAKES_FAKE_PARTITION_H

#include "fake_hv.h"

struct fake_partition {
	struct hv_partition *p;
	struct hv_vp *vp;
	uint8_t *ram;      /* the monitor's view of GPA 0 .. ram_size (RAM, then read-only RAM) */
	uint64_t ram_size; /* writable RAM: GPA [0, ram_size) */
	uint64_t ro_gpa;   /* read-only RAM: GPA [ro_gpa, ro_gpa + ro_size) */
	uint64_t ro_size;
	size_t base_pages; /* host pages in use before the partition was created */
};
extern struct fake_partition fake_part;

/*
 * hv_init on the fake AMD processor, a partition "guest" with `rw_pages` pages of RAM at GPA 0
 * and `ro_pages` read-only pages right after, one VP in 64-bit long mode at CPL 0.
 */
void fake_partition_setup(uint32_t rw_pages, uint32_t ro_pages);
void fake_partition_teardown(void);

/* Put the VP in 64-bit mode (the default), 32-bit protected mode, real mode, or CPL 3. */
enum fake_mode { FAKE_MODE_LONG64, FAKE_MODE_PROT32, FAKE_MODE_REAL, FAKE_MODE_USER64 };
void fake_partition_set_mode(enum fake_mode mode);

/* What the guest saw when the instruction finished: the event pending at the next entry. */
struct fake_insn_result {
	uint64_t rax, rdx;     /* after the instruction */
	uint64_t rip_advance;  /* bytes RIP moved (0 when a fault was injected) */
	uint64_t event_inject; /* the VMCB EVENTINJ at the next entry (0: none) */
	uint8_t tlb_control;   /* TLB_CONTROL at the next entry */
};

/*
 * Execute one VMMCALL with these registers (64-bit: RCX, RDX, R8; 32-bit callers load
 * EDX:EAX, EBX:ECX, EDI:ESI through `gprs32`), then one entry that HLTs.
 */
struct fake_insn_result fake_vmmcall(uint64_t rcx, uint64_t rdx, uint64_t r8);
struct fake_insn_result fake_vmmcall32(uint32_t eax, uint32_t edx, uint32_t ebx, uint32_t ecx,
                                       uint32_t esi, uint32_t edi);
/* RDMSR / WRMSR of `index` (EDX:EAX = value for WRMSR). */
struct fake_insn_result fake_rdmsr(uint32_t index);
struct fake_insn_result fake_wrmsr(uint32_t index, uint64_t value);

#define FAKE_EVENT_UD (6ULL | (3ULL << 8) | (1ULL << 31))
#define FAKE_EVENT_GP (13ULL | (3ULL << 8) | (1ULL << 11) | (1ULL << 31))

#endif
