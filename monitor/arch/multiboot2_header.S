/* The multiboot2 header GRUB looks for: first in the image, 8-byte aligned, within the first 32 KiB. */

/*
 * Multiboot2 specification, "Header layout" and "Header tags". The monitor is an ELF64 file, so
 * GRUB takes the load addresses and the entry point from the ELF headers: no address or entry tag.
 */
#define MB2_HEADER_MAGIC        0xE85250D6
#define MB2_ARCH_I386           0          /* "i386 protected mode": the 32-bit entry of entry.S */
#define MB2_TAG_END             0
#define MB2_TAG_MODULE_ALIGN    6
#define MB2_TAG_OPTIONAL        1

	.section .multiboot, "a"
	.balign 8
mb2_header_start:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header_start
	/* The four fields above must sum to zero (mod 2^32). */
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))

	/*
	 * Module alignment: modules become guest images and the page allocator starts above them, so
	 * ask for page alignment explicitly rather than rely on GRUB doing it anyway. Optional, so a
	 * loader that does not know the tag still boots us.
	 */
	.balign 8
	.short MB2_TAG_MODULE_ALIGN
	.short MB2_TAG_OPTIONAL
	.long 8

	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits
