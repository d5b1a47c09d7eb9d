/* summary.c - the end of `nestbench run`: a glance at what was measured, the whole of it
 * being `nestbench table`'s. */
#include "summary.h"
#include "../common/err.h"
#include "../resultlib/result.h"
#include "../stats/stats.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 10     /* families shown; the header, column and count lines make 13 */
#define MAX_COLS 6      /* tiers shown */

/* A headline case: the first case of its family, in the first tier's order. */
struct row {
	const char *key, *family, *unit;
};

static int collect_rows(const cJSON *tiers, struct row *rows)
{
	const cJSON *t, *c;
	int n = 0;

	cJSON_ArrayForEach(t, tiers) {
		struct nb_res_tier_view tv;
		nb_res_tier_read(t, &tv);
		cJSON_ArrayForEach(c, tv.cases) {
			struct nb_res_case_view cv;
			int seen = 0;
			nb_res_case_read(c, &cv);
			if (!cv.key || !cv.family)
				continue;
			for (int i = 0; i < n && !seen; i++)
				seen = strcmp(rows[i].family, cv.family) == 0;
			if (!seen && n < MAX_ROWS)
				rows[n++] = (struct row){ cv.key, cv.family, cv.unit ? cv.unit : "" };
		}
	}
	return n;
}

/* "median [lo, hi]" of a case, "*" when too few samples for 95 %; "-" when none. */
/* Four significant digits, without an exponent below 10^9 (MB/s, IOPS, ns). */
static void num(double v, char *buf, size_t len)
{
	if (v >= 1e4 && v < 1e9)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

static int cell(cJSON *tier, const char *key, char *buf, size_t len)
{
	cJSON *c = nb_res_case(tier, key);
	double *x = NULL;
	int n = c ? nb_res_case_values(c, &x) : 0;
	struct nb_ci ci;
	char err[NB_ERR_LEN];
	int few = 0;

	if (n <= 0 || nb_stats_median_ci(x, (size_t)n, 0.95, &ci, err))
		snprintf(buf, len, "-");
	else {
		few = !ci.reached;
		char v[3][24];
		num(ci.point, v[0], sizeof(v[0]));
		num(ci.lo, v[1], sizeof(v[1]));
		num(ci.hi, v[2], sizeof(v[2]));
		snprintf(buf, len, "%s [%s, %s]%s", v[0], v[1], v[2], few ? "*" : "");
	}
	free(x);
	return few;
}

/* The table: a row per headline case, a column per tier (the first MAX_COLS), each
 * column as wide as its widest cell. */
static void print_grid(const cJSON *tiers, const struct row *rows, int nrows, int *few, FILE *out)
{
	char grid[MAX_ROWS + 1][MAX_COLS + 1][64];
	int width[MAX_COLS + 1] = { 0 }, ncols = 1;
	cJSON *t;

	snprintf(grid[0][0], sizeof(grid[0][0]), "case");
	for (int i = 0; i < nrows; i++)
		snprintf(grid[i + 1][0], sizeof(grid[0][0]), "%.44s %s", rows[i].key, rows[i].unit);
	cJSON_ArrayForEach(t, (cJSON *)tiers) {
		struct nb_res_tier_view tv;
		if (ncols > MAX_COLS)
			break;
		nb_res_tier_read(t, &tv);
		snprintf(grid[0][ncols], sizeof(grid[0][0]), "%s", tv.name ? tv.name : "?");
		for (int i = 0; i < nrows; i++)
			*few |= cell(t, rows[i].key, grid[i + 1][ncols], sizeof(grid[0][0]));
		ncols++;
	}
	for (int i = 0; i <= nrows; i++)
		for (int j = 0; j < ncols; j++)
			if ((int)strlen(grid[i][j]) > width[j])
				width[j] = (int)strlen(grid[i][j]);
	for (int i = 0; i <= nrows; i++) {
		fputs(" ", out);
		for (int j = 0; j < ncols; j++)
			fprintf(out, " %-*s", j == ncols - 1 ? 0 : width[j] + 1, grid[i][j]);
		fputs("\n", out);
	}
}

/* "L0 58 done, 2 failed" */
static void counts(const cJSON *tier, char *buf, size_t len)
{
	struct nb_res_tier_view tv;
	const cJSON *c;
	int k[NB_CASE_FAILED + 2] = { 0 };
	size_t used;

	nb_res_tier_read(tier, &tv);
	cJSON_ArrayForEach(c, tv.cases) {
		enum nb_case_status s = nb_res_case_status(c);
		if ((int)s >= 0 && (int)s <= NB_CASE_FAILED)
			k[s]++;
	}
	used = (size_t)snprintf(buf, len, "%s %d done", tv.name ? tv.name : "?", k[NB_CASE_DONE]);
	if (k[NB_CASE_SKIPPED] && used < len)
		used += (size_t)snprintf(buf + used, len - used, ", %d skipped", k[NB_CASE_SKIPPED]);
	if (k[NB_CASE_FAILED] && used < len)
		used += (size_t)snprintf(buf + used, len - used, ", %d failed", k[NB_CASE_FAILED]);
	if (k[NB_CASE_PENDING] + k[NB_CASE_RUNNING] && used < len)
		snprintf(buf + used, len - used, ", %d unfinished", k[NB_CASE_PENDING] + k[NB_CASE_RUNNING]);
}

void nb_summary_print(const char *path, FILE *out)
{
	char err[NB_ERR_LEN], all[512] = "";
	cJSON *doc = nb_result_load(path, err), *t;
	const cJSON *tiers;
	struct row rows[MAX_ROWS];
	int ntiers, nrows, few = 0, ncases = 0;

	if (!doc)
		return;
	tiers = nb_res_tiers(doc, &ntiers);
	nrows = ntiers ? collect_rows(tiers, rows) : 0;
	if (!nrows) {
		cJSON_Delete(doc);
		return;
	}
	cJSON_ArrayForEach(t, (cJSON *)tiers) {
		struct nb_res_tier_view tv;
		nb_res_tier_read(t, &tv);
		ncases = tv.n_cases > ncases ? tv.n_cases : ncases;
	}
	fprintf(out, "summary: median [95 %% CI] of each family's first case (all %d cases: "
		"nestbench table %s)\n", ncases, path);
	print_grid(tiers, rows, nrows, &few, out);
	cJSON_ArrayForEach(t, (cJSON *)tiers) {
		char one[128];
		counts(t, one, sizeof(one));
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", all[0] ? "; " : "", one);
	}
	fprintf(out, "  cases: %s%s\n", all,
		few ? "  (* fewer than 6 samples: [min, max], short of 95 %)" : "");
	cJSON_Delete(doc);
}
