/* helpers.h - look-ups the report tests share. */
#ifndef NBT_REPORT_HELPERS_H
#define NBT_REPORT_HELPERS_H

#include "../../analysis/table.h"

/* The index of the table row with this case key, or -1. */
long nbt_row_of(const struct nb_table *t, const char *key);

#endif
