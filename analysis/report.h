/* report.h - the reporting commands of `nestbench`: table, plot, compare
 * (report_cli.c).  Each takes the command's own argc/argv (argv[0] = its name) and
 * returns the exit status: 0 done, 1 compare found a regression, 2 a problem the user
 * can fix (bad option, unreadable or foreign file, nothing in common, no samples). */
#ifndef NB_REPORT_H
#define NB_REPORT_H

int nb_cmd_table(int argc, char **argv);
int nb_cmd_plot(int argc, char **argv);
int nb_cmd_compare(int argc, char **argv);

#endif
