/* gnuplot.h - what every nestbench chart writer shares (`nestbench plot`,
 * `nestbench history plot`): quoting for scripts and data files, the tier palette,
 * writing the files and running the external gnuplot in their directory. */
#ifndef NB_GNUPLOT_H
#define NB_GNUPLOT_H

#include "../common/err.h"

#include <stddef.h>
#include <stdio.h>

/* A gnuplot single-quoted string: literal, '' for a quote, newlines as spaces. */
void nb_gp_str(FILE *f, const char *s);
/* A quoted field of a data file (gnuplot reads "..." as one column), after a space. */
void nb_gp_dat_str(FILE *f, const char *s);
/* A number field after a space, NaN when not finite (set datafile missing 'NaN'). */
void nb_gp_dat_num(FILE *f, double v);
/* The k-th colour (0-based) of the tier palette, Okabe-Ito: told apart with the common
 * colour-vision deficiencies; the baseline (k = 0) black. */
const char *nb_gp_colour(size_t k);
/* DIR/NAME.EXT opened for writing (path receives it), or NULL with err. */
FILE *nb_gp_open(const char *dir, const char *name, const char *ext, char *path,
		 char err[NB_ERR_LEN]);
/* Close, 0 or -1 with err naming the path when anything failed to be written. */
int nb_gp_close(FILE *f, const char *path, char err[NB_ERR_LEN]);
/* gnuplot on PATH: 0 with its path, or -1. */
int nb_gp_find(char *path, size_t len);
/* Run `gnuplot -e "cd 'DIR'" DIR/NAME.gp` (the script's relative names resolve);
 * 0, or -1 with err (gnuplot's own message). */
int nb_gp_run(const char *gnuplot, const char *dir, const char *name, char err[NB_ERR_LEN]);

#endif
