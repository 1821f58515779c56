// libdrm_intel's batch decoder (Debian: libdrm-dev). Not thread-safe: callers
// serialise every call behind one process-wide lock.
#include <stdint.h>
#include <stdio.h>
#include <libdrm/intel_bufmgr.h>
