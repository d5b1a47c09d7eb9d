/* report_text.c - figure formatting and escaping shared by the reports. */
#include "report_text.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

void nb_fmt_value(double v, char *buf, size_t len)
{
	double a = fabs(v);
	int dec;

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	/* Four significant digits, never an exponent: tables are read by people. */
	dec = a == 0 || a >= 1000 ? 0 : 3 - (int)floor(log10(a));
	snprintf(buf, len, "%.*f", dec < 0 ? 0 : dec, v);
}

void nb_fmt_count(double v, char *buf, size_t len)
{
	char *end;

	nb_fmt_value(v, buf, len);
	if (!strchr(buf, '.'))
		return;
	end = buf + strlen(buf);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
}

void nb_fmt_pct(double frac, char *buf, size_t len)
{
	double p = frac * 100;

	if (!isfinite(p))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.*f", fabs(p) >= 999.95 ? 0 : 1, p);
}

double nb_ci_halfwidth(const struct nb_ratio_ci *r)
{
	double lo = r->point - r->lo, hi = r->hi - r->point;

	return (lo > hi ? lo : hi) * 100;
}

void nb_fmt_halfwidth(const struct nb_ratio_ci *r, char *buf, size_t len)
{
	double h = nb_ci_halfwidth(r);

	snprintf(buf, len, "%.*f", h >= 999.95 ? 0 : 1, h);
}

#define NB_RATIO_FROM 1.0   /* overhead +100 %: from 2x on, print ×ratio */

/* "×2.31", "×54.6", "×5446": three significant digits, four from 1000 on. */
static void fmt_times(double ratio, char *buf, size_t len)
{
	int dec = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;

	if (!isfinite(ratio) || ratio <= 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "×%.*f", dec, ratio);
}

void nb_fmt_ratio(double frac, char *buf, size_t len)
{
	if (isfinite(frac) && frac >= NB_RATIO_FROM)
		fmt_times(1 + frac, buf, len);
	else
		nb_fmt_pct(frac, buf, len);
}

void nb_fmt_ratio_ci(const struct nb_ratio_ci *r, char *buf, size_t len)
{
	char p[NB_NUM], lo[NB_NUM], hi[NB_NUM];

	if (isfinite(r->point) && r->point >= NB_RATIO_FROM) {
		fmt_times(1 + r->point, p, sizeof(p));
		fmt_times(1 + r->lo, lo, sizeof(lo));
		fmt_times(1 + r->hi, hi, sizeof(hi));
	} else {
		nb_fmt_pct(r->point, p, sizeof(p));
		nb_fmt_pct(r->lo, lo, sizeof(lo));
		nb_fmt_pct(r->hi, hi, sizeof(hi));
	}
	snprintf(buf, len, "%s [%s, %s]", p, lo, hi);
}

void nb_put_md(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	}
}

struct tex_map {
	const char *from, *to;
};

static const struct tex_map tex_specials[] = {
	{ "\\", "\\textbackslash{}" }, { "{", "\\{" }, { "}", "\\}" }, { "$", "\\$" },
	{ "&", "\\&" }, { "#", "\\#" }, { "%", "\\%" }, { "_", "\\_" },
	{ "^", "\\textasciicircum{}" }, { "~", "\\textasciitilde{}" }, { "<", "$<$" },
	{ ">", "$>$" }, { "\xc2\xb1", "$\\pm$" }, { "\xe2\x80\xa0", "\\textdagger{}" },
	{ "\xe2\x80\x93", "--" }, { "\xe2\x80\x94", "---" }, { "\xe2\x88\x92", "$-$" },
	{ "\xe2\x80\xa6", "\\ldots{}" }, { "\xc2\xb5", "$\\mu$" }, { "\xce\x94", "$\\Delta$" },
	{ "\xe2\x89\xa5", "$\\geq$" }, { "\xe2\x89\xa4", "$\\leq$" }, { "\xc3\x97", "$\\times$" },
	/* ⚠ (samples that mix machine states): a bold "!" the default fonts have */
	{ "\xe2\x9a\xa0", "\\textbf{!}" },
};

void nb_put_tex(FILE *out, const char *s)
{
	while (*s) {
		size_t i, n = sizeof(tex_specials) / sizeof(tex_specials[0]);

		for (i = 0; i < n; i++) {
			size_t l = strlen(tex_specials[i].from);

			if (strncmp(s, tex_specials[i].from, l) == 0) {
				fputs(tex_specials[i].to, out);
				s += l;
				break;
			}
		}
		if (i < n)
			continue;
		/* "--" would print as an en dash: keep command-line options literal. */
		if (s[0] == '-' && s[1] == '-')
			fputs("-{}", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
		s++;
	}
}

#define NB_TEX_RUN 16   /* letters and digits before a possible break: 70 pt at 8 pt */

void nb_put_tex_breakable(FILE *out, const char *s)
{
	char seg[256];
	size_t n = 0, run = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int brk;

		seg[n++] = (char)ch;
		run = isalnum(ch) ? run + 1 : 0;
		brk = ch == '/' || run == NB_TEX_RUN;
		/* Flush at a break, or when full where no character or "--" is cut in two. */
		if (brk || n == sizeof(seg) - 1 || (n >= sizeof(seg) - 8 && ch < 0x80 && ch != '-')) {
			seg[n] = '\0';
			nb_put_tex(out, seg);
			if (brk)
				fputs("\\allowbreak{}", out);
			n = 0;
			run = brk ? 0 : run;
		}
	}
	seg[n] = '\0';
	nb_put_tex(out, seg);
}

void nb_put_csv(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void nb_put_joined(FILE *out, void (*put)(FILE *, const char *), const char *sep,
		   const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(sep, out);
		put(out, fields[i]);
	}
}
