/* store.h - the result history: result files (results/SCHEMA.md) imported into one
 * SQLite database (or PostgreSQL: store_pg.c), a run per file, so a case can be followed over many runs
 * (history/README.md: the schema and the commands).  A run is keyed by the sha256 of
 * its file's bytes, so importing a file twice stores it once.  Every figure stored is
 * computed here with stats/ as `nestbench table` computes it; readers get rows through
 * callbacks and never see SQL. */
#ifndef NB_HIST_STORE_H
#define NB_HIST_STORE_H

#include "../common/err.h"

#include <stddef.h>

/* The store's own schema version (table meta, key "schema_version"). */
#define NB_HIST_SCHEMA_VERSION 1
/* The level of the median's interval stored with every case. */
#define NB_HIST_CI_LEVEL 0.95

struct nb_hist;                /* an open store */

/* Open the store at path: create it (and its directory) when `create`, else it must
 * exist.  NULL with err naming the path and the fix. */
struct nb_hist *nb_hist_open(const char *path, int create, char err[NB_ERR_LEN]);
void nb_hist_close(struct nb_hist *h);

/* A user label of a run ("kernel=6.8"). */
struct nb_hist_label {
	const char *key, *value;
};

/* What an import did. */
struct nb_hist_added {
	long long run;             /* the run's id (new or already stored) */
	int already;               /* 1: the same file was stored before (nothing written) */
	long long other_version;   /* another file of the same campaign and start (a resumed
				    * or still running campaign): that run's id, else 0 */
	int tiers, cases;          /* what was stored (0 when already) */
	char campaign[128], started[32];
};

/* Import one result file (any schema version resultlib reads) with these labels, in
 * one transaction: all of it or, with -1 and err, nothing. */
int nb_hist_add(struct nb_hist *h, const char *path, const struct nb_hist_label *labels,
		size_t nlabels, struct nb_hist_added *out, char err[NB_ERR_LEN]);

/* ---- reading ------------------------------------------------------------------------- */

/* A run as `history list` shows it. */
struct nb_hist_run {
	long long id;
	const char *started, *campaign, *status, *work_sha256, *path, *file_sha256;
	int schema_version;
	const char *labels;        /* JSON object {"key": "value", ...} ("{}" when none) */
	const char *tiers;         /* "L0 (bare metal), L1 (KVM, tcg)" */
};

/* One case of one tier of one run. */
struct nb_hist_point {
	long long run;
	const char *started, *campaign, *labels; /* labels: as in nb_hist_run */
	const char *tier, *identity, *hypervisor, *accelerator; /* accelerator may be NULL */
	int level;
	const char *workload, *case_key, *unit, *better, *status;
	long long n;
	int has_median;            /* 0: no usable sample (note says why) */
	double median, ci_lo, ci_hi, ci_level;
	int ci_reached;            /* 0: too few samples for the level: the full range */
	const char *note;          /* NULL, or why there is no median */
	const char *samples;       /* JSON array of the sample values */
};

/* Callbacks return 0 to go on, anything else to stop (that value is returned). */
typedef int (*nb_hist_run_cb)(const struct nb_hist_run *r, void *ctx);
typedef int (*nb_hist_point_cb)(const struct nb_hist_point *p, void *ctx);

/* Every run, oldest first (by start time, then import order). */
int nb_hist_runs(struct nb_hist *h, nb_hist_run_cb cb, void *ctx, char err[NB_ERR_LEN]);

/* The points of one case (case_key exact; NULL: every case), on tier (NULL: every
 * tier): by series (tier name, case key, then run time) or, by_run, in run order (run
 * time, then tier level and name, then case key). */
int nb_hist_points(struct nb_hist *h, const char *case_key, const char *tier, int by_run,
		   nb_hist_point_cb cb, void *ctx, char err[NB_ERR_LEN]);

/* Resolve what the user named as a case: a stored case key, else a workload that has
 * exactly one case key (on tier, when not NULL).  key gets it; -1 with err listing
 * the candidates when it names none or several. */
int nb_hist_resolve_case(struct nb_hist *h, const char *name, const char *tier, char *key,
			 size_t len, char err[NB_ERR_LEN]);

/* Every label key used by any run, sorted, as a JSON array text (malloc'd). */
char *nb_hist_label_keys(struct nb_hist *h, char err[NB_ERR_LEN]);

/* ---- the PostgreSQL backend (store_pg.c; nb_hist_open dispatches to it) ------------- */

/* 1 when path names a PostgreSQL database: postgresql:// or postgres:// URIs, or a
 * libpq "key=value ..." connection string. */
int nb_hist_is_pg(const char *path);
/* The database as messages show it: a connection string without its password (a
 * path as it is). */
void nb_hist_shown(const char *db, char *buf, size_t len);
struct nb_hist_pg;
struct nb_hist_pg *nb_hist_pg_open(const char *conninfo, int create, char err[NB_ERR_LEN]);
void nb_hist_pg_close(struct nb_hist_pg *g);
int nb_hist_pg_add(struct nb_hist_pg *g, const char *path, const struct nb_hist_label *labels,
		   size_t nlabels, struct nb_hist_added *out, char err[NB_ERR_LEN]);
int nb_hist_pg_runs(struct nb_hist_pg *g, nb_hist_run_cb cb, void *ctx, char err[NB_ERR_LEN]);
int nb_hist_pg_points(struct nb_hist_pg *g, const char *case_key, const char *tier, int by_run,
		      nb_hist_point_cb cb, void *ctx, char err[NB_ERR_LEN]);
/* The backends' part of nb_hist_resolve_case: the distinct case keys of a question,
 * quoted and joined with ", " into buf; how many, -1 on failure. */
enum nb_hist_keys_q { NB_KEYS_BY_KEY, NB_KEYS_BY_WORKLOAD, NB_KEYS_ANY };
typedef int (*nb_hist_keys_fn)(void *backend, enum nb_hist_keys_q q, const char *name,
			       const char *tier, char *buf, size_t len);
int nb_hist_pg_case_keys(void *backend, enum nb_hist_keys_q q, const char *name,
			 const char *tier, char *buf, size_t len);
/* Read a result file into the report model (and its head, for what the model leaves
 * out), for either store; -1 with err saying what is wrong with the file. */
struct nb_resultset;
struct nb_res_head;
typedef struct cJSON cJSON;
int nb_hist_read_result(const char *path, struct nb_resultset *rs, struct nb_res_head *head,
			cJSON **doc, char err[NB_ERR_LEN]);
/* The PostgreSQL database as messages name it (no password). */
const char *nb_hist_pg_name(const struct nb_hist_pg *g);
char *nb_hist_pg_label_keys(struct nb_hist_pg *g, char err[NB_ERR_LEN]);

#endif
