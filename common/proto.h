/* proto.h - the agent protocol: requests, replies, error codes and the per-op fields.
 * guest-agent/PROTOCOL.md is the reference; keep the two in step.
 *
 * Request: {"op": "<name>", "id": <n>, ...}.  Reply: {"id": <n>, "ok": true, ...} or
 * {"id": <n>, "ok": false, "error": {"code": "<code>", "message": "<text>"}}. */
#ifndef NB_PROTO_H
#define NB_PROTO_H

#include "frame.h"
#include "err.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* ---- data types ------------------------------------------------------------------ */

#define NB_PROTO_VERSION 1

/* Error codes (short, stable strings; the message is for people). */
#define NB_E_BAD_FRAME "bad_frame"       /* framing broken (truncated, empty); closes */
#define NB_E_TOO_LARGE "too_large"       /* frame, chunk or file over a limit */
#define NB_E_BAD_JSON "bad_json"         /* payload is not one JSON object */
#define NB_E_BAD_REQUEST "bad_request"   /* a field missing, of the wrong type or range */
#define NB_E_UNKNOWN_OP "unknown_op"
#define NB_E_VERSION "version"           /* protocol version not spoken */
#define NB_E_AUTH "auth"                 /* token missing or wrong */
#define NB_E_BUSY "busy"                 /* a run is in progress / too many sessions (or
                                          * unauthenticated ones) / out of descriptors */
#define NB_E_HASH_MISMATCH "hash_mismatch"
#define NB_E_TRUNCATED "truncated"       /* put body ended before `size` bytes */
#define NB_E_NOT_FOUND "not_found"       /* no stored binary with that sha256 */
#define NB_E_TIMEOUT "timeout"           /* workload killed at its timeout; or a session's
                                          * hello, frame or put-chunk deadline passed
                                          * (then the connection closes) */
#define NB_E_EVENT "event"               /* perf event name libpfm4 cannot encode */
#define NB_E_CONNECT "connect"           /* relay could not reach the child */
#define NB_E_IO "io"                     /* the agent's own I/O failed (disk full...) */
#define NB_E_UNSUPPORTED "unsupported"   /* this tier cannot do it (exits-start: no tracefs, KVM, root) */
#define NB_E_WORKER "worker"           /* a kept worker ended before its batch did (run "keep") */
#define NB_E_INTERNAL "internal"

#define NB_NAME_LEN 64                   /* put name, workload name */
#define NB_TOKEN_MAX 256
#define NB_RUN_MAX_PARAMS 16
#define NB_RUN_PARAM_LEN 256             /* "key=value" */
#define NB_RUN_MAX_EVENTS 8              /* = the workload's NB_MAX_EVENTS */
#define NB_EVENT_NAME_LEN 64
#define NB_PUT_MAX_DEFAULT (512ull << 20)
#define NB_RUN_TIMEOUT_DEFAULT_MS (10u * 60u * 1000u)
#define NB_RUN_TIMEOUT_MAX_MS (24u * 3600u * 1000u)

/* put header fields. */
struct nb_put_spec {
	char name[NB_NAME_LEN];          /* for logs and replies only, never a path */
	char sha256[65];
	uint64_t size;
};

/* run fields; -1 / 0 mean "not given: the workload's or agent's default". */
#define NB_RUN_CPU_NONE (-2)

struct nb_run_spec {
	char sha256[65];
	char workload[NB_NAME_LEN];
	char params[NB_RUN_MAX_PARAMS][NB_RUN_PARAM_LEN];   /* "key=value" */
	int nparams;
	char events[NB_RUN_MAX_EVENTS][NB_EVENT_NAME_LEN];   /* libpfm4 names */
	int nevents;
	int reps;                        /* -1: default */
	int warmup;                      /* -1: default */
	unsigned min_time_ms;            /* 0: default */
	unsigned long long ops;          /* ops per repetition, no calibration; 0: calibrate */
	int cpu;                         /* -1: the agent chooses (hwloc); NB_RUN_CPU_NONE: unpinned */
	unsigned timeout_ms;             /* 0: NB_RUN_TIMEOUT_DEFAULT_MS */
	int keep;                        /* serve it from a kept worker (PROTOCOL.md, "keep") */
	char keep_group[32];             /* "": a worker per workload; else one per group */
};

/* ---- prototypes ------------------------------------------------------------------ */

/* Parse a frame payload into a request object: it must be strict UTF-8 without a byte
 * order mark, \u0000 or unpaired surrogate escapes in its strings (PROTOCOL.md, "Text"),
 * and one JSON object with a string "op" and, if present, a numeric or string "id".
 * 0, or -1 with code (NB_E_BAD_JSON / NB_E_BAD_REQUEST) and msg (naming the fault and
 * its byte offset); *req may still be set (to echo its id). */
int nb_proto_parse_request(const char *buf, size_t len, cJSON **req, const char **code,
			   char msg[NB_ERR_LEN]);

/* {"id": <the request's id>, "ok": true} (req may be NULL). */
cJSON *nb_proto_reply(const cJSON *req);
/* {"id": ..., "ok": false, "error": {"code": code, "message": ...}}. */
cJSON *nb_proto_error(const cJSON *req, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Serialise and send one JSON object as a frame, each byte of its strings that is not
 * valid UTF-8 replaced with '?'; 0 or -1 with err. */
int nb_proto_send(struct nb_conn *c, const cJSON *msg, char err[NB_ERR_LEN]);
/* Receive one frame (invalid UTF-8 replaced with '?' as above) and parse it as a JSON
 * object; nb_frame_status, or NB_FRAME_ERR also for a payload that is not a JSON object. */
int nb_proto_recv(struct nb_conn *c, size_t max, cJSON **msg, char err[NB_ERR_LEN]);

/* The error code of a reply ("" when ok or malformed) and its message. */
const char *nb_proto_error_code(const cJSON *reply);
const char *nb_proto_error_message(const cJSON *reply);

/* Field helpers: 0 when absent (out untouched), 1 when present and valid, -1 with
 * msg naming the field when present but wrong. */
int nb_json_get_uint(const cJSON *o, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		 char msg[NB_ERR_LEN]);
int nb_json_get_str(const cJSON *o, const char *key, size_t maxlen, const char **out,
		    char msg[NB_ERR_LEN]);

/* Request decoders (pure; shared by the agent and the fuzz target). 0 or -1 + msg. */
int nb_put_spec_decode(const cJSON *req, struct nb_put_spec *p, char msg[NB_ERR_LEN]);
int nb_run_spec_decode(const cJSON *req, struct nb_run_spec *r, char msg[NB_ERR_LEN]);
int nb_relay_decode(const cJSON *req, char *to, size_t tolen, int *timeout_ms,
		    char msg[NB_ERR_LEN]);
int nb_hello_decode(const cJSON *req, int *protocol, const char **token, char msg[NB_ERR_LEN]);

/* Building run requests (client side). */
void nb_run_spec_init(struct nb_run_spec *r);
int nb_run_spec_add_param(struct nb_run_spec *r, const char *key_value, char err[NB_ERR_LEN]);
int nb_run_spec_add_event(struct nb_run_spec *r, const char *name, char err[NB_ERR_LEN]);
/* The request object, with op "run" and the given id. */
cJSON *nb_run_spec_encode(const struct nb_run_spec *r, long id);

/* Names: put names and workload names ([A-Za-z0-9._+-], starting alphanumeric),
 * parameter keys ([A-Za-z0-9_]) and perf event names (printable, no ',' or space). */
int nb_valid_name(const char *s, size_t maxlen);
int nb_valid_event_name(const char *s);

/* Shared tokens: read from a file (surrounding whitespace removed; at most
 * NB_TOKEN_MAX - 1 bytes), and compare in constant time (both hashed first, so
 * neither the content nor the length leaks through timing).  0 or -1 with err. */
int nb_token_read_file(const char *path, char *tok, size_t len, char err[NB_ERR_LEN]);
int nb_token_equal(const char *a, const char *b);

#endif
