/* units.h - parsing sizes and counts as users write them ("64K", "1GiB", "0x10"). */
#ifndef NB_UNITS_H
#define NB_UNITS_H

#include <stdint.h>

/* Parse a size with an optional binary suffix: K, M, G, T (also KiB/KB/k..., all
 * powers of 1024), or B.  0 on success; -1 on malformed text or overflow. */
int nb_parse_size(const char *s, uint64_t *out);

/* Parse an unsigned integer (decimal, or hex with 0x; never octal), whole string. */
int nb_parse_u64(const char *s, uint64_t *out);

/* Parse a boolean: 1/0, yes/no, true/false, on/off; 0 or -1. */
int nb_parse_bool(const char *s, int *out);

/* Format bytes as the shortest exact binary unit: 16384 -> "16K", 1536 -> "1536". */
void nb_format_size(uint64_t bytes, char *buf, unsigned len);

#endif
