/* libFuzzer target: the hypercall decoder and synthetic MSRs, from the VMMCALL exit to re-entry. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hv/abi/hv_enlightenment.h>
#include <hv/abi/hv_hypercall.h>

#include "libhv/core/hv_internal.h"
#include "test/fakes/fake_partition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RW_PAGES  4U
#define RO_PAGES  1U
#define RAM_BYTES ((RW_PAGES + RO_PAGES) * HV_PAGE_SIZE)
#define HEADER    26U

/* Codes worth hitting often: the ones libhv serves, and neighbours of the root-only range. */
static const uint16_t codes[] = {
    HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
    HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
    HVCALL_NOTIFY_LONG_SPIN_WAIT,
    HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
    HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
    HVCALL_GET_PARTITION_ID,
    HVCALL_POST_MESSAGE,
    HVCALL_SIGNAL_EVENT,
    HVCALL_SEND_SYNTHETIC_CLUSTER_IPI,
    HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX,
    HVCALL_EXT_QUERY_CAPABILITIES,
    HVCALL_CREATE_PARTITION,
    HVCALL_MAP_GPA_PAGES,
    HVCALL_GET_VP_INDEX_FROM_APIC_ID,
};

static const uint32_t msrs[] = {HV_X64_MSR_GUEST_OS_ID,    HV_X64_MSR_HYPERCALL,
                                HV_X64_MSR_VP_INDEX,       HV_X64_MSR_VP_ASSIST_PAGE,
                                HV_X64_MSR_TIME_REF_COUNT, HV_X64_MSR_LAST};

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static bool known_status(uint16_t st)
{
	switch (st) {
	case HV_STATUS_SUCCESS:
	case HV_STATUS_INVALID_HYPERCALL_CODE:
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_ALIGNMENT:
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_ACCESS_DENIED:
	case HV_STATUS_INVALID_PARTITION_ID: /* GetVpIndexFromApicId */
	case HV_STATUS_INVALID_PORT_ID:
	case HV_STATUS_INVALID_CONNECTION_ID: return true;
	default: return false;
	}
}

/*
 * Input: [0] what to do and in which mode, [1] a call-code pick, [2..25] control, RDX, R8,
 * then the partition's RAM (4 writable pages, 1 read-only). Byte 1's high bits pull the GPAs
 * into RAM so the handlers, not only the page checks, see most inputs.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rom_before[RO_PAGES * HV_PAGE_SIZE];
	static bool ready;
	struct fake_insn_result r;
	uint64_t control, rdx, r8;
	enum fake_mode mode;
	uint8_t op, pick;

	if (size < HEADER)
		return 0;
	if (!ready) {
		fake_partition_setup(RW_PAGES, RO_PAGES);
		ready = true;
	}
	op = data[0];
	pick = data[1];
	control = u64_at(data + 2);
	rdx = u64_at(data + 10);
	r8 = u64_at(data + 18);
	memset(fake_part.ram, 0, RAM_BYTES);
	memcpy(fake_part.ram, data + HEADER, size - HEADER < RAM_BYTES ? size - HEADER : RAM_BYTES);
	memcpy(rom_before, fake_part.ram + fake_part.ro_gpa, sizeof(rom_before));
	/* Each input starts from a fresh guest: privileges and MSRs of a new child. */
	hv_synthetic_partition_init(fake_part.p);
	if (op & 0x20)
		fake_part.p->synthetic.privileges |= HV_PRIV_ACCESS_PARTITION_ID;
	if (op & 0x40)
		fake_part.p->synthetic.privileges |= HV_PRIV_ENABLE_EXT_HYPERCALLS;
	if (op & 0x80)
		fake_part.p->synthetic.privileges = 0;
	mode = (enum fake_mode)((op >> 2) & 3);
	fake_partition_set_mode(mode);

	if (pick & 0x80)
		control = (control & ~HV_HYPERCALL_CODE_MASK) | codes[pick % (sizeof(codes) / 2)];
	if (pick & 0x40)
		control &= ~HV_HYPERCALL_RESERVED_MASK;
	if (pick & 0x20) {
		rdx &= RAM_BYTES - 1;
		r8 &= RAM_BYTES - 1;
	}

	switch (op & 3) {
	case 0: r = fake_vmmcall(control, rdx, r8); break;
	case 1:
		r = fake_vmmcall32((uint32_t)control, (uint32_t)(control >> 32),
		                   (uint32_t)(rdx >> 32), (uint32_t)rdx, (uint32_t)r8,
		                   (uint32_t)(r8 >> 32));
		break;
	case 2:
		r = fake_wrmsr(msrs[pick % (sizeof(msrs) / sizeof(msrs[0]))], rdx);
		r = fake_wrmsr(msrs[(pick >> 3) % (sizeof(msrs) / sizeof(msrs[0]))], r8);
		break;
	default:
		fake_wrmsr(HV_X64_MSR_GUEST_OS_ID, 0x8100ULL << 48);
		fake_wrmsr(HV_X64_MSR_HYPERCALL, (rdx & (RAM_BYTES - 1)) | 1);
		r = fake_vmmcall(control, rdx, r8);
		break;
	}

	/* Nobody writes the read-only page, and the result value has only the defined fields. */
	if (memcmp(rom_before, fake_part.ram + fake_part.ro_gpa, sizeof(rom_before)))
		abort();
	if ((op & 3) != 2 && r.event_inject == 0) {
		/* The calling convention follows the mode: EDX:EAX in protected mode. */
		bool conv32 = mode == FAKE_MODE_PROT32;
		uint64_t result = conv32 ? (r.rdx << 32) | (uint32_t)r.rax : r.rax;
		uint16_t reps = (uint16_t)(result >> HV_HYPERCALL_RESULT_REPS_SHIFT);
		bool same_control = conv32 == ((op & 3) == 1);

		if (result & ~(HV_HYPERCALL_RESULT_STATUS_MASK | HV_HYPERCALL_RESULT_REPS_MASK))
			abort();
		if (!known_status((uint16_t)result))
			abort();
		if (same_control && reps > ((control & HV_HYPERCALL_REP_COUNT_MASK) >>
		                            HV_HYPERCALL_REP_COUNT_SHIFT))
			abort();
		if (r.rip_advance != 3)
			abort();
	}
	return 0;
}
