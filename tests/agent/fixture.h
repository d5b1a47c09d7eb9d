/* fixture.h - agents started by tests: each in a temporary directory, always stopped
 * (by PID) and removed, even when a CHECK fails: tests run their body through
 * FX_RUN, which calls fx_end afterwards; an atexit hook and PR_SET_PDEATHSIG cover
 * crashes of the test program itself. */
#ifndef NB_TEST_FIXTURE_H
#define NB_TEST_FIXTURE_H

#include "../../common/client.h"

#include <limits.h>
#include <sys/types.h>

#define FX_MAX_AGENTS 4

struct fx_agent {
	pid_t pid;
	char addr[200];          /* where it listens, e.g. unix:/tmp/nbt.X/a.sock */
	char log[PATH_MAX];      /* its stderr */
	char state[PATH_MAX];
};

struct fx {
	char dir[PATH_MAX];      /* temporary directory, removed by fx_end */
	char agent_bin[PATH_MAX];
	char work_bin[PATH_MAX];
	struct fx_agent ag[FX_MAX_AGENTS];
	int nag;
};

/* 0, or -1 with a message printed. */
int fx_begin(struct fx *f);
/* Stop every agent and remove the directory.  -1 when an agent did not exit with
 * status 0 on SIGTERM or its log holds a sanitizer report (printed). */
int fx_end(struct fx *f);

/* Start an agent named `name` listening on unix:<dir>/<name>.sock (or on `listen`
 * when not NULL), extra arguments after; waits until it accepts.  NULL on failure. */
struct fx_agent *fx_agent(struct fx *f, const char *name, const char *listen,
			  const char *const *extra);
/* Start an agent on its --stdio, extra arguments after, with c connected to it (its
 * stdin and stdout); the agent ends with that one session.  NULL on failure. */
struct fx_agent *fx_stdio_agent(struct fx *f, const char *const *extra, struct nb_client *c);
/* 1 once the agent process has exited with status 0 within ms (it is then reaped). */
int fx_exited_ok(struct fx_agent *a, int ms);
/* Wait until the agent's log holds `needle`; copies that line.  0 or -1. */
int fx_wait_log(const struct fx_agent *a, const char *needle, int ms, char *line, size_t len);
/* Connect a client (retrying briefly).  0 or -1 (err printed). */
int fx_connect(struct nb_client *c, const char *addr);
/* SIGTERM and wait; returns the exit status (or -1). */
int fx_agent_stop(struct fx_agent *a, int ms);

/* Raw frames for malformed-input tests. */
int fx_send_raw(struct nb_client *c, const void *buf, size_t len);
int fx_send_frame(struct nb_client *c, const char *json);
cJSON *fx_recv(struct nb_client *c);            /* NULL on EOF/error */
/* The agent's reply to a JSON request string, via raw frames. */
cJSON *fx_call(struct nb_client *c, const char *json);
const char *fx_code(const cJSON *reply);        /* error code or "" */
int fx_ok(const cJSON *reply);
int fx_ping(struct nb_client *c);                /* 1 when ping answers ok */

/* Reply fields by dotted path ("limits.max_frame"): the item (NULL when absent), its
 * number (-1e300 when absent or not a number), its string ("" likewise). */
const cJSON *fx_field(const cJSON *o, const char *path);
double fx_num(const cJSON *o, const char *path);
const char *fx_str(const cJSON *o, const char *path);

/* How many records of a run reply's "records" have this "type". */
int fx_count_type(const cJSON *records, const char *type);

/* Run a test body with a fixture; fx_end always runs. */
#define FX_RUN(body)                                                                 \
	do {                                                                         \
		struct fx fx_;                                                       \
		int setup_ = fx_begin(&fx_), end_;                                   \
		if (setup_ == 0)                                                     \
			body(&fx_);                                                  \
		end_ = fx_end(&fx_);                                                 \
		CHECK_MSG(setup_ == 0, "fixture setup failed");                      \
		CHECK_MSG(end_ == 0, "an agent misbehaved at exit (see above)");     \
	} while (0)

#endif
