/* Unit tests for the multiboot v1 loader: header search, ELF32/ELF64 kernels (libelf as oracle), a.out kludge. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/multiboot1.h"
#include "monitor/loader/multiboot1_elf.h"

#define MIB       0x100000ULL
#define GUEST_MEM (8 * MIB)

static char err[256];
static uint8_t *guest;

static void setup(void)
{
	guest = malloc(GUEST_MEM);
	cr_assert_not_null(guest);
	memset(guest, 0xaa, GUEST_MEM);
	err[0] = '\0';
}

static void teardown(void)
{
	free(guest);
}

TestSuite(multiboot1, .init = setup, .fini = teardown);

static int copy_cb(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	(void)ctx;
	cr_assert(gpa <= GUEST_MEM && len <= GUEST_MEM - gpa, "write outside RAM");
	memcpy(guest + gpa, src, len);
	return 0;
}

static int zero_cb(void *ctx, uint64_t gpa, size_t len)
{
	(void)ctx;
	cr_assert(gpa <= GUEST_MEM && len <= GUEST_MEM - gpa, "zero outside RAM");
	memset(guest + gpa, 0, len);
	return 0;
}

/* --- building images ------------------------------------------------------------------------- */

struct img {
	uint8_t *b;
	size_t len;
};

static struct img alloc_img(size_t len)
{
	struct img m = {calloc(1, len), len};

	cr_assert_not_null(m.b);
	for (size_t i = 0; i < len; i++)
		m.b[i] = (uint8_t)(i * 13 + 5);
	return m;
}

/* Writes magic, flags, checksum (and the address fields, when given) at off. */
static void put_header(struct img *m, size_t off, uint32_t flags, const uint32_t addr[5])
{
	uint32_t h[8] = {MULTIBOOT1_HEADER_MAGIC, flags, -(MULTIBOOT1_HEADER_MAGIC + flags)};

	if (addr)
		memcpy(&h[3], addr, 5 * sizeof(uint32_t));
	memcpy(m->b + off, h, addr ? 32 : 12);
}

/* A raw binary of len bytes loaded at 1 MiB, the header 16 bytes in. */
static struct img make_aout(size_t len, uint32_t bss_end)
{
	struct img m = alloc_img(len);
	const uint32_t addr[5] = {MIB + 16, MIB, 0, bss_end, MIB + 64};

	memset(m.b, 0x90, 16);
	put_header(&m, 16, MULTIBOOT1_FLAG_AOUT_KLUDGE | MULTIBOOT1_FLAG_MEMORY_INFO, addr);
	return m;
}

struct seg32 {
	uint32_t vaddr, paddr, filesz, memsz, flags;
};

/* An ELF32 i386 kernel: the header at 0, n program headers after it, segment i's bytes at 0x1000*(i+1). */
static struct img make_elf32(const struct seg32 *segs, size_t n, uint32_t entry)
{
	size_t len = 0x1000 * (n + 1);
	struct img m;
	struct elf32_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', ELF32_CLASS32, ELF64_DATA2LSB, ELF64_EV_CURRENT},
	    .e_type = ELF64_ET_EXEC,
	    .e_machine = ELF32_EM_386,
	    .e_version = ELF64_EV_CURRENT,
	    .e_entry = entry,
	    .e_phoff = sizeof(struct elf32_ehdr),
	    .e_ehsize = sizeof(struct elf32_ehdr),
	    .e_phentsize = sizeof(struct elf32_phdr),
	    .e_phnum = (uint16_t)n,
	};

	for (size_t i = 0; i < n; i++)
		if (0x1000 * (i + 1) + segs[i].filesz > len)
			len = 0x1000 * (i + 1) + segs[i].filesz;
	m = alloc_img(len);
	memcpy(m.b, &eh, sizeof(eh));
	for (size_t i = 0; i < n; i++) {
		struct elf32_phdr ph = {ELF64_PT_LOAD,  (uint32_t)(0x1000 * (i + 1)),
		                        segs[i].vaddr,  segs[i].paddr,
		                        segs[i].filesz, segs[i].memsz,
		                        segs[i].flags,  0x1000};
		memcpy(m.b + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
	}
	/* The multiboot header at the start of the first segment (file offset 0x1000). */
	put_header(&m, 0x1000, MULTIBOOT1_FLAG_PAGE_ALIGN | MULTIBOOT1_FLAG_MEMORY_INFO, NULL);
	return m;
}

static struct img make_valid_elf32(void)
{
	const struct seg32 segs[2] = {
	    {MIB, MIB, 0x800, 0x800, ELF64_PF_R | ELF64_PF_X},
	    {MIB + 0x1000, MIB + 0x1000, 0x100, 0x3000, ELF64_PF_R | ELF64_PF_W},
	};
	return make_elf32(segs, 2, MIB + 0x20);
}

/* --- the oracle ------------------------------------------------------------------------------ */

/*
 * multiboot1_inspect on an exact-size heap copy (ASan sees an overread); for an accepted ELF
 * image, libelf must read the same segments and entry (before translation) from the file.
 */
static int inspect_checked(const struct img *m, struct multiboot1_image *out)
{
	uint8_t *copy = malloc(m->len ? m->len : 1);
	int rc;

	memcpy(copy, m->b, m->len);
	rc = multiboot1_inspect(copy, m->len, out, err, sizeof(err));
	cr_assert(rc == 0 || rc == -ENOEXEC, "rc %d", rc);
	cr_assert_eq(rc != 0, err[0] != '\0', "an error needs a message, success none");
	if (rc == 0 && out->format != MULTIBOOT1_FORMAT_AOUT_KLUDGE) {
		Elf *e;
		size_t phnum, nload = 0;

		cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
		e = elf_memory((char *)copy, m->len);
		cr_assert_not_null(e, "libelf: %s", elf_errmsg(-1));
		cr_assert_eq(gelf_getclass(e),
		             out->format == MULTIBOOT1_FORMAT_ELF32 ? ELFCLASS32 : ELFCLASS64);
		cr_assert_eq(elf_getphdrnum(e, &phnum), 0, "libelf: %s", elf_errmsg(-1));
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;
			bool found = false;

			cr_assert_not_null(gelf_getphdr(e, (int)i, &ph));
			if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
				continue;
			nload++;
			for (size_t j = 0; j < out->nsegments; j++) {
				const struct elf64_segment *s = &out->segments[j];
				found |= s->paddr == ph.p_paddr && s->offset == ph.p_offset &&
				         s->filesz == ph.p_filesz && s->memsz == ph.p_memsz;
			}
			cr_assert(found, "libelf's program header %zu is not among the segments",
			          i);
		}
		cr_assert_eq(nload, out->nsegments);
		elf_end(e);
	}
	free(copy);
	return rc;
}

static void expect_reject(const struct img *m, const char *fragment)
{
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(m, &out), -ENOEXEC, "accepted; expected '%s'", fragment);
	cr_assert(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
}

/* --- header detection ------------------------------------------------------------------------ */

Test(multiboot1, header_found_at_start_and_at_the_last_place)
{
	struct img m = alloc_img(MULTIBOOT1_SEARCH + 64);
	uint32_t off = 1;

	put_header(&m, 0, 0, NULL);
	cr_assert_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), 0);
	cr_expect_eq(off, 0);
	memset(m.b, 0, 12);
	put_header(&m, MULTIBOOT1_SEARCH - 12, 0, NULL); /* its last byte is byte 8191 */
	cr_assert_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), 0);
	cr_expect_eq(off, MULTIBOOT1_SEARCH - 12);
	cr_expect(multiboot1_is_image(m.b, m.len));
	free(m.b);
}

Test(multiboot1, header_beyond_8192_bytes_is_not_seen)
{
	struct img m = alloc_img(MULTIBOOT1_SEARCH + 64);
	uint32_t off;

	memset(m.b, 0, m.len);
	put_header(&m, MULTIBOOT1_SEARCH - 8, 0, NULL); /* straddles the limit */
	cr_expect_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), -ENOENT);
	memset(m.b, 0, m.len);
	put_header(&m, MULTIBOOT1_SEARCH, 0, NULL);
	cr_expect_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), -ENOENT);
	cr_expect(strstr(err, "no multiboot header"), "%s", err);
	cr_expect_not(multiboot1_is_image(m.b, m.len));
	free(m.b);
}

Test(multiboot1, misaligned_header_is_not_seen)
{
	struct img m = alloc_img(256);
	uint32_t off;

	memset(m.b, 0, m.len);
	for (size_t at = 1; at < 4; at++) {
		memset(m.b, 0, m.len);
		put_header(&m, 64 + at, 0, NULL);
		cr_expect_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), -ENOENT,
		             "offset %zu", 64 + at);
	}
	free(m.b);
}

Test(multiboot1, bad_checksum_is_reported_and_a_later_header_found)
{
	struct img m = alloc_img(256);
	uint32_t off, bad = 0x12345;

	memset(m.b, 0, m.len);
	put_header(&m, 8, 0, NULL);
	memcpy(m.b + 16, &bad, 4);
	cr_expect_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), -ENOENT);
	cr_expect(strstr(err, "wrong checksum"), "%s", err);
	cr_expect(strstr(err, "offset 0x8"), "%s", err);
	put_header(&m, 100, 0, NULL);
	cr_expect_eq(multiboot1_find_header(m.b, m.len, &off, err, sizeof(err)), 0);
	cr_expect_eq(off, 100);
	free(m.b);
}

Test(multiboot1, tiny_and_null_files)
{
	uint8_t b[11] = {0x02, 0xb0, 0xad, 0x1b};
	uint32_t off;

	cr_expect_eq(multiboot1_find_header(b, sizeof(b), &off, err, sizeof(err)), -ENOENT);
	cr_expect_eq(multiboot1_find_header(NULL, 0, &off, err, sizeof(err)), -ENOENT);
	cr_expect_not(multiboot1_is_image(b, 0));
}

Test(multiboot1, unknown_required_flags_are_refused_optional_ones_ignored)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;

	put_header(&m, 0x1000, MULTIBOOT1_FLAG_MEMORY_INFO | (1U << 3), NULL);
	expect_reject(&m, "unknown required bits 0x8");
	put_header(&m, 0x1000, (1U << 17) | (1U << 31), NULL);
	cr_expect_eq(inspect_checked(&m, &out), 0, "%s", err);
	free(m.b);
}

Test(multiboot1, video_mode_request_is_accepted_and_ignored)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;
	uint32_t video[4] = {0, 1024, 768, 32};

	put_header(&m, 0x1000, MULTIBOOT1_FLAG_VIDEO_MODE, NULL);
	memcpy(m.b + 0x1000 + 32, video, sizeof(video));
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.header.width, 1024);
	free(m.b);
}

Test(multiboot1, header_fields_past_the_end_of_the_file)
{
	struct img m = alloc_img(40);

	put_header(&m, 16, MULTIBOOT1_FLAG_AOUT_KLUDGE, NULL); /* needs 32 bytes from 16 */
	expect_reject(&m, "runs past the end of the file");
	free(m.b);
}

Test(multiboot1, header_fields_past_8192)
{
	struct img m = alloc_img(MULTIBOOT1_SEARCH + 64);

	memset(m.b, 0, m.len);
	put_header(&m, MULTIBOOT1_SEARCH - 16, MULTIBOOT1_FLAG_AOUT_KLUDGE, NULL);
	expect_reject(&m, "the first 8192 bytes");
	free(m.b);
}

/* --- ELF kernels ----------------------------------------------------------------------------- */

Test(multiboot1, elf32_loads_like_libelf_reads_it)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.format, MULTIBOOT1_FORMAT_ELF32);
	cr_expect_eq(out.header_offset, 0x1000);
	cr_expect_eq(out.entry, MIB + 0x20);
	cr_expect_eq(out.load_lo, MIB);
	cr_expect_eq(out.load_end, MIB + 0x4000);
	cr_assert_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             0, "%s", err);
	cr_expect_arr_eq(guest + MIB, m.b + 0x1000, 0x800);
	cr_expect_eq(guest[MIB + 0x800], 0xaa, "the gap between segments is not touched");
	cr_expect_arr_eq(guest + MIB + 0x1000, m.b + 0x2000, 0x100);
	for (size_t i = 0x100; i < 0x3000; i++)
		cr_assert_eq(guest[MIB + 0x1000 + i], 0, "bss byte %#zx zeroed", i);
	cr_expect_eq(guest[MIB + 0x4000], 0xaa);
	free(m.b);
}

Test(multiboot1, elf32_kernel_at_4mib_as_kvm_unit_tests_link_them)
{
	const struct seg32 segs[1] = {{4 * MIB, 4 * MIB, 0x400, 0x2000, ELF64_PF_R | ELF64_PF_X}};
	struct img m = make_elf32(segs, 1, 4 * MIB + 0xc);
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             0);
	cr_expect_eq(multiboot1_load(&out, m.b, m.len, MIB, 4 * MIB + 0x1000, copy_cb, zero_cb,
	                             NULL, err, sizeof(err)),
	             -ERANGE, "bss past the end of RAM");
	free(m.b);
}

Test(multiboot1, higher_half_entry_is_translated_to_physical)
{
	const struct seg32 segs[1] = {
	    {0xc0100000U, MIB, 0x800, 0x800, ELF64_PF_R | ELF64_PF_X | ELF64_PF_W}};
	struct img m = make_elf32(segs, 1, 0xc0100040U);
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.entry, MIB + 0x40);
	cr_expect_eq(out.segments[0].paddr, MIB);
	free(m.b);
	m = make_elf32(segs, 1, MIB + 0x80); /* a physical e_entry is taken as it is */
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.entry, MIB + 0x80);
	free(m.b);
}

struct elf_case {
	int broken;
	char expected[48];
};

static void break_elf32(struct img *m, int which)
{
	struct elf32_ehdr eh;
	struct elf32_phdr ph;

	memcpy(&eh, m->b, sizeof(eh));
	memcpy(&ph, m->b + sizeof(eh), sizeof(ph));
	switch (which) {
	case 0: eh.e_machine = ELF64_EM_X86_64; break;
	case 1: eh.e_type = ELF64_ET_DYN; break;
	case 2: eh.e_type = 1; break;
	case 3: eh.e_phoff = (uint32_t)m->len - 8; break;
	case 4:
		ph.p_filesz = 0x900;
		ph.p_memsz = 0x800;
		break;
	case 5: ph.p_memsz = 0x1800; break; /* runs into the second segment */
	case 6:
		ph.p_paddr = 0xfffff000U;
		ph.p_memsz = 0x2000;
		ph.p_filesz = 0x800;
		break;
	case 7: eh.e_entry = MIB + 0x900; break;  /* in the gap */
	case 8: eh.e_entry = MIB + 0x1200; break; /* in bss */
	case 9: ph.p_offset = (uint32_t)m->len - 0x10; break;
	case 10: ph.p_type = ELF64_PT_INTERP; break;
	case 11: eh.e_phentsize = 56; break;
	case 12: eh.e_phnum = 0; break;
	case 13: eh.e_ident[ELF64_EI_DATA] = 2; break;
	case 14: eh.e_ident[ELF64_EI_CLASS] = 3; break;
	case 15: eh.e_version = 2; break;
	case 16:
		ph.p_vaddr = 0xfffff800U;
		eh.e_entry = 0x20;
		break; /* only a wrapped vaddr holds it */
	default: break;
	}
	memcpy(m->b, &eh, sizeof(eh));
	memcpy(m->b + sizeof(eh), &ph, sizeof(ph));
}

ParameterizedTestParameters(multiboot1_elf, hostile)
{
	static struct elf_case cases[] = {
	    {0, "not for i386"},        {1, "ET_DYN"},
	    {2, "not an executable"},   {3, "program headers"},
	    {4, "larger than p_memsz"}, {5, "overlap"},
	    {6, "past 4 GiB"},          {7, "entry point"},
	    {8, "entry point"},         {9, "past the end of the file"},
	    {10, "dynamically linked"}, {11, "e_phentsize"},
	    {12, "no program headers"}, {13, "little-endian"},
	    {14, "unknown ELF class"},  {15, "ELF version"},
	    {16, "entry point"},
	};
	return cr_make_param_array(struct elf_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct elf_case *c, multiboot1_elf, hostile)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;

	break_elf32(&m, c->broken);
	cr_assert_eq(inspect_checked(&m, &out), -ENOEXEC, "case %d accepted", c->broken);
	cr_expect(strstr(err, c->expected), "case %d: '%s' lacks '%s'", c->broken, err,
	          c->expected);
	free(m.b);
}

Test(multiboot1, every_truncation_of_an_elf32_kernel)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;

	/* Every byte up to the end of the last segment's file bytes (0x2100) is needed. */
	for (size_t len = 0; len < 0x2100; len++) {
		struct img t = {m.b, len};
		int rc = inspect_checked(&t, &out);
		cr_assert(rc == -ENOEXEC, "accepted at %zu bytes", len);
	}
	free(m.b);
}

Test(multiboot1, elf64_multiboot_kernel)
{
	struct img m = alloc_img(0x3000);
	struct elf64_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', ELF64_CLASS64, ELF64_DATA2LSB, ELF64_EV_CURRENT},
	    .e_type = ELF64_ET_EXEC,
	    .e_machine = ELF64_EM_X86_64,
	    .e_version = ELF64_EV_CURRENT,
	    .e_entry = 0xffffffff80100010ULL, /* virtual: translated through the segment */
	    .e_phoff = sizeof(struct elf64_ehdr),
	    .e_ehsize = sizeof(struct elf64_ehdr),
	    .e_phentsize = sizeof(struct elf64_phdr),
	    .e_phnum = 1,
	};
	struct elf64_phdr ph = {ELF64_PT_LOAD, ELF64_PF_R | ELF64_PF_X,
	                        0x1000,        0xffffffff80100000ULL,
	                        2 * MIB,       0x1000,
	                        0x5000,        0x1000};
	struct multiboot1_image out;

	memcpy(m.b, &eh, sizeof(eh));
	memcpy(m.b + sizeof(eh), &ph, sizeof(ph));
	put_header(&m, 0x1000, MULTIBOOT1_FLAG_MEMORY_INFO, NULL);
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.format, MULTIBOOT1_FORMAT_ELF64);
	cr_expect_eq(out.entry, 2 * MIB + 0x10);
	cr_expect_eq(out.load_end, 2 * MIB + 0x5000);
	cr_assert_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             0);
	cr_expect_arr_eq(guest + 2 * MIB, m.b + 0x1000, 0x1000);
	cr_expect_eq(guest[2 * MIB + 0x4fff], 0);

	ph.p_paddr = 0x100000000ULL; /* above 4 GiB: out of a 32-bit kernel's reach */
	memcpy(m.b + sizeof(eh), &ph, sizeof(ph));
	expect_reject(&m, "past 4 GiB");
	free(m.b);
}

Test(multiboot1, not_elf_and_no_address_fields)
{
	struct img m = alloc_img(4096);

	put_header(&m, 0, MULTIBOOT1_FLAG_MEMORY_INFO, NULL);
	expect_reject(&m, "not an ELF file and the multiboot header has no address fields");
	free(m.b);
}

/* --- a.out kludge ---------------------------------------------------------------------------- */

Test(multiboot1, aout_kludge_loads_the_file_and_zeroes_bss)
{
	struct img m = make_aout(0x1800, MIB + 0x3000);
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.format, MULTIBOOT1_FORMAT_AOUT_KLUDGE);
	cr_expect_eq(out.entry, MIB + 64);
	cr_expect_eq(out.nsegments, 1);
	cr_expect_eq(out.segments[0].offset, 0);
	cr_expect_eq(out.segments[0].filesz, 0x1800);
	cr_expect_eq(out.load_end, MIB + 0x3000);
	cr_assert_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             0, "%s", err);
	cr_expect_arr_eq(guest + MIB, m.b, 0x1800);
	for (size_t i = 0x1800; i < 0x3000; i++)
		cr_assert_eq(guest[MIB + i], 0);
	cr_expect_eq(guest[MIB + 0x3000], 0xaa);
	free(m.b);
}

Test(multiboot1, aout_kludge_wins_over_elf_and_load_end_trims_the_file)
{
	struct img m = make_valid_elf32();
	struct multiboot1_image out;
	/* Header at file offset 0x1000 loaded at 0x200000: the load starts at file offset 0. */
	const uint32_t addr[5] = {2 * MIB + 0x1000, 2 * MIB, 2 * MIB + 0x1100, 0, 2 * MIB + 0x1040};

	put_header(&m, 0x1000, MULTIBOOT1_FLAG_AOUT_KLUDGE, addr);
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(out.format, MULTIBOOT1_FORMAT_AOUT_KLUDGE);
	cr_expect_eq(out.segments[0].filesz, 0x1100);
	cr_expect_eq(out.segments[0].memsz, 0x1100);
	cr_expect_eq(out.entry, 2 * MIB + 0x1040);
	free(m.b);
}

struct aout_case {
	uint32_t addr[5]; /* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
	char expected[48];
};

ParameterizedTestParameters(multiboot1_aout, hostile)
{
	/* The file: 0x1800 bytes, header at offset 16. */
	static struct aout_case cases[] = {
	    {{MIB + 16, MIB, MIB - 0x10, 0, MIB + 64}, "not above load_addr"},
	    {{MIB + 16, MIB, MIB, 0, MIB + 64}, "not above load_addr"},
	    {{MIB + 16, MIB, 0, MIB + 0x1000, MIB + 64}, "inside the bytes loaded"},
	    {{MIB + 16, MIB, MIB + 0x1000, MIB + 0x800, MIB + 64}, "inside the bytes loaded"},
	    {{MIB + 16, MIB + 32, 0, 0, MIB + 64}, "below load_addr"},
	    {{MIB + 0x100, MIB, 0, 0, MIB + 0x140}, "before the start of the file"},
	    {{MIB + 16, MIB, MIB + 0x2000, 0, MIB + 64}, "the file has"},
	    {{MIB + 16, MIB, MIB + 0x20, 0, MIB + 8}, "does not lie inside the loaded"},
	    {{MIB + 16, MIB, 0, 0, MIB + 0x1800}, "entry_addr"},
	    {{MIB + 16, MIB, 0, MIB + 0x4000, MIB + 0x2000}, "entry_addr"},
	    {{MIB + 16, MIB, 0, 0, MIB - 1}, "entry_addr"},
	    {{0xfffff010U, 0xfffff000U, 0, 0, 0xfffff040U}, "past 4 GiB"},
	    {{0xffffff10U, 0xffffff00U, 0, 0, 0xffffff40U}, "past 4 GiB"},
	};
	return cr_make_param_array(struct aout_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct aout_case *c, multiboot1_aout, hostile)
{
	struct img m = make_aout(0x1800, 0);
	struct multiboot1_image out;

	put_header(&m, 16, MULTIBOOT1_FLAG_AOUT_KLUDGE, c->addr);
	cr_assert_eq(inspect_checked(&m, &out), -ENOEXEC, "accepted; expected '%s'", c->expected);
	cr_expect(strstr(err, c->expected), "'%s' lacks '%s'", err, c->expected);
	free(m.b);
}

Test(multiboot1, addresses_outside_ram_write_nothing)
{
	struct img m = make_aout(0x1800, 0);
	struct multiboot1_image out;
	const uint32_t low[5] = {0x8010, 0x8000, 0, 0, 0x8040};
	const uint32_t high[5] = {GUEST_MEM - 0x1000 + 16, GUEST_MEM - 0x1000, 0, 0,
	                          GUEST_MEM - 0x1000 + 64};

	put_header(&m, 16, MULTIBOOT1_FLAG_AOUT_KLUDGE, low);
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             -ERANGE);
	cr_expect(strstr(err, "outside the partition's loadable memory"), "%s", err);
	put_header(&m, 16, MULTIBOOT1_FLAG_AOUT_KLUDGE, high);
	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             -ERANGE);
	for (size_t i = 0; i < GUEST_MEM; i += 4096)
		cr_assert_eq(guest[i], 0xaa, "nothing written");
	free(m.b);
}

Test(multiboot1, load_refuses_an_image_description_that_does_not_match)
{
	struct img m = make_aout(0x1800, 0);
	struct multiboot1_image out;

	cr_assert_eq(inspect_checked(&m, &out), 0, "%s", err);
	cr_expect_eq(multiboot1_load(&out, m.b, 0x100, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             -EINVAL);
	out.nsegments = 0;
	cr_expect_eq(multiboot1_load(&out, m.b, m.len, MIB, GUEST_MEM, copy_cb, zero_cb, NULL, err,
	                             sizeof(err)),
	             -EINVAL);
	cr_expect_str_eq(multiboot1_format_name(MULTIBOOT1_FORMAT_ELF32), "ELF32");
	free(m.b);
}
