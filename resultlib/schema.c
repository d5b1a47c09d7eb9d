/* schema.c - the statuses' spellings (schema.h). */
#include "schema.h"

#include <string.h>

static const char *const run_names[] = { "running", "complete", "partial", "interrupted" };
static const char *const tier_names[] = { "unreachable", "failed", "running", "interrupted", "done" };
static const char *const case_names[] = { "pending", "running", "done", "skipped", "failed" };

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Each enum's UNKNOWN is the count of its names: the tables and enums stay in step. */
_Static_assert(COUNT(run_names) == NB_RUN_UNKNOWN, "run_names and enum nb_run_status differ");
_Static_assert(COUNT(tier_names) == NB_TIER_UNKNOWN, "tier_names and enum nb_tier_status differ");
_Static_assert(COUNT(case_names) == NB_CASE_UNKNOWN, "case_names and enum nb_case_status differ");

static const char *name_of(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : "unknown";
}

/* The index of s in names, or n (the enum's UNKNOWN). */
static int parse(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return n;
}

const char *nb_run_status_name(enum nb_run_status s)
{
	return name_of(run_names, COUNT(run_names), (int)s);
}

enum nb_run_status nb_run_status_parse(const char *s)
{
	return (enum nb_run_status)parse(run_names, COUNT(run_names), s);
}

const char *nb_tier_status_name(enum nb_tier_status s)
{
	return name_of(tier_names, COUNT(tier_names), (int)s);
}

enum nb_tier_status nb_tier_status_parse(const char *s)
{
	return (enum nb_tier_status)parse(tier_names, COUNT(tier_names), s);
}

const char *nb_case_status_name(enum nb_case_status s)
{
	return name_of(case_names, COUNT(case_names), (int)s);
}

enum nb_case_status nb_case_status_parse(const char *s)
{
	return (enum nb_case_status)parse(case_names, COUNT(case_names), s);
}
