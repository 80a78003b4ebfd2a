/* hvimage: inspect and validate a guest image on the host, the way the monitor's loader will. */
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/loader/elf64.h"
#include "monitor/loader/guest_start.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/module_args.h"

struct file_buf {
	uint8_t *bytes;
	size_t size;
};

static void usage(void)
{
	fprintf(stderr, "usage: hvimage check FILE [mem=SIZE]\n"
	                "       hvimage info FILE\n");
}

static int read_file(const char *path, struct file_buf *f)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 65536, n = 0;

	if (!fp) {
		fprintf(stderr, "hvimage: %s: %s\n", path, strerror(errno));
		return -1;
	}
	f->bytes = malloc(cap);
	for (;;) {
		if (!f->bytes) {
			fprintf(stderr, "hvimage: %s: out of memory\n", path);
			fclose(fp);
			return -1;
		}
		n += fread(f->bytes + n, 1, cap - n, fp);
		if (n < cap)
			break;
		cap *= 2;
		f->bytes = realloc(f->bytes, cap);
	}
	if (ferror(fp)) {
		fprintf(stderr, "hvimage: %s: read error\n", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	f->size = n;
	return 0;
}

/*
 * What the file looks like. A valid multiboot v1 header makes a file a multiboot kernel whatever
 * else it is (an ELF64 with one is booted as multiboot, in 32-bit mode); the monitor decides the
 * same way.
 */
static const char *image_kind(const struct file_buf *f)
{
	if (multiboot1_is_image(f->bytes, f->size))
		return "multiboot v1 kernel";
	if (f->size >= 6 && !memcmp(f->bytes, "\177ELF", 4))
		return f->bytes[4] == 2 ? "ELF64" : "ELF (not 64-bit)";
	if (f->size >= 0x206 && !memcmp(f->bytes + 0x202, "HdrS", 4))
		return "Linux bzImage (not supported yet)";
	return "unknown";
}

/* libelf's reading of an ELF multiboot kernel's loadable segments must match the loader's. */
static int mb1_cross_check(const struct file_buf *f, const struct multiboot1_image *img, char *why,
                           size_t whylen)
{
	Elf *e;
	size_t phnum, nload = 0;
	int rc = -1;

	if (img->format == MULTIBOOT1_FORMAT_AOUT_KLUDGE)
		return 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return snprintf(why, whylen, "libelf: %s", elf_errmsg(-1)), -1;
	e = elf_memory((char *)f->bytes, f->size);
	if (!e || elf_getphdrnum(e, &phnum) != 0) {
		snprintf(why, whylen, "libelf cannot read it: %s", elf_errmsg(-1));
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		bool found = false;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			snprintf(why, whylen, "libelf cannot read program header %zu", i);
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		nload++;
		for (size_t j = 0; j < img->nsegments; j++)
			found |= img->segments[j].paddr == ph.p_paddr &&
			         img->segments[j].offset == ph.p_offset &&
			         img->segments[j].filesz == ph.p_filesz &&
			         img->segments[j].memsz == ph.p_memsz;
		if (!found) {
			snprintf(why, whylen, "libelf reads program header %zu differently", i);
			goto out;
		}
	}
	if (nload != img->nsegments) {
		snprintf(why, whylen, "libelf counts %zu loadable segments, the loader %zu", nload,
		         img->nsegments);
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	return rc;
}

static int mb1_validate(const char *path, const struct file_buf *f, struct multiboot1_image *img)
{
	char err[256];

	if (multiboot1_inspect(f->bytes, f->size, img, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvimage: %s: rejected (multiboot v1 kernel): %s\n", path, err);
		return -1;
	}
	if (mb1_cross_check(f, img, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvimage: %s: loader and libelf disagree: %s\n", path, err);
		return -1;
	}
	return 0;
}

static uint64_t mb1_min_mem(const struct multiboot1_image *img)
{
	uint64_t need = (img->load_end + 4095U) & ~4095ULL;

	return need < MODULE_MEM_MIN ? MODULE_MEM_MIN : need;
}

/*
 * libelf as a second opinion on an image elf64_inspect accepted. Section headers are hidden from
 * it, since the loader ignores them and a file should not fail here for what the monitor never reads.
 */
static int cross_check(const struct file_buf *f, const struct elf64_image *img, char *why,
                       size_t whylen)
{
	uint8_t *copy = malloc(f->size);
	struct elf64_ehdr raw;
	Elf *e = NULL;
	GElf_Ehdr eh;
	size_t phnum, nload = 0;
	int rc = -1;

	if (!copy) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(copy, f->bytes, f->size);
	memcpy(&raw, copy, sizeof(raw));
	raw.e_shoff = 0;
	raw.e_shnum = 0;
	raw.e_shstrndx = 0;
	memcpy(copy, &raw, sizeof(raw));
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(why, whylen, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	e = elf_memory((char *)copy, f->size);
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) != 0) {
		snprintf(why, whylen, "libelf cannot read it: %s", elf_errmsg(-1));
		goto out;
	}
	if (eh.e_entry != img->entry || eh.e_type != ET_EXEC || eh.e_machine != EM_X86_64) {
		snprintf(why, whylen, "libelf reads a different header");
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		bool found = false;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			snprintf(why, whylen, "libelf cannot read program header %zu: %s", i,
			         elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		nload++;
		for (size_t j = 0; j < img->nsegments; j++) {
			const struct elf64_segment *s = &img->segments[j];
			found |= s->paddr == ph.p_paddr && s->offset == ph.p_offset &&
			         s->filesz == ph.p_filesz && s->memsz == ph.p_memsz &&
			         s->flags == ph.p_flags;
		}
		if (!found) {
			snprintf(why, whylen, "libelf reads program header %zu differently", i);
			goto out;
		}
	}
	if (nload != img->nsegments) {
		snprintf(why, whylen, "libelf counts %zu loadable segments, the loader %zu", nload,
		         img->nsegments);
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	free(copy);
	return rc;
}

/* The smallest mem= that holds every segment: whole pages, and never below MODULE_MEM_MIN. */
static uint64_t min_mem(const struct elf64_image *img)
{
	uint64_t need = (img->load_end + 4095U) & ~4095ULL;

	return need < MODULE_MEM_MIN ? MODULE_MEM_MIN : need;
}

static void print_size(uint64_t v)
{
	if (v % (1ULL << 30) == 0)
		printf("%lluG", (unsigned long long)(v >> 30));
	else if (v % (1ULL << 20) == 0)
		printf("%lluM", (unsigned long long)(v >> 20));
	else
		printf("%lluK", (unsigned long long)(v >> 10));
}

static int no_copy(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx, (void)gpa, (void)src, (void)len;
	return 0;
}

static int no_zero(void *ctx, uint64_t gpa, size_t len)
{
	(void)ctx, (void)gpa, (void)len;
	return 0;
}

/* elf64_inspect plus the libelf cross-check: 0 when the monitor would accept the file. */
static int validate(const char *path, const struct file_buf *f, struct elf64_image *img)
{
	char err[256];

	if (elf64_inspect(f->bytes, f->size, img, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvimage: %s: rejected (%s): %s\n", path, image_kind(f), err);
		return -1;
	}
	if (cross_check(f, img, err, sizeof(err)) != 0) {
		fprintf(stderr, "hvimage: %s: loader and libelf disagree: %s\n", path, err);
		return -1;
	}
	return 0;
}

static void print_size(uint64_t v);
static int no_copy(void *ctx, uint64_t gpa, const void *src, size_t len);
static int no_zero(void *ctx, uint64_t gpa, size_t len);

/* check for a multiboot v1 kernel: the loader's validation and its range check for mem=. */
static int cmd_check_mb1(const char *path, struct file_buf *f, uint64_t mem)
{
	struct multiboot1_image img;
	char err[256];
	int rc = 1;

	if (mb1_validate(path, f, &img) != 0)
		goto out;
	if (multiboot1_load(&img, f->bytes, f->size, GUEST_START_LOAD_MIN, mem, no_copy, no_zero,
	                    NULL, err, sizeof(err)) != 0) {
		fprintf(stderr,
		        "hvimage: %s: does not fit in mem=%lluK: %s (needs mem=%lluK at least)\n",
		        path, (unsigned long long)(mem >> 10), err,
		        (unsigned long long)(mb1_min_mem(&img) >> 10));
		goto out;
	}
	printf("hvimage: %s: OK (multiboot v1, %s, entry %#x, %zu segments, mem=", path,
	       multiboot1_format_name(img.format), img.entry, img.nsegments);
	print_size(mem);
	printf(")\n");
	rc = 0;
out:
	free(f->bytes);
	return rc;
}

static int cmd_check(const char *path, const char *mem_arg)
{
	struct file_buf f;
	struct elf64_image img;
	uint64_t mem = MODULE_MEM_DEFAULT;
	char err[256];

	if (mem_arg) {
		if (strncmp(mem_arg, "mem=", 4) != 0) {
			usage();
			return 2;
		}
		if (module_args_parse_size(mem_arg + 4, strlen(mem_arg + 4), "mem", &mem, err,
		                           sizeof(err)) != 0) {
			fprintf(stderr, "hvimage: %s\n", err);
			return 1;
		}
	}
	if (read_file(path, &f) != 0)
		return 1;
	if (multiboot1_is_image(f.bytes, f.size))
		return cmd_check_mb1(path, &f, mem);
	if (validate(path, &f, &img) != 0) {
		free(f.bytes);
		return 1;
	}
	/* The same range check the monitor makes before writing anything into the partition. */
	if (elf64_load(&img, f.bytes, f.size, GUEST_START_LOAD_MIN, mem, no_copy, no_zero, NULL,
	               err, sizeof(err)) != 0) {
		fprintf(stderr,
		        "hvimage: %s: does not fit in mem=%lluK: %s (needs mem=%lluK at least)\n",
		        path, (unsigned long long)(mem >> 10), err,
		        (unsigned long long)(min_mem(&img) >> 10));
		free(f.bytes);
		return 1;
	}
	printf("hvimage: %s: OK (ELF64, entry %#llx, %zu segments, mem=", path,
	       (unsigned long long)img.entry, img.nsegments);
	print_size(mem);
	printf(")\n");
	free(f.bytes);
	return 0;
}

static int cmd_info_mb1(const char *path, struct file_buf *f)
{
	struct multiboot1_image img;
	uint32_t flags;

	if (mb1_validate(path, f, &img) != 0) {
		free(f->bytes);
		return 1;
	}
	flags = img.header.flags;
	printf("format:   %s (header at file offset %#x)\n", multiboot1_format_name(img.format),
	       img.header_offset);
	printf("flags:    %#010x%s%s%s%s\n", flags,
	       (flags & MULTIBOOT1_FLAG_PAGE_ALIGN) ? " page-align-modules" : "",
	       (flags & MULTIBOOT1_FLAG_MEMORY_INFO) ? " memory-info" : "",
	       (flags & MULTIBOOT1_FLAG_VIDEO_MODE) ? " video-mode(ignored)" : "",
	       (flags & MULTIBOOT1_FLAG_AOUT_KLUDGE) ? " address-fields" : "");
	if (flags & MULTIBOOT1_FLAG_AOUT_KLUDGE)
		printf("address:  header %#x load %#x load_end %#x bss_end %#x entry %#x\n",
		       img.header.header_addr, img.header.load_addr, img.header.load_end_addr,
		       img.header.bss_end_addr, img.header.entry_addr);
	printf("entry:    %#x (32-bit protected mode, EAX=0x2badb002)\n", img.entry);
	printf("segments: %zu\n", img.nsegments);
	printf("  %-18s %-18s %-10s %-10s\n", "address", "end", "filesz", "memsz");
	for (size_t i = 0; i < img.nsegments; i++) {
		const struct elf64_segment *s = &img.segments[i];
		printf("  0x%016llx 0x%016llx 0x%08llx 0x%08llx\n", (unsigned long long)s->paddr,
		       (unsigned long long)(s->paddr + s->memsz), (unsigned long long)s->filesz,
		       (unsigned long long)s->memsz);
	}
	printf("min mem:  mem=");
	print_size(mb1_min_mem(&img));
	printf(" (the kernel ends at %#llx; modules go above it)\n",
	       (unsigned long long)img.load_end);
	free(f->bytes);
	return 0;
}

static int cmd_info(const char *path)
{
	struct file_buf f;
	struct elf64_image img;

	if (read_file(path, &f) != 0)
		return 1;
	printf("file:     %s (%zu bytes)\n", path, f.size);
	printf("kind:     %s\n", image_kind(&f));
	if (multiboot1_is_image(f.bytes, f.size))
		return cmd_info_mb1(path, &f);
	if (validate(path, &f, &img) != 0) {
		free(f.bytes);
		return 1;
	}
	printf("entry:    %#llx\n", (unsigned long long)img.entry);
	printf("segments: %zu\n", img.nsegments);
	printf("  %-18s %-18s %-10s %-10s %s\n", "address", "end", "filesz", "memsz", "flags");
	for (size_t i = 0; i < img.nsegments; i++) {
		const struct elf64_segment *s = &img.segments[i];
		printf("  0x%016llx 0x%016llx 0x%08llx 0x%08llx %c%c%c\n",
		       (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz),
		       (unsigned long long)s->filesz, (unsigned long long)s->memsz,
		       (s->flags & ELF64_PF_R) ? 'r' : '-', (s->flags & ELF64_PF_W) ? 'w' : '-',
		       (s->flags & ELF64_PF_X) ? 'x' : '-');
	}
	printf("min mem:  mem=");
	print_size(min_mem(&img));
	printf(" (segments end at %#llx)\n", (unsigned long long)img.load_end);
	free(f.bytes);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "check") && argc <= 4)
		return cmd_check(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 3 && !strcmp(argv[1], "info"))
		return cmd_info(argv[2]);
	usage();
	return 2;
}
