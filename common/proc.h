/* proc.h - running a local program without a shell and capturing its output. */
#ifndef NB_PROC_H
#define NB_PROC_H

#include "err.h"

#include <stddef.h>
#include <sys/types.h>

struct nb_proc_out {
	char *out;      /* stdout, NUL-terminated (malloc'd) */
	size_t out_len;
	char *err;      /* stderr, NUL-terminated (malloc'd) */
	int status;     /* exit status, or 128 + signal */
};

/* Run argv[0] (a path) with argv; 0 when it ran (whatever its status), -1 with err. */
int nb_proc_run(char *const argv[], struct nb_proc_out *o, char err[NB_ERR_LEN]);
void nb_proc_out_free(struct nb_proc_out *o);

/* Start argv with pipes to its stdin and stdout (stderr inherited); -1 with err. */
int nb_proc_spawn_pipes(char *const argv[], pid_t *pid, int *to_child, int *from_child,
			char err[NB_ERR_LEN]);

/* The directory of the running executable (for programs installed beside it). */
int nb_proc_self_dir(char *buf, size_t len);

#endif
