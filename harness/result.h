/* result.h - the result file moved to resultlib/result.h (and nb_utc_now to
 * common/clock.h); this name stays only until harness/lab.c includes those. */
#include "../resultlib/result.h"
#include "../common/clock.h"
