/* What enlightened32's two halves share: the verdict, the hypercall page, the SynIC's pages. */
#ifndef ENLIGHTENED32_H
#define ENLIGHTENED32_H

#include <stdbool.h>
#include <stdint.h>

/* TLFS values (libhv/include/hv/abi/; the guests do not see libhv's include path). */
#define HV_FEATURE_SYNIC_MSRS     (1U << 2)
#define HV_FEATURE_FREQUENCY_MSRS (1U << 11)
#define HV_X64_MSR_TIME_REF_COUNT 0x40000020U
#define HV_X64_MSR_TSC_FREQUENCY  0x40000022U
#define HV_X64_MSR_SCONTROL       0x40000080U
#define HV_X64_MSR_SIMP           0x40000083U
#define HV_X64_MSR_EOM            0x40000084U
#define HV_X64_MSR_SINT0          0x40000090U
#define HV_SINT_MASKED            (1ULL << 16)
#define HVCALL_POST_MESSAGE       0x005CU
#define HV_STATUS_SUCCESS         0x0U

/* The example monitor's echo service (monitor/synic_echo.h, docs/guest-abi.md): a message to
 * the connection comes back in SINT 2's slot. */
#define ECHO_MESSAGE_CONNECTION 0x2001U
#define ECHO_SINT               2U
#define ECHO_VECTOR             0x52U /* the polled round trip: IF stays clear, the vector waits */
#define ECHO_MESSAGE_TYPE       0x42U

/* TLFS layout of one SIMP slot. */
struct message_slot {
	volatile uint32_t type;
	uint8_t payload_size;
	volatile uint8_t flags; /* bit 0: another message waits: write EOM after freeing */
	uint16_t reserved;
	uint64_t sender;
	uint8_t payload[240];
};

/* Paging is off: these addresses are the GPAs the hypervisor is given. */
extern uint8_t input_page[4096];
extern uint8_t message_page[4096];

/* Prints "enlightened32: WHAT: PASS" or "FAIL"; a failure fails the guest's verdict. */
void result(bool ok, const char *what);
void put_dec64(uint64_t v);
/* The 32-bit hypercall convention through the hypercall page; returns the result value. */
uint64_t hypercall(uint64_t control, uint64_t input, uint64_t output);
uint64_t gpa(const void *p);

/*
 * SynIC and synthetic-timer interrupts taken through the IDT (interrupts.c): STIMER0 periodic in
 * direct mode, a one-shot timer's message with its SINT's vector, the echo's message on an
 * interrupting SINT with and without AutoEOI, and HLT woken by a synthetic timer. Needs the
 * SynIC enabled with the message page (check_synic); `features_eax`/`features_edx` are CPUID
 * 0x40000003's EAX and EDX.
 */
void check_synic_interrupts(uint32_t features_eax, uint32_t features_edx);

#endif
