/* client.h - talking to a nestbench-agent: the harness's side of the protocol.
 *
 *	struct nb_client c;
 *	char err[NB_ERR_LEN], sha[65];
 *	cJSON *r = NULL;
 *	if (nb_client_connect(&c, "vsock:3:7420", 5000, err) ||
 *	    nb_client_hello(&c, token, NULL, err) ||
 *	    nb_client_put_file(&c, "build/nestbench-work", "nestbench-work", sha, NULL, err))
 *		...;
 *	nb_run_spec_init(&spec); ... nb_client_run(&c, &spec, &r, err); ... cJSON_Delete(r);
 *	nb_client_bye(&c, err);
 *	nb_client_close(&c);
 *
 * Every call returns 0 when the agent answered "ok": true, and -1 otherwise with err
 * naming the call and the cause (the agent's error code and message, or the transport
 * error).  c->code holds the agent's error code ("busy", "hash_mismatch", ...) or
 * "transport" when the connection failed; "" after success.  When reply is not NULL
 * it receives the agent's reply object (also on an error reply; NULL on a transport
 * error); the caller frees it with cJSON_Delete.  After a successful nb_client_relay
 * the same client talks to the child agent.
 *
 * Writes to sockets never raise SIGPIPE; over nb_client_from_fds pipes they can, so a
 * program using pipes ignores SIGPIPE.  One client is not for concurrent use from
 * several threads: use one connection per thread. */
#ifndef NB_CLIENT_H
#define NB_CLIENT_H

#include "proto.h"
#include "err.h"
#include "transport.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* ---- data types ------------------------------------------------------------------ */

struct nb_client {
	struct nb_conn conn;
	long next_id;
	size_t max_frame;        /* largest reply accepted (NB_FRAME_MAX_CLIENT) */
	int timeout_ms;          /* longest wait for each read or write, 0 = none; a run
	                          * waits this long plus its own timeout */
	/* conn.spin_us: busy-poll for a reply this long before sleeping (default
	 * NB_SPIN_US_DEFAULT); set it to 0 to never spin. */
	char code[32];           /* the last error code, "" after success */
};

/* ---- prototypes ------------------------------------------------------------------ */

int nb_client_connect(struct nb_client *c, const char *addr, int timeout_ms, char err[NB_ERR_LEN]);
/* A client over existing descriptors, e.g. pipes to `nestbench-agent --stdio`. */
void nb_client_from_fds(struct nb_client *c, int rfd, int wfd, const char *desc);
void nb_client_close(struct nb_client *c);

/* Send any request (req is consumed; its "id" is set) and read the reply. */
int nb_client_call(struct nb_client *c, cJSON *req, cJSON **reply, char err[NB_ERR_LEN]);

/* hello: protocol version and the token (NULL when the agent has none). */
int nb_client_hello(struct nb_client *c, const char *token, cJSON **reply, char err[NB_ERR_LEN]);
int nb_client_sysinfo(struct nb_client *c, cJSON **reply, char err[NB_ERR_LEN]);
/* Store a file on the agent under its sha256 (written to sha256, 65 bytes).  The body
 * is not sent when the agent already holds that content. */
int nb_client_put_file(struct nb_client *c, const char *path, const char *name,
		       char sha256[65], cJSON **reply, char err[NB_ERR_LEN]);
/* The same from memory; claimed_sha256 (NULL = computed) lets tests lie. */
int nb_client_put_buf(struct nb_client *c, const void *buf, size_t len, const char *name,
		      const char *claimed_sha256, char sha256[65], cJSON **reply, char err[NB_ERR_LEN]);
/* Run a stored binary's workload; the reply holds "records", "exit_status", "stderr". */
int nb_client_run(struct nb_client *c, const struct nb_run_spec *spec, cJSON **reply,
		  char err[NB_ERR_LEN]);
/* Ask the agent to connect to a child agent (e.g. "vsock:3:7420") and relay. */
int nb_client_relay(struct nb_client *c, const char *to, cJSON **reply, char err[NB_ERR_LEN]);
/* Round trip; *rtt_ns (may be NULL) gets the time measured here (CLOCK_MONOTONIC). */
int nb_client_ping(struct nb_client *c, uint64_t *rtt_ns, cJSON **reply, char err[NB_ERR_LEN]);
/* This session's kept workers (run "keep"): the reply's "workers" lists them; with
 * release, they are ended and "released" says how many. */
int nb_client_workers(struct nb_client *c, int release, cJSON **reply, char err[NB_ERR_LEN]);
int nb_client_bye(struct nb_client *c, char err[NB_ERR_LEN]);

#endif
