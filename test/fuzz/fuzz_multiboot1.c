/* libFuzzer target: the multiboot v1 header search, image validator, loader and info builder. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/loader/multiboot1_info.h"

#define GUEST_MEM (4U << 20) /* small, so most accepted images also exercise the range checks */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t guest[GUEST_MEM];

static int copy_cb(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	/* The loader and the builder promised everything fits in RAM: hold them to that. */
	if (gpa > GUEST_MEM || len > GUEST_MEM - gpa)
		abort();
	memcpy(guest + gpa, src, len);
	return 0;
}

static int zero_cb(void *ctx, uint64_t gpa, size_t len)
{
	(void)ctx;
	if (gpa > GUEST_MEM || len > GUEST_MEM - gpa)
		abort();
	memset(guest + gpa, 0, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multiboot1_image img;
	char err[200];
	/* An exact-size heap copy, so ASan flags a read one byte past what the loader was given. */
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = multiboot1_inspect(copy, size, &img, err, sizeof(err));
	if (rc != 0 && (rc != -ENOEXEC || !err[0]))
		abort();
	if (rc == 0) {
		if (img.nsegments == 0 || img.nsegments > MULTIBOOT1_MAX_SEGMENTS ||
		    img.load_end > MULTIBOOT1_ADDR_LIMIT || img.entry < img.load_lo ||
		    img.entry >= img.load_end)
			abort();
		rc = multiboot1_load(&img, copy, size, 0x100000, GUEST_MEM, copy_cb, zero_cb, NULL,
		                     err, sizeof(err));
		if (rc != 0 && rc != -ERANGE)
			abort();
		if (rc == 0) {
			/* The file's tail, as a module, and its head, as the command line. */
			struct multiboot1_module mod = {copy + size / 2, size - size / 2,
			                                (char *)copy, size < 64 ? size : 64};
			struct multiboot1_info_config cfg = {GUEST_MEM,    img.load_end,
			                                     (char *)copy, size < 128 ? size : 128,
			                                     &mod,         1};
			struct multiboot1_boot boot;

			rc = multiboot1_info_build(&cfg, copy_cb, zero_cb, NULL, &boot, err,
			                           sizeof(err));
			if (rc != 0 && rc != -ERANGE)
				abort();
		}
	}
	free(copy);
	return 0;
}
