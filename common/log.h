/* log.h - log lines: a prefix ("nestbench-agent[812]: ", or none), the message and a
 * newline, written with one stdio call and flushed, so that lines from threads or
 * processes sharing the stream never interleave.  Whether to log (verbosity) is the
 * caller's business. */
#ifndef NB_LOG_H
#define NB_LOG_H

#include <stdarg.h>
#include <stdio.h>

void nb_log_line(FILE *f, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void nb_log_vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
