/* cli.h - `nestbench history add|list|show|export` (cli.c; history/README.md).  Takes the
 * command's own argc/argv (argv[0] = "history") and returns the exit status: 0 done,
 * 2 a problem the user can fix (bad option, a file that is not a result file, a
 * database that cannot be opened or written, an unknown case). */
#ifndef NB_HIST_CLI_H
#define NB_HIST_CLI_H

int nb_cmd_history(int argc, char **argv);

#endif
