/* Second-level address translation: one 4-level table walker shared by the EPT and NPT formats. */
#ifndef HV_SLAT_SLAT_H
#define HV_SLAT_SLAT_H

#include <hv/host.h>
#include <hv/types.h>

/*
 * Level numbering: 3 = top (512 GiB per entry), 2 = 1 GiB, 1 = 2 MiB, 0 = 4 KiB.
 * A format descriptor says how rights and leaf/table entries look; the walker does the rest.
 * Entries are plain uint64_t with the masks below: never C bitfields.
 */
#define SLAT_LEVELS     4U
#define SLAT_ENTRIES    512U
#define SLAT_ADDR_MASK  0x000FFFFFFFFFF000ULL
#define SLAT_LARGE_PAGE (1ULL << 7) /* PS in NPT, "page" bit in EPT: same position */

/*
 * Software bits for dirty tracking by write protection. Bits 56:52 are ignored by the processor
 * in EPT entries and available to software in NPT (long-mode) entries, so both formats share
 * them. CLEAN: not written since the last harvest that cleared it. WRITE_HELD: the mapping is
 * writable but W is withheld in the entry to catch the first write.
 */
#define SLAT_SW_CLEAN      (1ULL << 52)
#define SLAT_SW_WRITE_HELD (1ULL << 53)

struct slat;

struct slat_format {
	const char *name;
	/* Bits that make an entry present (NPT: P; EPT: any of R/W/X). */
	uint64_t present_mask;
	/* A non-leaf entry: these bits | the next table's address. */
	uint64_t table_bits;
	/* The bits of a leaf that leaf_bits() sets: rights, memory type (what protect rewrites). */
	uint64_t leaf_mask;
	/* The write right in a leaf (withheld for dirty tracking without hardware dirty bits). */
	uint64_t write_bit;
	/* Set by the processor in leaves when the slat has hardware A/D (0: the format has none). */
	uint64_t accessed_bit;
	uint64_t dirty_bit;
	/*
	 * Leaf bits for HV_MAP_GPA_* rights; 0 when the format (or this slat's processor, e.g. no
	 * EPT execute-only) cannot express them.
	 */
	uint64_t (*leaf_bits)(const struct slat *s, uint32_t map_flags);
	/* HV_MAP_GPA_* rights the processor applies for a present leaf (the raw entry). */
	uint32_t (*leaf_flags)(uint64_t entry);
};

extern const struct slat_format slat_format_npt;
extern const struct slat_format slat_format_ept;

/* What the processor offers the walker; filled by the core from struct hv_capabilities. */
struct slat_features {
	uint8_t phys_bits; /* guest physical-address width; 0 or >= 48: the walker's 48 */
	bool large_1g;     /* the processor walks 1 GiB leaves */
	bool execute_only; /* EPT: execute-only leaves (IA32_VMX_EPT_VPID_CAP bit 0) */
	/*
	 * The processor sets accessed/dirty bits in leaves: always on NPT; on EPT only when the
	 * backend enables A/D in the EPTP (bit 6), which it must do exactly when this is true.
	 */
	bool hw_dirty;
};

struct slat {
	const struct slat_format *fmt;
	const struct hv_host_ops *host;
	hv_hpa_t root;        /* top-level table */
	uint64_t table_pages; /* pages of tables, the root included */
	hv_gpa_t gpa_limit;   /* first GPA beyond the guest's physical-address width */
	bool allow_1g;        /* the processor walks 1 GiB leaves */
	bool execute_only;    /* execute-only leaves may be built (EPT with the capability) */
	bool hw_dirty;        /* harvest from hardware dirty bits, not by write protection */
	/* Lowest and highest table page ever allocated: a cheap filter for the own-page check. */
	hv_hpa_t table_lo, table_hi;
	/*
	 * Optional (NULL: any HPA): the owner's policy on host pages a map may point at, checked
	 * after the range itself is valid. Returns HV_STATUS_SUCCESS or the status to refuse with.
	 */
	hv_status_t (*check_hpa)(const struct slat *s, hv_hpa_t hpa, uint64_t size);
	/*
	 * Bumped by every change that can leave a stale translation; each VP remembers the value it
	 * last flushed at and flushes before its next entry when they differ (one flush per batch).
	 */
	uint64_t flush_generation;
};

int slat_init(struct slat *s, const struct slat_format *fmt, const struct hv_host_ops *host,
              const struct slat_features *features);
/* Free every table page (the mapped memory itself is not the slat's). */
void slat_destroy(struct slat *s);

/*
 * Map a free range (HvCallMapGpaPages): INVALID_ALIGNMENT, INVALID_PARAMETER (wrap, beyond the
 * width, overlap, rights the format cannot express), ACCESS_DENIED (the HPA range holds this
 * slat's own tables, or check_hpa refuses it), INSUFFICIENT_MEMORY (nothing stays mapped).
 */
hv_status_t slat_map(struct slat *s, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t size, uint32_t flags);
/* Unmap a range; holes are not an error. Splits large pages at the edges, frees empty tables. */
hv_status_t slat_unmap(struct slat *s, hv_gpa_t gpa, uint64_t size);
/* Does [hpa, hpa+size) hold a table page of this slat? */
bool slat_tables_overlap(const struct slat *s, hv_hpa_t hpa, uint64_t size);
/* What the tables say for gpa: the HPA and the rights of the mapping (NOT_FOUND when unmapped). */
hv_status_t slat_translate(const struct slat *s, hv_gpa_t gpa, hv_hpa_t *hpa, uint32_t *flags);

/*
 * Change the rights of a range that is mapped throughout (slat_protect.c). NOT_FOUND when any
 * page of it is unmapped, and then nothing changed; INSUFFICIENT_MEMORY when an edge split
 * failed, and then no rights changed. Large pages are split at the edges only. Requests one
 * flush when rights were reduced or a large page was split.
 */
hv_status_t slat_protect(struct slat *s, hv_gpa_t gpa, uint64_t size, uint32_t flags);

/*
 * Dirty pages of [gpa, gpa+size) into `bitmap` (slat_dirty.c): bit i (word i/64, bit i%64) for
 * the page at gpa + i*4 KiB, every other bit of the words it covers cleared. A page is dirty
 * when it may have been written since it was mapped or last cleared; unmapped pages are clean.
 * A dirty large page reports all its 4 KiB pages. `clear` starts a new interval for leaves that
 * lie wholly inside the range (one flush per call when anything was cleared).
 */
hv_status_t slat_harvest_dirty(struct slat *s, hv_gpa_t gpa, uint64_t size, uint64_t *bitmap,
                               bool clear);
/*
 * A write fault at gpa: when the page is writable but W was withheld for dirty tracking, give W
 * back, mark the page dirty and return true (the guest simply re-runs the instruction).
 */
bool slat_resolve_write_fault(struct slat *s, hv_gpa_t gpa);

#endif
