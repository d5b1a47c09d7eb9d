/* utf8.h - strict UTF-8 (RFC 3629): checking what peers send, cutting strings on
 * character boundaries, and repairing text the agent does not control (a workload's
 * stderr) so that every frame on the wire is UTF-8.
 *
 * Strict means: no overlong forms, no UTF-16 surrogates (U+D800..U+DFFF) encoded in
 * UTF-8, nothing above U+10FFFF, no truncated sequence, no stray continuation byte. */
#ifndef NB_UTF8_H
#define NB_UTF8_H

#include <stddef.h>

/* ---- prototypes ------------------------------------------------------------------ */

/* The offset of the first byte that does not start a valid sequence, or len when all
 * of buf is valid.  *why (when not NULL) names the fault for a message. */
size_t nb_utf8_check(const void *buf, size_t len, const char **why);

/* 1 when all len bytes are valid UTF-8. */
int nb_utf8_valid(const void *buf, size_t len);

/* The length of the longest prefix of s (at most max bytes, never past its NUL) that
 * ends on a character boundary. */
size_t nb_utf8_prefix(const char *s, size_t max);

/* Copy at most max bytes of src into dst (dstlen bytes, NUL-terminated), cut on a
 * character boundary: the safe form of "%.64s".  Returns dst. */
char *nb_utf8_clip(char *dst, size_t dstlen, const char *src, size_t max);

/* Drop an incomplete sequence at the end of a NUL-terminated string, such as the one
 * snprintf leaves when it cuts a message short. */
void nb_utf8_trim(char *s);

/* Replace each byte that is not part of a valid sequence with '?', in place (the
 * length stays).  Returns how many bytes were replaced. */
size_t nb_utf8_scrub(char *buf, size_t len);

#endif
