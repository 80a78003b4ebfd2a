/* libFuzzer target: the ELF64 guest image validator and loader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/elf64.h"

#define GUEST_MEM (4U << 20) /* small, so most accepted images also exercise the range checks */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t guest[GUEST_MEM];

static int copy_cb(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	/* elf64_load promised every segment fits in [load_min, mem_size): hold it to that. */
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
	struct elf64_image img;
	char err[160];
	/* An exact-size heap copy, so ASan flags a read one byte past what the loader was given. */
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = elf64_inspect(copy, size, &img, err, sizeof(err));
	if (rc != 0 && (rc != -ENOEXEC || !err[0]))
		abort();
	if (rc == 0) {
		if (img.nsegments == 0 || img.nsegments > ELF64_MAX_SEGMENTS)
			abort();
		rc = elf64_load(&img, copy, size, 0x100000, GUEST_MEM, copy_cb, zero_cb, NULL, err,
		                sizeof(err));
		if (rc != 0 && rc != -ERANGE)
			abort();
	}
	free(copy);
	return 0;
}
