/* libFuzzer target: SVM exit decoding and the VMRUN-failure diagnosis on arbitrary VMCB contents. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "libhv/svm/svm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcb vmcb;
	uint64_t gprs[SVM_GPR_COUNT] = {0};
	struct svm_decode_features features = {.nrip_save = size & 1};
	struct hv_exit exit;

	/* The first bytes fill the control area's live fields, the rest the save area and GPRs. */
	memset(&vmcb, 0, sizeof(vmcb));
	memcpy(&vmcb.control.exit_code, data, size < 32 ? size : 32);
	if (size > 32)
		memcpy(&vmcb.control.next_rip, data + 32, size - 32 < 8 ? size - 32 : 8);
	if (size > 40)
		memcpy(&vmcb.save, data + 40,
		       size - 40 < sizeof(vmcb.save) ? size - 40 : sizeof(vmcb.save));
	if (size > 40 + sizeof(vmcb.save))
		memcpy(gprs, data + 40 + sizeof(vmcb.save),
		       size - 40 - sizeof(vmcb.save) < sizeof(gprs) ? size - 40 - sizeof(vmcb.save)
		                                                    : sizeof(gprs));
	/* Keep the common exit codes likely. */
	if (size && (data[0] & 0x80) == 0)
		vmcb.control.exit_code = (uint64_t)0x40 + data[0];

	memset(&exit, 0, sizeof(exit));
	svm_decode_exit(&vmcb, gprs, &features, &exit);
	if ((unsigned)exit.reason >= HV_EXIT_REASON_COUNT || exit.insn_length > 15)
		__builtin_trap();
	if (exit.reason == HV_EXIT_IO && exit.io.size != 1 && exit.io.size != 2 &&
	    exit.io.size != 4)
		__builtin_trap();
	if (exit.reason == HV_EXIT_INVALID_STATE && !exit.invalid.detail)
		__builtin_trap();
	return 0;
}
