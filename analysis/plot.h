/* plot.h - `nestbench plot`: gnuplot scripts and their data files for three charts,
 * rendered by the external gnuplot and kept beside the images for restyling:
 *   overhead.*  clustered bars, the slowdown factor per workload and tier on a log
 *               axis, 95 % CI error bars (VM exits are left to exits.*: their
 *               overheads dwarf the rest);
 *   mem_lat.*   mem.lat: ns per load against the working-set size, one line per tier;
 *   exits.*     exit.* and ctl.* costs per tier, ns on a log scale, with the exits per
 *               operation (the table's counter columns) above the bars where counted.
 */
#ifndef NB_PLOT_H
#define NB_PLOT_H

#include "table.h"
#include "../common/err.h"

#include <stdio.h>


struct nb_plot_opts {
	const char *out_dir;       /* NULL: <first file's directory>/plots/<its name>/ */
	const char *format;        /* "png", "svg" or "pdf", or several with commas; NULL:
				    * "png,pdf" */
};

/* 1 when s is a format, or a comma list of formats, nb_plot_write takes. */
int nb_plot_formats_ok(const char *s);

/* Write the scripts and data of every chart the table allows into the directory, run
 * gnuplot on each and print the path of every image written to `paths`.  Returns 0;
 * -1 with err when the directory cannot be written; -2 with err when gnuplot is
 * missing or fails (the scripts and data stay, to run by hand). */
int nb_plot_write(const struct nb_table *t, const struct nb_plot_opts *o, FILE *paths,
		  char err[NB_ERR_LEN]);
/* The default output directory for the table's first file. */
void nb_plot_default_dir(const struct nb_resultset *rs, char *buf, size_t len);

#endif
