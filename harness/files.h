/* files.h - moved to common/files.h; this name stays only until harness/lab.c
 * includes that one. */
#include "../common/files.h"
