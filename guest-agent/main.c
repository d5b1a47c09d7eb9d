/* main.c - `nestbench-agent`: options, setup checks, then serve until SIGTERM. */
#include "agent.h"
#include "../common/err.h"
#include "tracepoints.h"
#include "../common/version.h"
#include "../common/units.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 2

static void usage(FILE *f)
{
	fprintf(f,
"usage: nestbench-agent [--listen ADDR]... [--stdio] [OPTIONS]\n"
"\n"
"The nestbench agent: runs in every tier (bare metal, L1, L2, ...), stores the\n"
"nestbench-work binary the harness sends it (by sha256) and runs its workloads,\n"
"and relays the harness to a child agent one level down.  Protocol: see\n"
"guest-agent/PROTOCOL.md (protocol version %d).\n"
"\n"
"Where to listen (repeatable; without --listen and --stdio: vsock:%d):\n"
"  -l, --listen ADDR        vsock:PORT | vsock:CID:PORT   AF_VSOCK (any CID by default)\n"
"                           serial:PATH    a virtio-serial port, e.g.\n"
"                                          /dev/virtio-ports/org.nestbench.agent.0\n"
"                           tcp:HOST:PORT  TCP (HOST may be [::1]; port 0 = any free)\n"
"                           unix:PATH      a UNIX stream socket\n"
"      --stdio              serve one session on stdin/stdout, then exit\n"
"\n"
"Options:\n"
"  -t, --token-file PATH    require this shared token in hello before any other\n"
"                           operation (compared in constant time)\n"
"  -d, --state-dir DIR      stored binaries and the workloads' working directory\n"
"                           (default %s)\n"
"      --max-frame SIZE     largest request frame accepted (default 4M); a larger\n"
"                           frame gets a too_large error and closes its session\n"
"      --max-put SIZE       largest file put accepts (default 512M)\n"
"      --max-sessions N     concurrent sessions (default %d)\n"
"      --run-timeout SEC    timeout of runs that do not set timeout_ms (default %u)\n"
"      --busy-poll USEC     after each frame, poll this long for the next one before\n"
"                           sleeping (default %d; 0 = never).  Saves the wake-up cost\n"
"                           of a VM (tens of us); never done while a workload runs\n"
"  -v, --verbose            log every request and run (default: sessions and operations)\n"
"  -q, --quiet              log errors only\n"
"  -V, --version            print the version and exit\n"
"  -h, --help               print this help and exit\n"
"\n"
"Deadlines and limits against clients that connect and stall (0 = no deadline):\n"
"      --hello-timeout SEC  a session must authenticate (hello with the token; without\n"
"                           --token-file, send a first request) within SEC of\n"
"                           connecting (default %d); not on --stdio\n"
"      --frame-timeout SEC  a frame must be complete SEC after its first byte\n"
"                           (default %d); between frames a session may stay idle\n"
"      --put-timeout SEC    each chunk of a put body must arrive within SEC (default\n"
"                           %d); a stalled put is removed\n"
"      --max-unauth N       sessions waiting to authenticate (default %d); past it, or\n"
"                           when --max-sessions are open, the oldest is closed\n"
"      --max-exits-fds N    perf descriptors one exits-start may open (default %d)\n"
"\n"
"Kept workers (run \"keep\": one nestbench-work serve per case and session):\n"
"      --max-workers N      at most N in the whole agent (default %d)\n"
"      --workers-mem-pct P  their resident memory at most P %% of MemTotal (default\n"
"                           %d); past either, the least recently used idle ones end\n"
"\n"
"SIZE takes K, M, G suffixes (powers of 1024).  Logs go to stderr.\n"
"AF_VSOCK needs the vsock modules: in a guest vmw_vsock_virtio_transport (KVM/QEMU),\n"
"hv_sock (Hyper-V) or vmw_vsock_vmci_transport (VMware); on a host vhost_vsock.\n"
"Only binaries received with put and verified by sha256 are ever run; never a shell.\n"
"\n"
"Exit status: 0 after SIGTERM/SIGINT or the end of the --stdio session; 2 for a\n"
"usage or setup error (bad address, unreadable token file, unusable state directory,\n"
"vsock unavailable); 1 for other failures.\n",
		NB_PROTO_VERSION, NB_VSOCK_PORT_DEFAULT, NB_AGENT_STATE_DIR, NB_AGENT_MAX_SESSIONS,
		NB_RUN_TIMEOUT_DEFAULT_MS / 1000, NB_SPIN_US_DEFAULT, NB_AGENT_HELLO_TIMEOUT_S,
		NB_AGENT_FRAME_TIMEOUT_S, NB_AGENT_PUT_TIMEOUT_S, NB_AGENT_MAX_UNAUTH,
		NB_EXITS_MAX_FDS_DEFAULT, NB_WORKERS_MAX_DEFAULT, NB_WORKERS_MEM_PCT_DEFAULT);
}

static int bad(const char *fmt, const char *a, const char *b)
{
	fputs("nestbench-agent: ", stderr);
	fprintf(stderr, fmt, a, b);
	fputs("\n", stderr);
	return EXIT_USAGE;
}

static int size_opt(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	if (nb_parse_size(v, out) || *out < min || *out > max) {
		fprintf(stderr, "nestbench-agent: %s: '%s' is not a size between %llu and %llu "
			"bytes (suffixes K, M, G)\n", opt, v, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

/* Options without a short form (numbers clear of any character). */
enum {
	OPT_HELLO_TIMEOUT = 0x4801,
	OPT_FRAME_TIMEOUT,
	OPT_PUT_TIMEOUT,
	OPT_MAX_UNAUTH,
	OPT_MAX_EXITS_FDS,
	OPT_MAX_WORKERS,
	OPT_WORKERS_MEM_PCT,
};

/* A deadline in whole seconds, 0 (none) to a day; 0 or -1 after the message. */
static int seconds_opt(const char *opt, const char *v, unsigned *ms)
{
	uint64_t n;

	if (nb_parse_u64(v, &n) || n > NB_AGENT_TIMEOUT_MAX_S) {
		fprintf(stderr, "nestbench-agent: %s: '%s' is not a number of seconds between 0 (no "
			"deadline) and %d\n", opt, v, NB_AGENT_TIMEOUT_MAX_S);
		return -1;
	}
	*ms = (unsigned)n * 1000u;
	return 0;
}

/* TCP without a token: whoever reaches the port can put a binary and run it. */
static void warn_open_tcp(struct nb_agent *a)
{
	for (int i = 0; i < a->nlisteners && !a->has_token; i++)
		if (a->listeners[i].ops == &nb_transport_tcp)
			nb_log(a, 0, "warning: %s has no token (--token-file): anyone who can connect "
			       "to it can run code as this agent's user (uid %d); give it a "
			       "--token-file, or listen on vsock:, serial: or unix: instead",
			       a->listeners[i].desc, (int)geteuid());
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "stdio", no_argument, NULL, 'S' },
		{ "token-file", required_argument, NULL, 't' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "max-frame", required_argument, NULL, 'F' },
		{ "max-put", required_argument, NULL, 'P' },
		{ "max-sessions", required_argument, NULL, 'N' },
		{ "run-timeout", required_argument, NULL, 'T' },
		{ "busy-poll", required_argument, NULL, 'B' },
		{ "hello-timeout", required_argument, NULL, OPT_HELLO_TIMEOUT },
		{ "frame-timeout", required_argument, NULL, OPT_FRAME_TIMEOUT },
		{ "put-timeout", required_argument, NULL, OPT_PUT_TIMEOUT },
		{ "max-unauth", required_argument, NULL, OPT_MAX_UNAUTH },
		{ "max-exits-fds", required_argument, NULL, OPT_MAX_EXITS_FDS },
		{ "max-workers", required_argument, NULL, OPT_MAX_WORKERS },
		{ "workers-mem-pct", required_argument, NULL, OPT_WORKERS_MEM_PCT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Static: session threads may still touch it while the process exits. */
	static struct nb_agent agent;
	struct nb_agent_opts o;
	struct nb_agent *a = &agent;
	char err[NB_ERR_LEN], vsock_default[32];
	uint64_t v;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.state_dir = NB_AGENT_STATE_DIR;
	o.max_frame = NB_FRAME_MAX_DEFAULT;
	o.max_put = NB_PUT_MAX_DEFAULT;
	o.max_sessions = NB_AGENT_MAX_SESSIONS;
	o.run_timeout_ms = NB_RUN_TIMEOUT_DEFAULT_MS;
	o.verbose = 1;
	o.spin_us = NB_SPIN_US_DEFAULT;
	o.hello_timeout_ms = NB_AGENT_HELLO_TIMEOUT_S * 1000u;
	o.frame_timeout_ms = NB_AGENT_FRAME_TIMEOUT_S * 1000u;
	o.put_timeout_ms = NB_AGENT_PUT_TIMEOUT_S * 1000u;
	o.max_unauth = NB_AGENT_MAX_UNAUTH;
	o.max_exits_fds = NB_EXITS_MAX_FDS_DEFAULT;
	o.auth_turn_ms = NB_AUTH_TURN_MS;
	o.max_workers = NB_WORKERS_MAX_DEFAULT;
	o.workers_mem_pct = NB_WORKERS_MEM_PCT_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:t:d:vqVh", longs, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (o.nlisten == NB_AGENT_MAX_LISTEN)
				return bad("at most %s --listen options%s", "8", "");
			o.listen[o.nlisten++] = optarg;
			break;
		case 'S': o.stdio = 1; break;
		case 't': o.token_file = optarg; break;
		case 'd': o.state_dir = optarg; break;
		case 'F':
			if (size_opt("--max-frame", optarg, 4096, 1ull << 30, &o.max_frame))
				return EXIT_USAGE;
			break;
		case 'P':
			if (size_opt("--max-put", optarg, 1, 1ull << 40, &o.max_put))
				return EXIT_USAGE;
			break;
		case 'N':
			if (nb_parse_u64(optarg, &v) || v < 1 || v > 4096)
				return bad("--max-sessions: '%s' is not a number between 1 and 4096%s",
					   optarg, "");
			o.max_sessions = (unsigned)v;
			break;
		case 'T':
			if (nb_parse_u64(optarg, &v) || v < 1 || v > NB_RUN_TIMEOUT_MAX_MS / 1000)
				return bad("--run-timeout: '%s' is not a number of seconds between 1 "
					   "and 86400%s", optarg, "");
			o.run_timeout_ms = (unsigned)v * 1000u;
			break;
		case 'B':
			if (nb_parse_u64(optarg, &v) || v > 100000)
				return bad("--busy-poll: '%s' is not a number of microseconds between 0 "
					   "and 100000%s", optarg, "");
			o.spin_us = (unsigned)v;
			break;
		case OPT_HELLO_TIMEOUT:
			if (seconds_opt("--hello-timeout", optarg, &o.hello_timeout_ms))
				return EXIT_USAGE;
			break;
		case OPT_FRAME_TIMEOUT:
			if (seconds_opt("--frame-timeout", optarg, &o.frame_timeout_ms))
				return EXIT_USAGE;
			break;
		case OPT_PUT_TIMEOUT:
			if (seconds_opt("--put-timeout", optarg, &o.put_timeout_ms))
				return EXIT_USAGE;
			break;
		case OPT_MAX_UNAUTH:
			if (nb_parse_u64(optarg, &v) || v < 1 || v > 4096)
				return bad("--max-unauth: '%s' is not a number between 1 and 4096%s",
					   optarg, "");
			o.max_unauth = (unsigned)v;
			break;
		case OPT_MAX_EXITS_FDS:
			if (nb_parse_u64(optarg, &v) || v < 1 || v > 1000000)
				return bad("--max-exits-fds: '%s' is not a number between 1 and "
					   "1000000%s", optarg, "");
			o.max_exits_fds = (unsigned)v;
			break;
		case OPT_MAX_WORKERS:
			if (nb_parse_u64(optarg, &v) || v < 1 || v > 256)
				return bad("--max-workers: '%s' is not a number between 1 and 256%s",
					   optarg, "");
			o.max_workers = (unsigned)v;
			break;
		case OPT_WORKERS_MEM_PCT:
			if (nb_parse_u64(optarg, &v) || v < 1 || v > 100)
				return bad("--workers-mem-pct: '%s' is not a percentage between 1 and "
					   "100%s", optarg, "");
			o.workers_mem_pct = (unsigned)v;
			break;
		case 'v': o.verbose = 2; break;
		case 'q': o.verbose = 0; break;
		case 'V':
			printf("nestbench-agent %s (%s), protocol %d\n", nb_version, nb_gitrev,
			       NB_PROTO_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad("option %s needs a value (see --help)%s", argv[optind - 1], "");
		default:
			return bad("unknown option '%s' (see --help)%s", argv[optind - 1], "");
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s' (see --help)%s", argv[optind], "");
	if (o.stdio) {
		if (o.nlisten == NB_AGENT_MAX_LISTEN)
			return bad("at most %s --listen options%s", "8", "");
		o.listen[o.nlisten++] = "stdio";
	}
	if (o.nlisten == 0) {
		snprintf(vsock_default, sizeof(vsock_default), "vsock:%d", NB_VSOCK_PORT_DEFAULT);
		o.listen[o.nlisten++] = vsock_default;
	}
	if (nb_agent_init(a, &o, err)) {
		fprintf(stderr, "nestbench-agent: %s\n", err);
		nb_agent_free(a);
		return EXIT_USAGE;
	}
	warn_open_tcp(a);
	rc = nb_agent_serve(a);   /* removes its UNIX socket files before returning */
	fflush(stderr);
	return rc;
}
