/* proc.h - moved to common/proc.h; this name stays only until harness/lab.c
 * includes that one. */
#include "../common/proc.h"
