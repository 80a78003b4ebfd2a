/* The AMD virtual machine control block (VMCB): a packed layout with compile-time offset checks. */
#ifndef HV_SVM_VMCB_H
#define HV_SVM_VMCB_H

/*
 * Layout from the AMD APM volume 2, appendix "Layout of VMCB". Fields are plain integers with
 * named masks below; reserved space is spelled out so every offset can be checked.
 */

#include <stddef.h>
#include <stdint.h>

struct vmcb_segment {
	uint16_t selector;
	uint16_t attrib; /* packed 12-bit form: type,S,DPL,P in 7:0; AVL,L,D/B,G in 11:8 */
	uint32_t limit;
	uint64_t base;
} __attribute__((packed, aligned(8)));

struct vmcb_control {
	uint32_t intercept_cr;         /* 0x000: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;         /* 0x004 */
	uint32_t intercept_exceptions; /* 0x008 */
	uint32_t intercept_misc1;      /* 0x00c */
	uint32_t intercept_misc2;      /* 0x010 */
	uint32_t intercept_misc3;      /* 0x014 */
	uint8_t reserved_0x018[0x03c - 0x018];
	uint16_t pause_filter_threshold; /* 0x03c */
	uint16_t pause_filter_count;     /* 0x03e */
	uint64_t iopm_base_pa;           /* 0x040 */
	uint64_t msrpm_base_pa;          /* 0x048 */
	uint64_t tsc_offset;             /* 0x050 */
	uint32_t guest_asid;             /* 0x058 */
	uint8_t tlb_control;             /* 0x05c */
	uint8_t reserved_0x05d[3];
	uint64_t int_control;   /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	uint64_t int_state;     /* 0x068: interrupt shadow */
	uint64_t exit_code;     /* 0x070 */
	uint64_t exit_info1;    /* 0x078 */
	uint64_t exit_info2;    /* 0x080 */
	uint64_t exit_int_info; /* 0x088 */
	uint64_t np_control;    /* 0x090: NP_ENABLE */
	uint64_t avic_apic_bar; /* 0x098 */
	uint64_t ghcb_pa;       /* 0x0a0 */
	uint64_t event_inject;  /* 0x0a8 */
	uint64_t n_cr3;         /* 0x0b0 */
	uint64_t virt_ext;      /* 0x0b8: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean_bits;    /* 0x0c0 */
	uint32_t reserved_0x0c4;
	uint64_t next_rip;          /* 0x0c8: with NRIP save only */
	uint8_t insn_bytes_fetched; /* 0x0d0: with decode assists only */
	uint8_t insn_bytes[15];     /* 0x0d1 */
	uint8_t reserved_0x0e0[0x400 - 0x0e0];
} __attribute__((packed, aligned(8)));

struct vmcb_save {
	struct vmcb_segment es;   /* 0x400 */
	struct vmcb_segment cs;   /* 0x410 */
	struct vmcb_segment ss;   /* 0x420 */
	struct vmcb_segment ds;   /* 0x430 */
	struct vmcb_segment fs;   /* 0x440 */
	struct vmcb_segment gs;   /* 0x450 */
	struct vmcb_segment gdtr; /* 0x460 */
	struct vmcb_segment ldtr; /* 0x470 */
	struct vmcb_segment idtr; /* 0x480 */
	struct vmcb_segment tr;   /* 0x490 */
	uint8_t reserved_0x4a0[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved_0x4cc;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved_0x4d8[0x548 - 0x4d8];
	uint64_t cr4;    /* 0x548 */
	uint64_t cr3;    /* 0x550 */
	uint64_t cr0;    /* 0x558 */
	uint64_t dr7;    /* 0x560 */
	uint64_t dr6;    /* 0x568 */
	uint64_t rflags; /* 0x570 */
	uint64_t rip;    /* 0x578 */
	uint8_t reserved_0x580[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t reserved_0x5e0[0x5f8 - 0x5e0];
	uint64_t rax;            /* 0x5f8 */
	uint64_t star;           /* 0x600 */
	uint64_t lstar;          /* 0x608 */
	uint64_t cstar;          /* 0x610 */
	uint64_t sfmask;         /* 0x618 */
	uint64_t kernel_gs_base; /* 0x620 */
	uint64_t sysenter_cs;    /* 0x628 */
	uint64_t sysenter_esp;   /* 0x630 */
	uint64_t sysenter_eip;   /* 0x638 */
	uint64_t cr2;            /* 0x640 */
	uint8_t reserved_0x648[0x668 - 0x648];
	uint64_t g_pat;  /* 0x668 */
	uint64_t dbgctl; /* 0x670 */
	uint8_t reserved_0x678[0x1000 - 0x678];
} __attribute__((packed, aligned(8)));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((packed, aligned(8)));

#define VMCB_CHECK(field, off) \
	_Static_assert(offsetof(struct vmcb, field) == (off), "VMCB offset of " #field)
VMCB_CHECK(control.intercept_misc1, 0x00c);
VMCB_CHECK(control.pause_filter_count, 0x03e);
VMCB_CHECK(control.iopm_base_pa, 0x040);
VMCB_CHECK(control.guest_asid, 0x058);
VMCB_CHECK(control.tlb_control, 0x05c);
VMCB_CHECK(control.int_control, 0x060);
VMCB_CHECK(control.exit_code, 0x070);
VMCB_CHECK(control.exit_int_info, 0x088);
VMCB_CHECK(control.np_control, 0x090);
VMCB_CHECK(control.event_inject, 0x0a8);
VMCB_CHECK(control.n_cr3, 0x0b0);
VMCB_CHECK(control.clean_bits, 0x0c0);
VMCB_CHECK(control.next_rip, 0x0c8);
VMCB_CHECK(control.insn_bytes, 0x0d1);
VMCB_CHECK(save.es, 0x400);
VMCB_CHECK(save.tr, 0x490);
VMCB_CHECK(save.cpl, 0x4cb);
VMCB_CHECK(save.efer, 0x4d0);
VMCB_CHECK(save.cr4, 0x548);
VMCB_CHECK(save.rip, 0x578);
VMCB_CHECK(save.rsp, 0x5d8);
VMCB_CHECK(save.rax, 0x5f8);
VMCB_CHECK(save.sysenter_eip, 0x638);
VMCB_CHECK(save.cr2, 0x640);
VMCB_CHECK(save.g_pat, 0x668);
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB: one 4 KiB page");
#undef VMCB_CHECK

/* intercept_misc1 */
#define VMCB_INTERCEPT_INTR     (1U << 0)
#define VMCB_INTERCEPT_NMI      (1U << 1)
#define VMCB_INTERCEPT_SMI      (1U << 2)
#define VMCB_INTERCEPT_INIT     (1U << 3)
#define VMCB_INTERCEPT_VINTR    (1U << 4)
#define VMCB_INTERCEPT_CPUID    (1U << 18)
#define VMCB_INTERCEPT_IRET     (1U << 20)
#define VMCB_INTERCEPT_INVD     (1U << 22)
#define VMCB_INTERCEPT_HLT      (1U << 24)
#define VMCB_INTERCEPT_INVLPGA  (1U << 26)
#define VMCB_INTERCEPT_IOIO     (1U << 27)
#define VMCB_INTERCEPT_MSR      (1U << 28)
#define VMCB_INTERCEPT_TASKSW   (1U << 29)
#define VMCB_INTERCEPT_SHUTDOWN (1U << 31)
/* intercept_misc2 */
#define VMCB_INTERCEPT_VMRUN        (1U << 0)
#define VMCB_INTERCEPT_VMMCALL      (1U << 1)
#define VMCB_INTERCEPT_VMLOAD       (1U << 2)
#define VMCB_INTERCEPT_VMSAVE       (1U << 3)
#define VMCB_INTERCEPT_STGI         (1U << 4)
#define VMCB_INTERCEPT_CLGI         (1U << 5)
#define VMCB_INTERCEPT_SKINIT       (1U << 6)
#define VMCB_INTERCEPT_ICEBP        (1U << 8)
#define VMCB_INTERCEPT_MONITOR      (1U << 10)
#define VMCB_INTERCEPT_MWAIT        (1U << 11)
#define VMCB_INTERCEPT_MWAIT_C      (1U << 12)
#define VMCB_INTERCEPT_XSETBV       (1U << 13)

#define VMCB_TLB_CONTROL_NONE       0U
#define VMCB_TLB_CONTROL_FLUSH_ALL  1U
#define VMCB_TLB_CONTROL_FLUSH_ASID 3U

/* int_control: V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING (APM "Virtual Interrupt Control") */
#define VMCB_INT_V_TPR_MASK        0xfULL
#define VMCB_INT_V_IRQ             (1ULL << 8)
#define VMCB_INT_V_INTR_PRIO_SHIFT 16U
#define VMCB_INT_V_IGN_TPR         (1ULL << 20)
#define VMCB_INT_V_INTR_MASKING    (1ULL << 24)
/* int_state */
#define VMCB_INT_STATE_SHADOW (1ULL << 0)
#define VMCB_NP_ENABLE        (1ULL << 0)

/* event_inject and exit_int_info */
#define VMCB_EVENT_VECTOR_MASK    0xffULL
#define VMCB_EVENT_TYPE_SHIFT     8U
#define VMCB_EVENT_TYPE_INTR      0ULL
#define VMCB_EVENT_TYPE_NMI       2ULL
#define VMCB_EVENT_TYPE_EXCEPTION 3ULL
#define VMCB_EVENT_TYPE_SOFT_INT  4ULL
#define VMCB_EVENT_ERROR_VALID    (1ULL << 11)
#define VMCB_EVENT_VALID          (1ULL << 31)
#define VMCB_EVENT_ERROR_SHIFT    32U

/* Exit codes (APM "SVM Intercept Exit Codes"). */
#define SVM_EXIT_EXCEPTION_BASE 0x040U
#define SVM_EXIT_INTR           0x060U
#define SVM_EXIT_NMI            0x061U
#define SVM_EXIT_SMI            0x062U
#define SVM_EXIT_INIT           0x063U
#define SVM_EXIT_VINTR          0x064U
#define SVM_EXIT_CPUID          0x072U
#define SVM_EXIT_IRET           0x074U
#define SVM_EXIT_INVD           0x076U
#define SVM_EXIT_HLT            0x078U
#define SVM_EXIT_INVLPGA        0x07aU
#define SVM_EXIT_IOIO           0x07bU
#define SVM_EXIT_MSR            0x07cU
#define SVM_EXIT_TASK_SWITCH    0x07dU
#define SVM_EXIT_SHUTDOWN       0x07fU
#define SVM_EXIT_VMRUN          0x080U
#define SVM_EXIT_VMMCALL        0x081U
#define SVM_EXIT_VMLOAD         0x082U
#define SVM_EXIT_VMSAVE         0x083U
#define SVM_EXIT_STGI           0x084U
#define SVM_EXIT_CLGI           0x085U
#define SVM_EXIT_SKINIT         0x086U
#define SVM_EXIT_ICEBP          0x088U
#define SVM_EXIT_MONITOR        0x08aU
#define SVM_EXIT_MWAIT          0x08bU
#define SVM_EXIT_MWAIT_COND     0x08cU
#define SVM_EXIT_XSETBV         0x08dU
#define SVM_EXIT_NPF            0x400U
#define SVM_EXIT_INVALID        0xffffffffU /* compared as (uint32_t)exit_code */

/* IOIO EXITINFO1 */
#define SVM_IOIO_TYPE_IN    (1ULL << 0)
#define SVM_IOIO_STRING     (1ULL << 2)
#define SVM_IOIO_REP        (1ULL << 3)
#define SVM_IOIO_SZ8        (1ULL << 4)
#define SVM_IOIO_SZ16       (1ULL << 5)
#define SVM_IOIO_SZ32       (1ULL << 6)
#define SVM_IOIO_PORT_SHIFT 16U

/* NPF EXITINFO1 */
#define SVM_NPF_PRESENT    (1ULL << 0)
#define SVM_NPF_WRITE      (1ULL << 1)
#define SVM_NPF_USER       (1ULL << 2)
#define SVM_NPF_RESERVED   (1ULL << 3)
#define SVM_NPF_FETCH      (1ULL << 4)
#define SVM_NPF_FINAL_GPA  (1ULL << 32)
#define SVM_NPF_GUEST_WALK (1ULL << 33)

#define SVM_IOPM_SIZE      (12U * 1024U)
#define SVM_MSRPM_SIZE     (8U * 1024U)

#endif
