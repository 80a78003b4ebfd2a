/* The VMX instructions in host tests: VMCS fields in memory, a test function plays the guest. */
#include <stdlib.h>
#include <string.h>

#include "fake_hv.h"
#include "fake_vmx.h"
#include "libhv/vmx/vmx_hw.h"

#define MAX_VMCS   16
#define MAX_FIELDS 160
#define SLOTS      512U /* open addressing, a power of two well above MAX_FIELDS */

/* Fields in a small hash table: VMREAD/VMWRITE stay cheap, so benchmarks measure libhv. */
struct fake_vmcs {
	hv_hpa_t hpa;
	bool used;
	unsigned nfields;
	struct {
		bool used;
		uint32_t field;
		uint64_t value;
	} fields[SLOTS];
};

static struct fake_vmcs vmcss[MAX_VMCS];
static struct fake_vmcs *current;
static fake_vmx_guest_fn guest_fn;
static void *guest_ctx;
static unsigned entries, invepts, vmxons;
static bool last_launch;
static uint64_t cr2, cr4 = 0x20;

void fake_vmx_set_guest(fake_vmx_guest_fn fn, void *ctx)
{
	guest_fn = fn;
	guest_ctx = ctx;
	entries = 0;
}

static struct fake_vmcs *find(hv_hpa_t hpa, bool create)
{
	for (unsigned i = 0; i < MAX_VMCS; i++)
		if (vmcss[i].used && vmcss[i].hpa == hpa)
			return &vmcss[i];
	if (!create)
		return NULL;
	for (unsigned i = 0; i < MAX_VMCS; i++)
		if (!vmcss[i].used) {
			memset(&vmcss[i], 0, sizeof(vmcss[i]));
			vmcss[i].used = true;
			vmcss[i].hpa = hpa;
			return &vmcss[i];
		}
	abort();
}

int asm_vmxon(hv_hpa_t region)
{
	(void)fake_host_ops.hpa_to_hva(region);
	vmxons++;
	return 0;
}

int asm_vmclear(hv_hpa_t vmcs)
{
	struct fake_vmcs *v = find(vmcs, true);

	if (current == v)
		current = NULL;
	return 0;
}

int asm_vmptrld(hv_hpa_t vmcs)
{
	/* The region must be a page libhv owns, with the revision identifier in it. */
	if (*(uint32_t *)fake_host_ops.hpa_to_hva(vmcs) == 0)
		return 1;
	current = find(vmcs, true);
	return 0;
}

int asm_invept(uint64_t type, uint64_t eptp)
{
	(void)type;
	(void)eptp;
	invepts++;
	return 0;
}

int asm_invvpid(uint64_t type, uint16_t vpid, uint64_t linear)
{
	(void)type;
	(void)vpid;
	(void)linear;
	return 0;
}

/* The slot holding `field`, or the empty one where it would go. */
static unsigned slot_of(const struct fake_vmcs *v, uint32_t field)
{
	unsigned i = (field * 2654435761U) >> 23; /* 9 bits: SLOTS */

	while (v->fields[i].used && v->fields[i].field != field)
		i = (i + 1) & (SLOTS - 1);
	return i;
}

uint64_t fake_vmcs_get(uint32_t field)
{
	unsigned i;

	if (!current)
		abort(); /* VMREAD without a current VMCS: a libhv bug */
	i = slot_of(current, field);
	return current->fields[i].used ? current->fields[i].value : 0;
}

void fake_vmcs_set(uint32_t field, uint64_t value)
{
	unsigned i;

	if (!current)
		abort();
	i = slot_of(current, field);
	if (!current->fields[i].used) {
		if (current->nfields == MAX_FIELDS)
			abort();
		current->nfields++;
		current->fields[i].used = true;
		current->fields[i].field = field;
	}
	current->fields[i].value = value;
}

uint64_t asm_vmread(uint32_t field)
{
	return fake_vmcs_get(field);
}

void asm_vmwrite(uint32_t field, uint64_t value)
{
	/* 16- and 32-bit fields keep only their width, as the processor does. */
	switch ((field >> 13) & 3) {
	case 0: value &= 0xffff; break;
	case 2: value &= 0xffffffffULL; break;
	default: break;
	}
	fake_vmcs_set(field, value);
}

void asm_write_cr4(uint64_t value)
{
	cr4 = value;
}

uint64_t fake_vmx_cr4(void)
{
	return cr4;
}

uint64_t asm_read_cr2(void)
{
	return cr2;
}

void asm_write_cr2(uint64_t value)
{
	cr2 = value;
}

int vmx_enter_guest(uint64_t *gprs, int launched)
{
	entries++;
	last_launch = !launched;
	if (!guest_fn)
		abort();
	return guest_fn(gprs, guest_ctx);
}

void vmx_exit_point(void)
{
}

void vmx_read_host_state(struct vmx_host_state *out)
{
	memset(out, 0, sizeof(*out));
	out->cr0 = 0x80000033;
	out->cr4 = cr4;
	out->cs = 0x08;
	out->ss = out->ds = out->es = 0x10;
	out->tr = 0x18;
	out->efer = 0xd00;
	out->pat = 0x0007040600070406ULL;
}

unsigned fake_vmx_entries(void)
{
	return entries;
}

bool fake_vmx_last_entry_was_launch(void)
{
	return last_launch;
}

unsigned fake_vmx_invept_count(void)
{
	return invepts;
}

unsigned fake_vmx_vmxon_count(void)
{
	return vmxons;
}
