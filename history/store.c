/* store.c - the result history in SQLite (store.h; the schema: history/README.md), or
 * on PostgreSQL when the path names a server (store_pg.c: nb_hist_open dispatches).
 * A result file is read through resultlib and the report model (the same reader as
 * `nestbench table`), its figures computed with stats/, and written in one
 * transaction with prepared statements, so a file is stored whole or not at all. */
#include "store.h"
#include "../analysis/resultset.h"
#include "../common/files.h"
#include "../common/sha256.h"
#include "../resultlib/result.h"
#include "../stats/stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nb_hist {
	sqlite3 *db;
	struct nb_hist_pg *pg;     /* not NULL: the store is on PostgreSQL (store_pg.c) */
	char path[PATH_MAX];
};

/* Version 1 of the store.  ON DELETE CASCADE lets a run be removed with one DELETE. */
static const char schema_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" file_sha256 TEXT NOT NULL UNIQUE,"      /* the idempotence key */
	" campaign TEXT NOT NULL,"
	" started_utc TEXT NOT NULL,"
	" work_sha256 TEXT NOT NULL,"
	" schema_version INTEGER NOT NULL,"
	" status TEXT NOT NULL,"
	" path TEXT NOT NULL,"                     /* as given to history add */
	" imported_utc TEXT NOT NULL);"
	"CREATE INDEX runs_time ON runs (started_utc, id);"
	"CREATE TABLE run_labels ("
	" run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run, key));"
	"CREATE TABLE tiers ("
	" id INTEGER PRIMARY KEY,"
	" run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, level INTEGER NOT NULL,"
	" identity TEXT NOT NULL,"                 /* comparable: \"guest kvm, accelerator tcg\" */
	" nature TEXT NOT NULL,"                   /* the file's prose */
	" hypervisor TEXT NOT NULL,"
	" accelerator TEXT, cpu_model TEXT, kernel TEXT,"
	" status TEXT NOT NULL,"
	" UNIQUE (run, name));"
	"CREATE TABLE results ("
	" id INTEGER PRIMARY KEY,"
	" run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	" tier INTEGER NOT NULL REFERENCES tiers (id) ON DELETE CASCADE,"
	" workload TEXT NOT NULL, case_key TEXT NOT NULL,"
	" unit TEXT NOT NULL, better TEXT NOT NULL CHECK (better IN ('lower', 'higher')),"
	" status TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" median REAL, ci_lo REAL, ci_hi REAL,"    /* NULL: no usable sample (note) */
	" ci_level REAL NOT NULL, ci_reached INTEGER NOT NULL,"
	" note TEXT,"
	" samples TEXT NOT NULL,"                  /* JSON array of the sample values */
	" UNIQUE (tier, case_key));"
	"CREATE INDEX results_case ON results (case_key);"
	"CREATE INDEX results_workload ON results (workload);";

/* ---- small helpers ------------------------------------------------------------------ */

static int exec(struct nb_hist *h, const char *sql, char err[NB_ERR_LEN])
{
	char *msg = NULL;

	if (sqlite3_exec(h->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	nb_err(err, "the history %s: %s", h->path, msg ? msg : sqlite3_errmsg(h->db));
	sqlite3_free(msg);
	return -1;
}

static int prepare(struct nb_hist *h, sqlite3_stmt **st, const char *sql, char err[NB_ERR_LEN])
{
	if (sqlite3_prepare_v2(h->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return nb_err(err, "the history %s: %s", h->path, sqlite3_errmsg(h->db));
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Run a statement that returns no rows, then reset it for the next use. */
static int step_done(struct nb_hist *h, sqlite3_stmt *st, char err[NB_ERR_LEN])
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return 0;
	return nb_err(err, "the history %s: %s", h->path, sqlite3_errmsg(h->db));
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- opening ------------------------------------------------------------------------ */

/* mkdir -p of the directory the database goes in. */
static void make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		nb_mkdirs(dir);
	}
}

static int count_tables(struct nb_hist *h, const char *where, long long *n, char err[NB_ERR_LEN])
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE type = 'table'%s", where);
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return nb_err(err, "%s is not a nestbench history (%s): give another --db PATH",
			      h->path, sqlite3_errmsg(h->db));
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return nb_err(err, "%s is not a nestbench history (%s): give another --db PATH",
			      h->path, sqlite3_errmsg(h->db));
	return 0;
}

static int create_schema(struct nb_hist *h, char err[NB_ERR_LEN])
{
	char sql[256], e[NB_ERR_LEN];

	snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('schema', 'nestbench-history'),"
		 " ('schema_version', '%d');", NB_HIST_SCHEMA_VERSION);
	if (exec(h, "BEGIN IMMEDIATE;", e) || exec(h, schema_sql, e) || exec(h, sql, e) ||
	    exec(h, "COMMIT;", e)) {
		sqlite3_exec(h->db, "ROLLBACK;", NULL, NULL, NULL);
		return nb_err(err, "cannot create the history at %s: %s; give a writable --db PATH "
			      "(or set NESTBENCH_HISTORY)", h->path, sqlite3_errmsg(h->db));
	}
	return 0;
}

/* The meta table says this is a history of a version this build reads. */
static int check_meta(struct nb_hist *h, char err[NB_ERR_LEN])
{
	sqlite3_stmt *st;
	char schema[64] = "", version[32] = "";

	if (sqlite3_prepare_v2(h->db, "SELECT key, value FROM meta", -1, &st, NULL) != SQLITE_OK)
		return nb_err(err, "%s is an SQLite database but not a nestbench history (it has "
			      "no meta table): give another --db PATH", h->path);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = col_text(st, 0), *v = col_text(st, 1);

		if (k && v && strcmp(k, "schema") == 0)
			snprintf(schema, sizeof(schema), "%s", v);
		if (k && v && strcmp(k, "schema_version") == 0)
			snprintf(version, sizeof(version), "%s", v);
	}
	sqlite3_finalize(st);
	if (strcmp(schema, "nestbench-history") != 0)
		return nb_err(err, "%s is an SQLite database but not a nestbench history: give "
			      "another --db PATH", h->path);
	if (atoi(version) != NB_HIST_SCHEMA_VERSION)
		return nb_err(err, "the history %s has schema version %s; this nestbench reads "
			      "version %d: use the nestbench that wrote it, or start a new history "
			      "with another --db PATH", h->path, version, NB_HIST_SCHEMA_VERSION);
	return 0;
}

static int open_db(struct nb_hist *h, int create, char err[NB_ERR_LEN])
{
	int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	long long n, meta;

	if (!create && access(h->path, F_OK) != 0)
		return nb_err(err, "no history at %s (%s): import result files first with "
			      "`nestbench history add --db %s RESULT...`", h->path, strerror(errno),
			      h->path);
	if (create)
		make_parent(h->path);
	if (sqlite3_open_v2(h->path, &h->db, flags, NULL) != SQLITE_OK)
		return nb_err(err, "cannot open the history at %s: %s; give a%s --db PATH (or set "
			      "NESTBENCH_HISTORY)", h->path, h->db ? sqlite3_errmsg(h->db) : "no memory",
			      create ? " writable" : "nother");
	sqlite3_busy_timeout(h->db, 10000);
	if (exec(h, "PRAGMA foreign_keys = ON;", err) ||
	    count_tables(h, "", &n, err) || count_tables(h, " AND name = 'meta'", &meta, err))
		return -1;
	if (n == 0 && create && create_schema(h, err))
		return -1;
	if (n == 0 && !create)
		return nb_err(err, "%s is empty, not a nestbench history: import result files "
			      "with `nestbench history add --db %s RESULT...`", h->path, h->path);
	return check_meta(h, err);
}

struct nb_hist *nb_hist_open(const char *path, int create, char err[NB_ERR_LEN])
{
	struct nb_hist *h = calloc(1, sizeof(*h));

	if (!h) {
		nb_err(err, "out of memory");
		return NULL;
	}
	snprintf(h->path, sizeof(h->path), "%s", path);
	if (nb_hist_is_pg(path) ? !(h->pg = nb_hist_pg_open(path, create, err))
				: open_db(h, create, err)) {
		nb_hist_close(h);
		return NULL;
	}
	return h;
}

void nb_hist_close(struct nb_hist *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	nb_hist_pg_close(h->pg);
	free(h);
}

/* ---- importing ---------------------------------------------------------------------- */

/* The statements of one import, prepared once. */
struct importer {
	struct nb_hist *h;
	sqlite3_stmt *run, *label, *tier, *result;
};

static const char sql_run[] =
	"INSERT INTO runs (file_sha256, campaign, started_utc, work_sha256, schema_version, "
	"status, path, imported_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	"strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))";
static const char sql_label[] = "INSERT INTO run_labels (run, key, value) VALUES (?1, ?2, ?3)";
static const char sql_tier[] =
	"INSERT INTO tiers (run, name, level, identity, nature, hypervisor, accelerator, "
	"cpu_model, kernel, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_result[] =
	"INSERT INTO results (run, tier, workload, case_key, unit, better, status, n, median, "
	"ci_lo, ci_hi, ci_level, ci_reached, note, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	"?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

static void importer_free(struct importer *im)
{
	sqlite3_finalize(im->run);
	sqlite3_finalize(im->label);
	sqlite3_finalize(im->tier);
	sqlite3_finalize(im->result);
}

static int importer_init(struct importer *im, struct nb_hist *h, char err[NB_ERR_LEN])
{
	memset(im, 0, sizeof(*im));
	im->h = h;
	return prepare(h, &im->run, sql_run, err) || prepare(h, &im->label, sql_label, err) ||
	       prepare(h, &im->tier, sql_tier, err) || prepare(h, &im->result, sql_result, err)
		       ? -1 : 0;
}

/* The first run a query of up to two texts and a number finds, or 0. */
static long long find_run(struct nb_hist *h, const char *sql, const char *a, const char *b,
			  long long not_id)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	bind_text(st, 1, a);
	if (b) {
		bind_text(st, 2, b);
		sqlite3_bind_int64(st, 3, not_id);
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* A case's figures as `nestbench table` computes them: only a done case with samples
 * has a median; its interval is the order-statistic interval at NB_HIST_CI_LEVEL. */
static int store_case(struct importer *im, long long run, long long tier,
		      const struct nb_rs_case *c, char err[NB_ERR_LEN])
{
	sqlite3_stmt *st = im->result;
	char why[NB_ERR_LEN], serr[NB_ERR_LEN];
	const char *note = nb_rs_case_problem(c, why, sizeof(why));
	struct nb_ci ci;
	cJSON *arr = cJSON_CreateDoubleArray(c->values, (int)c->n);
	char *samples = arr ? cJSON_PrintUnformatted(arr) : NULL;
	int rc;

	cJSON_Delete(arr);
	if (!samples)
		return nb_err(err, "out of memory");
	if (!note && nb_stats_median_ci(c->values, c->n, NB_HIST_CI_LEVEL, &ci, serr))
		note = "a sample is not a number: the file is damaged";
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, tier);
	bind_text(st, 3, c->workload);
	bind_text(st, 4, c->key);
	bind_text(st, 5, c->unit);
	bind_text(st, 6, c->better == NB_STATS_HIGHER_BETTER ? "higher" : "lower");
	bind_text(st, 7, c->status);
	sqlite3_bind_int64(st, 8, (long long)c->n);
	if (!note) {
		sqlite3_bind_double(st, 9, ci.point);
		sqlite3_bind_double(st, 10, ci.lo);
		sqlite3_bind_double(st, 11, ci.hi);
	}
	sqlite3_bind_double(st, 12, NB_HIST_CI_LEVEL);
	sqlite3_bind_int(st, 13, !note && ci.reached);
	bind_text(st, 14, note);
	bind_text(st, 15, samples);
	rc = step_done(im->h, st, err);
	free(samples);
	return rc;
}

static int store_tier(struct importer *im, long long run, const struct nb_rs_tier *t,
		      char err[NB_ERR_LEN])
{
	sqlite3_stmt *st = im->tier;
	long long id;

	sqlite3_bind_int64(st, 1, run);
	bind_text(st, 2, t->name);
	sqlite3_bind_int(st, 3, t->level);
	bind_text(st, 4, t->env.identity);
	bind_text(st, 5, t->env.nature);
	bind_text(st, 6, t->env.hypervisor);
	bind_text(st, 7, t->env.accelerator);
	bind_text(st, 8, t->env.cpu);
	bind_text(st, 9, t->env.kernel);
	bind_text(st, 10, t->status);
	if (step_done(im->h, st, err))
		return -1;
	id = sqlite3_last_insert_rowid(im->h->db);
	for (size_t i = 0; i < t->n_cases; i++)
		if (store_case(im, run, id, &t->cases[i], err))
			return -1;
	return 0;
}

static int store_run(struct importer *im, const char *path, const char *sha,
		     const struct nb_res_head *head, const struct nb_resultset *rs,
		     const struct nb_hist_label *labels, size_t nlabels, struct nb_hist_added *out,
		     char err[NB_ERR_LEN])
{
	sqlite3_stmt *st = im->run;
	const struct nb_rs_file *f = &rs->files[0];

	bind_text(st, 1, sha);
	bind_text(st, 2, f->campaign);
	bind_text(st, 3, f->started);
	bind_text(st, 4, f->work_sha256);
	sqlite3_bind_int(st, 5, head->schema_version);
	bind_text(st, 6, head->status ? head->status : "unknown");
	bind_text(st, 7, path);
	if (step_done(im->h, st, err))
		return -1;
	out->run = sqlite3_last_insert_rowid(im->h->db);
	for (size_t i = 0; i < nlabels; i++) {
		sqlite3_bind_int64(im->label, 1, out->run);
		bind_text(im->label, 2, labels[i].key);
		bind_text(im->label, 3, labels[i].value);
		if (step_done(im->h, im->label, err))
			return -1;
	}
	for (size_t i = 0; i < rs->n_tiers; i++) {
		if (store_tier(im, out->run, &rs->tiers[i], err))
			return -1;
		out->tiers++;
		out->cases += (int)rs->tiers[i].n_cases;
	}
	return 0;
}

int nb_hist_read_result(const char *path, struct nb_resultset *rs, struct nb_res_head *head,
		       cJSON **doc, char err[NB_ERR_LEN])
{
	char lerr[NB_ERR_LEN] = "";

	if (!(*doc = nb_result_load(path, lerr)))
		return nb_err(err, "%s: give result files written by nestbench run (schema "
			      "nestbench-result, version %d to %d)", lerr, NB_RESULT_VERSION_OLDEST,
			      NB_RESULT_VERSION);
	nb_res_head_read(*doc, head);
	if (!head->campaign || !head->started_utc)
		return nb_err(err, "%s lacks its campaign name or start time: the file is "
			      "damaged; rerun the campaign or restore the file", path);
	return nb_rs_add_doc(rs, path, *doc, err);
}

static int add_in_transaction(struct nb_hist *h, const char *path, const char *sha,
			      const struct nb_hist_label *labels, size_t nlabels,
			      struct nb_hist_added *out, char err[NB_ERR_LEN])
{
	struct nb_resultset rs = { 0 };
	struct nb_res_head head;
	struct importer im;
	cJSON *doc = NULL;
	char e[NB_ERR_LEN] = "";
	int rc = -1;

	if (nb_hist_read_result(path, &rs, &head, &doc, err))
		goto out;
	snprintf(out->campaign, sizeof(out->campaign), "%s", rs.files[0].campaign);
	snprintf(out->started, sizeof(out->started), "%s", rs.files[0].started);
	if (importer_init(&im, h, err)) {
		importer_free(&im);
		goto out;
	}
	if (exec(h, "BEGIN IMMEDIATE;", err) == 0) {
		/* Another `history add` may have stored it since the caller looked. */
		out->run = find_run(h, "SELECT id FROM runs WHERE file_sha256 = ?1", sha, NULL, 0);
		out->already = out->run != 0;
		if ((out->already || store_run(&im, path, sha, &head, &rs, labels, nlabels, out,
					       e) == 0) &&
		    exec(h, "COMMIT;", e) == 0) {
			rc = 0;
		} else {
			sqlite3_exec(h->db, "ROLLBACK;", NULL, NULL, NULL);
			nb_err(err, "cannot store %s (nothing of it was stored): %s", path, e);
		}
	}
	importer_free(&im);
	if (rc == 0 && !out->already)
		out->other_version = find_run(h, "SELECT id FROM runs WHERE campaign = ?1 AND "
					      "started_utc = ?2 AND id <> ?3 ORDER BY id LIMIT 1",
					      rs.files[0].campaign, rs.files[0].started, out->run);
out:
	nb_rs_free(&rs);
	cJSON_Delete(doc);
	return rc;
}

int nb_hist_add(struct nb_hist *h, const char *path, const struct nb_hist_label *labels,
		size_t nlabels, struct nb_hist_added *out, char err[NB_ERR_LEN])
{
	char sha[NB_SHA256_HEX], e[NB_ERR_LEN];

	if (h->pg)
		return nb_hist_pg_add(h->pg, path, labels, nlabels, out, err);
	memset(out, 0, sizeof(*out));
	if (nb_sha256_file(path, sha, NULL, e))
		return nb_err(err, "cannot read %s: %s", path, e);
	/* The bytes, not the path: a copied file is the same run, a resumed one is not. */
	if ((out->run = find_run(h, "SELECT id FROM runs WHERE file_sha256 = ?1", sha, NULL, 0))) {
		out->already = 1;
		return 0;
	}
	return add_in_transaction(h, path, sha, labels, nlabels, out, err);
}

/* ---- reading ------------------------------------------------------------------------ */

/* A run's labels as one JSON object, keys sorted ("{}" when none). */
#define LABELS_SQL(run) \
	"(SELECT json_group_object(key, value) FROM (SELECT key, value FROM run_labels " \
	"WHERE run = " run " ORDER BY key))"

int nb_hist_runs(struct nb_hist *h, nb_hist_run_cb cb, void *ctx, char err[NB_ERR_LEN])
{
	static const char sql[] =
		"SELECT r.id, r.started_utc, r.campaign, r.status, r.work_sha256, r.path, "
		"r.file_sha256, r.schema_version, " LABELS_SQL("r.id") ", "
		"(SELECT group_concat(d, ', ') FROM (SELECT name || ' (' || hypervisor || "
		"CASE WHEN accelerator IS NULL THEN '' ELSE ', ' || accelerator END || ')' AS d "
		"FROM tiers WHERE run = r.id ORDER BY level, name)) "
		"FROM runs r ORDER BY r.started_utc, r.id";
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (h->pg)
		return nb_hist_pg_runs(h->pg, cb, ctx, err);
	if (prepare(h, &st, sql, err))
		return -1;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nb_hist_run r = {
			.id = sqlite3_column_int64(st, 0), .started = col_text(st, 1),
			.campaign = col_text(st, 2), .status = col_text(st, 3),
			.work_sha256 = col_text(st, 4), .path = col_text(st, 5),
			.file_sha256 = col_text(st, 6), .schema_version = sqlite3_column_int(st, 7),
			.labels = col_text(st, 8), .tiers = col_text(st, 9),
		};

		if (!r.tiers)
			r.tiers = "";
		stop = cb(&r, ctx);
	}
	if (!stop && rc != SQLITE_DONE)
		nb_err(err, "the history %s: %s", h->path, sqlite3_errmsg(h->db));
	sqlite3_finalize(st);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

static void point_read(sqlite3_stmt *st, struct nb_hist_point *p)
{
	memset(p, 0, sizeof(*p));
	p->run = sqlite3_column_int64(st, 0);
	p->started = col_text(st, 1);
	p->campaign = col_text(st, 2);
	p->labels = col_text(st, 3);
	p->tier = col_text(st, 4);
	p->identity = col_text(st, 5);
	p->hypervisor = col_text(st, 6);
	p->accelerator = col_text(st, 7);
	p->level = sqlite3_column_int(st, 8);
	p->workload = col_text(st, 9);
	p->case_key = col_text(st, 10);
	p->unit = col_text(st, 11);
	p->better = col_text(st, 12);
	p->status = col_text(st, 13);
	p->n = sqlite3_column_int64(st, 14);
	p->has_median = sqlite3_column_type(st, 15) != SQLITE_NULL;
	p->median = p->has_median ? sqlite3_column_double(st, 15) : NAN;
	p->ci_lo = p->has_median ? sqlite3_column_double(st, 16) : NAN;
	p->ci_hi = p->has_median ? sqlite3_column_double(st, 17) : NAN;
	p->ci_level = sqlite3_column_double(st, 18);
	p->ci_reached = sqlite3_column_int(st, 19);
	p->note = col_text(st, 20);
	p->samples = col_text(st, 21);
}

int nb_hist_points(struct nb_hist *h, const char *case_key, const char *tier, int by_run,
		   nb_hist_point_cb cb, void *ctx, char err[NB_ERR_LEN])
{
	static const char head[] =
		"SELECT r.id, r.started_utc, r.campaign, " LABELS_SQL("r.id") ", t.name, "
		"t.identity, t.hypervisor, t.accelerator, t.level, x.workload, x.case_key, x.unit, "
		"x.better, x.status, x.n, x.median, x.ci_lo, x.ci_hi, x.ci_level, x.ci_reached, "
		"x.note, x.samples FROM results x JOIN tiers t ON t.id = x.tier "
		"JOIN runs r ON r.id = x.run WHERE (?1 IS NULL OR x.case_key = ?1) "
		"AND (?2 IS NULL OR t.name = ?2) ORDER BY ";
	char sql[sizeof(head) + 96];
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (h->pg)
		return nb_hist_pg_points(h->pg, case_key, tier, by_run, cb, ctx, err);
	snprintf(sql, sizeof(sql), "%s%s", head,
		 by_run ? "r.started_utc, r.id, t.level, t.name, x.case_key"
			: "t.name, x.case_key, r.started_utc, r.id");
	if (prepare(h, &st, sql, err))
		return -1;
	bind_text(st, 1, case_key);
	bind_text(st, 2, tier);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct nb_hist_point p;

		point_read(st, &p);
		stop = cb(&p, ctx);
	}
	if (!stop && rc != SQLITE_DONE)
		nb_err(err, "the history %s: %s", h->path, sqlite3_errmsg(h->db));
	sqlite3_finalize(st);
	return stop ? stop : rc == SQLITE_DONE ? 0 : -1;
}

/* The distinct case keys a query finds (on tier, when not NULL), joined with "; " into
 * buf; returns how many. */
static int case_keys(struct nb_hist *h, const char *sql, const char *name, const char *tier,
		     char *buf, size_t len)
{
	sqlite3_stmt *st;
	int n = 0;
	size_t used = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, name);
	bind_text(st, 2, tier);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s\"%s\"", n ? ", " : "",
						 col_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static int sqlite_case_keys(void *backend, enum nb_hist_keys_q q, const char *name,
			    const char *tier, char *buf, size_t len)
{
	static const char *const sql[] = {
		[NB_KEYS_BY_KEY] = "SELECT DISTINCT x.case_key FROM results x JOIN tiers t ON "
				   "t.id = x.tier WHERE x.case_key = ?1 AND (?2 IS NULL OR "
				   "t.name = ?2)",
		[NB_KEYS_BY_WORKLOAD] = "SELECT DISTINCT x.case_key FROM results x JOIN tiers t ON "
					"t.id = x.tier WHERE x.workload = ?1 AND (?2 IS NULL OR "
					"t.name = ?2) ORDER BY 1",
		[NB_KEYS_ANY] = "SELECT DISTINCT x.case_key FROM results x JOIN tiers t ON "
				"t.id = x.tier WHERE ?1 IS NOT NULL AND (?2 IS NULL OR t.name = ?2) "
				"ORDER BY 1 LIMIT 12",
	};

	return case_keys(backend, sql[q], name, tier, buf, len);
}

/* What the user named as a case, resolved by questions the backend answers (keys): the
 * one resolution and its messages for SQLite and PostgreSQL alike.  where: the history
 * as messages name it. */
static int resolve_with(nb_hist_keys_fn keys_of, void *backend, const char *where,
			const char *name, const char *tier, char *key, size_t len,
			char err[NB_ERR_LEN])
{
	char keys[NB_ERR_LEN / 2], on[160] = "";
	int n;

	if (tier)
		snprintf(on, sizeof(on), " on tier %s", tier);
	if (keys_of(backend, NB_KEYS_BY_KEY, name, tier, keys, sizeof(keys)) > 0) {
		snprintf(key, len, "%s", name);
		return 0;
	}
	n = keys_of(backend, NB_KEYS_BY_WORKLOAD, name, tier, keys, sizeof(keys));
	if (n == 1) {
		/* keys is the one key, quoted */
		snprintf(key, len, "%.*s", (int)strlen(keys) - 2, keys + 1);
		return 0;
	}
	if (n > 1)
		return nb_err(err, "workload %s has %d cases in the history %s%s: name one by its "
			      "key (in quotes): %s", name, n, where, on, keys);
	n = keys_of(backend, NB_KEYS_ANY, name, tier, keys, sizeof(keys));
	if (n <= 0 && tier)
		return nb_err(err, "no case \"%s\" in the history %s%s: no case is stored for "
			      "that tier; check its name with `nestbench history list`", name,
			      where, on);
	if (n <= 0)
		return nb_err(err, "no case \"%s\" in the history %s: it holds no cases; import "
			      "result files with `nestbench history add`", name, where);
	return nb_err(err, "no case \"%s\" in the history %s%s: name a case key or a workload, "
		      "e.g. %s%s", name, where, on, keys, n == 12 ? ", ..." : "");
}

int nb_hist_resolve_case(struct nb_hist *h, const char *name, const char *tier, char *key,
			 size_t len, char err[NB_ERR_LEN])
{
	char where[1100];

	if (h->pg) {
		snprintf(where, sizeof(where), "(%s)", nb_hist_pg_name(h->pg));
		return resolve_with(nb_hist_pg_case_keys, h->pg, where, name, tier, key, len, err);
	}
	return resolve_with(sqlite_case_keys, h, h->path, name, tier, key, len, err);
}

char *nb_hist_label_keys(struct nb_hist *h, char err[NB_ERR_LEN])
{
	sqlite3_stmt *st;
	char *out = NULL;

	if (h->pg)
		return nb_hist_pg_label_keys(h->pg, err);
	if (prepare(h, &st, "SELECT json_group_array(key) FROM (SELECT DISTINCT key FROM "
			    "run_labels ORDER BY key)", err))
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0))
		out = strdup(col_text(st, 0));
	else
		nb_err(err, "the history %s: %s", h->path, sqlite3_errmsg(h->db));
	sqlite3_finalize(st);
	return out;
}
