/* fuzz_session.c - libFuzzer target for a whole agent session, in process.
 *
 * The input is one selector byte, then the bytes a client sends on one connection
 * (frames as on the wire: 4-byte big-endian length, payload; put bodies as chunk
 * frames ended by an empty frame).  Bit 0 of the selector picks the agent: one
 * without a token, or one that requires "fuzz-token".  A writer thread sends the
 * bytes through a socketpair; the session reads frames as the agent's session loop
 * does and hands each to nb_session_request (every op of ops.c, the store, the
 * relay); a reader thread takes the replies off the other end.
 *
 * Oracles (abort = crash): every message the agent sends is, before anything
 * repairs it, UTF-8 and one JSON object with "ok" (nb_proto_send is wrapped); every
 * complete frame that reaches the client is UTF-8 and a JSON object.
 *
 * What would leave the process is replaced at link time (-Wl,--wrap):
 *  - nb_transport_connect: tcp: and vsock: fail at once; unix: and serial: connect
 *    to a second in-process session of the same agent (so relays, chains of them,
 *    and the byte pump are exercised);
 *  - nb_exec_run: no process; the "workload" prints the stored file's bytes (made
 *    UTF-8 first: workload output is repaired by nb_proto_send, tested elsewhere);
 *  - nb_op_exits_start: refused (it would attach perf counters to this machine's VMs).
 * `make fuzz-agent` runs it (and fuzz-frame) for FUZZ_TIME seconds each. */
#include "../../guest-agent/agent.h"
#include "../../common/err.h"
#include "../../guest-agent/tracepoints.h"
#include "../../common/frame.h"
#include "../../common/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FRAME (64 * 1024)
#define MAX_CHILDREN 8              /* relay hops per input */

/* The harness's own state: two agents made once, the relay children of the
 * current input (joined before the next one). */
static struct {
	char dir[64];
	struct nb_agent agent[2];
	pthread_mutex_t lock;
	pthread_t child[MAX_CHILDREN];
	int nchild;
} fz = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ---- oracles --------------------------------------------------------------------- */

static void check_message(const char *text, size_t len, const char *where)
{
	const char *why = "";
	size_t at = nb_utf8_check(text, len, &why);
	cJSON *o;

	if (at != len) {
		fprintf(stderr, "fuzz_session: %s is not UTF-8 (%s at byte %zu): %.*s\n", where, why,
			at, (int)len, text);
		abort();
	}
	o = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(o) || !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, "ok"))) {
		fprintf(stderr, "fuzz_session: %s is not a reply object: %.*s\n", where, (int)len,
			text);
		abort();
	}
	cJSON_Delete(o);
}

int __real_nb_proto_send(struct nb_conn *c, const cJSON *msg, char err[NB_ERR_LEN]);
int __wrap_nb_proto_send(struct nb_conn *c, const cJSON *msg, char err[NB_ERR_LEN]);

int __wrap_nb_proto_send(struct nb_conn *c, const cJSON *msg, char err[NB_ERR_LEN])
{
	char *text = cJSON_PrintUnformatted(msg);

	if (text) {
		check_message(text, strlen(text), "a reply as built");
		cJSON_free(text);
	}
	return __real_nb_proto_send(c, msg, err);
}

/* ---- stand-ins for what leaves the process ---------------------------------------- */

int __wrap_nb_exec_run(const struct nb_exec_req *r, struct nb_exec_result *res,
		       char err[NB_ERR_LEN]);
int __wrap_nb_exec_start(const struct nb_exec_req *r, int with_stdin, unsigned long worker,
			 struct nb_child *ch, char err[NB_ERR_LEN]);

/* A kept worker ("keep": true) would fork a real process: the fuzzer's agent cannot
 * start one, and the request takes the path of a worker that failed to start. */
int __wrap_nb_exec_start(const struct nb_exec_req *r, int with_stdin, unsigned long worker,
			 struct nb_child *ch, char err[NB_ERR_LEN])
{
	(void)r;
	(void)with_stdin;
	(void)worker;
	(void)ch;
	snprintf(err, NB_ERR_LEN, "fuzz: no worker starts here");
	return -1;
}

int __wrap_nb_exec_run(const struct nb_exec_req *r, struct nb_exec_result *res,
		       char err[NB_ERR_LEN])
{
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	memset(res, 0, sizeof(*res));
	res->out = calloc(1, r->max_out + 1);
	res->errout = strdup("fuzz: no workload ran\n");
	if (fd < 0 || !res->out || !res->errout) {
		snprintf(err, 256, "fuzz: cannot read %s", r->path);
		if (fd >= 0)
			close(fd);
		nb_exec_result_free(res);
		return -1;
	}
	n = read(fd, res->out, r->max_out);
	close(fd);
	res->out_len = n > 0 ? (size_t)n : 0;
	res->out[res->out_len] = '\0';
	nb_utf8_scrub(res->out, res->out_len);
	res->err_len = strlen(res->errout);
	/* The first byte picks how it ended: exit status, signal or timeout. */
	unsigned char how = res->out_len ? (unsigned char)res->out[0] : 0;
	res->exit_status = how % 4 == 3 ? -1 : how % 4;
	res->term_signal = how % 4 == 3 ? SIGKILL : 0;
	res->timed_out = how % 8 == 7;
	res->out_truncated = n > 0 && (size_t)n == r->max_out;
	res->elapsed_ms = 1.0;
	return 0;
}

int __wrap_nb_op_exits_start(struct nb_session *s, const cJSON *req, cJSON *reply);

int __wrap_nb_op_exits_start(struct nb_session *s, const cJSON *req, cJSON *reply)
{
	enum nb_exits_target target;
	int pids[NB_EXITS_MAX_PIDS], npids = 0, reasons;

	(void)reply;
	/* Its request decoder is fuzzed; the counters are not opened. */
	if (nb_exits_decode(req, &target, pids, &npids, &reasons, s->msg))
		return nb_op_fail(s, NB_E_BAD_REQUEST, "%s", s->msg);
	return nb_op_fail(s, NB_E_UNSUPPORTED, "not while fuzzing");
}

/* ---- sessions --------------------------------------------------------------------- */

/* The agent's session loop (server.c's serve) for one connection. */
static void run_session(struct nb_agent *a, int fd)
{
	struct nb_session *s = calloc(1, sizeof(*s));
	char err[NB_ERR_LEN];

	if (!s) {
		close(fd);
		return;
	}
	s->a = a;
	s->socket = 1;
	s->authed = !a->has_token;
	s->child.rfd = s->child.wfd = -1;
	nb_conn_from_fds(&s->conn, fd, fd, "fuzz");
	while (s->after == NB_AFTER_NONE) {
		char *buf;
		size_t len;
		if (nb_frame_read(&s->conn, (size_t)a->o.max_frame, &buf, &len, err) != NB_FRAME_OK)
			break;
		if (len == 0) {
			free(buf);
			break;
		}
		nb_session_request(s, buf, len);
		free(buf);
	}
	if (s->after == NB_AFTER_RELAY) {
		uint64_t up, down;
		nb_relay_pump(&s->conn, &s->child, &up, &down);
	}
	nb_conn_close(&s->child);
	nb_conn_close(&s->conn);
	free(s);
}

struct child_arg {
	struct nb_agent *a;
	int fd;
};

static void *child_thread(void *arg)
{
	struct child_arg c = *(struct child_arg *)arg;

	free(arg);
	run_session(c.a, c.fd);
	OPENSSL_thread_stop();
	return NULL;
}

int __real_nb_transport_connect(struct nb_conn *c, const char *text, int timeout_ms,
				char err[NB_ERR_LEN]);
int __wrap_nb_transport_connect(struct nb_conn *c, const char *text, int timeout_ms,
				char err[NB_ERR_LEN]);

int __wrap_nb_transport_connect(struct nb_conn *c, const char *text, int timeout_ms,
				char err[NB_ERR_LEN])
{
	struct child_arg *arg;
	struct nb_addr addr;
	int sv[2];

	(void)timeout_ms;
	memset(c, 0, sizeof(*c));
	c->rfd = c->wfd = -1;
	if (nb_addr_parse(text, NB_ADDR_CONNECT, &addr, err))
		return -1;
	if (addr.ops != &nb_transport_unix && addr.ops != &nb_transport_serial) {
		snprintf(err, 256, "connect %.100s: refused (no connections out while fuzzing)", text);
		return -1;
	}
	if (!(arg = malloc(sizeof(*arg))))
		return -1;
	pthread_mutex_lock(&fz.lock);
	if (fz.nchild == MAX_CHILDREN || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pthread_mutex_unlock(&fz.lock);
		free(arg);
		snprintf(err, 256, "connect %.100s: too many relay hops", text);
		return -1;
	}
	/* The children alternate: the agent with a token, then the one without. */
	arg->a = &fz.agent[fz.nchild % 2 == 0];
	arg->fd = sv[1];
	if (pthread_create(&fz.child[fz.nchild], NULL, child_thread, arg)) {
		pthread_mutex_unlock(&fz.lock);
		free(arg);
		close(sv[0]);
		close(sv[1]);
		snprintf(err, 256, "connect %.100s: no thread", text);
		return -1;
	}
	fz.nchild++;
	pthread_mutex_unlock(&fz.lock);
	nb_conn_from_fds(c, sv[0], sv[0], "fuzz-child");
	return 0;
}

/* ---- the client side ---------------------------------------------------------------- */

struct writer {
	int fd;
	const uint8_t *data;
	size_t size;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	size_t off = 0;

	while (off < w->size) {
		ssize_t n = send(w->fd, w->data + off, w->size - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;   /* the session closed early */
		off += (size_t)n;
	}
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

static void *reader_thread(void *arg)
{
	struct nb_conn c;
	char err[NB_ERR_LEN];

	nb_conn_from_fds(&c, *(int *)arg, -1, "fuzz-client");
	for (;;) {
		char *buf;
		size_t len;
		if (nb_frame_read(&c, NB_FRAME_MAX_CLIENT, &buf, &len, err) != NB_FRAME_OK)
			break;
		check_message(buf, len, "a frame on the wire");
		free(buf);
	}
	free(c.rbuf);
	return NULL;
}

/* ---- libFuzzer ---------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (fz.dir[0])
		nftw(fz.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A crash ends the fuzzer without atexit: remove what dead fuzzers left behind. */
static void remove_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char path[512];
	int pid;

	while (d && (e = readdir(d)))
		if (sscanf(e->d_name, "nb-fuzz-session.%d.", &pid) == 1 && pid > 0 &&
		    kill(pid, 0) != 0 && errno == ESRCH) {
			snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
			nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		}
	if (d)
		closedir(d);
}

static void make_agent(struct nb_agent *a, const char *name, const char *token_file)
{
	struct nb_agent_opts o;
	char err[NB_ERR_LEN];
	static char state[2][128];
	int i = token_file != NULL;

	memset(&o, 0, sizeof(o));
	snprintf(state[i], sizeof(state[i]), "%s/%s", fz.dir, name);
	o.state_dir = state[i];
	o.token_file = token_file;
	o.max_frame = MAX_FRAME;
	o.max_put = 1u << 20;
	o.max_sessions = NB_AGENT_MAX_SESSIONS;
	o.run_timeout_ms = 1000;
	o.verbose = -1;            /* not even errors: the fuzzer's output stays readable */
	o.auth_turn_ms = 1;        /* the brake on wrong tokens, with 1 ms turns */
	if (nb_agent_init(a, &o, err)) {
		fprintf(stderr, "fuzz_session: %s\n", err);
		exit(1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char token[128];
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	FILE *fp;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	remove_stale(base);
	snprintf(fz.dir, sizeof(fz.dir), "%s/nb-fuzz-session.%d.XXXXXX", base, (int)getpid());
	if (!mkdtemp(fz.dir)) {
		perror("fuzz_session: mkdtemp");
		exit(1);
	}
	atexit(cleanup);
	snprintf(token, sizeof(token), "%s/token.txt", fz.dir);
	if (!(fp = fopen(token, "w")) || fputs("fuzz-token\n", fp) < 0 || fclose(fp)) {
		perror("fuzz_session: token file");
		exit(1);
	}
	make_agent(&fz.agent[0], "open", NULL);
	make_agent(&fz.agent[1], "token", token);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct writer w;
	pthread_t wt, rt;
	int sv[2];

	if (size < 1 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	w = (struct writer){ .fd = sv[1], .data = data + 1, .size = size - 1 };
	if (pthread_create(&wt, NULL, writer_thread, &w)) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	if (pthread_create(&rt, NULL, reader_thread, &sv[1])) {
		shutdown(sv[0], SHUT_RDWR);
		pthread_join(wt, NULL);
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	run_session(&fz.agent[data[0] & 1], sv[0]);   /* closes sv[0] */
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	close(sv[1]);
	/* Each child ends with its relay's client, after adding its own children. */
	for (int i = 0;; i++) {
		pthread_t t;
		pthread_mutex_lock(&fz.lock);
		if (i == fz.nchild) {
			fz.nchild = 0;
			pthread_mutex_unlock(&fz.lock);
			break;
		}
		t = fz.child[i];
		pthread_mutex_unlock(&fz.lock);
		pthread_join(t, NULL);
	}
	return 0;
}
