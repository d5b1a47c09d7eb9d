/* utf8.c - strict UTF-8 checks, character-boundary cuts, in-place repair.
 * The byte ranges are those of the Unicode standard's table of well-formed UTF-8
 * byte sequences (Table 3-7), which RFC 3629 follows. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

static int is_cont(unsigned char c) { return (c & 0xc0) == 0x80; }

/* The length of the valid sequence at p (avail > 0 bytes there), or 0 with why. */
static size_t seq_len(const unsigned char *p, size_t avail, const char **why)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c < 0xc2) {
		*why = c < 0xc0 ? "a continuation byte without a lead byte"
				: "an overlong encoding";
		return 0;
	}
	if (c < 0xe0) {
		n = 2;
	} else if (c < 0xf0) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;      /* below: overlong */
		else if (c == 0xed)
			hi = 0x9f;      /* above: U+D800..U+DFFF, UTF-16 surrogates */
	} else if (c < 0xf5) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;      /* below: overlong */
		else if (c == 0xf4)
			hi = 0x8f;      /* above: beyond U+10FFFF */
	} else {
		*why = c < 0xf8 ? "a code point above U+10FFFF" : "a byte that never occurs in UTF-8";
		return 0;
	}
	if (avail < 2 || p[1] < lo || p[1] > hi) {
		if (avail >= 2 && is_cont(p[1]))
			*why = c == 0xed ? "a UTF-16 surrogate encoded in UTF-8"
			     : c == 0xf4 ? "a code point above U+10FFFF"
					 : "an overlong encoding";
		else
			*why = "a truncated sequence";
		return 0;
	}
	for (size_t i = 2; i < n; i++)
		if (i >= avail || !is_cont(p[i])) {
			*why = "a truncated sequence";
			return 0;
		}
	return n;
}

size_t nb_utf8_check(const void *buf, size_t len, const char **why)
{
	const unsigned char *p = buf;
	const char *w = NULL;
	size_t i = 0;

	while (i < len) {
		/* Requests and replies are mostly ASCII: eight bytes at a time. */
		while (len - i >= 8) {
			uint64_t v;
			memcpy(&v, p + i, 8);
			if (v & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		size_t n = seq_len(p + i, len - i, &w);
		if (!n) {
			if (why)
				*why = w;
			return i;
		}
		i += n;
	}
	return len;
}

int nb_utf8_valid(const void *buf, size_t len)
{
	return nb_utf8_check(buf, len, NULL) == len;
}

size_t nb_utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n < max || s[n] == '\0')
		return n;
	/* s[n] is the first byte left out: never leave out the tail of a character. */
	for (int k = 0; k < 3 && n > 0 && is_cont((unsigned char)s[n]); k++)
		n--;
	return n;
}

char *nb_utf8_clip(char *dst, size_t dstlen, const char *src, size_t max)
{
	size_t n;

	if (!dstlen)
		return dst;
	n = nb_utf8_prefix(src, max < dstlen - 1 ? max : dstlen - 1);
	memmove(dst, src, n);
	dst[n] = '\0';
	return dst;
}

void nb_utf8_trim(char *s)
{
	size_t len = strlen(s), i = len;

	/* The last lead byte, within a character's length of the end. */
	while (i > 0 && len - i < 4 && is_cont((unsigned char)s[i - 1]))
		i--;
	if (i == 0)
		return;
	unsigned char c = (unsigned char)s[i - 1];
	size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

size_t nb_utf8_scrub(char *buf, size_t len)
{
	size_t i = 0, fixed = 0;

	while (i < len) {
		size_t bad = i + nb_utf8_check(buf + i, len - i, NULL);
		if (bad >= len)
			break;
		buf[bad] = '?';   /* one byte at a time: what follows is judged afresh */
		fixed++;
		i = bad + 1;
	}
	return fixed;
}
