/* Unit tests for the ELF64 guest loader, with libelf as the oracle on every image it accepts. */
#include <criterion/criterion.h>
#include <gelf.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/lib/errno.h"
#include "monitor/loader/elf64.h"

#define MIB 0x100000ULL

/* --- building images ------------------------------------------------------------------------- */

struct img {
	uint8_t *b;
	size_t len;
};

static struct elf64_ehdr base_ehdr(uint16_t phnum)
{
	struct elf64_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', ELF64_CLASS64, ELF64_DATA2LSB, ELF64_EV_CURRENT},
	    .e_type = ELF64_ET_EXEC,
	    .e_machine = ELF64_EM_X86_64,
	    .e_version = ELF64_EV_CURRENT,
	    .e_entry = MIB,
	    .e_phoff = sizeof(struct elf64_ehdr),
	    .e_ehsize = sizeof(struct elf64_ehdr),
	    .e_phentsize = sizeof(struct elf64_phdr),
	    .e_phnum = phnum,
	};
	return eh;
}

static struct elf64_phdr load_ph(uint64_t off, uint64_t addr, uint64_t filesz, uint64_t memsz,
                                 uint32_t flags)
{
	struct elf64_phdr ph = {
	    .p_type = ELF64_PT_LOAD,
	    .p_flags = flags,
	    .p_offset = off,
	    .p_vaddr = addr,
	    .p_paddr = addr,
	    .p_filesz = filesz,
	    .p_memsz = memsz,
	    .p_align = 0x1000,
	};
	return ph;
}

/* Writes the header, the program headers at e_phoff, and len bytes of a pattern up to data_end. */
static struct img make_image(const struct elf64_ehdr *eh, const struct elf64_phdr *ph, size_t n,
                             size_t data_end)
{
	struct img m;
	size_t ph_end = (size_t)eh->e_phoff + n * sizeof(*ph);

	m.len = data_end > ph_end ? data_end : ph_end;
	m.b = calloc(1, m.len);
	cr_assert_not_null(m.b);
	for (size_t i = ph_end; i < m.len; i++)
		m.b[i] = (uint8_t)(i * 7 + 1);
	memcpy(m.b, eh, sizeof(*eh));
	memcpy(m.b + eh->e_phoff, ph, n * sizeof(*ph));
	return m;
}

/* The usual shape: text (R+X) at 1 MiB, data (R+W) with bss after it, a GNU_STACK note. */
static struct img make_valid(void)
{
	struct elf64_ehdr eh = base_ehdr(3);
	struct elf64_phdr ph[3] = {
	    load_ph(0x1000, MIB, 0x800, 0x800, ELF64_PF_R | ELF64_PF_X),
	    load_ph(0x2000, MIB + 0x1000, 0x100, 0x3000, ELF64_PF_R | ELF64_PF_W),
	    {.p_type = 0x6474e551, .p_flags = ELF64_PF_R | ELF64_PF_W}, /* PT_GNU_STACK */
	};
	eh.e_entry = MIB + 0x10;
	return make_image(&eh, ph, 3, 0x2100);
}

static void set_ph(struct img *m, unsigned i, const struct elf64_phdr *ph)
{
	memcpy(m->b + sizeof(struct elf64_ehdr) + i * sizeof(*ph), ph, sizeof(*ph));
}

static struct elf64_phdr get_ph(const struct img *m, unsigned i)
{
	struct elf64_phdr ph;
	memcpy(&ph, m->b + sizeof(struct elf64_ehdr) + i * sizeof(ph), sizeof(ph));
	return ph;
}

static struct elf64_ehdr get_eh(const struct img *m)
{
	struct elf64_ehdr eh;
	memcpy(&eh, m->b, sizeof(eh));
	return eh;
}

static void set_eh(struct img *m, const struct elf64_ehdr *eh)
{
	memcpy(m->b, eh, sizeof(*eh));
}

/* --- the oracle ------------------------------------------------------------------------------ */

static char err[256];

static int cmp_seg(const void *a, const void *b)
{
	const struct elf64_segment *x = a, *y = b;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/*
 * Runs elf64_inspect on an exact-size heap copy (so ASan sees any overread) and, when it accepts,
 * demands that libelf reads the same file the same way. Returns elf64_inspect's result.
 */
static int inspect_checked(const uint8_t *bytes, size_t len, struct elf64_image *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, bytes, len);
	rc = elf64_inspect(copy, len, out, err, sizeof(err));
	cr_assert(rc == 0 || rc == -ENOEXEC, "rc %d", rc);
	cr_assert_eq(rc != 0, err[0] != '\0', "an error needs a message, success none");
	if (rc == 0) {
		Elf *e;
		GElf_Ehdr eh;
		size_t phnum;
		struct elf64_segment want[64];
		size_t nwant = 0;

		/*
		 * The loader ignores section headers on purpose (nothing it does needs them), while
		 * libelf refuses a file whose section header table lies: show libelf the same file
		 * without one, so the comparison is about what the loader does read.
		 */
		struct elf64_ehdr no_sections;
		memcpy(&no_sections, copy, sizeof(no_sections));
		no_sections.e_shoff = 0;
		no_sections.e_shnum = 0;
		no_sections.e_shstrndx = 0;
		memcpy(copy, &no_sections, sizeof(no_sections));
		cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
		e = elf_memory((char *)copy, len);
		cr_assert_not_null(e, "libelf: %s", elf_errmsg(-1));
		cr_assert_eq(elf_kind(e), ELF_K_ELF);
		cr_assert_eq(gelf_getclass(e), ELFCLASS64);
		cr_assert_not_null(gelf_getehdr(e, &eh), "libelf: %s", elf_errmsg(-1));
		cr_assert_eq(eh.e_type, ET_EXEC);
		cr_assert_eq(eh.e_machine, EM_X86_64);
		cr_assert_eq(eh.e_entry, out->entry);
		cr_assert_eq(elf_getphdrnum(e, &phnum), 0, "libelf: %s", elf_errmsg(-1));
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;
			cr_assert_not_null(gelf_getphdr(e, (int)i, &ph), "libelf: %s",
			                   elf_errmsg(-1));
			if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
				continue;
			cr_assert_lt(nwant, 64);
			cr_assert_leq(ph.p_offset + ph.p_filesz, len);
			want[nwant++] = (struct elf64_segment){ph.p_paddr, ph.p_offset, ph.p_filesz,
			                                       ph.p_memsz, ph.p_flags};
		}
		qsort(want, nwant, sizeof(want[0]), cmp_seg);
		cr_assert_eq(out->nsegments, nwant);
		for (size_t i = 0; i < nwant; i++) {
			cr_assert_eq(out->segments[i].paddr, want[i].paddr);
			cr_assert_eq(out->segments[i].offset, want[i].offset);
			cr_assert_eq(out->segments[i].filesz, want[i].filesz);
			cr_assert_eq(out->segments[i].memsz, want[i].memsz);
			cr_assert_eq(out->segments[i].flags, want[i].flags);
		}
		elf_end(e);
	}
	free(copy);
	return rc;
}

static void expect_reject(const struct img *m, const char *fragment)
{
	struct elf64_image out;
	int rc = inspect_checked(m->b, m->len, &out);

	cr_assert_eq(rc, -ENOEXEC, "accepted; expected '%s'", fragment);
	cr_assert(strstr(err, fragment), "message '%s' lacks '%s'", err, fragment);
}

/* --- valid images ---------------------------------------------------------------------------- */

Test(elf64, valid_image)
{
	struct img m = make_valid();
	struct elf64_image out;

	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0, "%s", err);
	cr_assert_eq(out.entry, MIB + 0x10);
	cr_assert_eq(out.nsegments, 2);
	cr_assert_eq(out.load_lo, MIB);
	cr_assert_eq(out.load_end, MIB + 0x4000);
	cr_assert_eq(out.segments[1].filesz, 0x100);
	cr_assert_eq(out.segments[1].memsz, 0x3000);
	free(m.b);
}

Test(elf64, unaligned_buffer)
{
	struct img m = make_valid();
	uint8_t *shifted = malloc(m.len + 3);
	struct elf64_image out;

	memcpy(shifted + 3, m.b, m.len);
	cr_assert_eq(elf64_inspect(shifted + 3, m.len, &out, err, sizeof(err)), 0, "%s", err);
	free(shifted);
	free(m.b);
}

Test(elf64, segments_out_of_order_and_empty_ones)
{
	struct elf64_ehdr eh = base_ehdr(4);
	struct elf64_phdr ph[4] = {
	    load_ph(0x2000, MIB + 0x1000, 0x100, 0x100, ELF64_PF_R),
	    load_ph(0, 0x5000000, 0, 0, ELF64_PF_R), /* empty: ignored even far away */
	    load_ph(0x1000, MIB, 0x100, 0x100, ELF64_PF_R | ELF64_PF_X),
	    {.p_type = 4 /* PT_NOTE */, .p_offset = 0x1000, .p_filesz = 0x10},
	};
	struct elf64_image out;

	eh.e_entry = MIB + 0xff;
	struct img m = make_image(&eh, ph, 4, 0x2100);
	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0, "%s", err);
	cr_assert_eq(out.nsegments, 2);
	cr_assert_eq(out.segments[0].paddr, MIB);
	cr_assert_eq(out.segments[1].paddr, MIB + 0x1000);
	free(m.b);
}

Test(elf64, sixteen_segments_ok_seventeen_not)
{
	struct elf64_phdr ph[17];
	struct elf64_image out;

	for (unsigned i = 0; i < 17; i++)
		ph[i] = load_ph(0x2000, MIB + i * 0x1000, 0x10, 0x10, ELF64_PF_R | ELF64_PF_X);
	struct elf64_ehdr eh = base_ehdr(16);
	struct img m = make_image(&eh, ph, 16, 0x2010);
	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0, "%s", err);
	cr_assert_eq(out.nsegments, 16);
	free(m.b);
	eh = base_ehdr(17);
	m = make_image(&eh, ph, 17, 0x2010);
	expect_reject(&m, "more than 16 PT_LOAD");
	free(m.b);
}

/* --- every prefix ---------------------------------------------------------------------------- */

Test(elf64, every_truncation)
{
	struct img m = make_valid();
	struct elf64_image out;

	for (size_t n = 0; n < m.len; n++)
		cr_assert_eq(inspect_checked(m.b, n, &out), -ENOEXEC, "prefix %zu accepted", n);
	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0);
	free(m.b);
}

/* --- the identification and the header ------------------------------------------------------- */

struct ident_case {
	size_t off;
	uint8_t value;
	const char *fragment;
};

Test(elf64, bad_identification)
{
	static const struct ident_case cases[] = {
	    {0, 0x7e, "bad magic"},
	    {3, 'f', "bad magic"},
	    {ELF64_EI_CLASS, 1, "not a 64-bit"},
	    {ELF64_EI_CLASS, 0, "not a 64-bit"},
	    {ELF64_EI_DATA, 2, "not a little-endian"},
	    {ELF64_EI_VERSION, 0, "version"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img m = make_valid();
		m.b[cases[i].off] = cases[i].value;
		expect_reject(&m, cases[i].fragment);
		free(m.b);
	}
}

Test(elf64, bad_header_fields)
{
	struct img m = make_valid();
	struct elf64_ehdr good = get_eh(&m), eh;

	eh = good, eh.e_machine = 3; /* EM_386 */
	set_eh(&m, &eh);
	expect_reject(&m, "not an x86-64");
	eh = good, eh.e_type = ELF64_ET_DYN;
	set_eh(&m, &eh);
	expect_reject(&m, "ET_DYN (PIE");
	eh = good, eh.e_type = 1; /* ET_REL */
	set_eh(&m, &eh);
	expect_reject(&m, "not an executable");
	eh = good, eh.e_version = 2;
	set_eh(&m, &eh);
	expect_reject(&m, "version");
	eh = good, eh.e_ehsize = 52;
	set_eh(&m, &eh);
	expect_reject(&m, "e_ehsize");
	eh = good, eh.e_phentsize = 32;
	set_eh(&m, &eh);
	expect_reject(&m, "e_phentsize");
	eh = good, eh.e_phentsize = 64;
	set_eh(&m, &eh);
	expect_reject(&m, "e_phentsize");
	eh = good, eh.e_phnum = 0;
	set_eh(&m, &eh);
	expect_reject(&m, "no program headers");
	eh = good, eh.e_phnum = ELF64_PN_XNUM;
	set_eh(&m, &eh);
	expect_reject(&m, "PN_XNUM");
	free(m.b);
}

Test(elf64, lying_program_header_table)
{
	static const uint64_t offs[] = {0x2100,     0x2100 - 56,     0x20ff,
	                                UINT64_MAX, UINT64_MAX - 55, 1ULL << 63};
	static const uint16_t nums[] = {0xfffe,
	                                0x2100 / 56}; /* 4 would fit: it reads data as headers */
	struct img m = make_valid();
	struct elf64_ehdr good = get_eh(&m), eh;

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		eh = good, eh.e_phoff = offs[i];
		set_eh(&m, &eh);
		expect_reject(&m, "run past the end of the file");
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		eh = good, eh.e_phnum = nums[i];
		set_eh(&m, &eh);
		expect_reject(&m, "run past the end of the file");
	}
	free(m.b);
}

/* --- program headers ------------------------------------------------------------------------- */

Test(elf64, segment_file_bytes_out_of_file)
{
	static const uint64_t bad[][2] = {
	    {0x2000, 0x101},          /* one byte past the end */
	    {0x2101, 0},              /* offset past the end, nothing read: still a lie */
	    {UINT64_MAX - 10, 100},   /* wraps */
	    {0x2000, UINT64_MAX},     /* wraps */
	    {1ULL << 63, 1ULL << 63}, /* wraps exactly to 0 */
	};
	struct img m = make_valid();
	struct elf64_phdr good = get_ph(&m, 1), ph;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ph = good, ph.p_offset = bad[i][0], ph.p_filesz = bad[i][1];
		if (ph.p_memsz < ph.p_filesz)
			ph.p_memsz = ph.p_filesz;
		set_ph(&m, 1, &ph);
		expect_reject(&m, "run past the end of the file");
	}
	free(m.b);
}

Test(elf64, filesz_larger_than_memsz)
{
	struct img m = make_valid();
	struct elf64_phdr ph = get_ph(&m, 1);

	ph.p_memsz = ph.p_filesz - 1;
	set_ph(&m, 1, &ph);
	expect_reject(&m, "larger than p_memsz");
	free(m.b);
}

Test(elf64, address_wraps)
{
	struct img m = make_valid();
	struct elf64_phdr good = get_ph(&m, 1), ph;

	ph = good, ph.p_paddr = ph.p_vaddr = UINT64_MAX - 0x1000;
	set_ph(&m, 1, &ph);
	expect_reject(&m, "wraps");
	ph = good, ph.p_vaddr = UINT64_MAX - 0x1000; /* only the virtual address wraps */
	set_ph(&m, 1, &ph);
	expect_reject(&m, "wraps");
	ph = good, ph.p_memsz = UINT64_MAX;
	set_ph(&m, 1, &ph);
	expect_reject(&m, "wraps");
	free(m.b);
}

Test(elf64, vaddr_must_equal_paddr)
{
	struct img m = make_valid();
	struct elf64_phdr ph = get_ph(&m, 1);

	ph.p_vaddr = 0xffffffff80000000ULL + ph.p_paddr; /* a higher-half link */
	set_ph(&m, 1, &ph);
	expect_reject(&m, "differs from p_paddr");
	free(m.b);
}

Test(elf64, overlapping_segments)
{
	static const uint64_t second[][2] = {
	    {MIB + 0x7ff, 0x10},  /* starts inside the first */
	    {MIB - 0x10, 0x11},   /* ends inside the first */
	    {MIB, 0x800},         /* the same range */
	    {MIB + 0x100, 0x10},  /* contained */
	    {MIB - 0x100, 0x1000} /* contains */
	};
	struct img m = make_valid();
	struct elf64_phdr good = get_ph(&m, 1), ph;

	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++) {
		ph = good, ph.p_paddr = ph.p_vaddr = second[i][0];
		ph.p_memsz = second[i][1];
		ph.p_filesz = ph.p_filesz < ph.p_memsz ? ph.p_filesz : ph.p_memsz;
		set_ph(&m, 1, &ph);
		expect_reject(&m, "overlap");
	}
	/* Touching is fine. */
	ph = good, ph.p_paddr = ph.p_vaddr = MIB + 0x800;
	set_ph(&m, 1, &ph);
	struct elf64_image out;
	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0, "%s", err);
	free(m.b);
}

Test(elf64, entry_point_placement)
{
	struct img m = make_valid();
	struct elf64_ehdr good = get_eh(&m), eh;
	struct elf64_image out;

	static const uint64_t bad_entries[] = {
	    0,         MIB - 1, MIB + 0x800, MIB + 0x1000 /* data, not X */, MIB + 0x1200 /* bss */,
	    UINT64_MAX};
	for (size_t i = 0; i < sizeof(bad_entries) / sizeof(bad_entries[0]); i++) {
		eh = good, eh.e_entry = bad_entries[i];
		set_eh(&m, &eh);
		expect_reject(&m, "entry point");
	}
	eh = good, eh.e_entry = MIB + 0x7ff;
	set_eh(&m, &eh);
	cr_assert_eq(inspect_checked(m.b, m.len, &out), 0, "%s", err);

	/* Entry in an executable segment's zero-filled tail. */
	struct elf64_phdr ph = get_ph(&m, 0);
	ph.p_memsz = 0x1000;
	set_ph(&m, 0, &ph);
	eh = good, eh.e_entry = MIB + 0x900;
	set_eh(&m, &eh);
	expect_reject(&m, "entry point");
	free(m.b);
}

Test(elf64, dynamic_and_loadless_images)
{
	struct img m = make_valid();
	struct elf64_phdr ph = get_ph(&m, 2);

	ph.p_type = ELF64_PT_INTERP;
	set_ph(&m, 2, &ph);
	expect_reject(&m, "dynamically linked");
	ph.p_type = ELF64_PT_DYNAMIC;
	set_ph(&m, 2, &ph);
	expect_reject(&m, "dynamically linked");
	free(m.b);

	m = make_valid();
	for (unsigned i = 0; i < 2; i++) {
		ph = get_ph(&m, i);
		ph.p_type = 4; /* PT_NOTE */
		set_ph(&m, i, &ph);
	}
	expect_reject(&m, "no PT_LOAD");
	free(m.b);

	m = make_valid();
	for (unsigned i = 0; i < 2; i++) {
		ph = get_ph(&m, i);
		ph.p_filesz = ph.p_memsz = 0;
		set_ph(&m, i, &ph);
	}
	expect_reject(&m, "no PT_LOAD");
	free(m.b);
}

Test(elf64, tiny_inputs)
{
	struct elf64_image out;

	cr_assert_eq(elf64_inspect(NULL, 0, &out, err, sizeof(err)), -ENOEXEC);
	cr_assert_eq(elf64_inspect("\177ELF", 4, &out, err, sizeof(err)), -ENOEXEC);
	cr_assert(strstr(err, "too small"));
	cr_assert_eq(elf64_inspect("\177ELF", 4, &out, NULL, 0), -ENOEXEC);
}

/* Random corruption of a valid image: never a crash, and libelf agrees with whatever is accepted. */
Test(elf64, random_corruption_agrees_with_libelf)
{
	uint64_t s = 88172645463325252ULL;
	struct elf64_image out;

	for (int round = 0; round < 20000; round++) {
		struct img m = make_valid();
		int flips = 1 + round % 3;
		for (int f = 0; f < flips; f++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			/* Mostly the headers: that is where the decisions are. */
			size_t pos = (s >> 8) % (round % 4 ? 64 + 3 * 56 : m.len);
			m.b[pos] = (uint8_t)(s >> 32);
		}
		inspect_checked(m.b, m.len, &out);
		free(m.b);
	}
}

/* --- loading --------------------------------------------------------------------------------- */

struct fake_guest {
	uint8_t *mem;
	uint64_t size;
	int fail_after; /* calls before a callback fails; -1: never */
	int calls;
};

static int fake_copy(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct fake_guest *g = ctx;

	if (g->fail_after >= 0 && g->calls++ >= g->fail_after)
		return -EFAULT;
	cr_assert(gpa <= g->size && len <= g->size - gpa);
	memcpy(g->mem + gpa, src, len);
	return 0;
}

static int fake_zero(void *ctx, uint64_t gpa, size_t len)
{
	struct fake_guest *g = ctx;

	if (g->fail_after >= 0 && g->calls++ >= g->fail_after)
		return -EFAULT;
	cr_assert(gpa <= g->size && len <= g->size - gpa);
	memset(g->mem + gpa, 0, len);
	return 0;
}

Test(elf64, load_copies_and_zeroes)
{
	struct img m = make_valid();
	struct elf64_image out;
	struct fake_guest g = {.size = 2 * MIB, .fail_after = -1};

	g.mem = malloc(g.size);
	memset(g.mem, 0xEE, g.size);
	cr_assert_eq(elf64_inspect(m.b, m.len, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(
	    elf64_load(&out, m.b, m.len, MIB, g.size, fake_copy, fake_zero, &g, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_eq(memcmp(g.mem + MIB, m.b + 0x1000, 0x800), 0);
	cr_assert_eq(memcmp(g.mem + MIB + 0x1000, m.b + 0x2000, 0x100), 0);
	for (uint64_t a = MIB + 0x1100; a < MIB + 0x4000; a++)
		cr_assert_eq(g.mem[a], 0, "bss byte %#llx", (unsigned long long)a);
	cr_assert_eq(g.mem[MIB + 0x800], 0xEE); /* between segments: untouched */
	cr_assert_eq(g.mem[MIB + 0x4000], 0xEE);
	free(g.mem);
	free(m.b);
}

Test(elf64, load_range_checks)
{
	struct img m = make_valid();
	struct elf64_image out;
	struct fake_guest g = {.size = 2 * MIB, .fail_after = -1};

	g.mem = calloc(1, g.size);
	cr_assert_eq(elf64_inspect(m.b, m.len, &out, err, sizeof(err)), 0, "%s", err);
	/* Segments end at 1 MiB + 16 KiB. */
	cr_assert_eq(elf64_load(&out, m.b, m.len, MIB, MIB + 0x3fff, fake_copy, fake_zero, &g, err,
	                        sizeof(err)),
	             -ERANGE);
	cr_assert(strstr(err, "outside the partition's loadable memory"), "%s", err);
	cr_assert_eq(elf64_load(&out, m.b, m.len, MIB + 1, g.size, fake_copy, fake_zero, &g, err,
	                        sizeof(err)),
	             -ERANGE);
	cr_assert_eq(g.mem[MIB], 0, "nothing may be written when a check fails");
	cr_assert_eq(elf64_load(&out, m.b, m.len, MIB, MIB + 0x4000, fake_copy, fake_zero, &g, err,
	                        sizeof(err)),
	             0, "%s", err);
	/* An image that does not match the description: refused before any write. */
	cr_assert_eq(
	    elf64_load(&out, m.b, 0x2000, MIB, g.size, fake_copy, fake_zero, &g, err, sizeof(err)),
	    -EINVAL);
	/* A failing callback is reported with its own error. */
	g.fail_after = 1;
	cr_assert_eq(
	    elf64_load(&out, m.b, m.len, MIB, g.size, fake_copy, fake_zero, &g, err, sizeof(err)),
	    -EFAULT);
	cr_assert(strstr(err, "writing segment"), "%s", err);
	free(g.mem);
	free(m.b);
}

/* --- the real example guests, when built ----------------------------------------------------- */

Test(elf64, example_guests_agree_with_libelf)
{
	glob_t gl;

	if (glob("build/guests/*.elf", 0, NULL, &gl) != 0) {
		cr_skip_test("no build/guests/*.elf (run make guests)");
		return;
	}
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		FILE *f = fopen(gl.gl_pathv[i], "rb");
		struct elf64_image out;
		long len;
		uint8_t *b;

		cr_assert_not_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		b = malloc((size_t)len);
		cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		cr_assert_eq(inspect_checked(b, (size_t)len, &out), 0, "%s: %s", gl.gl_pathv[i],
		             err);
		cr_assert_geq(out.load_lo, 0x100000, "%s", gl.gl_pathv[i]);
		for (long n = 0; n < len && n < 4096; n++)
			inspect_checked(b, (size_t)n, &out);
		free(b);
	}
	globfree(&gl);
}
