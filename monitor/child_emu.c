/* struct emu_ops for a child partition: registers through libhv, RAM through guest_ram, MMIO through its bus. */
#include "monitor/child.h"
#include "monitor/child_emu.h"
#include "monitor/console.h"
#include "monitor/lib/errno.h"

static int get(struct child *c, uint32_t name, union hv_register_value *v)
{
	return hv_vp_get_registers(c->vp, &name, 1, v) == HV_STATUS_SUCCESS ? 0 : -EINVAL;
}

static int set(struct child *c, uint32_t name, const union hv_register_value *v)
{
	return hv_vp_set_registers(c->vp, &name, 1, v) == HV_STATUS_SUCCESS ? 0 : -EINVAL;
}

/* EMU_REG_RAX..R15 follow the x86 encoding, as TLFS's names do; then RIP and RFLAGS. */
static uint32_t register_name(enum emu_reg reg)
{
	if (reg <= EMU_REG_R15)
		return HV_X64_REGISTER_RAX + (uint32_t)reg;
	return reg == EMU_REG_RIP ? HV_X64_REGISTER_RIP : HV_X64_REGISTER_RFLAGS;
}

static int read_reg(void *opaque, enum emu_reg reg, uint64_t *value)
{
	union hv_register_value v;
	int rc = get(opaque, register_name(reg), &v);

	*value = v.reg64;
	return rc;
}

static int write_reg(void *opaque, enum emu_reg reg, uint64_t value)
{
	union hv_register_value v = {.reg64 = value};

	return set(opaque, register_name(reg), &v);
}

static int read_segment(void *opaque, enum emu_seg seg, struct emu_segment *out)
{
	union hv_register_value v;
	int rc = get(opaque, HV_X64_REGISTER_ES + (uint32_t)seg, &v);

	out->base = v.segment.base;
	out->limit = v.segment.limit;
	out->selector = v.segment.selector;
	out->attributes = v.segment.attributes;
	return rc;
}

static int read_control(void *opaque, struct emu_control *out)
{
	static const uint32_t names[] = {HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR3,
					 HV_X64_REGISTER_CR4, HV_X64_REGISTER_EFER,
					 HV_X64_REGISTER_SS};
	union hv_register_value v[5];
	struct child *c = opaque;
	const struct hv_capabilities *caps = hv_capabilities();

	if (hv_vp_get_registers(c->vp, names, 5, v) != HV_STATUS_SUCCESS)
		return -EINVAL;
	out->cr0 = v[0].reg64;
	out->cr3 = v[1].reg64;
	out->cr4 = v[2].reg64;
	out->efer = v[3].reg64;
	out->xcr0 = 0; /* XSAVE is hidden from children: no VEX-encoded vector moves */
	/* The CPL is SS.DPL whenever SS is loaded, on both vendors. */
	out->cpl = (uint8_t)((v[4].segment.attributes >> HV_SEG_ATTR_DPL_SHIFT) & 3);
	out->phys_bits = caps ? caps->guest_phys_bits : 0;
	return 0;
}

static void *ram_ptr(void *opaque, hv_gpa_t gpa, size_t len)
{
	struct child *c = opaque;

	return guest_ram_ptr(&c->ram, gpa, len);
}

/* Unclaimed MMIO reads as all ones and drops writes, like an empty PC bus; logged once per page. */
static void note_unclaimed_mmio(struct child *c, hv_gpa_t gpa, bool write)
{
	hv_gpa_t page = gpa & ~0xfffULL;

	for (uint32_t i = 0; i < c->nlogged_mmio; i++)
		if (c->logged_mmio[i] == page)
			return;
	if (c->nlogged_mmio == CHILD_LOGGED_MMIO_MAX)
		return;
	c->logged_mmio[c->nlogged_mmio++] = page;
	kprintf("monitor: partition %s: %s at unclaimed MMIO %#llx: %s%s\n", c->name,
		write ? "write" : "read", (unsigned long long)gpa,
		write ? "dropped" : "all ones",
		c->nlogged_mmio == CHILD_LOGGED_MMIO_MAX ? "; further pages are not logged" : "");
}

static int mmio_read(void *opaque, hv_gpa_t gpa, void *buf, unsigned len)
{
	struct child *c = opaque;

	if (!mmio_bus_read(&c->platform.mmio, gpa, buf, len))
		note_unclaimed_mmio(c, gpa, false);
	return 0;
}

static int mmio_write(void *opaque, hv_gpa_t gpa, const void *buf, unsigned len)
{
	struct child *c = opaque;

	if (!mmio_bus_write(&c->platform.mmio, gpa, buf, len))
		note_unclaimed_mmio(c, gpa, true);
	return 0;
}

static int read_vector(void *opaque, unsigned reg, void *buf, unsigned len)
{
	union hv_register_value v;
	int rc;

	if (reg > 15 || len != 16)
		return -EINVAL; /* XMM only: YMM state is not exposed to children */
	rc = get(opaque, HV_X64_REGISTER_XMM0 + reg, &v);
	__builtin_memcpy(buf, v.reg128, 16);
	return rc;
}

static int write_vector(void *opaque, unsigned reg, const void *buf, unsigned len)
{
	union hv_register_value v;

	if (reg > 15 || len != 16)
		return -EINVAL;
	__builtin_memcpy(v.reg128, buf, 16);
	return set(opaque, HV_X64_REGISTER_XMM0 + reg, &v);
}

static int inject_exception(void *opaque, uint8_t vector, bool has_error_code, uint32_t error_code,
			    uint64_t cr2)
{
	struct child *c = opaque;

	if (vector == 14) {
		union hv_register_value v = {.reg64 = cr2};

		if (set(c, HV_X64_REGISTER_CR2, &v))
			return -EINVAL;
	}
	return hv_vp_inject_exception(c->vp, vector, has_error_code, error_code) == HV_STATUS_SUCCESS
		       ? 0
		       : -EINVAL;
}

static void log_line(void *opaque, const char *fmt, va_list ap)
{
	(void)opaque;
	kprintf("monitor: ");
	kvprintf(fmt, ap);
	kprintf("\n");
}

const struct emu_ops child_emu_ops = {
	.read_reg = read_reg,
	.write_reg = write_reg,
	.read_segment = read_segment,
	.read_control = read_control,
	.ram_ptr = ram_ptr,
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
	.read_vector = read_vector,
	.write_vector = write_vector,
	.inject_exception = inject_exception,
	.log = log_line,
};
