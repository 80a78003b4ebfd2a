/* The VMX instructions behind vmx_hw.h (freestanding build only; host tests link fakes). */
#include "libhv/core/cpu.h"
#include "libhv/vmx/vmx_hw.h"

/* VMX instructions report failure in CF (VMfailInvalid) or ZF (VMfailValid). */
int asm_vmxon(hv_hpa_t region)
{
	uint8_t failed;

	__asm__ volatile("vmxon %1; setbe %0" : "=q"(failed) : "m"(region) : "cc", "memory");
	return failed;
}

int asm_vmclear(hv_hpa_t vmcs)
{
	uint8_t failed;

	__asm__ volatile("vmclear %1; setbe %0" : "=q"(failed) : "m"(vmcs) : "cc", "memory");
	return failed;
}

int asm_vmptrld(hv_hpa_t vmcs)
{
	uint8_t failed;

	__asm__ volatile("vmptrld %1; setbe %0" : "=q"(failed) : "m"(vmcs) : "cc", "memory");
	return failed;
}

int asm_invept(uint64_t type, uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = {eptp, 0};
	uint8_t failed;

	__asm__ volatile("invept %1, %2; setbe %0"
	                 : "=q"(failed)
	                 : "m"(desc), "r"(type)
	                 : "cc", "memory");
	return failed;
}

int asm_invvpid(uint64_t type, uint16_t vpid, uint64_t linear)
{
	struct {
		uint64_t vpid, linear;
	} desc = {vpid, linear};
	uint8_t failed;

	__asm__ volatile("invvpid %1, %2; setbe %0"
	                 : "=q"(failed)
	                 : "m"(desc), "r"(type)
	                 : "cc", "memory");
	return failed;
}

uint64_t asm_vmread(uint32_t field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

void asm_vmwrite(uint32_t field, uint64_t value)
{
	__asm__ volatile("vmwrite %0, %1" ::"rm"(value), "r"((uint64_t)field) : "cc");
}

void asm_write_cr4(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(value) : "memory");
}

uint64_t asm_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void asm_write_cr2(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr2" ::"r"(value) : "memory");
}

struct descriptor_table {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The base of the TSS that selector `tr` names in the GDT (a 16-byte system descriptor). */
static uint64_t tss_base(uint64_t gdt, uint16_t tr)
{
	const uint8_t *d = (const uint8_t *)(uintptr_t)(gdt + (tr & ~7U));
	uint64_t base =
	    (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 | (uint64_t)d[7] << 24;
	uint32_t high;

	__builtin_memcpy(&high, d + 8, 4);
	return base | (uint64_t)high << 32;
}

void vmx_read_host_state(struct vmx_host_state *h)
{
	struct descriptor_table gdtr, idtr;

	h->cr0 = asm_read_cr0();
	h->cr3 = asm_read_cr3();
	h->cr4 = asm_read_cr4();
	__asm__ volatile("mov %%cs, %0" : "=r"(h->cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(h->ss));
	__asm__ volatile("mov %%ds, %0" : "=r"(h->ds));
	__asm__ volatile("mov %%es, %0" : "=r"(h->es));
	__asm__ volatile("mov %%fs, %0" : "=r"(h->fs));
	__asm__ volatile("mov %%gs, %0" : "=r"(h->gs));
	__asm__ volatile("str %0" : "=r"(h->tr));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("sidt %0" : "=m"(idtr));
	h->gdtr_base = gdtr.base;
	h->idtr_base = idtr.base;
	h->tr_base = tss_base(gdtr.base, h->tr);
	h->fs_base = asm_rdmsr(MSR_FS_BASE);
	h->gs_base = asm_rdmsr(MSR_GS_BASE);
	h->efer = asm_rdmsr(MSR_EFER);
	h->pat = asm_rdmsr(MSR_PAT);
	h->sysenter_cs = asm_rdmsr(MSR_SYSENTER_CS);
	h->sysenter_esp = asm_rdmsr(MSR_SYSENTER_ESP);
	h->sysenter_eip = asm_rdmsr(MSR_SYSENTER_EIP);
}
