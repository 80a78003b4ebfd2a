/* Memory operands: effective address, segmentation checks, the guest page walk, then RAM or MMIO. */
#include <string.h>

#include <hv/abi/hv_registers.h>

#include "emulator/emu_internal.h"

static bool is_canonical(const struct emu_state *st, uint64_t linear)
{
	unsigned bits = (st->ctl.cr4 & EMU_CR4_LA57) ? 57 : 48;
	int64_t s = (int64_t)(linear << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == linear;
}

/* A bad stack access is #SS(0); every other segment violation is #GP(0). */
static int segment_fault(struct emu_state *st, unsigned seg)
{
	return emu_raise(st, seg == EMU_SEG_SS ? EMU_VEC_SS : EMU_VEC_GP, true, 0);
}

/*
 * Intel SDM "Segment-Level Protection": outside 64-bit mode every access is checked against the
 * segment's type and limit (expand-down data segments count from limit+1 upward); in 64-bit mode
 * only FS and GS add a base, and the address must be canonical.
 */
int emu_linear(struct emu_state *st, unsigned seg, uint64_t offset, unsigned size, unsigned access,
               uint64_t *linear)
{
	const struct emu_segment *s;
	int rc;

	if (st->mode == EMU_MODE_LONG64) {
		uint64_t lin = offset;

		/* Only FS and GS have a base here; no segment is even read for the others. */
		if (seg == EMU_SEG_FS || seg == EMU_SEG_GS) {
			rc = emu_seg_get(st, seg, &s);
			if (rc)
				return rc;
			lin += s->base;
		}
		if (!is_canonical(st, lin) || !is_canonical(st, lin + size - 1))
			return segment_fault(st, seg);
		*linear = lin;
		return 0;
	}

	rc = emu_seg_get(st, seg, &s);
	if (rc)
		return rc;

	uint16_t attr = s->attributes;
	uint64_t last = offset + size - 1;

	if (st->mode != EMU_MODE_REAL) {
		bool code = (attr & 0x8) != 0;

		/* A null or not-present segment (also the "unusable" one) cannot be used. */
		if (!(attr & HV_SEG_ATTR_P) || !(attr & HV_SEG_ATTR_S))
			return segment_fault(st, seg);
		if ((access & EMU_ACC_WRITE) && (code || !(attr & 0x2)))
			return segment_fault(st, seg);
		if ((access & EMU_ACC_READ) && code && !(attr & 0x2))
			return segment_fault(st, seg);
		if (!code && (attr & 0x4)) {
			uint64_t top = (attr & HV_SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;

			if (offset <= s->limit || last > top)
				return segment_fault(st, seg);
			*linear = (s->base + offset) & 0xffffffffULL;
			return 0;
		}
	}
	if (last > s->limit || last < offset)
		return segment_fault(st, seg);
	*linear = (s->base + offset) & 0xffffffffULL;
	return 0;
}

/* #AC: CR0.AM, RFLAGS.AC, CPL 3 and a misaligned access (SDM "Alignment Checking"). */
static int check_alignment(struct emu_state *st, uint64_t linear, unsigned size)
{
	uint64_t rflags;
	int rc;

	if (st->ctl.cpl != 3 || !(st->ctl.cr0 & EMU_CR0_AM) || size > 8 || !(linear & (size - 1)))
		return 0;
	rc = emu_reg_get(st, EMU_REG_RFLAGS, &rflags);
	if (rc)
		return rc;
	return (rflags & EMU_FL_AC) ? emu_raise(st, EMU_VEC_AC, true, 0) : 0;
}

/*
 * An access splits at a page boundary into at most two pieces; both are translated before
 * either is performed, so a fault on the second page leaves the first untouched, as on the CPU.
 */
struct pieces {
	hv_gpa_t gpa[2];
	unsigned len[2];
	unsigned n;
};

static int translate(struct emu_state *st, uint64_t linear, unsigned size, unsigned access,
                     struct pieces *p)
{
	unsigned first = (unsigned)(HV_PAGE_SIZE - (linear & (HV_PAGE_SIZE - 1)));
	uint64_t wrap = st->mode == EMU_MODE_LONG64 ? ~0ULL : 0xffffffffULL;
	int rc;

	if (first >= size) {
		p->n = 1;
		p->len[0] = size;
		return emu_walk(st, linear, access, &p->gpa[0]);
	}
	p->n = 2;
	p->len[0] = first;
	p->len[1] = size - first;
	rc = emu_walk(st, linear, access, &p->gpa[0]);
	if (!rc)
		rc = emu_walk(st, (linear + first) & wrap, access, &p->gpa[1]);
	return rc;
}

/* RAM through the monitor's pointer; anything else is a device. */
static int piece_read(struct emu_state *st, hv_gpa_t gpa, uint8_t *buf, unsigned len)
{
	void *ram = st->ops->ram_ptr(st->opaque, gpa, len);

	if (ram) {
		memcpy(buf, ram, len);
		return 0;
	}
	return st->ops->mmio_read(st->opaque, gpa, buf, len);
}

static int piece_write(struct emu_state *st, hv_gpa_t gpa, const uint8_t *buf, unsigned len)
{
	void *ram = st->ops->ram_ptr(st->opaque, gpa, len);

	if (ram) {
		memcpy(ram, buf, len);
		return 0;
	}
	return st->ops->mmio_write(st->opaque, gpa, buf, len);
}

static int read_pieces(struct emu_state *st, const struct pieces *p, uint8_t *buf)
{
	int rc = piece_read(st, p->gpa[0], buf, p->len[0]);

	if (!rc && p->n == 2)
		rc = piece_read(st, p->gpa[1], buf + p->len[0], p->len[1]);
	return rc;
}

static int write_pieces(struct emu_state *st, const struct pieces *p, const uint8_t *buf)
{
	int rc = piece_write(st, p->gpa[0], buf, p->len[0]);

	if (!rc && p->n == 2)
		rc = piece_write(st, p->gpa[1], buf + p->len[0], p->len[1]);
	return rc;
}

/*
 * Translate and perform one access at a linear address. `walk_access` is what the page walk
 * checks (a read-modify-write's read is translated for writing: its #PF says W even though it
 * reads first). The common case, one page, takes no detour through struct pieces.
 */
static int access_linear(struct emu_state *st, uint64_t linear, void *buf, unsigned size,
                         unsigned walk_access, bool write)
{
	struct pieces p;
	int rc = check_alignment(st, linear, size);

	if (rc)
		return rc;
	if ((linear & (HV_PAGE_SIZE - 1)) + size <= HV_PAGE_SIZE) {
		rc = emu_walk(st, linear, walk_access, &p.gpa[0]);
		if (rc)
			return rc;
		return write ? piece_write(st, p.gpa[0], buf, size)
		             : piece_read(st, p.gpa[0], buf, size);
	}
	rc = translate(st, linear, size, walk_access, &p);
	if (rc)
		return rc;
	return write ? write_pieces(st, &p, buf) : read_pieces(st, &p, buf);
}

int emu_read_linear(struct emu_state *st, uint64_t linear, void *buf, unsigned size)
{
	return access_linear(st, linear, buf, size, EMU_ACC_READ, false);
}

int emu_write_linear(struct emu_state *st, uint64_t linear, const void *buf, unsigned size)
{
	return access_linear(st, linear, (void *)buf, size, EMU_ACC_WRITE, true);
}

int emu_read_mem(struct emu_state *st, unsigned seg, uint64_t offset, void *buf, unsigned size,
                 bool rmw)
{
	unsigned access = rmw ? EMU_ACC_READ | EMU_ACC_WRITE : EMU_ACC_READ;
	uint64_t linear;
	int rc = emu_linear(st, seg, offset, size, access, &linear);

	return rc ? rc
	          : access_linear(st, linear, buf, size, rmw ? EMU_ACC_WRITE : EMU_ACC_READ, false);
}

int emu_write_mem(struct emu_state *st, unsigned seg, uint64_t offset, const void *buf,
                  unsigned size)
{
	uint64_t linear;
	int rc = emu_linear(st, seg, offset, size, EMU_ACC_WRITE, &linear);

	return rc ? rc : access_linear(st, linear, (void *)buf, size, EMU_ACC_WRITE, true);
}
