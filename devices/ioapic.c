/* The I/O APIC: indirect register window, redirection entries, messages to the local APICs, remote IRR. */
#include <string.h>

#include "devices/ioapic.h"

void ioapic_init(struct ioapic *io, uint8_t id)
{
	memset(io, 0, sizeof(*io));
	io->id = ((uint32_t)id << 24) & IOAPIC_ID_MASK;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_RESET;
}

uint64_t ioapic_entry(const struct ioapic *io, unsigned pin)
{
	return pin < IOAPIC_PINS ? io->rte[pin] : 0;
}

void ioapic_set_bus(struct ioapic *io, const struct ioapic_bus *bus)
{
	io->bus = bus ? *bus : (struct ioapic_bus){0};
}

/* Send pin's interrupt message; true when a local APIC accepted it. */
static bool send(struct ioapic *io, unsigned pin)
{
	io->messages++;
	return io->bus.deliver ? io->bus.deliver(io->bus.opaque, io->rte[pin]) : true;
}

/* A level entry asserts while its line is high: one message, then remote IRR until the EOI. */
static void service_level(struct ioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];

	if (!(e & IOAPIC_RTE_LEVEL) || (e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) ||
	    !(io->levels & (1U << pin)))
		return;
	/* Remote IRR only for a message some APIC took: nothing would EOI the others. */
	if (send(io, pin))
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
}

void ioapic_set_irq(struct ioapic *io, unsigned line, bool level)
{
	bool rising;
	uint64_t e;

	if (line >= IOAPIC_PINS)
		return;
	rising = level && !(io->levels & (1U << line));
	if (level)
		io->levels |= 1U << line;
	else
		io->levels &= ~(1U << line);
	e = io->rte[line];
	if (e & IOAPIC_RTE_LEVEL)
		service_level(io, line);
	else if (rising && !(e & IOAPIC_RTE_MASKED))
		send(io, line);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned i = 0; i < IOAPIC_PINS; i++) {
		uint64_t *e = &io->rte[i];

		if ((*e & IOAPIC_RTE_LEVEL) && (*e & IOAPIC_RTE_VECTOR) == vector) {
			*e &= ~IOAPIC_RTE_REMOTE_IRR;
			service_level(io, i);
		}
	}
}

static uint32_t read_register(const struct ioapic *io)
{
	uint32_t reg = io->ioregsel & 0xFFU, pin;

	switch (reg) {
	case IOAPIC_REG_ID: return io->id;
	case IOAPIC_REG_VERSION: return IOAPIC_VERSION;
	case IOAPIC_REG_ARB: return io->id; /* arbitration ID is loaded from the APIC ID */
	default:
		pin = (reg - IOAPIC_REG_REDTBL) / 2;
		if (reg < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
			return 0;
		return (uint32_t)(io->rte[pin] >> (reg & 1U ? 32 : 0));
	}
}

static void write_register(struct ioapic *io, uint32_t value)
{
	uint32_t reg = io->ioregsel & 0xFFU, pin;
	uint64_t old, rw, v;

	if (reg == IOAPIC_REG_ID) {
		io->id = value & IOAPIC_ID_MASK;
		return;
	}
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	if (reg < IOAPIC_REG_REDTBL || pin >= IOAPIC_PINS)
		return; /* version, arbitration and unimplemented registers are read-only */
	old = io->rte[pin];
	rw = IOAPIC_RTE_RW & (reg & 1U ? 0xFFFFFFFF00000000ULL : 0x00000000FFFFFFFFULL);
	v = (uint64_t)value << (reg & 1U ? 32 : 0);
	io->rte[pin] = (old & ~rw) | (v & rw);
	/* An entry switched to edge has no remote IRR (it only means something for level). */
	if (!(io->rte[pin] & IOAPIC_RTE_LEVEL))
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
	/* Unmasking a level entry whose line is asserted sends its message now. */
	service_level(io, pin);
}

static bool is_dword(uint64_t offset, unsigned len)
{
	return len == 4 && (offset & 3U) == 0;
}

static void ioapic_mmio_read(void *opaque, uint64_t offset, void *buf, unsigned len)
{
	struct ioapic *io = opaque;
	uint32_t v = 0;

	memset(buf, 0, len);
	if (!is_dword(offset, len)) {
		io->bad_accesses++;
		return;
	}
	if (offset == IOAPIC_IOREGSEL)
		v = io->ioregsel;
	else if (offset == IOAPIC_IOWIN)
		v = read_register(io);
	memcpy(buf, &v, 4);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, const void *buf, unsigned len)
{
	struct ioapic *io = opaque;
	uint32_t v;

	if (!is_dword(offset, len)) {
		io->bad_accesses++;
		return;
	}
	memcpy(&v, buf, 4);
	if (offset == IOAPIC_IOREGSEL)
		io->ioregsel = v & 0xFFU;
	else if (offset == IOAPIC_IOWIN)
		write_register(io, v);
	else if (offset == IOAPIC_EOI)
		ioapic_eoi(io, (uint8_t)v);
}

const struct mmio_device_ops ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
};
