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

struct slat_format {
	const char *name;
	/* Bits that make an entry present (NPT: P; EPT: any of R/W/X). */
	uint64_t present_mask;
	/* A non-leaf entry: these bits | the next table's address. */
	uint64_t table_bits;
	/* Leaf bits for HV_MAP_GPA_* rights; 0 when the format cannot express them. */
	uint64_t (*leaf_bits)(uint32_t map_flags);
	/* HV_MAP_GPA_* rights of a present leaf. */
	uint32_t (*leaf_flags)(uint64_t entry);
};

extern const struct slat_format slat_format_npt;

struct slat {
	const struct slat_format *fmt;
	const struct hv_host_ops *host;
	hv_hpa_t root;        /* top-level table */
	uint64_t table_pages; /* pages of tables, the root included */
	hv_gpa_t gpa_limit;   /* first GPA beyond the guest's physical-address width */
	bool allow_1g;        /* the processor walks 1 GiB leaves */
	/*
	 * Bumped by every change that can leave a stale translation; each VP remembers the value it
	 * last flushed at and flushes before its next entry when they differ (one flush per batch).
	 */
	uint64_t flush_generation;
};

int slat_init(struct slat *s, const struct slat_format *fmt, const struct hv_host_ops *host,
              uint8_t phys_bits, bool allow_1g);
/* Free every table page (the mapped memory itself is not the slat's). */
void slat_destroy(struct slat *s);

hv_status_t slat_map(struct slat *s, hv_gpa_t gpa, hv_hpa_t hpa, uint64_t size, uint32_t flags);
hv_status_t slat_unmap(struct slat *s, hv_gpa_t gpa, uint64_t size);
hv_status_t slat_translate(const struct slat *s, hv_gpa_t gpa, hv_hpa_t *hpa, uint32_t *flags);

#endif
