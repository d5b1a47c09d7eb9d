/* summary.h - the few lines `nestbench run` ends with: per tier, the median and its
 * 95 % CI of each workload family's first case, and how many cases ended how. */
#ifndef NB_SUMMARY_H
#define NB_SUMMARY_H

#include <stdio.h>

/* Read the result file at path and print the summary (at most 15 lines) to out;
 * nothing when it cannot be read or holds no tier. */
void nb_summary_print(const char *path, FILE *out);

#endif
