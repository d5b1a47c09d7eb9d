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
#include "lab_kut.h"
#include "libvirt.h"
#include "suggest.h"
#include "summary.h"
#include "check.h"
#include "../resultlib/result.h"
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
	"  check CONFIG          parse and expand a campaign without running it: its tiers,\n"
	"                        cases, repetitions and visits\n"
	"  doctor [CONFIG]       check each tier: reachable? what is it? which counters work?\n"
	"                        (--json: the checks as JSON)\n"
	"  events [CONFIG]       what each tier can count (perf events, page walks, VM exits)\n"
	"  lab up|down|status [CONFIG]\n"
	"                        the local nested lab: L1 under QEMU, L2 under KVM inside it\n"
	"  libvirt vsock|list    a libvirt domain as a tier: its vsock device and CID\n"
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
	"      --tier NAME       measure only this tier (repeat it, or NAME,NAME, for several)\n"
	"      --reps N          N repetitions of every case: over the campaign's defaults\n"
	"                        and every workload's own \"reps\" (fixed precision only)\n"
	"      --min-time-ms T   at least T ms per repetition, over the defaults and every\n"
	"                        workload's own \"min_time_ms\" (both recorded in the result\n"
	"                        as campaign.overrides; --resume keeps them)\n"
	"      --work PATH       the nestbench-work to deploy (default: beside nestbench)\n"
	"      --agent PATH      the nestbench-agent for \"local\" tiers (default: beside nestbench)\n"
	"      --state-dir DIR   the local agent's state directory (default\n"
	"                        $XDG_CACHE_HOME or ~/.cache, then nestbench/agent)\n"
	"      --lab-dir DIR     the lab `nestbench lab up --lab-dir` started, for tiers at\n"
	"                        lab:L1 and lab:L2 (default: build/lab beside nestbench;\n"
	"                        installed: $XDG_CACHE_HOME or ~/.cache, then nestbench/lab)\n"
	"  -q, --quiet           errors and the result path only (no summary of medians)\n"
	"  -v, --verbose         a line per visit\n"
	"  -h, --help            this help\n"
	"\n"
	"`nestbench check CONFIG` shows what a run would measure, without running it.\n";

/* Programs beside this one: in the build tree (build/) and installed (BINDIR: make
 * install and the packages put nestbench, nestbench-agent and nestbench-work together). */
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

/* An integer option in [lo, hi]; 0, or -1 after saying what it takes. */
static int int_option(const char *cmd, const char *opt, const char *arg, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end || v < lo || v > hi) {
		fprintf(stderr, "nestbench %s: %s takes an integer from %ld to %ld, not '%s'\n", cmd, opt,
			lo, hi, arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --tier NAME, repeated or NAME,NAME: one comma-separated list. */
static int add_tiers(char *list, size_t len, const char *arg)
{
	size_t used = strlen(list);

	if (!arg[0] || used + strlen(arg) + 2 > len) {
		fprintf(stderr, "nestbench: --tier takes a tier name (or NAME,NAME)\n");
		return -1;
	}
	snprintf(list + used, len - used, "%s%s", used ? "," : "", arg);
	return 0;
}

/* --resume on a file whose campaign is complete: nothing to do, say so.  1 when it is. */
static int resume_complete(const char *path, enum nb_verbosity v)
{
	char err[NB_ERR_LEN];
	struct nb_res_head h;
	cJSON *doc = nb_result_load(path, err);
	int complete;

	if (!doc)
		return 0;   /* the campaign reports why it cannot be read */
	nb_res_head_read(doc, &h);
	complete = h.status && nb_run_status_parse(h.status) == NB_RUN_COMPLETE;
	if (complete && v != NB_QUIET)
		fprintf(stderr, "nestbench: %s is complete: every case of every tier was measured, "
			"nothing to resume (`nestbench table %s` reads it; `nestbench run %s` starts a "
			"new campaign)\n", path, path, h.config_path ? h.config_path : "CONFIG");
	cJSON_Delete(doc);
	return complete;
}

/* The options run and check share (--tier, --reps, --min-time-ms, --work): 1 when c was
 * one of them and was taken, 0 when it is not one of them, -1 after a usage error. */
static int override_option(const char *cmd, int c, struct nb_campaign_opts *o,
			   struct common_paths *paths, char *tiers, size_t tlen)
{
	switch (c) {
	case 'T':
		if (add_tiers(tiers, tlen, optarg))
			return -1;
		o->only_tier = tiers;
		return 1;
	case 'N':
		return int_option(cmd, "--reps", optarg, 1, 100000, &o->reps) ? -1 : 1;
	case 'M':
		return int_option(cmd, "--min-time-ms", optarg, 1, 3600000, &o->min_time_ms) ? -1 : 1;
	case 'W':
		snprintf(paths->work, sizeof(paths->work), "%s", optarg);
		return 1;
	default:
		return 0;
	}
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "results", required_argument, NULL, 'R' },
		{ "resume", required_argument, NULL, 'r' }, { "tier", required_argument, NULL, 'T' },
		{ "work", required_argument, NULL, 'W' },   { "agent", required_argument, NULL, 'A' },
		{ "state-dir", required_argument, NULL, 'S' }, { "lab-dir", required_argument, NULL, 'L' },
		{ "reps", required_argument, NULL, 'N' },   { "min-time-ms", required_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },        { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },         { 0 }
	};
	struct nb_campaign_opts o;
	struct common_paths paths;
	char err[NB_ERR_LEN] = "", tiers[512] = "";
	int c;

	memset(&o, 0, sizeof(o));
	paths_default(&paths);
	o.verbosity = NB_NORMAL;
	o.log = stderr;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		int taken = override_option("run", c, &o, &paths, tiers, sizeof(tiers));
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case 'o': o.out_path = optarg; break;
		case 'R': o.out_dir = optarg; break;
		case 'r': o.resume_path = optarg; break;
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
	else if (resume_complete(o.resume_path, o.verbosity)) {
		printf("%s\n", o.resume_path);
		return 0;
	}
	o.work_path = paths.work;
	o.agent_path = paths.agent;
	nb_mkdirs(paths.state);
	o.state_dir = paths.state;
	o.progress = isatty(2) && o.verbosity != NB_QUIET;
	int status = nb_campaign_run(&o, err);
	if (status && err[0])
		fprintf(stderr, "nestbench: %s\n", err);
	/* The path of whatever was written, also after a failure: it keeps the samples. */
	if (o.wrote && o.verbosity != NB_QUIET && status != 130)
		nb_summary_print(o.result_path, stderr);
	if (o.wrote)
		printf("%s\n", o.result_path);
	return status;
}

static const char usage_check[] =
	"usage: nestbench check [OPTIONS] CONFIG\n"
	"\n"
	"Parses CONFIG and expands its workloads with nestbench-work (as `run` does before\n"
	"touching a tier), without connecting to any tier or measuring: prints the tiers,\n"
	"every case (workload and parameters) with its repetitions, warm-up, minimum time\n"
	"and visits, the order of visits and how many visits the run makes.  Exit status 0\n"
	"when the campaign is valid, 2 (with the message `run` would print) when not.\n"
	"\n"
	"Options:\n"
	"      --json            the same as one JSON object\n"
	"      --reps N, --min-time-ms T, --tier NAME\n"
	"                        as for `nestbench run`: check with these overrides\n"
	"      --work PATH       the nestbench-work that expands the workloads\n"
	"  -h, --help            this help\n";

static int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },         { "tier", required_argument, NULL, 'T' },
		{ "reps", required_argument, NULL, 'N' },   { "min-time-ms", required_argument, NULL, 'M' },
		{ "work", required_argument, NULL, 'W' },   { "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct nb_campaign_opts o;
	struct common_paths paths;
	char tiers[512] = "";
	int c, json = 0;

	memset(&o, 0, sizeof(o));
	paths_default(&paths);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int taken = override_option("check", c, &o, &paths, tiers, sizeof(tiers));
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case 'j': json = 1; break;
		case 'h': fputs(usage_check, stdout); return 0;
		default: fputs(usage_check, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "nestbench check: give exactly one campaign file (e.g. "
			"configs/local.json)\n%s", usage_check);
		return 2;
	}
	o.config_path = argv[optind];
	o.work_path = paths.work;
	return nb_check(&o, json, stdout);
}

static int cmd_doctor(int argc, char **argv)
{
	struct common_paths paths;
	const char *config = NULL;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs("usage: nestbench doctor [--json] [CONFIG]\n\n"
			      "Checks each tier of CONFIG (default: this machine through a local agent):\n"
			      "reachable? what it really is (bare metal, KVM, Hyper-V, VMware, TCG ...),\n"
			      "which perf counters work, what is missing, and how to fix it.\n\n"
			      "      --json    the same checks as a JSON array, one object per check:\n"
			      "                tier, name, status (ok, warn, fail, info), detail, fix\n",
			      stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' || config) {
			fputs("usage: nestbench doctor [--json] [CONFIG]\n", stderr);
			return 2;
		} else {
			config = argv[i];
		}
	}
	paths_default(&paths);
	nb_mkdirs(paths.state);
	return nb_doctor(config, paths.work, paths.agent, paths.state, json, stdout);
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
	"       nestbench lab kut [--smp N] [--timeout-s T] [--count-exits] [--lab-dir DIR] TEST...\n"
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
	"  kut      with CONFIG's lab.kvm_unit_tests (x86/vmexit.flat): L1 boots it under KVM\n"
	"           as a second L2 with the kvm-unit-tests TESTs as arguments (e.g. cpuid\n"
	"           vmcall pci-mem) and N vCPUs (default 1), and prints what it printed (one\n"
	"           line per test: name and TSC cycles per operation); exit 0 when it ran\n"
	"           to its end, 1 when it failed, 2 when it could not be asked\n"
	"\n"
	"Options:\n"
	"      --lab-dir DIR   state, sockets, console logs, scratch disks (default: lab/\n"
	"                      beside nestbench, i.e. build/lab; installed: nestbench/lab in\n"
	"                      $XDG_CACHE_HOME or ~/.cache)\n"
	"      --images DIR    the guest images (default: images/ beside nestbench, `make\n"
	"                      images`; installed: nestbench/images in the same cache, built\n"
	"                      by DATADIR/nestbench/images/build.sh)\n"
	"      --smp N         kut: the kvm-unit-tests guest's vCPUs (ipi needs 2)\n"
	"      --timeout-s T   kut: stop that guest after T seconds (default 300)\n"
	"      --count-exits   kut: L1's agent counts every VM exit in L1 during the run (by\n"
	"                      reason; the bare boot's and the idle L2's included), printed\n"
	"                      last as \"nestbench-kut: exits {...}\"\n";

/* `lab kut`: kvm-unit-tests' exit status comes through the ISA debug port as
 * (code << 1) | 1, so QEMU's 1 is a test that returned 0. */
static int lab_kut(const char *dir, int smp, int timeout_s, int count_exits, char **tests, int n)
{
	char err[NB_ERR_LEN] = "";
	int status = 0;

	if (nb_lab_kut_run(dir, smp, timeout_s, tests, n, count_exits, stdout, &status, err)) {
		fprintf(stderr, "nestbench lab kut: %s\n", err);
		return 2;
	}
	fflush(stdout);
	if (status == 1)
		return 0;
	fprintf(stderr, "nestbench lab kut: kvm-unit-tests ended with QEMU's status %d (%s)\n", status,
		status == 124 ? "stopped at --timeout-s"
		: status == 125 ? "it printed nothing: QEMU could not load it as a kernel (see its qemu: lines)"
		: status > 1 && status % 2 ? "a test failed"
		: "it did not exit through the ISA debug port: it crashed");
	return 1;
}

static int cmd_lab(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lab-dir", required_argument, NULL, 'L' }, { "images", required_argument, NULL, 'I' },
		{ "smp", required_argument, NULL, 's' },     { "timeout-s", required_argument, NULL, 't' },
		{ "count-exits", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },          { 0 }
	};
	struct nb_lab_paths p;
	struct nb_campaign_cfg cfg;
	char err[NB_ERR_LEN] = "";
	int c, rc, smp = 1, timeout_s = 300, count_exits = 0;

	nb_lab_default_paths(&p);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'L': snprintf(p.dir, sizeof(p.dir), "%s", optarg); break;
		case 'I': snprintf(p.images, sizeof(p.images), "%s", optarg); break;
		case 's': smp = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'x': count_exits = 1; break;
		case 'h': fputs(usage_lab, stdout); return 0;
		default: fputs(usage_lab, stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "kut") == 0)
		return lab_kut(p.dir, smp, timeout_s, count_exits, argv + optind + 1, argc - optind - 1);
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
		fprintf(stderr, "nestbench lab: unknown action '%s' (up, down, status or kut)\n", verb);
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
	{ "check", cmd_check },
	{ "lab", cmd_lab },         { "table", nb_cmd_table },    { "plot", nb_cmd_plot },
	{ "compare", nb_cmd_compare }, { "history", nb_cmd_history },
	{ "libvirt", nb_cmd_libvirt },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command closest to a mistyped one (suggest.h), or NULL. */
static const char *closest(const char *word)
{
	const char *names[NCOMMANDS];

	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	return nb_suggest(word, names, NCOMMANDS);
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
