/* report_text.h - what the text reports (table, compare, plot) share: how a figure is
 * printed and how text is escaped for Markdown, LaTeX and CSV. */
#ifndef NB_REPORT_TEXT_H
#define NB_REPORT_TEXT_H

#include "../stats/stats.h"

#include <stddef.h>
#include <stdio.h>

#define NB_NUM 48                  /* buffer for one formatted figure */

/* A measured value with 4 significant digits and no exponent: 2.935, 840.6, 26136,
 * 0.01230; "n/a" when not finite. */
void nb_fmt_value(double v, char *buf, size_t len);
/* A count per operation: the same without trailing zeros, 0.006000 -> "0.006",
 * 1.000 -> "1". */
void nb_fmt_count(double v, char *buf, size_t len);
/* A fraction as a signed percentage with one decimal: 0.1234 -> "+12.3" (no decimal
 * from 1000 % up). */
void nb_fmt_pct(double frac, char *buf, size_t len);
/* The larger half of an interval around its point, in % with one decimal: "1.1". */
double nb_ci_halfwidth(const struct nb_ratio_ci *r);
void nb_fmt_halfwidth(const struct nb_ratio_ci *r, char *buf, size_t len);

/* An interval as it is, "+16.6 [+12.5, +38.0]" (in %); from a point of +100 % up (2x
 * and more) as a ratio, "×5446 [×5300, ×5600]", since percentages of large ratios
 * read badly (+544501 %).  For overheads (positive = slower) and compare's Δ. */
void nb_fmt_ratio_ci(const struct nb_ratio_ci *r, char *buf, size_t len);
/* A point alone in the same convention: "+16.6" or "×5446". */
void nb_fmt_ratio(double frac, char *buf, size_t len);

/* Markdown table cell text: `|` escaped, newlines as spaces. */
void nb_put_md(FILE *out, const char *s);
/* LaTeX text: the special characters escaped, and ±, †, –, —, −, …, µ, Δ, ≥, ≤, ×
 * spelt as pdflatex understands them without extra packages. */
void nb_put_tex(FILE *out, const char *s);
/* The same for running text in a narrow column: a line may break after a '/' and inside
 * a long run of letters and digits (a sha256), so no word is wider than a column. */
void nb_put_tex_breakable(FILE *out, const char *s);
/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
void nb_put_csv(FILE *out, const char *s);
/* n fields through `put`, `sep` between them: one row's leading cells in any format. */
void nb_put_joined(FILE *out, void (*put)(FILE *, const char *), const char *sep,
		   const char *const *fields, size_t n);

#endif
