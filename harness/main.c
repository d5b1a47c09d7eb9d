/* main.c - `nestbench`: the command users type. */
#include "campaign.h"
#include "../common/version.h"
#include "config.h"
#include "doctor.h"
#include "proc.h"

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
	"\n"
	"Options for every command: -h/--help, --version.  `nestbench COMMAND --help`\n"
	"describes a command.  Exit status: 0 success, 1 measurements failed, 2 a problem\n"
	"the user can fix (bad config, unreachable tier, ...), 130 interrupted.\n";

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
		{ "state-dir", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },        { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },         { 0 }
	};
	struct nb_campaign_opts o;
	struct common_paths paths;
	char err[512] = "";
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("nestbench %s (git %s)\n", nb_version, nb_gitrev);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "doctor") == 0)
		return cmd_doctor(argc - 1, argv + 1);
	fprintf(stderr, "nestbench: unknown command '%s'\n\n%s", argv[1], usage_main);
	return 2;
}
