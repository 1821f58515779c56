// liblz4 (Debian: liblz4-dev): the frame API and the block API's version query.
// Only this target includes it.
#include <lz4.h>
#include <lz4frame.h>
