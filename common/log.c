/* log.c - see log.h. */
#include "log.h"

#include <stdlib.h>
#include <string.h>

void nb_log_vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	char small[1024], *line = small;
	size_t pre = prefix ? strlen(prefix) : 0;
	va_list again;
	int n;

	if (!f)
		return;
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0)
		return;
	/* A long line (an error quoting a reply) gets a buffer of its own, not a cut. */
	if (pre + (size_t)n + 2 > sizeof(small) && !(line = malloc(pre + (size_t)n + 2)))
		return;
	memcpy(line, prefix ? prefix : "", pre);
	vsnprintf(line + pre, (size_t)n + 1, fmt, ap);
	line[pre + (size_t)n] = '\n';
	line[pre + (size_t)n + 1] = '\0';
	fputs(line, f);
	fflush(f);
	if (line != small)
		free(line);
}

void nb_log_line(FILE *f, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nb_log_vline(f, prefix, fmt, ap);
	va_end(ap);
}
