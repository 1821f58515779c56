// capstone 4 (Debian: libcapstone-dev). Prefixed include: capstone's pkg-config
// folder exposes generic header names, so nothing of ours may be named like them.
#include <capstone/capstone.h>
