/* helpers.c - see helpers.h. */
#include "helpers.h"

#include <string.h>

long nbt_row_of(const struct nb_table *t, const char *key)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (strcmp(t->rows[r].key, key) == 0)
			return (long)r;
	return -1;
}
