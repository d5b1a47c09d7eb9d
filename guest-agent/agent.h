/* agent.h - nestbench-agent internals: the agent, its sessions, and the modules
 * (ops, store, exec, relay, sysinfo, events, exits) that serve them. */
#ifndef NB_AGENT_H
#define NB_AGENT_H

#include "../common/clock.h"   /* nb_mono_ns */
#include "../common/proto.h"
#include "../common/err.h"
#include "../common/sha256.h"
#include "../common/transport.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>


/* ---- data types ------------------------------------------------------------------ */

#define NB_AGENT_MAX_LISTEN 8
#define NB_AGENT_STATE_DIR "/var/lib/nestbench-agent"
#define NB_AGENT_MAX_SESSIONS 64
/* Deadlines and limits against clients that connect and stall (PROTOCOL.md,
 * "Deadlines and limits"). */
#define NB_AGENT_HELLO_TIMEOUT_S 10    /* connect to a successful hello */
#define NB_AGENT_FRAME_TIMEOUT_S 30    /* first byte of a frame to its last */
#define NB_AGENT_PUT_TIMEOUT_S 30      /* each put body chunk, from when it is awaited */
#define NB_AGENT_MAX_UNAUTH 16         /* sessions that have not authenticated yet */
#define NB_AGENT_TIMEOUT_MAX_S 86400
#define NB_STDERR_MAX (64u * 1024u)
/* The brake on guessing tokens (auth.c, PROTOCOL.md "Authentication"): once
 * NB_AUTH_FREE_FAILS wrong tokens came within NB_AUTH_WINDOW_S of each other, every
 * token comparison, from any session, waits its turn: one per NB_AUTH_TURN_MS. */
#define NB_AUTH_FREE_FAILS 3
#define NB_AUTH_TURN_MS 250
#define NB_AUTH_WINDOW_S 60

struct nb_agent_opts {
	const char *listen[NB_AGENT_MAX_LISTEN];
	int nlisten;
	int stdio;                     /* one session on stdin/stdout, then exit */
	const char *state_dir;
	const char *token_file;
	uint64_t max_frame;
	uint64_t max_put;
	unsigned max_sessions;
	unsigned run_timeout_ms;       /* for runs that do not give one */
	int verbose;                   /* 0 errors, 1 sessions and ops, 2 every request */
	unsigned spin_us;              /* busy-poll for the next frame (0 = never) */
	unsigned hello_timeout_ms;     /* deadlines (0 = none), see NB_AGENT_*_TIMEOUT_S */
	unsigned frame_timeout_ms;
	unsigned put_timeout_ms;
	unsigned max_unauth;
	unsigned max_exits_fds;        /* perf descriptors one exits-start may open */
	unsigned auth_turn_ms;         /* NB_AUTH_TURN_MS (0: the brake counts, never waits) */
	unsigned max_workers;          /* kept workers in the whole agent (workers.c) */
	unsigned workers_mem_pct;      /* their RSS, as % of MemTotal */
};

/* Content-addressed store: <state>/store/<sha256>, scratch cwd <state>/work. */
/* The stored binary last hashed and found intact, by its identity on disk: a run of
 * the same unchanged file need not hash it again (nb_store_verify). */
struct nb_store_verified {
	char hex[65];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	unsigned long hashed;          /* files hashed by nb_store_verify (tests) */
};

struct nb_store {
	char state[PATH_MAX];
	char dir[PATH_MAX];
	char work[PATH_MAX];
	struct nb_store_verified verified;   /* runs are one at a time: no lock needed */
};

/* One file being received: a temporary file beside its final name. */
struct nb_store_put {
	int fd;
	char tmp[PATH_MAX];
	struct nb_sha256 h;
	uint64_t written;
	uint64_t flushed;              /* bytes already handed to writeback */
	int failed;                    /* a write failed: why says how */
	char why[256];
	int hash_failed;               /* (separate: hashing and writing may run on */
	char hash_why[256];            /*  two threads) */
};

/* The hwloc topology, loaded once (read-only afterwards). */
struct nb_topo {
	void *t;                       /* hwloc_topology_t, NULL when hwloc failed */
	char err[NB_ERR_LEN];
};

struct nb_auth_waiter;             /* auth.c */
struct nb_worker;                  /* workers.c */

/* The kept workers of every session (run "keep"): the list under nb_agent.lock;
 * `life` orders starting and ending them (a worker's reaper must not see a half-made
 * sibling). */
struct nb_pool {
	struct nb_worker *list;
	unsigned n;
	unsigned long next_id;         /* names each worker's cgroup */
	pthread_mutex_t life;
};

struct nb_agent {
	struct nb_agent_opts o;
	char token[NB_TOKEN_MAX];
	int has_token;
	struct nb_store store;
	struct nb_topo topo;
	struct nb_listener listeners[NB_AGENT_MAX_LISTEN + 1];
	int nlisteners;
	uint64_t start_ns;
	int wake[2];                   /* a session asks the main loop to stop (stdio) */
	/* accept() out of descriptors: a spare one (/dev/null) is given up to accept and
	 * refuse the client; else the listener rests.  Main thread only. */
	int spare_fd;
	uint64_t accept_rest_until[NB_AGENT_MAX_LISTEN + 1];
	uint64_t accept_log_ns;        /* its log line: at most one a second */
	unsigned accept_log_skipped;
	pthread_mutex_t exits_lock;    /* one exits-start opens its counters at a time */

	pthread_mutex_t lock;          /* guards everything below */
	int running;                   /* one run at a time */
	char run_workload[NB_NAME_LEN];
	unsigned long run_session;
	uint64_t run_start_ns;
	pid_t run_pgid;                /* its process group; 0 before exec or when none */
	unsigned sessions;             /* open sessions */
	unsigned unauth;               /* socket sessions pending authentication, not evicted */
	unsigned evicting;             /* sessions evicted but not yet ended */
	struct nb_session *live;       /* sessions with a connection, for shutdown */
	unsigned long next_session;
	int stopping;
	unsigned auth_fails;           /* wrong tokens lately (auth.c) */
	uint64_t auth_fail_ns;         /* the last one */
	uint64_t auth_next_ns;         /* the next token comparison, when braked */
	struct nb_auth_waiter *auth_queue;   /* hellos waiting for their turn, in order */
	struct nb_pool pool;           /* list and n under lock */
};

struct nb_exits;

enum nb_after { NB_AFTER_NONE, NB_AFTER_CLOSE, NB_AFTER_RELAY };

struct nb_session {
	struct nb_agent *a;
	struct nb_session *next, *prev;  /* in a->live once its connection is up */
	int listed;
	int socket;                    /* its connection is a socket (shutdown works) */
	struct nb_conn conn;
	struct nb_conn child;          /* relay target */
	unsigned long n;               /* session number, for logs */
	int authed;
	/* Not yet authenticated (hello with the token; without a token, a first frame):
	 * bound by the hello deadline; counted in a->unauth when `counted` (sockets). */
	int pending, counted;
	int evicted;                   /* by a newer client (--max-unauth, --max-sessions) */
	uint64_t hello_deadline_ns;    /* 0 = none */
	enum nb_after after;
	int linger;                    /* drain the peer before closing (error close) */
	const char *code;              /* error of the current op */
	char msg[NB_ERR_LEN];
	struct nb_exits *exits;        /* exits-start .. exits-stop (tracepoints.c) */
};

/* One operation (one entry per op in ops.c). */
enum { NB_OP_NOAUTH = 1 };         /* allowed before a hello with the right token */

struct nb_op {
	const char *name;
	unsigned flags;
	/* Fill reply (which already holds id and ok); 0, or -1 after nb_op_fail (fields
	 * put in reply are kept in the error reply too). */
	int (*handle)(struct nb_session *s, const cJSON *req, cJSON *reply);
};

/* Result of running a workload binary. */
struct nb_exec_result {
	int exit_status;               /* -1 when killed by a signal */
	int term_signal;
	int timed_out;
	int abandoned;                 /* the client hung up: the workload was ended */
	double elapsed_ms;
	pid_t pgid;
	char *out;                     /* stdout (NUL-terminated), out_len bytes kept */
	size_t out_len;
	int out_truncated;
	char *errout;                  /* stderr */
	size_t err_len;
	int err_truncated;
	char owner[320];               /* how the run's processes were found (reaper.c) */
	int left;                      /* its processes still alive after 2 s of SIGKILL */
};

struct nb_exec_req {
	const char *path;              /* absolute path of a stored binary */
	char *const *argv;
	const char *cwd;
	unsigned timeout_ms;
	size_t max_out, max_err;
	unsigned grace_ms;             /* SIGTERM to SIGKILL */
	/* The writing side of the client's connection (-1: none): when the client hangs
	 * up, nobody will read the result, so the workload is ended at once instead of
	 * keeping the agent busy.  A half-close is not a hang-up (hangup.c). */
	int watch_fd;
	/* Called with the child's process group right after fork, and with 0 once the
	 * workload has been collected (its group id may then be reused). */
	void (*started)(void *arg, pid_t pgid);
	void *arg;
};

/* Has the client hung up (hangup.c)?  Watches one connection's writing side. */
struct nb_hangup {
	int fd;                        /* -1: nothing to watch */
	int sock;                      /* a socket: a zero-length send tells the closes apart */
	int half;                      /* the client stopped sending (it may still read) */
	uint64_t probe_ns;             /* the next such send while half-closed */
};

/* The processes of one run (reaper.c). */
struct nb_reaper {
	pid_t self;                    /* the agent, a child subreaper */
	pid_t leader;                  /* the workload (0 before fork) */
	unsigned long long start;      /* its start time, clock ticks after boot */
	int procs_fd;                  /* the run cgroup's cgroup.procs until the workload joined */
	int has_kill;                  /* cgroup.kill worked */
	char cg[PATH_MAX];             /* the run's cgroup directory, "" without one */
	char how[320];                 /* "cgroup <dir>" or "process tree; no cgroup: <why>" */
	unsigned long worker;          /* a kept worker's number (its own cgroup), 0: a run */
};

/* A started child with its pipes (exec.c): stdin (-1 unless asked for), stdout and
 * stderr, and what it owns. */
struct nb_child {
	pid_t pid;
	int in, out, err;
	struct nb_reaper rp;
};

/* Bounded output of a child (exec.c). */
struct nb_sink {
	char *buf;
	size_t len, cap, max;
	int truncated;
	int fd;
};

/* ---- prototypes ------------------------------------------------------------------ */

/* server.c */
int nb_agent_init(struct nb_agent *a, const struct nb_agent_opts *o, char err[NB_ERR_LEN]);
int nb_agent_serve(struct nb_agent *a);          /* until SIGTERM/SIGINT or stdio EOF */
void nb_agent_free(struct nb_agent *a);
void nb_log(struct nb_agent *a, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* auth.c: before hello compares a token: 0 when it may, now (waiting its turn while
 * the brake is on); -1 after nb_op_fail when the session went away while it waited
 * (nothing was compared).  After a wrong token: count it; -1 after nb_op_fail. */
int nb_auth_turn(struct nb_session *s);
int nb_auth_wrong_token(struct nb_session *s);

/* ops.c */
const struct nb_op *nb_op_find(const char *name);
void nb_ops_names(cJSON *array);
int nb_op_fail(struct nb_session *s, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Handle one request frame and send its reply; sets s->after. */
void nb_session_request(struct nb_session *s, const char *buf, size_t len);
int nb_session_send(struct nb_session *s, const cJSON *msg);

/* store.c */
int nb_store_open(struct nb_store *st, const char *state_dir, char err[NB_ERR_LEN]);
void nb_store_path(const struct nb_store *st, const char *hex, char *path, size_t len);
int nb_store_has(const struct nb_store *st, const char *hex, uint64_t *size);
int nb_store_put_begin(const struct nb_store *st, struct nb_store_put *p, char err[NB_ERR_LEN]);
/* Hash and write the next bytes.  To overlap the two, one thread may call
 * nb_store_put_hash and another nb_store_put_data, each in file order. */
void nb_store_put_write(struct nb_store_put *p, const void *buf, size_t n);
void nb_store_put_hash(struct nb_store_put *p, const void *buf, size_t n);
void nb_store_put_data(struct nb_store_put *p, const void *buf, size_t n);
/* Verify and publish; 0, or -1 with *code (NB_E_HASH_MISMATCH, NB_E_IO) and msg. */
int nb_store_put_finish(const struct nb_store *st, struct nb_store_put *p, const char *hex,
			const char **code, char msg[NB_ERR_LEN]);
void nb_store_put_abort(struct nb_store_put *p);
/* Hash a stored binary again before running it, unless it is the file last found
 * intact, unchanged since (same inode, size, mtime and ctime, and its mtime was at
 * least two seconds old then: a write within the timestamps' granularity is not missed). */
int nb_store_verify(struct nb_store *st, const char *hex, char *path, size_t len,
		    const char **code, char msg[NB_ERR_LEN]);

/* exec.c */
/* Start r's binary (its own process group, owned as a run, reaper.c); stdin a pipe
 * when with_stdin, else /dev/null; worker > 0 names a kept worker.  0 or -1 + err. */
int nb_exec_start(const struct nb_exec_req *r, int with_stdin, unsigned long worker,
		  struct nb_child *ch, char err[NB_ERR_LEN]);
/* Read what the sink's fd has now; closes it at end of stream. */
void nb_sink_read(struct nb_sink *s);
/* Read both to their end (their writers are gone), for at most ms; closes them. */
void nb_sink_drain(struct nb_sink *so, struct nb_sink *se, unsigned ms);
int nb_exec_run(const struct nb_exec_req *r, struct nb_exec_result *res, char err[NB_ERR_LEN]);
void nb_exec_result_free(struct nb_exec_result *res);
/* Parse JSON lines: objects into records, anything else (as strings) into other. */
void nb_exec_parse_lines(const char *out, size_t len, cJSON *records, cJSON *other);

/* reaper.c: everything a run started.  init before fork, child in the child before
 * exec (async-signal-safe), started after fork; end once the workload itself has been
 * collected: kills and reaps the rest, removes the cgroup, and returns how many
 * processes outlived 2 s of SIGKILL (after a failed fork: only removes the cgroup). */
void nb_reaper_init(struct nb_reaper *rp, unsigned long worker);
void nb_reaper_child(const struct nb_reaper *rp);
void nb_reaper_started(struct nb_reaper *rp, pid_t leader);
int nb_reaper_end(struct nb_reaper *rp);

/* hangup.c: init with the connection's writing side; add nb_hangup_pollfd to a poll
 * and cap its wait with nb_hangup_wait_ms; nb_hangup_check (the revents, 0 after a
 * timeout) and nb_hangup_eof (a read returned end of stream) return 1 when the client
 * is gone, 0 while it may still read. */
void nb_hangup_init(struct nb_hangup *h, int fd);
struct pollfd nb_hangup_pollfd(const struct nb_hangup *h);
int nb_hangup_wait_ms(const struct nb_hangup *h, int ms);
int nb_hangup_check(struct nb_hangup *h, short revents);
int nb_hangup_eof(struct nb_hangup *h);

/* workers.c: kept workers (run "keep", op "workers").  key names the case (this
 * session's), x runs `nestbench-work serve ...`.  nb_workers_get: 1 with a ready worker
 * in *w, busy until nb_workers_run; 0 when the one it started ended first (a skip, a
 * setup failure), timed out or its client hung up: res holds what it printed;
 * -1 after nb_op_fail.  nb_workers_run: one batch (cmd, one line), res filled as
 * nb_exec_run would and the reply's "worker" added; the worker is kept, or ended and
 * dropped (timeout, hang-up: 0; it ended: -1 after nb_op_fail). */
#define NB_WORKERS_MAX_DEFAULT 64   /* a campaign's cases, so that visits do not evict each other */
#define NB_WORKERS_MEM_PCT_DEFAULT 40
void nb_pool_init(struct nb_pool *p);
int nb_workers_get(struct nb_session *s, const struct nb_exec_req *x, const char *key,
		   const char *workload, struct nb_worker **w, struct nb_exec_result *res);
pid_t nb_worker_pid(const struct nb_worker *w);
int nb_workers_run(struct nb_session *s, struct nb_worker *w, const cJSON *cmd,
		   unsigned timeout_ms, struct nb_exec_result *res, cJSON *reply);
/* End the session's idle workers (every idle one when all); how many. */
int nb_workers_end_session(struct nb_agent *a, unsigned long session, int all);
int nb_op_workers(struct nb_session *s, const cJSON *req, cJSON *reply);

/* relay.c: pass bytes both ways until either side closes; bytes moved each way. */
int nb_relay_pump(struct nb_conn *client, struct nb_conn *child, uint64_t *up, uint64_t *down);

/* sysinfo.c */
int nb_topo_load(struct nb_topo *t);
void nb_topo_free(struct nb_topo *t);
/* The CPU to pin a workload to when the request names none: an allowed CPU not on
 * CPU 0's core (then not CPU 0) when there is more than one.  why says how. */
int nb_topo_choose_cpu(const struct nb_topo *t, char *why, size_t len);
cJSON *nb_topo_summary(const struct nb_topo *t);
void nb_sysinfo_fill(struct nb_agent *a, cJSON *reply);

/* pmu_encode.c */
int nb_events_init(char err[NB_ERR_LEN]);
/* libpfm4 name -> "TYPE:CONFIG:CONFIG1:CONFIG2:NAME" for nestbench-work --events. */
int nb_event_encode(const char *name, char *enc, size_t enclen, char msg[NB_ERR_LEN]);
/* events-probe: which events open here, and whether exit counting works. */
int nb_op_events_probe(struct nb_session *s, const cJSON *req, cJSON *reply);

/* tracepoints.c: exits-start / exits-stop (tracepoints.h has the rest). */
int nb_op_exits_start(struct nb_session *s, const cJSON *req, cJSON *reply);
int nb_op_exits_stop(struct nb_session *s, const cJSON *req, cJSON *reply);
int nb_op_exits_pause(struct nb_session *s, const cJSON *req, cJSON *reply);
int nb_op_exits_resume(struct nb_session *s, const cJSON *req, cJSON *reply);

#endif
