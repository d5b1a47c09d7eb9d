/* files.c - reading a whole file into memory. */
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Read in chunks rather than trusting ftell: /proc files and growing logs. */
char *nb_file_read(const char *path, size_t max, size_t *len, int *open_failed)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (open_failed)
		*open_failed = !f;
	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb)
				goto fail;
			buf = nb;
		}
		size_t r = fread(buf + n, 1, 4096, f);
		n += r;
		if (max && n > max) {
			errno = EFBIG;
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	{
		int e = errno ? errno : EIO;
		free(buf);
		fclose(f);
		errno = e;
		return NULL;
	}
}
