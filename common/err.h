/* err.h - the one error convention of the tree.
 *
 * A function that can fail takes, as its last parameter, `char err[NB_ERR_LEN]`: the
 * caller's buffer of exactly that size, where the function writes one sentence naming
 * the cause (and the fix, where the user can act).  The array form states the size to
 * readers, and gcc warns (-Wstringop-overflow) when a caller passes a smaller array.
 * nb_err() formats into it and returns -1, so a failure path is one line:
 *
 *	return nb_err(err, "open %s: %s", path, strerror(errno));
 *
 * 1024 is the largest buffer any path used before (nestbench plot quotes up to 600
 * bytes of gnuplot's own message after the script's path), so no message is cut
 * shorter than it was.  Header only, no dependency: nestbench-work links
 * it statically with nothing else. */
#ifndef NB_ERR_H
#define NB_ERR_H

#include <stdarg.h>
#include <stdio.h>

#define NB_ERR_LEN 1024

/* Format into err (NB_ERR_LEN bytes, cut short if longer) and return -1. */
__attribute__((format(printf, 2, 3), unused))
static inline int nb_err(char err[NB_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NB_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

#endif
