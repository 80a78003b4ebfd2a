/* struct emu_ops over libhv's VP registers, a guest_ram and an mmio_bus: the emulator for any monitor. */
#include "monitor/vp_emu.h"

#include "monitor/console.h"
#include "monitor/lib/errno.h"

static int get(struct vp_emu_target *t, uint32_t name, union hv_register_value *v)
{
	return hv_vp_get_registers(t->vp, &name, 1, v) == HV_STATUS_SUCCESS ? 0 : -EINVAL;
}

static int set(struct vp_emu_target *t, uint32_t name, const union hv_register_value *v)
{
	return hv_vp_set_registers(t->vp, &name, 1, v) == HV_STATUS_SUCCESS ? 0 : -EINVAL;
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
	union hv_register_value v = {0};
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
	union hv_register_value v = {0};
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
	                                 HV_X64_REGISTER_SS,  HV_X64_REGISTER_CS};
	union hv_register_value v[6];
	struct vp_emu_target *t = opaque;
	const struct hv_capabilities *caps = hv_capabilities();

	if (hv_vp_get_registers(t->vp, names, 6, v) != HV_STATUS_SUCCESS)
		return -EINVAL;
	out->cr0 = v[0].reg64;
	out->cr3 = v[1].reg64;
	out->cr4 = v[2].reg64;
	out->efer = v[3].reg64;
	out->xcr0 = 0; /* XSAVE is hidden from children: no VEX-encoded vector moves */
	/* The CPL is SS.DPL whenever SS is loaded, on both vendors. */
	out->cpl = (uint8_t)((v[4].segment.attributes >> HV_SEG_ATTR_DPL_SHIFT) & 3);
	out->phys_bits = caps ? caps->guest_phys_bits : 0;
	out->cs_attributes = v[5].segment.attributes;
	return 0;
}

static void *ram_ptr(void *opaque, hv_gpa_t gpa, size_t len)
{
	struct vp_emu_target *t = opaque;

	return guest_ram_ptr(t->ram, gpa, len);
}

/* Unclaimed MMIO reads as all ones and drops writes, like an empty PC bus; logged once per page. */
static void note_unclaimed(struct vp_emu_target *t, hv_gpa_t gpa, bool write)
{
	hv_gpa_t page = gpa & ~0xfffULL;

	t->unclaimed_seen++;
	for (uint32_t i = 0; i < t->nlogged && i < VP_EMU_LOGGED_MAX; i++)
		if (t->logged_pages[i] == page)
			return;
	if (t->nlogged >= VP_EMU_LOGGED_MAX)
		return;
	t->logged_pages[t->nlogged++] = page;
	kprintf("monitor: partition %s: %s at unclaimed MMIO %#llx: %s%s\n", t->name,
	        write ? "write" : "read", (unsigned long long)gpa, write ? "dropped" : "all ones",
	        t->nlogged == VP_EMU_LOGGED_MAX ? "; further pages are not logged" : "");
}

static int mmio_read(void *opaque, hv_gpa_t gpa, void *buf, unsigned len)
{
	struct vp_emu_target *t = opaque;

	if (!mmio_bus_read(t->mmio, gpa, buf, len))
		note_unclaimed(t, gpa, false);
	return 0;
}

static int mmio_write(void *opaque, hv_gpa_t gpa, const void *buf, unsigned len)
{
	struct vp_emu_target *t = opaque;

	if (!mmio_bus_write(t->mmio, gpa, buf, len))
		note_unclaimed(t, gpa, true);
	return 0;
}

static int read_vector(void *opaque, unsigned reg, void *buf, unsigned len)
{
	union hv_register_value v = {0};
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
	struct vp_emu_target *t = opaque;

	if (vector == 14) { /* #PF: the faulting linear address goes to CR2 first */
		union hv_register_value v = {.reg64 = cr2};

		if (set(t, HV_X64_REGISTER_CR2, &v))
			return -EINVAL;
	}
	return hv_vp_inject_exception(t->vp, vector, has_error_code, error_code) ==
	               HV_STATUS_SUCCESS
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

/* INS/OUTS: the port side of a string instruction, on the partition's port bus. */
static int port_read(void *opaque, uint16_t port, unsigned size, uint32_t *value)
{
	struct vp_emu_target *t = opaque;

	if (!t->io)
		return -EINVAL;
	if (!io_bus_read(t->io, port, (uint8_t)size, value))
		*value = io_bus_unclaimed_value((uint8_t)size);
	return 0;
}

static int port_write(void *opaque, uint16_t port, unsigned size, uint32_t value)
{
	struct vp_emu_target *t = opaque;

	if (!t->io)
		return -EINVAL;
	io_bus_write(t->io, port, (uint8_t)size, value);
	return 0;
}

const struct emu_ops vp_emu_ops = {
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
    .port_read = port_read,
    .port_write = port_write,
};
