/* gnuplot.c - the helpers every chart writer shares (gnuplot.h). */
#include "gnuplot.h"
#include "../common/proc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void nb_gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('\'', f);
}

void nb_gp_dat_str(FILE *f, const char *s)
{
	fputs(" \"", f);
	for (; *s; s++)
		fputc(*s == '"' || *s == '\n' ? '\'' : *s, f);
	fputc('"', f);
}

void nb_gp_dat_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);   /* run times in seconds since 1970 need 10 digits */
	else
		fputs(" NaN", f);
}

const char *nb_gp_colour(size_t k)
{
	static const char *const palette[] = { "#000000", "#0072B2", "#D55E00", "#009E73",
					       "#CC79A7", "#E69F00", "#56B4E9", "#F0E442" };

	return palette[k % (sizeof(palette) / sizeof(palette[0]))];
}

FILE *nb_gp_open(const char *dir, const char *name, const char *ext, char *path,
		 char err[NB_ERR_LEN])
{
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s.%s", dir, name, ext);
	if (!(f = fopen(path, "w")))
		snprintf(err, NB_ERR_LEN, "cannot write %s: %s: choose a writable --out DIR", path,
			 strerror(errno));
	return f;
}

int nb_gp_close(FILE *f, const char *path, char err[NB_ERR_LEN])
{
	if (ferror(f) | fclose(f))
		return nb_err(err, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
	return 0;
}

int nb_gp_find(char *path, size_t len)
{
	const char *p = getenv("PATH");

	while (p && *p) {
		size_t n = strcspn(p, ":");

		snprintf(path, len, "%.*s/gnuplot", (int)n, n ? p : ".");
		if (access(path, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	return -1;
}

int nb_gp_run(const char *gnuplot, const char *dir, const char *name, char err[NB_ERR_LEN])
{
	char cd[2 * PATH_MAX + 8], script[PATH_MAX + 300], *q = cd;
	struct nb_proc_out o = { 0 };
	int status;

	q += sprintf(q, "cd '");
	for (const char *s = dir; *s; s++) {
		if (*s == '\'')
			*q++ = '\'';
		*q++ = *s;
	}
	strcpy(q, "'");
	snprintf(script, sizeof(script), "%s/%s.gp", dir, name);
	char *argv[] = { (char *)gnuplot, "-e", cd, script, NULL };
	if (nb_proc_run(argv, &o, err))
		return -1;
	status = o.status;
	if (status != 0)
		snprintf(err, NB_ERR_LEN, "gnuplot failed on %s (exit status %d): %.600s", script,
			 status, o.err);
	nb_proc_out_free(&o);
	return status != 0 ? -1 : 0;
}
