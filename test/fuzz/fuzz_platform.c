/* libFuzzer target: random port and MMIO sequences, at every size, into a whole platform_init'ed platform. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fuzz_now;

static uint64_t fake_now(void *opaque)
{
	(void)opaque;
	return fuzz_now;
}

static void count_tx(void *opaque, uint8_t byte)
{
	(void)byte;
	(*(size_t *)opaque)++;
}

static void check_irq(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	(void)level;
	if (line >= 24)
		__builtin_trap(); /* no model drives a line the platform does not have */
}

/* Ports near the devices, so most accesses hit something. */
static const uint16_t bases[] = {0x20,  0x40,  0x61,  0x70,  0x80,  0xA0,  0xE0,   0xF4,
                                 0x3F8, 0x4D0, 0x510, 0x608, 0xCF8, 0xCFC, 0x2000, 0x2010};
static const uint64_t mmio_bases[] = {IOAPIC_BASE, LAPIC_BASE, TESTDEV_IOMEM_BASE,
                                      MMIO_SCRATCH_BASE};
static const unsigned mmio_sizes[] = {1, 2, 4, 8, 16, 32, 3, 4};

static struct platform p;

/*
 * Each step is 8 bytes: op, where (2), value (4), time step. op bits 0-1: port read, port write,
 * MMIO read, MMIO write; bits 2-4: size index; bit 5: the address is raw, not near a device;
 * bit 6: poll the interrupt lines and take what each VP is offered (with bit 5: also an APIC
 * MSR write, where picking the MSR and value the value); bit 7: switch the current CPU.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct platform_config cfg = {
	    .name = "fuzz",
	    .ram_size = 64ULL << 20,
	    .cpu_count = 2,
	    .epoch_seconds = 1709214330ULL,
	    .clock = {.now_ns = fake_now},
	    .irq = {check_irq, NULL},
	    .console_tx = count_tx,
	};
	size_t sent = 0;

	cfg.console_opaque = &sent;
	fuzz_now = 0;
	if (platform_init(&p, &cfg))
		__builtin_trap();
	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint8_t op = data[i];
		uint16_t where = (uint16_t)(data[i + 1] | data[i + 2] << 8);
		uint32_t value;
		uint8_t buf[32];

		memcpy(&value, &data[i + 3], 4);
		/* Time moves by up to ~2^7 * 2^16 ns per step, a few ms, sometimes a lot. */
		fuzz_now += (uint64_t)data[i + 7] << (data[i + 7] & 0x80 ? 20 : 8);
		if ((op & 3) < 2) {
			static const uint8_t sizes[] = {1, 2, 4, 1, 2, 4, 3, 0};
			uint8_t access = sizes[(op >> 2) & 7];
			uint16_t port =
			    op & 0x20 ? where : (uint16_t)(bases[where & 15] + (where >> 12));
			uint32_t v = 0;

			if (op & 1) {
				io_bus_write(&p.io, port, access, value);
			} else if (io_bus_read(&p.io, port, access, &v) &&
			           (v & ~io_size_mask(access)) != 0) {
				__builtin_trap(); /* a read never returns more bits than it asked for */
			}
		} else {
			unsigned len = mmio_sizes[(op >> 2) & 7];
			uint64_t gpa = op & 0x20
			                   ? 0xFE000000ULL + ((uint64_t)where << 9) + (value >> 24)
			                   : mmio_bases[where & 3] + ((where >> 2) & 0xFFF);

			memset(buf, (int)value, sizeof(buf));
			if (op & 1)
				mmio_bus_write(&p.mmio, gpa, buf, len);
			else
				mmio_bus_read(&p.mmio, gpa, buf, len);
		}
		if (op & 0x40) {
			struct lapic *apic = &p.lapic[p.current_cpu];
			uint64_t v64 = (uint64_t)value << (where & 0x20);

			if (op & 0x20) {
				if ((where >> 8) == 0x1B)
					(void)lapic_set_base_msr(apic, v64);
				else
					(void)lapic_msr_write(apic,
					                      (where >> 8) == 0x6E
					                          ? LAPIC_MSR_TSC_DEADLINE
					                          : 0x800U + (where & 0xFFU),
					                      v64);
			}
			platform_poll(&p);
			for (unsigned cpu = 0; cpu < p.nr_cpus; cpu++) {
				int v = platform_pending_vector(&p, cpu);

				if (v >= 0)
					platform_vector_taken(&p, cpu, (uint8_t)v);
				(void)platform_take_nmi(&p, cpu);
			}
			/* Time alone never changes anything in the past. */
			if (platform_next_event_ns(&p) < fuzz_now)
				__builtin_trap();
		}
		if (op & 0x80)
			platform_set_current_cpu(&p, value & 3);
		if (debug_exit_requested(&p.debug_exit, NULL))
			break; /* the partition stops here */
	}
	return 0;
}
