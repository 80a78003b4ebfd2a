/* libFuzzer target: the multiboot2 boot information parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/multiboot2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mb2_boot_info info;
	/* An exact-size heap copy, so ASan flags a read one byte past what the parser was given. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (mb2_parse(copy, size, &info) == 0) {
		/* Touch everything the parser vouched for: each string must end in a NUL it found. */
		volatile size_t sink = 0;
		if (info.cmdline)
			sink += (size_t)info.cmdline[info.cmdline_len] + strlen(info.cmdline);
		if (info.bootloader)
			sink += (size_t)info.bootloader[info.bootloader_len];
		for (size_t i = 0; i < info.nmodules; i++) {
			if (info.modules[i].cmdline[info.modules[i].cmdline_len] != '\0' ||
			    info.modules[i].end < info.modules[i].start)
				abort();
		}
		if (info.rsdp_len)
			sink += ((const uint8_t *)info.rsdp)[info.rsdp_len - 1];
		if (info.nregions > MB2_MAX_REGIONS || info.nmodules > MB2_MAX_MODULES)
			abort();
		(void)sink;
	} else if (!info.error) {
		abort();
	}
	free(copy);
	return 0;
}
