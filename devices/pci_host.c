/* PCI configuration mechanism #1: the address latch, and a host bridge as the only function. */
#include <stdbool.h>
#include <string.h>

#include "devices/pci_host.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void pci_host_init(struct pci_host *pci)
{
	memset(pci, 0, sizeof(*pci));
	put16(&pci->config[PCI_VENDOR_ID], PCI_HOST_VENDOR);
	put16(&pci->config[PCI_DEVICE_ID], PCI_HOST_DEVICE);
	put16(&pci->config[PCI_COMMAND], PCI_HOST_COMMAND);
	put16(&pci->config[PCI_STATUS], PCI_HOST_STATUS);
	pci->config[PCI_REVISION] = PCI_HOST_REVISION;
	put16(&pci->config[PCI_CLASS_DEVICE], PCI_HOST_CLASS);
	pci->config[PCI_HEADER_TYPE] = 0x00;
}

static bool is_writable(unsigned reg)
{
	return reg == PCI_LATENCY_TIMER ||
	       (reg >= I440FX_PAM0 && reg < I440FX_PAM0 + I440FX_PAM_COUNT) || reg == I440FX_SMRAM;
}

/* Bus 0, device 0, function 0, with configuration cycles enabled. */
static bool selects_host_bridge(const struct pci_host *pci)
{
	return (pci->address & PCI_ADDR_ENABLE) &&
	       (pci->address & (PCI_ADDR_BUS | PCI_ADDR_DEVFN)) == 0;
}

static uint32_t address_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	const struct pci_host *pci = opaque;

	return offset == 0 && size == 4 ? pci->address : 0xFFFFFFFFU;
}

static void address_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct pci_host *pci = opaque;

	if (offset == 0 && size == 4)
		pci->address = value & PCI_ADDR_RW;
}

const struct io_device_ops pci_host_address_io_ops = {
    .read = address_io_read,
    .write = address_io_write,
};

/* A data access covers bytes reg + (offset & 3) onwards, clipped at the 256-byte space. */
static uint32_t data_io_read(void *opaque, uint16_t offset, uint8_t size)
{
	const struct pci_host *pci = opaque;
	uint32_t value = 0xFFFFFFFFU;
	unsigned reg = (pci->address & PCI_ADDR_REG) + (offset & 3U);

	if (!selects_host_bridge(pci))
		return value;
	for (unsigned i = 0; i < size && i < 4; i++) {
		if (reg + i >= PCI_CONFIG_SIZE)
			break;
		value &= ~(0xFFU << (8 * i));
		value |= (uint32_t)pci->config[reg + i] << (8 * i);
	}
	return value;
}

static void data_io_write(void *opaque, uint16_t offset, uint8_t size, uint32_t value)
{
	struct pci_host *pci = opaque;
	unsigned reg = (pci->address & PCI_ADDR_REG) + (offset & 3U);

	if (!selects_host_bridge(pci))
		return;
	for (unsigned i = 0; i < size && i < 4; i++)
		if (reg + i < PCI_CONFIG_SIZE && is_writable(reg + i))
			pci->config[reg + i] = (uint8_t)(value >> (8 * i));
}

const struct io_device_ops pci_host_data_io_ops = {
    .read = data_io_read,
    .write = data_io_write,
};
