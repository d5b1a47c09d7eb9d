/* client.c - request/reply calls over one connection to an agent. */
#include "client.h"
#include "err.h"
#include "clock.h"
#include "version.h"
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>




static void set_code(struct nb_client *c, const char *code)
{
	snprintf(c->code, sizeof(c->code), "%s", code);
}

static int fail(struct nb_client *c, char err[NB_ERR_LEN], const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct nb_client *c, char err[NB_ERR_LEN], const char *code, const char *fmt, ...)
{
	va_list ap;

	set_code(c, code);
	va_start(ap, fmt);
	vsnprintf(err, NB_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

static void init(struct nb_client *c)
{
	c->next_id = 1;
	c->max_frame = NB_FRAME_MAX_CLIENT;
	c->timeout_ms = 0;
	c->code[0] = '\0';
}

int nb_client_connect(struct nb_client *c, const char *addr, int timeout_ms, char err[NB_ERR_LEN])
{
	char e[NB_ERR_LEN];

	memset(c, 0, sizeof(*c));
	init(c);
	if (nb_transport_connect(&c->conn, addr, timeout_ms, e))
		return fail(c, err, "transport", "%s", e);
	c->conn.spin_us = NB_SPIN_US_DEFAULT;
	return 0;
}

void nb_client_from_fds(struct nb_client *c, int rfd, int wfd, const char *desc)
{
	memset(c, 0, sizeof(*c));
	init(c);
	nb_conn_from_fds(&c->conn, rfd, wfd, desc);
	c->conn.spin_us = NB_SPIN_US_DEFAULT;
}

void nb_client_close(struct nb_client *c) { nb_conn_close(&c->conn); }

/* Send req (consumed), receive a reply; transport errors only.  Each wait is bounded
 * by wait_ms (0: none). */
static int exchange_wait(struct nb_client *c, const char *call, cJSON *req, cJSON **out,
			 int wait_ms, char err[NB_ERR_LEN])
{
	char e[NB_ERR_LEN];
	int rc;

	*out = NULL;
	c->conn.timeout_ms = wait_ms;
	rc = nb_proto_send(&c->conn, req, e);
	cJSON_Delete(req);
	if (rc)
		return fail(c, err, "transport", "%s: %s", call, e);
	rc = nb_proto_recv(&c->conn, c->max_frame, out, e);
	if (rc == NB_FRAME_EOF)
		return fail(c, err, "transport", "%s: %s closed the connection", call, c->conn.desc);
	if (rc != NB_FRAME_OK)
		return fail(c, err, "transport", "%s: %s", call, e);
	return 0;
}

static int exchange(struct nb_client *c, const char *call, cJSON *req, cJSON **out,
		    char err[NB_ERR_LEN])
{
	return exchange_wait(c, call, req, out, c->timeout_ms, err);
}

/* Judge a reply: 0 when ok, -1 naming the agent's error. */
static int judge(struct nb_client *c, const char *call, cJSON *r, cJSON **reply,
		 char err[NB_ERR_LEN])
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(r, "ok");
	int rc = 0;

	if (cJSON_IsTrue(ok)) {
		set_code(c, "");
	} else {
		const char *code = nb_proto_error_code(r);
		rc = fail(c, err, code[0] ? code : "bad_reply", "%s: agent error %s: %s", call,
			  code[0] ? code : "(no code)", nb_proto_error_message(r));
	}
	if (reply)
		*reply = r;
	else
		cJSON_Delete(r);
	return rc;
}

static cJSON *request(struct nb_client *c, const char *op)
{
	cJSON *r = cJSON_CreateObject();

	if (r) {
		cJSON_AddStringToObject(r, "op", op);
		cJSON_AddNumberToObject(r, "id", (double)c->next_id++);
	}
	return r;
}

int nb_client_call(struct nb_client *c, cJSON *req, cJSON **reply, char err[NB_ERR_LEN])
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(req, "op");
	char call[64];
	cJSON *r;

	if (reply)
		*reply = NULL;
	snprintf(call, sizeof(call), "%.40s request", cJSON_IsString(op) ? op->valuestring : "agent");
	cJSON_DeleteItemFromObjectCaseSensitive(req, "id");
	cJSON_AddNumberToObject(req, "id", (double)c->next_id++);
	if (exchange(c, call, req, &r, err))
		return -1;
	return judge(c, call, r, reply, err);
}

int nb_client_hello(struct nb_client *c, const char *token, cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *req = request(c, "hello"), *r;

	if (reply)
		*reply = NULL;
	cJSON_AddNumberToObject(req, "protocol", NB_PROTO_VERSION);
	char client[96];
	snprintf(client, sizeof(client), "nestbench/%s", nb_version);
	cJSON_AddStringToObject(req, "client", client);
	if (token)
		cJSON_AddStringToObject(req, "token", token);
	if (exchange(c, "hello", req, &r, err))
		return -1;
	return judge(c, "hello", r, reply, err);
}

int nb_client_sysinfo(struct nb_client *c, cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *r;

	if (reply)
		*reply = NULL;
	if (exchange(c, "sysinfo request", request(c, "sysinfo"), &r, err))
		return -1;
	return judge(c, "sysinfo request", r, reply, err);
}

int nb_client_ping(struct nb_client *c, uint64_t *rtt_ns, cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *req = request(c, "ping"), *r;
	uint64_t t0 = nb_mono_ns();

	if (reply)
		*reply = NULL;
	cJSON_AddNumberToObject(req, "t_client_ns", (double)t0);
	if (exchange(c, "ping", req, &r, err))
		return -1;
	if (rtt_ns)
		*rtt_ns = nb_mono_ns() - t0;
	return judge(c, "ping", r, reply, err);
}

int nb_client_relay(struct nb_client *c, const char *to, cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *req = request(c, "relay"), *r;

	if (reply)
		*reply = NULL;
	cJSON_AddStringToObject(req, "to", to);
	if (exchange(c, "relay request", req, &r, err))
		return -1;
	return judge(c, "relay request", r, reply, err);
}

int nb_client_workers(struct nb_client *c, int release, cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *req = request(c, "workers"), *r;
	const char *what = release ? "workers release request" : "workers request";

	if (reply)
		*reply = NULL;
	if (release)
		cJSON_AddBoolToObject(req, "release", 1);
	if (exchange(c, what, req, &r, err))
		return -1;
	return judge(c, what, r, reply, err);
}

int nb_client_bye(struct nb_client *c, char err[NB_ERR_LEN])
{
	cJSON *r;

	if (exchange(c, "bye", request(c, "bye"), &r, err))
		return -1;
	return judge(c, "bye", r, NULL, err);
}

int nb_client_run(struct nb_client *c, const struct nb_run_spec *spec, cJSON **reply,
		  char err[NB_ERR_LEN])
{
	cJSON *req = nb_run_spec_encode(spec, c->next_id++), *r;
	int rc;

	if (reply)
		*reply = NULL;
	if (!req)
		return fail(c, err, "internal", "run request: out of memory");
	/* The reply comes when the workload ends: wait for its timeout plus a margin. */
	rc = exchange_wait(c, "run request", req, &r,
			   c->timeout_ms > 0 ? c->timeout_ms + (int)(spec->timeout_ms
					? spec->timeout_ms : NB_RUN_TIMEOUT_DEFAULT_MS) : 0,
			   err);
	if (rc)
		return -1;
	return judge(c, "run request", r, reply, err);
}

/* ---- put ------------------------------------------------------------------------- */

/* A source of body bytes: a buffer or a file descriptor. */
struct body {
	const unsigned char *buf;
	int fd;
	size_t len;
};

static int send_body(struct nb_client *c, struct body *b, char err[NB_ERR_LEN])
{
	unsigned char *chunk = NULL;
	size_t off = 0;
	char e[NB_ERR_LEN];

	if (b->fd >= 0 && !(chunk = malloc(NB_CHUNK_MAX)))
		return fail(c, err, "internal", "file upload: out of memory");
	while (off < b->len) {
		size_t n = b->len - off < NB_CHUNK_MAX ? b->len - off : NB_CHUNK_MAX;
		const void *p = b->buf ? b->buf + off : chunk;
		if (!b->buf) {
			ssize_t k = pread(b->fd, chunk, n, (off_t)off);
			if (k <= 0) {
				free(chunk);
				return fail(c, err, "io", "file upload: reading the file: %s",
					    k < 0 ? strerror(errno) : "file shrank while sending");
			}
			n = (size_t)k;
		}
		if (nb_frame_write(&c->conn, p, n, e)) {
			free(chunk);
			return fail(c, err, "transport", "file upload: %s", e);
		}
		off += n;
	}
	free(chunk);
	if (nb_frame_write(&c->conn, "", 0, e))
		return fail(c, err, "transport", "file upload: %s", e);
	return 0;
}

static int put(struct nb_client *c, struct body *b, const char *name, const char *sha,
	       cJSON **reply, char err[NB_ERR_LEN])
{
	cJSON *req = request(c, "put"), *r;
	const cJSON *ready;

	if (reply)
		*reply = NULL;
	cJSON_AddStringToObject(req, "name", name);
	cJSON_AddStringToObject(req, "sha256", sha);
	cJSON_AddNumberToObject(req, "size", (double)b->len);
	if (exchange(c, "file upload", req, &r, err))
		return -1;
	ready = cJSON_GetObjectItemCaseSensitive(r, "ready");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")) || !cJSON_IsTrue(ready))
		return judge(c, "file upload", r, reply, err); /* refused, or already stored */
	cJSON_Delete(r);
	if (send_body(c, b, err))
		return -1;
	{
		char e[NB_ERR_LEN];
		int rc = nb_proto_recv(&c->conn, c->max_frame, &r, e);
		if (rc == NB_FRAME_EOF)
			return fail(c, err, "transport", "file upload: %s closed the connection",
				    c->conn.desc);
		if (rc != NB_FRAME_OK)
			return fail(c, err, "transport", "file upload: %s", e);
	}
	return judge(c, "file upload", r, reply, err);
}

int nb_client_put_buf(struct nb_client *c, const void *buf, size_t len, const char *name,
		      const char *claimed, char sha256[65], cJSON **reply, char err[NB_ERR_LEN])
{
	struct body b = { buf, -1, len };
	char e[NB_ERR_LEN], hex[NB_SHA256_HEX];

	if (nb_sha256_buf(buf, len, hex, e))
		return fail(c, err, "internal", "file upload: %s", e);
	if (sha256)
		memcpy(sha256, hex, NB_SHA256_HEX);
	return put(c, &b, name, claimed ? claimed : hex, reply, err);
}

int nb_client_put_file(struct nb_client *c, const char *path, const char *name,
		       char sha256[65], cJSON **reply, char err[NB_ERR_LEN])
{
	char e[NB_ERR_LEN], hex[NB_SHA256_HEX];
	unsigned long long size;
	struct body b;
	int fd, rc;

	if (reply)
		*reply = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, err, "io", "cannot open %s: %s", path, strerror(errno));
	if (nb_sha256_fd(fd, hex, &size, e)) {
		close(fd);
		return fail(c, err, "io", "%s: %s", path, e);
	}
	if (sha256)
		memcpy(sha256, hex, NB_SHA256_HEX);
	b = (struct body){ NULL, fd, (size_t)size };
	rc = put(c, &b, name, hex, reply, err);
	close(fd);
	return rc;
}
