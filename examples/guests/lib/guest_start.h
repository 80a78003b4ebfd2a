/* The ELF64 guest start contract, from its one copy in the monitor (guests are built with -Iexamples/guests/lib only). */
#include "../../../monitor/loader/guest_start.h"
