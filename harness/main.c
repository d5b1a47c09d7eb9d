/* main.c - `nestbench`: the command users type. */
#include "campaign.h"
#include "../common/err.h"
#include "../analysis/report.h"
#include "../history/cli.h"
#include "../common/version.h"
#include "config.h"
#include "doctor.h"
#include "events_cmd.h"
#include "lab.h"
#include "../common/files.h"
#include "../common/proc.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static const char usage_main[] =
	"usage: nestbench COMMAND [OPTIONS]\n"
	"\n"
	"Measures what nested virtualization costs: the same nestbench-work binary on bare\n"
	"metal, in a guest and in a nested guest, through a nestbench-agent in each tier.\n"
	"\n"
	"Commands:\n"
	"  run CONFIG            run a campaign (configs/*.json) and write a result file\n"
	"  run --resume FILE     continue an interrupted campaign without redoing work\n"
	"  doctor [CONFIG]       check each tier: reachable? what is it? which counters work?\n"
	"  events [CONFIG]       what each tier can count (perf events, page walks, VM exits)\n"
	"  lab up|down|status [CONFIG]\n"
	"                        the local nested lab: L1 under QEMU, L2 under KVM inside it\n"
	"  table FILE...         overhead table of result files (md, latex, csv, json,\n"
	"                        long-csv, long-json)\n"
	"  plot FILE...          charts with gnuplot (PNG and PDF): slowdown, mem.lat curve,\n"
	"                        exit costs\n"
	"  compare BASE NEW      significant regressions between two result files (for CI)\n"
	"  history add|list|show|export|check|plot\n"
	"                        the result history: result files in one database, a case\n"
	"                        followed over runs, change points (check exits 1 on a\n"
	"                        recent regression), trend charts, CSV for Otava\n"
	"\n"
	"Options for every command: -h/--help, --version.  `nestbench help COMMAND` (or\n"
	"`nestbench COMMAND --help`) describes a command.  Exit status: 0 success, 1\n"
	"measurements failed (compare, history check: a regression), 2 a problem the user\n"
	"can fix (bad config, unreachable tier, a mistyped command ...), 130 interrupted.\n";

static const char usage_run[] =
	"usage: nestbench run [OPTIONS] CONFIG\n"
	"       nestbench run [OPTIONS] --resume RESULT-FILE\n"
	"\n"
	"Connects to every tier of the campaign (through relays for \"via\" tiers), deploys\n"
	"the same nestbench-work to each (sha256 checked), runs the workload matrix in\n"
	"seeded interleaved rounds and writes results/<campaign>-<UTC time>.json.  The file\n"
	"is rewritten atomically as samples arrive, so an interrupted campaign keeps what it\n"
	"measured; --resume continues it (configuration and seed come from the file).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE     the result file (default results/<name>-<time>.json)\n"
	"      --results DIR     directory for result files (default results)\n"
	"      --resume FILE     continue this result file\n"
	"      --tier NAME       measure only this tier\n"
	"      --work PATH       the nestbench-work to deploy (default: beside nestbench)\n"
	"      --agent PATH      the nestbench-agent for \"local\" tiers (default: beside nestbench)\n"
	"      --state-dir DIR   the local agent's state directory (default\n"
	"                        $XDG_CACHE_HOME or ~/.cache, then nestbench/agent)\n"
	"      --lab-dir DIR     the lab `nestbench lab up --lab-dir` started, for tiers at\n"
	"                        lab:L1 and lab:L2 (default: build/lab beside nestbench)\n"
	"  -q, --quiet           errors and the result path only\n"
	"  -v, --verbose         a line per visit\n"
	"  -h, --help            this help\n";

/* Programs installed beside this one (build/ or /usr/local/bin). */
static void beside_self(const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (nb_proc_self_dir(dir, sizeof(dir)) == 0)
		snprintf(buf, len, "%.*s/%s", (int)(len - strlen(name) - 2), dir, name);
	else
		snprintf(buf, len, "%s", name);
}

static void default_state_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0])
		snprintf(buf, len, "%.*s/nestbench/agent", (int)(len - 20), xdg);
	else if (home && home[0])
		snprintf(buf, len, "%.*s/.cache/nestbench/agent", (int)(len - 30), home);
	else
		snprintf(buf, len, "/tmp/nestbench-agent-%d", (int)getuid());
}

struct common_paths {
	char work[PATH_MAX], agent[PATH_MAX], state[PATH_MAX];
};

static void paths_default(struct common_paths *p)
{
	beside_self("nestbench-work", p->work, sizeof(p->work));
	beside_self("nestbench-agent", p->agent, sizeof(p->agent));
	default_state_dir(p->state, sizeof(p->state));
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "results", required_argument, NULL, 'R' },
		{ "resume", required_argument, NULL, 'r' }, { "tier", required_argument, NULL, 'T' },
		{ "work", required_argument, NULL, 'W' },   { "agent", required_argument, NULL, 'A' },
		{ "state-dir", required_argument, NULL, 'S' }, { "lab-dir", required_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },        { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },         { 0 }
	};
	struct nb_campaign_opts o;
	struct common_paths paths;
	char err[NB_ERR_LEN] = "";
	int c;

	memset(&o, 0, sizeof(o));
	paths_default(&paths);
	o.verbosity = NB_NORMAL;
	o.log = stderr;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out_path = optarg; break;
		case 'R': o.out_dir = optarg; break;
		case 'r': o.resume_path = optarg; break;
		case 'T': o.only_tier = optarg; break;
		case 'W': snprintf(paths.work, sizeof(paths.work), "%s", optarg); break;
		case 'A': snprintf(paths.agent, sizeof(paths.agent), "%s", optarg); break;
		case 'S': snprintf(paths.state, sizeof(paths.state), "%s", optarg); break;
		case 'L': o.lab_dir = optarg; break;
		case 'q': o.verbosity = NB_QUIET; break;
		case 'v': o.verbosity = NB_VERBOSE; break;
		case 'h': fputs(usage_run, stdout); return 0;
		default: fputs(usage_run, stderr); return 2;
		}
	}
	if (o.resume_path ? optind != argc : optind != argc - 1) {
		fprintf(stderr, "nestbench run: %s\n%s",
			o.resume_path ? "--resume takes the configuration from the result file; give no CONFIG"
				      : "give exactly one campaign file (e.g. configs/local.json)",
			usage_run);
		return 2;
	}
	if (!o.resume_path)
		o.config_path = argv[optind];
	o.work_path = paths.work;
	o.agent_path = paths.agent;
	nb_mkdirs(paths.state);
	o.state_dir = paths.state;
	o.progress = isatty(2) && o.verbosity != NB_QUIET;
	int status = nb_campaign_run(&o, err);
	if (status && err[0])
		fprintf(stderr, "nestbench: %s\n", err);
	/* The path of whatever was written, also after a failure: it keeps the samples. */
	if (o.wrote)
		printf("%s\n", o.result_path);
	return status;
}

static int cmd_doctor(int argc, char **argv)
{
	struct common_paths paths;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs("usage: nestbench doctor [CONFIG]\n\n"
		      "Checks each tier of CONFIG (default: this machine through a local agent):\n"
		      "reachable? what it really is (bare metal, KVM, Hyper-V, VMware, TCG ...),\n"
		      "which perf counters work, what is missing, and how to fix it.\n", stdout);
		return 0;
	}
	if (argc > 2) {
		fputs("usage: nestbench doctor [CONFIG]\n", stderr);
		return 2;
	}
	paths_default(&paths);
	nb_mkdirs(paths.state);
	return nb_doctor(argc > 1 ? argv[1] : NULL, paths.work, paths.agent, paths.state, stdout);
}

static const char usage_events[] =
	"usage: nestbench events [CONFIG] [--tier NAME] [--json]\n"
	"\n"
	"What each tier of CONFIG (default: this machine through a local agent) can count:\n"
	"the generic perf events and the page-walk / TLB-miss events libpfm4 knows for its\n"
	"CPU, each opened there or not and why (no PMU exposed, perf_event_paranoid,\n"
	"permission), the hypervisor setting that would expose a PMU, and whether the tier\n"
	"can count its children's VM exits (tracefs, kvm tracepoints, root).\n"
	"\n"
	"Options:\n"
	"      --tier NAME       only this tier\n"
	"      --json            the agents' events-probe replies as a JSON array\n"
	"      --lab-dir DIR     where the local lab runs (for lab: addresses)\n"
	"  -h, --help            this help\n";

static int cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tier", required_argument, NULL, 'T' }, { "json", no_argument, NULL, 'j' },
		{ "lab-dir", required_argument, NULL, 'L' }, { "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct nb_events_opts o;
	struct common_paths paths;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'T': o.only_tier = optarg; break;
		case 'j': o.json = 1; break;
		case 'L': o.lab_dir = optarg; break;
		case 'h': fputs(usage_events, stdout); return 0;
		default: fputs(usage_events, stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(usage_events, stderr);
		return 2;
	}
	o.config = optind < argc ? argv[optind] : NULL;
	paths_default(&paths);
	nb_mkdirs(paths.state);
	o.agent = paths.agent;
	o.state_dir = paths.state;
	return nb_events_cmd(&o, stdout);
}

static const char usage_lab[] =
	"usage: nestbench lab up [CONFIG] [--lab-dir DIR] [--images DIR]\n"
	"       nestbench lab down|status [--lab-dir DIR]\n"
	"\n"
	"The local nested lab on this machine: L1 under QEMU (KVM if /dev/kvm boots a 64-bit\n"
	"guest, TCG otherwise), L2 under KVM inside L1, a nestbench-agent in each.  Campaigns\n"
	"reach them as tiers with the addresses \"lab:L1\" and \"lab:L2\" (configs/lab.json).\n"
	"\n"
	"  up       boot both guests with the settings of CONFIG's \"lab\" object (default:\n"
	"           2 vCPUs and 4096 MiB for L1, 2 vCPUs and 1536 MiB for L2) and wait for\n"
	"           both agents; says what it chose and why.  A lab a crash left behind is\n"
	"           stopped first.\n"
	"  down     stop the guests (by the pid in the state file) and remove the sockets\n"
	"  status   what runs and whether both agents answer (exit 0 yes, 1 no)\n"
	"\n"
	"Options:\n"
	"      --lab-dir DIR   state, sockets, console logs, scratch disks (default: lab/\n"
	"                      beside nestbench, i.e. build/lab)\n"
	"      --images DIR    the guest images (default: images/ beside nestbench; `make images`)\n";

static int cmd_lab(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lab-dir", required_argument, NULL, 'L' }, { "images", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },          { 0 }
	};
	struct nb_lab_paths p;
	struct nb_campaign_cfg cfg;
	char err[NB_ERR_LEN] = "";
	int c, rc;

	nb_lab_default_paths(&p);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'L': snprintf(p.dir, sizeof(p.dir), "%s", optarg); break;
		case 'I': snprintf(p.images, sizeof(p.images), "%s", optarg); break;
		case 'h': fputs(usage_lab, stdout); return 0;
		default: fputs(usage_lab, stderr); return 2;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		fputs(usage_lab, stderr);
		return 2;
	}
	const char *verb = argv[optind], *config = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (strcmp(verb, "up") == 0) {
		memset(&cfg, 0, sizeof(cfg));
		if (config && nb_config_load(config, &cfg, err)) {
			fprintf(stderr, "nestbench lab: %s\n", err);
			return 2;
		}
		if (!config)
			nb_lab_defaults(&cfg.lab);
		rc = nb_lab_up(&cfg.lab, &p, stdout, err);
		if (config)
			nb_config_free(&cfg);
	} else if ((strcmp(verb, "down") == 0 || strcmp(verb, "status") == 0) && config) {
		fprintf(stderr, "nestbench lab %s: takes no CONFIG\n", verb);
		return 2;
	} else if (strcmp(verb, "down") == 0) {
		rc = nb_lab_down(&p, stdout, err);
	} else if (strcmp(verb, "status") == 0) {
		return nb_lab_status(&p, stdout);
	} else {
		fprintf(stderr, "nestbench lab: unknown action '%s' (up, down or status)\n", verb);
		return 2;
	}
	if (rc && err[0])
		fprintf(stderr, "nestbench lab: %s\n", err);
	return rc;
}

/* The commands, for dispatch, `nestbench help CMD` and "did you mean". */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },         { "doctor", cmd_doctor },     { "events", cmd_events },
	{ "lab", cmd_lab },         { "table", nb_cmd_table },    { "plot", nb_cmd_plot },
	{ "compare", nb_cmd_compare }, { "history", nb_cmd_history },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Edit distance (insertions, deletions, substitutions, transpositions of neighbours)
 * of two short words, capped at 9. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[16][16];

	if (la > 14 || lb > 14)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]), v = sub;
			v = d[i - 1][j] + 1 < v ? d[i - 1][j] + 1 : v;
			v = d[i][j - 1] + 1 < v ? d[i][j - 1] + 1 : v;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] < 9 ? d[la][lb] : 9;
}

/* The command closest to a mistyped one (at most 2 edits, or a unique prefix), or NULL. */
static const char *closest(const char *word)
{
	const char *best = NULL, *prefixed = NULL;
	int best_d = 3, prefixes = 0;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		int dd = distance(word, commands[i].name);
		if (dd < best_d) {
			best_d = dd;
			best = commands[i].name;
		}
		if (word[0] && strncmp(commands[i].name, word, strlen(word)) == 0) {
			prefixes++;
			prefixed = commands[i].name;
		}
	}
	return best ? best : prefixes == 1 ? prefixed : NULL;
}

static int unknown(const char *what, const char *word)
{
	const char *near = closest(word);

	if (near)
		fprintf(stderr, "nestbench: %s '%s': did you mean '%s'? (`nestbench help` lists "
			"the commands)\n", what, word, near);
	else
		fprintf(stderr, "nestbench: %s '%s': `nestbench help` lists the commands\n", what,
			word);
	return 2;
}

/* `nestbench help [CMD]`: the main usage, or CMD's own (its --help). */
static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			char *args[] = { argv[1], "--help", NULL };
			return commands[i].fn(2, args);
		}
	return unknown("help: no command", argv[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv + 1);
	if (strcmp(argv[1], "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("nestbench %s (git %s)\n", nb_version, nb_gitrev);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return unknown("unknown command", argv[1]);
}
