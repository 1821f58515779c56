// liblz4's frame API (Debian: liblz4-dev). Only this target includes it.
#include <lz4frame.h>
