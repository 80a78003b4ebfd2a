/* Instruction fetch: up to 15 bytes at CS:RIP through the guest's paging, across a page boundary. */
#include <string.h>

#include "emulator/emu_internal.h"

#define MAX_INSN 15U

int emu_fetch_start(struct emu_state *st, uint64_t *linear, unsigned *avail)
{
	const struct emu_segment *cs;
	uint64_t rip;
	int rc = emu_reg_get(st, EMU_REG_RIP, &rip);

	if (rc)
		return rc;
	*avail = MAX_INSN;
	if (st->mode == EMU_MODE_LONG64) {
		*linear = rip;
		return 0;
	}
	rc = emu_seg_get(st, EMU_SEG_CS, &cs);
	if (rc)
		return rc;
	/* Bytes past the CS limit would raise #GP(0). */
	if (rip > cs->limit)
		return emu_raise(st, EMU_VEC_GP, true, 0);
	if (cs->limit - rip + 1 < MAX_INSN)
		*avail = (unsigned)(cs->limit - rip + 1);
	*linear = (cs->base + rip) & 0xffffffffULL;
	return 0;
}

/* Copy `len` bytes of code from guest RAM; code in MMIO is not something the emulator runs. */
static int copy_code(struct emu_state *st, hv_gpa_t gpa, uint8_t *dst, unsigned len)
{
	const void *src = st->ops->ram_ptr(st->opaque, gpa, len);

	if (!src) {
		emu_log(
		    st,
		    "emulator: partition %s: instruction fetch from GPA %#llx, which is not RAM",
		    st->ctx->name, (unsigned long long)gpa);
		return -EIO;
	}
	memcpy(dst, src, len);
	return 0;
}

/*
 * The processor fetches only the bytes an instruction needs: when the second page (or the end of
 * the CS limit) is out of reach, the first part is returned with *short_rc saying why, and the
 * caller raises that fault only if the decoder really needs more bytes.
 */
int emu_fetch(struct emu_state *st, uint64_t linear, unsigned avail, uint8_t *bytes, unsigned *len,
              int *short_rc)
{
	unsigned first = (unsigned)(HV_PAGE_SIZE - (linear & (HV_PAGE_SIZE - 1)));
	hv_gpa_t gpa;
	int rc;

	*short_rc = avail < MAX_INSN ? emu_raise(st, EMU_VEC_GP, true, 0) : 0;
	if (first > avail)
		first = avail;
	rc = emu_walk(st, linear, EMU_ACC_FETCH, &gpa);
	if (!rc)
		rc = copy_code(st, gpa, bytes, first);
	if (rc)
		return rc;
	*len = first;
	if (first == avail)
		return 0;
	rc = emu_walk(st, (linear + first) & (st->mode == EMU_MODE_LONG64 ? ~0ULL : 0xffffffffULL),
	              EMU_ACC_FETCH, &gpa);
	if (!rc)
		rc = copy_code(st, gpa, bytes + first, avail - first);
	if (rc) {
		*short_rc = rc;
		return 0;
	}
	*len = avail;
	return 0;
}

bool emu_fetch_matches(struct emu_state *st, uint64_t linear, const uint8_t *bytes, unsigned len)
{
	const uint8_t *code;
	hv_gpa_t gpa;

	if ((linear & (HV_PAGE_SIZE - 1)) + len > HV_PAGE_SIZE ||
	    emu_walk(st, linear, EMU_ACC_FETCH, &gpa))
		return false;
	code = st->ops->ram_ptr(st->opaque, gpa, len);
	if (!code)
		return false;
	for (unsigned i = 0; i < len; i++)
		if (code[i] != bytes[i])
			return false;
	return true;
}
