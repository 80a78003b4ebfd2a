/* The MMIO instruction emulator's public face: the ops table a monitor implements and its one call. */
#ifndef EMULATOR_EMU_H
#define EMULATOR_EMU_H

#include <stdarg.h>

#include <hv/types.h>

#include "emulator/insn.h"

/*
 * The emulator reaches the virtual processor only through this table (it never sees a VMCS or a
 * VMCB). Every callback returns 0 or a negative errno; a nonzero return aborts the emulation with
 * that error (the instruction is not finished and RIP stays put). `opaque` is passed through.
 */
enum emu_reg {
	EMU_REG_RAX = 0,
	EMU_REG_RCX,
	EMU_REG_RDX,
	EMU_REG_RBX,
	EMU_REG_RSP,
	EMU_REG_RBP,
	EMU_REG_RSI,
	EMU_REG_RDI,
	EMU_REG_R8,
	EMU_REG_R9,
	EMU_REG_R10,
	EMU_REG_R11,
	EMU_REG_R12,
	EMU_REG_R13,
	EMU_REG_R14,
	EMU_REG_R15,
	EMU_REG_RIP,
	EMU_REG_RFLAGS,
	EMU_REG_COUNT
};

/* Segment registers in the processor's encoding order (ES=0 ... GS=5). */
enum emu_seg { EMU_SEG_ES = 0, EMU_SEG_CS, EMU_SEG_SS, EMU_SEG_DS, EMU_SEG_FS, EMU_SEG_GS };

/* A segment's descriptor cache; attributes in the TLFS/VMX 16-bit form (hv/abi/hv_registers.h). */
struct emu_segment {
	uint64_t base;
	uint32_t limit; /* byte granular (already scaled by G) */
	uint16_t selector;
	uint16_t attributes;
};

/* What decides the mode and the paging format; read once per emulated instruction. */
struct emu_control {
	uint64_t cr0, cr3, cr4, efer;
	uint64_t xcr0;     /* for VEX: AVX needs XCR0.SSE and XCR0.AVX (0 when XSAVE is off) */
	uint8_t cpl;       /* current privilege level (SS.DPL on VMX, the VMCB's CPL on SVM) */
	uint8_t phys_bits; /* MAXPHYADDR the guest sees; 0 means 52 */
	/* CS's access rights (HV_SEG_ATTR_*: L and D/B pick the mode), read with the rest so that
	 * a 64-bit guest's exit needs no separate segment read. */
	uint16_t cs_attributes;
};

struct emu_ops {
	/* General registers, RIP and RFLAGS (EMU_REG_*), full 64-bit values. */
	int (*read_reg)(void *opaque, enum emu_reg reg, uint64_t *value);
	int (*write_reg)(void *opaque, enum emu_reg reg, uint64_t value);
	int (*read_segment)(void *opaque, enum emu_seg seg, struct emu_segment *out);
	int (*read_control)(void *opaque, struct emu_control *out);
	/*
	 * The monitor's pointer to guest RAM [gpa, gpa+len) (len <= 4096, never crossing a page), or
	 * NULL when it is not RAM the guest may access there. Page tables and RAM operands go through
	 * this; everything else is MMIO. The emulator keeps pointers to guest page-table entries in
	 * its translation cache: a monitor that changes what backs guest RAM (unmaps or moves it)
	 * must call emu_cache_flush().
	 */
	void *(*ram_ptr)(void *opaque, hv_gpa_t gpa, size_t len);
	/*
	 * Device access at a GPA that is not RAM. len is 1, 2, 4 or 8 (16 or 32 for SSE/AVX moves),
	 * little-endian bytes in buf; an access never crosses a 4 KiB page. Unclaimed addresses should
	 * read as all-ones and ignore writes, as on a PC.
	 */
	int (*mmio_read)(void *opaque, hv_gpa_t gpa, void *buf, unsigned len);
	int (*mmio_write)(void *opaque, hv_gpa_t gpa, const void *buf, unsigned len);
	/*
	 * The guest's XMM/YMM registers (reg 0-15), low `len` bytes (16 or 32). write_vector with len
	 * 16 leaves bits 255:128 alone (legacy SSE); VEX forms pass 32 bytes with the upper half zeroed.
	 * Both may be NULL when the guest's vector state is not reachable: vector moves then get #UD.
	 */
	int (*read_vector)(void *opaque, unsigned reg, void *buf, unsigned len);
	int (*write_vector)(void *opaque, unsigned reg, const void *buf, unsigned len);
	/* Queue an exception for the next entry; for #PF (14) also load CR2 with `cr2`. */
	int (*inject_exception)(void *opaque, uint8_t vector, bool has_error_code,
	                        uint32_t error_code, uint64_t cr2);
	/* One log line, printf-like; may be NULL. The emulator names the partition in each line. */
	void (*log)(void *opaque, const char *fmt, va_list ap);
	/*
	 * Port I/O for INS/OUTS (size 1, 2 or 4; value in the low bytes). Both may be NULL: then
	 * emu_port_string_exit() refuses. The processor has already checked IOPL and the TSS bitmap.
	 */
	int (*port_read)(void *opaque, uint16_t port, unsigned size, uint32_t *value);
	int (*port_write)(void *opaque, uint16_t port, unsigned size, uint32_t value);
};

/* Decode cache: direct-mapped, keyed by (CR3, linear RIP), verified against the bytes at RIP. */
#define EMU_CACHE_ENTRIES 64U

struct emu_cache_entry {
	uint64_t cr3;
	uint64_t rip; /* linear address of the instruction (CS base + RIP) */
	uint8_t mode; /* enum emu_mode it was decoded in */
	bool valid;
	uint8_t bytes[15]; /* the instruction's bytes: a hit requires them unchanged */
	struct emu_insn insn;
	/*
	 * Where the bytes were found (instructions within one page): the monitor's pointer to them
	 * and the guest page-table entries that led there with their values. A hit re-checks those
	 * entries and compares the bytes in place, without a walk or a copy.
	 */
	const uint8_t *code;
	/*
	 * With 16 readable bytes at `code` (the instruction is not near the end of its page), a
	 * hit compares two words under these masks instead of byte by byte.
	 */
	bool code_words;
	uint64_t word[2], word_mask[2];
	uint8_t code_levels;
	bool code_wide;
	void *code_pte[5];
	uint64_t code_val[5];
};

/*
 * Translation cache: the guest page walk's result for one 4 KiB linear page and one kind of
 * access, with pointers to the page-table entries it read and their values. A hit re-reads those
 * entries and requires them unchanged, so it is exactly as correct as a new walk (a guest that
 * edits its tables without INVLPG gets the new translation at once, as the emulator never sees
 * its TLB flushes anyway).
 */
#define EMU_TLB_ENTRIES 16U

struct emu_tlb_entry {
	uint64_t cr3;
	uint64_t page; /* linear address >> 12 */
	uint32_t key;  /* access kind and every control bit the walk's outcome depends on */
	uint8_t levels;
	bool wide; /* 8-byte entries (PAE, 4- and 5-level) */
	bool valid;
	void *pte[5];
	uint64_t val[5];
	hv_gpa_t gpa_page;
};

struct emu_stats {
	uint64_t emulated, faults, errors;
	uint64_t cache_hits, cache_misses;
};

/* One per virtual processor (the cache is not shared: no locking). */
struct emu_context {
	const char *name; /* the partition's name, for log lines */
	struct emu_cache_entry cache[EMU_CACHE_ENTRIES];
	/* The entry of the last hit or insert: a driver polling one register hits it again
	 * without hashing. Always points into cache[] (or is NULL). */
	const struct emu_cache_entry *last;
	struct emu_tlb_entry tlb[EMU_TLB_ENTRIES];
	struct emu_stats stats;
};

/* Start a context with an empty cache; `name` must outlive it. */
void emu_context_init(struct emu_context *ctx, const char *name);
/*
 * Forget every cached decode and translation. Never needed for correctness of the guest's own
 * changes (hits are verified against the bytes and page-table entries); needed when the monitor
 * changes what backs guest RAM (see ram_ptr).
 */
void emu_cache_flush(struct emu_context *ctx);

enum emu_result {
	EMU_DONE = 0, /* the instruction was emulated and RIP advanced past it */
	EMU_FAULT_INJECTED =
	    1,         /* the guest gets the fault the processor would raise; RIP unchanged */
	EMU_RETRY = 2, /* a REP instruction made progress; RIP unchanged, it will exit again */
};

/*
 * What the exit said about the access that trapped (hv_exit.memory): the GPA, and the guest-linear
 * address and kind of access when the processor reports them (VMX does; SVM gives only the GPA).
 * The processor had already walked the guest's page tables for that access, so an emulated
 * access of the same kind to the same linear page reuses its answer instead of walking again.
 */
struct emu_fault {
	hv_gpa_t gpa;
	hv_gva_t gva;
	bool gva_valid;
	uint8_t access; /* enum hv_access: HV_ACCESS_READ or HV_ACCESS_WRITE (0: unknown) */
};

/*
 * Emulate the instruction at the guest's RIP, which caused an MMIO exit (HV_EXIT_MEMORY_ACCESS
 * with no RAM behind the GPA, or an access the mapping forbids). Fetches it through the guest's
 * paging, decodes it (or takes it from the cache), performs it against RAM and MMIO through
 * `ops`, writes back registers and flags and advances RIP.
 * Returns an enum emu_result, or a negative errno when the emulation itself failed (an ops
 * callback failed, or the instruction was fetched from MMIO): the monitor should then stop the
 * partition. Unsupported instructions and faulting accesses are not errors: they inject the
 * fault the processor would raise and log a line naming the partition.
 */
int emu_mmio_exit_fault(struct emu_context *ctx, const struct emu_ops *ops, void *opaque,
                        const struct emu_fault *fault);

/* The same with only the GPA known (every access is then walked in the guest's tables). */
int emu_mmio_exit(struct emu_context *ctx, const struct emu_ops *ops, void *opaque,
                  hv_gpa_t fault_gpa);

/*
 * Emulate the INS or OUTS (with or without REP) at the guest's RIP after a string port-I/O exit
 * (HV_EXIT_IO with is_string): memory through the guest's paging, the port through
 * ops->port_read/port_write. Returns an enum emu_result (EMU_RETRY when a long REP is cut into
 * pieces: the guest re-executes it) or a negative errno, as emu_mmio_exit_fault() does.
 */
int emu_port_string_exit(struct emu_context *ctx, const struct emu_ops *ops, void *opaque);

#endif
