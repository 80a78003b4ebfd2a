/* The hypercall decoder's private contracts: one decoded call, and the call-code table. */
#ifndef HV_CORE_HYPERCALL_H
#define HV_CORE_HYPERCALL_H

#include <hv/abi/hv_hypercall.h>
#include <hv/hv.h>

struct hv_vp;

/*
 * One hypercall after decoding. The input was copied into hypervisor memory before anything in
 * it was looked at (a guest can change its RAM while libhv reads it); handlers read `input` and
 * write `output`, which the decoder copies to the guest's output GPA once the handler returns.
 */
struct hc_call {
	struct hv_vp *vp;
	uint16_t code;
	bool fast;
	uint16_t var_header_qwords; /* variable header size, in 8-byte units */
	uint16_t rep_count;
	uint16_t rep_start;
	uint16_t reps_completed; /* OUT (rep calls): total reps done, rep_start included */
	const uint8_t *input;    /* fixed header, variable header, then rep_count rep elements */
	uint32_t input_size;
	uint8_t *output; /* output_size bytes, zeroed before the handler runs */
	uint32_t output_size;
};

enum hc_kind {
	HC_SIMPLE, /* rep count and rep start must be 0 */
	HC_REP,    /* rep count >= 1, rep start < rep count */
};

/* A call code libhv knows, with the shape of its parameters (TLFS per-call reference). */
struct hc_entry {
	uint16_t code;
	const char *name;
	enum hc_kind kind;
	bool fast_ok;         /* may use the register calling convention */
	bool var_header_ok;   /* may carry a variable header */
	bool root_only;       /* a child partition gets HV_STATUS_ACCESS_DENIED */
	uint32_t privilege;   /* HV_PRIV_* the caller must hold, or 0 */
	uint16_t input_fixed; /* bytes of fixed input header */
	uint16_t input_rep;   /* bytes per rep element of input */
	uint16_t output_fixed;
	uint16_t output_rep;
	/* NULL for calls that exist but that libhv never serves to a child (root-only ones). */
	hv_status_t (*handler)(struct hc_call *call);
};

/*
 * The call-code table (core/hypercall_table.c): indexed by code, so that a lookup is one bounds
 * check and one load on every hypercall. Codes at or above HC_TABLE_CODES (the extended calls
 * from 0x8001) live in a small table of their own. An entry without a name is an unknown code.
 */
#define HC_TABLE_CODES 0x009BU /* up to HVCALL_GET_VP_INDEX_FROM_APIC_ID */
extern const struct hc_entry hc_table[HC_TABLE_CODES];
const struct hc_entry *hc_lookup_extended(uint16_t code);

/* The entry for a call code, or NULL when the code is unknown. */
static inline const struct hc_entry *hc_lookup(uint16_t code)
{
	if (code < HC_TABLE_CODES)
		return hc_table[code].name ? &hc_table[code] : NULL;
	return hc_lookup_extended(code);
}

/* Handlers (core/hypercall_flush.c, core/hypercall_message.c, core/hypercall_ipi.c). */
hv_status_t hc_flush_virtual_address_space(struct hc_call *call);
hv_status_t hc_flush_virtual_address_list(struct hc_call *call);
hv_status_t hc_flush_virtual_address_space_ex(struct hc_call *call);
hv_status_t hc_flush_virtual_address_list_ex(struct hc_call *call);
hv_status_t hc_post_message(struct hc_call *call);
hv_status_t hc_signal_event(struct hc_call *call);
hv_status_t hc_send_synthetic_cluster_ipi(struct hc_call *call);
hv_status_t hc_send_synthetic_cluster_ipi_ex(struct hc_call *call);
hv_status_t hc_get_vp_index_from_apic_id(struct hc_call *call);

/*
 * Processor sets (core/hypercall_flush.c). Call `visit` for each VP of the caller's partition
 * named by a 64-bit processor mask (bit N: VP index N), or by an HV_VP_SET (TLFS "Virtual
 * Processor Set") with the given format and valid-bank mask whose banks start at `banks` (the
 * variable header, call->var_header_qwords of them). Indexes with no VP behind them are
 * skipped. The set is checked whole before the first visit: an unknown format, or a bank count
 * other than the variable header's size, gives HV_STATUS_INVALID_HYPERCALL_INPUT.
 */
typedef void (*hc_vp_visit_fn)(struct hv_vp *vp, void *ctx);
void hc_for_each_vp_in_mask(struct hc_call *call, uint64_t mask, hc_vp_visit_fn visit, void *ctx);
hv_status_t hc_for_each_vp_in_set(struct hc_call *call, uint64_t format, uint64_t valid_bank_mask,
                                  const uint8_t *banks, hc_vp_visit_fn visit, void *ctx);

/*
 * The decoder (core/hypercall_decode.c): from the calling convention's three values to the
 * result value, with the handler run in between; core/hypercall.c reads and writes registers.
 */
struct hc_regs {
	uint64_t control;
	uint64_t input;  /* slow: input GPA; fast: first 8 bytes of input */
	uint64_t output; /* slow: output GPA; fast: next 8 bytes of input */
};
/* Validate, copy in, run, copy out. Returns the result value (status | reps completed << 32). */
uint64_t hc_execute(struct hv_vp *vp, const struct hc_regs *regs);

#endif
