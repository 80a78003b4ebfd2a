/* A ready-made partition for host tests and fuzzers: RAM at GPA 0, one VP in 64-bit mode at CPL 0. */
#include <stdlib.h>
#include <string.h>

#include "fake_partition.h"
#include "libhv/svm/svm_internal.h"

struct fake_partition fake_part;

static void die(const char *why)
{
	(void)why;
	abort();
}

static void set_reg(uint32_t name, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	if (hv_vp_set_registers(fake_part.vp, &name, 1, &v) != HV_STATUS_SUCCESS)
		die("set register");
}

static uint64_t get_reg(uint32_t name)
{
	union hv_register_value v;

	if (hv_vp_get_registers(fake_part.vp, &name, 1, &v) != HV_STATUS_SUCCESS)
		die("get register");
	return v.reg64;
}

static void set_segment(uint32_t name, uint16_t selector, uint16_t attributes)
{
	union hv_register_value v = {
	    .segment = {
	        .base = 0, .limit = 0xffffffff, .selector = selector, .attributes = attributes}};

	if (hv_vp_set_registers(fake_part.vp, &name, 1, &v) != HV_STATUS_SUCCESS)
		die("set segment");
}

void fake_partition_set_mode(enum fake_mode mode)
{
	switch (mode) {
	case FAKE_MODE_LONG64:
	case FAKE_MODE_USER64:
		set_reg(HV_X64_REGISTER_CR0, CR0_PE | CR0_PG | CR0_ET | CR0_NE);
		set_reg(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA);
		set_segment(HV_X64_REGISTER_CS, mode == FAKE_MODE_USER64 ? 0x2b : 0x08,
		            mode == FAKE_MODE_USER64 ? 0xa0fb : 0xa09b);
		set_segment(HV_X64_REGISTER_SS, mode == FAKE_MODE_USER64 ? 0x23 : 0x10,
		            mode == FAKE_MODE_USER64 ? 0xc0f3 : 0xc093);
		break;
	case FAKE_MODE_PROT32:
		set_reg(HV_X64_REGISTER_CR0, CR0_PE | CR0_ET | CR0_NE);
		set_reg(HV_X64_REGISTER_EFER, 0);
		set_segment(HV_X64_REGISTER_CS, 0x08, 0xc09b);
		set_segment(HV_X64_REGISTER_SS, 0x10, 0xc093);
		break;
	case FAKE_MODE_REAL:
		set_reg(HV_X64_REGISTER_CR0, CR0_ET);
		set_reg(HV_X64_REGISTER_EFER, 0);
		set_segment(HV_X64_REGISTER_CS, 0, 0x009b);
		set_segment(HV_X64_REGISTER_SS, 0, 0x0093);
		break;
	}
	set_reg(HV_X64_REGISTER_RIP, 0x100000);
}

void fake_partition_setup(uint32_t rw_pages, uint32_t ro_pages)
{
	struct hv_partition_config config = {.name = "guest", .max_vps = 1};
	uint64_t pages = (uint64_t)rw_pages + ro_pages;
	hv_hpa_t hpa;

	memset(&fake_part, 0, sizeof(fake_part));
	fake_host_reset();
	fake_cpu_reset_amd();
	if (hv_init(&fake_host_ops) != HV_STATUS_SUCCESS)
		die("hv_init");
	hpa = fake_host_ops.alloc_pages(pages, 1);
	if (!hpa)
		die("RAM");
	fake_part.base_pages = fake_host_pages_in_use();
	if (hv_partition_create(&config, &fake_part.p) != HV_STATUS_SUCCESS)
		die("partition");
	fake_part.ram = fake_host_ops.hpa_to_hva(hpa);
	fake_part.ram_size = (uint64_t)rw_pages * HV_PAGE_SIZE;
	fake_part.ro_gpa = fake_part.ram_size;
	fake_part.ro_size = (uint64_t)ro_pages * HV_PAGE_SIZE;
	if (rw_pages && hv_gpa_map(fake_part.p, 0, hpa, fake_part.ram_size,
	                           HV_MAP_GPA_RWX | HV_MAP_GPA_NO_LARGE_PAGES) != HV_STATUS_SUCCESS)
		die("map RAM");
	if (ro_pages && hv_gpa_map(fake_part.p, fake_part.ro_gpa, hpa + fake_part.ram_size,
	                           fake_part.ro_size, HV_MAP_GPA_READABLE) != HV_STATUS_SUCCESS)
		die("map ROM");
	if (hv_vp_create(fake_part.p, 0, &fake_part.vp) != HV_STATUS_SUCCESS)
		die("VP");
	fake_partition_set_mode(FAKE_MODE_LONG64);
}

void fake_partition_teardown(void)
{
	if (fake_part.p)
		hv_partition_delete(fake_part.p);
	fake_host_reset();
	memset(&fake_part, 0, sizeof(fake_part));
}

/* The scripted guest: entry 0 raises the exit set up in `pending`, entry 1 records and HLTs. */
struct pending {
	unsigned step;
	uint64_t exit_code, exit_info1;
	uint64_t rax;
	uint64_t gprs[SVM_GPR_COUNT];
	bool set_gpr[SVM_GPR_COUNT];
	uint8_t length;
	uint64_t event_inject;
	uint8_t tlb_control;
};

static void play(struct vmcb *v, uint64_t *gprs, void *ctx)
{
	struct pending *p = ctx;

	if (p->step++ == 0) {
		v->control.exit_code = p->exit_code;
		v->control.exit_info1 = p->exit_info1;
		v->control.next_rip = v->save.rip + p->length;
		v->save.rax = p->rax;
		for (unsigned i = 0; i < SVM_GPR_COUNT; i++)
			if (p->set_gpr[i])
				gprs[i] = p->gprs[i];
		return;
	}
	p->event_inject = v->control.event_inject;
	p->tlb_control = v->control.tlb_control;
	v->control.event_inject = 0;
	v->control.exit_code = SVM_EXIT_HLT;
	v->control.exit_info1 = 0;
	v->control.next_rip = v->save.rip + 1;
}

static struct fake_insn_result run(struct pending *p)
{
	struct fake_insn_result r;
	uint64_t rip = get_reg(HV_X64_REGISTER_RIP);
	struct hv_exit e;

	fake_svm_set_guest(play, p);
	if (hv_vp_run(fake_part.vp, &e) != HV_STATUS_SUCCESS || e.reason != HV_EXIT_HLT ||
	    p->step != 2)
		die("run");
	r.rax = get_reg(HV_X64_REGISTER_RAX);
	r.rdx = get_reg(HV_X64_REGISTER_RDX);
	r.rip_advance = e.rip - rip;
	r.event_inject = p->event_inject;
	r.tlb_control = p->tlb_control;
	set_reg(HV_X64_REGISTER_RIP, rip); /* ready for the next instruction */
	return r;
}

static void load(struct pending *p, enum svm_gpr g, uint64_t value)
{
	if (g == SVM_GPR_RAX) {
		p->rax = value;
		return;
	}
	p->gprs[g] = value;
	p->set_gpr[g] = true;
}

struct fake_insn_result fake_vmmcall(uint64_t rcx, uint64_t rdx, uint64_t r8)
{
	struct pending p = {.exit_code = SVM_EXIT_VMMCALL, .length = 3};

	load(&p, SVM_GPR_RAX, 0x5a5a5a5a5a5a5a5aULL);
	load(&p, SVM_GPR_RCX, rcx);
	load(&p, SVM_GPR_RDX, rdx);
	load(&p, SVM_GPR_R8, r8);
	return run(&p);
}

struct fake_insn_result fake_vmmcall32(uint32_t eax, uint32_t edx, uint32_t ebx, uint32_t ecx,
                                       uint32_t esi, uint32_t edi)
{
	struct pending p = {.exit_code = SVM_EXIT_VMMCALL, .length = 3};

	load(&p, SVM_GPR_RAX, eax);
	load(&p, SVM_GPR_RDX, edx);
	load(&p, SVM_GPR_RBX, ebx);
	load(&p, SVM_GPR_RCX, ecx);
	load(&p, SVM_GPR_RSI, esi);
	load(&p, SVM_GPR_RDI, edi);
	return run(&p);
}

struct fake_insn_result fake_rdmsr(uint32_t index)
{
	struct pending p = {.exit_code = SVM_EXIT_MSR, .exit_info1 = 0, .length = 2};

	load(&p, SVM_GPR_RAX, 0x5a5a5a5a5a5a5a5aULL);
	load(&p, SVM_GPR_RCX, index);
	load(&p, SVM_GPR_RDX, 0x5a5a5a5a5a5a5a5aULL);
	return run(&p);
}

struct fake_insn_result fake_wrmsr(uint32_t index, uint64_t value)
{
	struct pending p = {.exit_code = SVM_EXIT_MSR, .exit_info1 = 1, .length = 2};

	load(&p, SVM_GPR_RAX, (uint32_t)value);
	load(&p, SVM_GPR_RCX, index);
	load(&p, SVM_GPR_RDX, value >> 32);
	return run(&p);
}
