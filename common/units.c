/* units.c - size, count and boolean parsing shared by every nestbench program. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int nb_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	/* Decimal, or hex with 0x; never octal: "010" is ten, as users mean it. */
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	errno = 0;
	v = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
	if (errno || *end || (hex && !s[2]) || end == s)
		return -1;
	*out = v;
	return 0;
}

static int suffix_shift(const char *suf, unsigned *shift)
{
	static const struct { const char *s; unsigned shift; } tab[] = {
		{ "", 0 },    { "b", 0 },
		{ "k", 10 },  { "kb", 10 }, { "kib", 10 },
		{ "m", 20 },  { "mb", 20 }, { "mib", 20 },
		{ "g", 30 },  { "gb", 30 }, { "gib", 30 },
		{ "t", 40 },  { "tb", 40 }, { "tib", 40 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcasecmp(suf, tab[i].s) == 0) {
			*shift = tab[i].shift;
			return 0;
		}
	}
	return -1;
}

int nb_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || suffix_shift(end, &shift))
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int nb_parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

void nb_format_size(uint64_t bytes, char *buf, unsigned len)
{
	static const char suf[] = "KMGT";
	int i = -1;

	while (bytes && (bytes & 1023) == 0 && i < 3) {
		bytes >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, suf[i]);
}
