/* main.c - `nestbench-work`: the static multi-call runner (list, info, run). */
#include "machine.h"     /* nb_info_print */
#include "../common/version.h"
#include "params.h"
#include "record.h"
#include "../common/records.h"
#include "runner.h"
#include "serve.h"
#include "../common/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
	fputs("usage: nestbench-work list [--json]\n"
	      "       nestbench-work info [--json]\n"
	      "       nestbench-work run NAME [--param K=V ...] [--reps N] [--warmup N]\n"
	      "                      [--min-time-ms T | --ops N] [--cpu N] [--events ENCODED]\n"
	      "       nestbench-work serve NAME [--param K=V ...] [--min-time-ms T | --ops N]\n"
      "                      [--cpu N] [--events ENCODED]  (one case, runs on request)\n"
      "       nestbench-work cases NAME [--param K=V ...]  (resolved cases, no run)\n"
	      "       nestbench-work help NAME     (parameters of one workload)\n"
	      "       nestbench-work --version\n"
	      "\n"
	      "run prints one JSON record per line: meta, rep (one per repetition), skip,\n"
	      "error, end; see workloads/README.md.  A parameter may sweep values, e.g.\n"
	      "--param size=16K..1G (doubling) or --param size=4K,64K.\n"
	      "--events takes TYPE:CONFIG:CONFIG1:CONFIG2:NAME items (comma-separated or\n"
	      "repeated), perf_event_attr fields as the agent encodes them with libpfm4.\n"
	      "--ops N skips calibration and runs N ops per repetition (as an earlier run's\n"
	      "meta record reported in ops_per_rep), so repeated visits do identical work.\n"
	      "serve sets one case up once, prints a ready record, then reads commands on\n"
      "stdin, one per line: {\"op\":\"run\",\"reps\":R,\"warmup\":W} (optional \"ops\",\n"
      "\"min_time_ms\") answers with run's records; {\"op\":\"quit\"} or end of input ends it.\n"
      "Exit status: 0 ok, 1 failure, 2 bad input, 77 skipped (reason on stderr).\n",
	      f);
}

static const char *param_type_name(enum nb_param_type t)
{
	return t == NB_PARAM_SIZE ? "size" : t == NB_PARAM_UINT ? "uint" : t == NB_PARAM_BOOL ? "bool" : "string";
}

static int cmd_list(int json)
{
	size_t n;
	const struct nb_workload *const *t = nb_workloads(&n);
	int width = 4;   /* the NAME column fits the longest name */

	for (size_t i = 0; i < n; i++)
		width = (int)strlen(t[i]->name) > width ? (int)strlen(t[i]->name) : width;
	if (!json)
		printf("%-*s %-6s %-12s %-6s %s\n", width, "NAME", "FAMILY", "UNIT", "BETTER", "STRESSES");
	for (size_t i = 0; i < n; i++) {
		const struct nb_workload *w = t[i];
		const char *better = w->better == NB_LOWER_IS_BETTER ? NB_BETTER_LOWER : NB_BETTER_HIGHER;
		if (!json) {
			printf("%-*s %-6s %-12s %-6s %s\n", width, w->name, w->family, w->unit, better,
			       w->stresses);
			continue;
		}
		struct nb_rec r;
		nb_rec_begin(&r, stdout, 1);
		nb_rec_str(&r, NB_REC_TYPE_KEY, NB_RECTYPE_WORKLOAD);
		nb_rec_str(&r, "name", w->name);
		nb_rec_str(&r, "family", w->family);
		nb_rec_str(&r, "unit", w->unit);
		nb_rec_str(&r, "better", better);
		nb_rec_str(&r, "stresses", w->stresses);
		if (w->setup_group)   /* one kept worker serves the group (serve's "workload") */
			nb_rec_str(&r, "setup_group", w->setup_group);
		nb_rec_arr_begin(&r, "params");
		for (int k = 0; k < nb_params_count(w); k++) {
			const struct nb_param_spec *p = &w->params[k];
			nb_rec_obj_begin(&r, NULL);
			nb_rec_str(&r, "name", p->name);
			nb_rec_str(&r, "type", param_type_name(p->type));
			if (p->def)
				nb_rec_str(&r, "default", p->def);
			else
				nb_rec_null(&r, "default");
			nb_rec_str(&r, "help", p->help);
			nb_rec_obj_end(&r);
		}
		nb_rec_arr_end(&r);
		nb_rec_end(&r);
	}
	return 0;
}

static int cmd_help(const char *name)
{
	const struct nb_workload *w = nb_workload_find(name);

	if (!w) {
		fprintf(stderr, "nestbench-work: unknown workload '%s' (see 'nestbench-work list')\n", name);
		return NB_EXIT_USAGE;
	}
	printf("%s (%s, %s, %s is better)\n  %s\n", w->name, w->family, w->unit,
	       w->better == NB_LOWER_IS_BETTER ? NB_BETTER_LOWER : NB_BETTER_HIGHER, w->stresses);
	for (int k = 0; k < nb_params_count(w); k++) {
		const struct nb_param_spec *p = &w->params[k];
		printf("  --param %s=<%s>  %s (default: %s)\n", p->name,
		       p->choices ? p->choices : param_type_name(p->type), p->help, p->def ? p->def : "none");
	}
	return 0;
}

/* Fetch the value of option argv[*i] (a separate word); NULL on a missing value. */
static const char *optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "nestbench-work: option %s needs a value\n", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int parse_uint_opt(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!v)
		return -1;
	if (nb_parse_u64(v, out) || *out < min || *out > max) {
		fprintf(stderr, "nestbench-work: %s: '%s' is not an integer between %llu and %llu\n", opt,
			v, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

enum run_mode { MODE_RUN, MODE_CASES, MODE_SERVE };

static int cmd_run(int argc, char **argv, enum run_mode mode)
{
	struct nb_run_opts o;
	const struct nb_workload *w;
	uint64_t v;

	nb_run_opts_default(&o);
	if (argc < 1 || argv[0][0] == '-') {
		fprintf(stderr, "nestbench-work: %s needs a workload name (see 'nestbench-work list')\n",
			mode == MODE_SERVE ? "serve" : mode == MODE_CASES ? "cases" : "run");
		return NB_EXIT_USAGE;
	}
	if (!(w = nb_workload_find(argv[0]))) {
		fprintf(stderr, "nestbench-work: unknown workload '%s' (see 'nestbench-work list')\n", argv[0]);
		return NB_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--param") == 0 || strcmp(a, "-p") == 0) {
			const char *p = optval(argc, argv, &i);
			if (!p)
				return NB_EXIT_USAGE;
			if (o.nparams == NB_MAX_GIVEN) {
				fprintf(stderr, "nestbench-work: too many --param options\n");
				return NB_EXIT_USAGE;
			}
			o.params[o.nparams++] = p;
		} else if (strcmp(a, "--events") == 0) {
			const char *p = optval(argc, argv, &i);
			if (!p)
				return NB_EXIT_USAGE;
			if (o.nevents == NB_MAX_GIVEN) {
				fprintf(stderr, "nestbench-work: too many --events options\n");
				return NB_EXIT_USAGE;
			}
			o.events[o.nevents++] = p;
		} else if (mode == MODE_SERVE && (strcmp(a, "--reps") == 0 || strcmp(a, "--warmup") == 0)) {
			fprintf(stderr, "nestbench-work: serve takes %s in each run command, not on the command "
				"line\n", a[2] == 'r' ? "\"reps\"" : "\"warmup\"");
			return NB_EXIT_USAGE;
		} else if (strcmp(a, "--reps") == 0) {
			if (parse_uint_opt(a, optval(argc, argv, &i), 1, 1000000, &v))
				return NB_EXIT_USAGE;
			o.reps = (unsigned)v;
		} else if (strcmp(a, "--warmup") == 0) {
			if (parse_uint_opt(a, optval(argc, argv, &i), 0, 1000000, &v))
				return NB_EXIT_USAGE;
			o.warmup = (unsigned)v;
		} else if (strcmp(a, "--min-time-ms") == 0) {
			if (parse_uint_opt(a, optval(argc, argv, &i), 1, 3600000, &v))
				return NB_EXIT_USAGE;
			o.min_time_ns = v * 1000000ull;
		} else if (strcmp(a, "--ops") == 0) {
			if (parse_uint_opt(a, optval(argc, argv, &i), 1, UINT64_MAX / 2, &v))
				return NB_EXIT_USAGE;
			o.ops = v;
		} else if (strcmp(a, "--cpu") == 0) {
			if (parse_uint_opt(a, optval(argc, argv, &i), 0, 1048575, &v))
				return NB_EXIT_USAGE;
			o.cpu = (int)v;
		} else {
			fprintf(stderr, "nestbench-work: unknown option '%s' for %s (see --help)\n", a,
				mode == MODE_SERVE ? "serve" : mode == MODE_CASES ? "cases" : "run");
			return NB_EXIT_USAGE;
		}
	}
	if (mode == MODE_SERVE)
		return nb_serve(w, &o, stdin);
	return mode == MODE_CASES ? nb_cases(w, &o) : nb_run(w, &o);
}

static int want_json(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		fprintf(stderr, "nestbench-work: unknown option '%s' for %s\n", argv[i], argv[1]);
		return -1;
	}
	return argc > 2;
}

int main(int argc, char **argv)
{
	int json;

	if (argc < 2) {
		usage(stderr);
		return NB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nestbench-work %s (git %s)\n", nb_version, nb_gitrev);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 2, argv + 2, MODE_RUN);
	if (strcmp(argv[1], "cases") == 0)
		return cmd_run(argc - 2, argv + 2, MODE_CASES);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_run(argc - 2, argv + 2, MODE_SERVE);
	if (strcmp(argv[1], "help") == 0 && argc == 3)
		return cmd_help(argv[2]);
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "info") == 0) {
		if ((json = want_json(argc, argv)) < 0)
			return NB_EXIT_USAGE;
		return argv[1][0] == 'l' ? cmd_list(json) : nb_info_print(json);
	}
	fprintf(stderr, "nestbench-work: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return NB_EXIT_USAGE;
}
