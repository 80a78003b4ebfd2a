/* PCI configuration mechanism #1 (0xCF8 address, 0xCFC-0xCFF data) with an i440FX-like host bridge. */
#ifndef DEVICES_PCI_HOST_H
#define DEVICES_PCI_HOST_H

#include <stdint.h>

#include "devices/io_bus.h"

#define PCI_CONFIG_ADDRESS_PORT 0xCF8U
#define PCI_CONFIG_DATA_PORT    0xCFCU
#define PCI_CONFIG_PORT_COUNT   4U

#define PCI_ADDR_ENABLE         0x80000000U
#define PCI_ADDR_BUS            0x00FF0000U
#define PCI_ADDR_DEVFN          0x0000FF00U /* device 15:11, function 10:8 */
#define PCI_ADDR_REG            0x000000FCU
#define PCI_ADDR_RW             0x80FFFFFCU /* bits 30:24 and 1:0 are reserved and read 0 */

#define PCI_CONFIG_SIZE         256U
#define PCI_VENDOR_ID           0x00U
#define PCI_DEVICE_ID           0x02U
#define PCI_COMMAND             0x04U
#define PCI_STATUS              0x06U
#define PCI_REVISION            0x08U
#define PCI_CLASS_PROG          0x09U
#define PCI_CLASS_DEVICE        0x0AU
#define PCI_LATENCY_TIMER       0x0DU
#define PCI_HEADER_TYPE         0x0EU

/* The host bridge 00:00.0, i440FX PMC values. */
#define PCI_HOST_VENDOR   0x8086U
#define PCI_HOST_DEVICE   0x1237U
#define PCI_HOST_REVISION 0x02U
#define PCI_HOST_CLASS    0x0600U /* bridge, host */
#define PCI_HOST_COMMAND  0x0006U /* memory and bus master enabled, fixed */
#define PCI_HOST_STATUS   0x0280U /* fast back-to-back capable, medium DEVSEL */
#define I440FX_PAM0       0x59U   /* PAM0-6 at 0x59-0x5F: stored only (the ROM stays ROM) */
#define I440FX_PAM_COUNT  7U
#define I440FX_SMRAM      0x72U /* stored only */

/* Fields are private to pci_host.c. */
struct pci_host {
	uint32_t address;
	uint8_t config[PCI_CONFIG_SIZE]; /* the host bridge's configuration space */
};

void pci_host_init(struct pci_host *pci);

/* Register at PCI_CONFIG_ADDRESS_PORT (opaque = the pci_host, ops pci_host_address_io_ops) and
 * PCI_CONFIG_DATA_PORT (pci_host_data_io_ops), each PCI_CONFIG_PORT_COUNT ports.
 * CONFIG_ADDRESS answers only dword accesses at 0xCF8 (others are not PCI: all ones, dropped;
 * PIIX's reset register at 0xCF9 is not modelled). A data access goes to byte (port & 3) of the
 * addressed dword when the enable bit is set: 00:00.0 is the host bridge, every other function
 * on every bus reads all ones. Writes change only the bridge's latency timer, PAM and SMRAM. */
extern const struct io_device_ops pci_host_address_io_ops;
extern const struct io_device_ops pci_host_data_io_ops;

#endif
