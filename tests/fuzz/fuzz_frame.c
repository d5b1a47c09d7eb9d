/* fuzz_frame.c - libFuzzer target for everything the agent parses from a peer:
 * the input is the byte stream of one connection.  It is cut into frames twice (by
 * nb_frame_decode over the buffer, and by nb_frame_read through a pipe, which
 * exercises the buffered reader), each frame parsed as a request, and each request
 * run through its op's decoder (put, run, relay, hello), with replies built and
 * printed as the agent would.  Invariants checked: a decoded run request encodes and
 * decodes to the same fields; every reply is UTF-8.  `make fuzz-agent` runs it for
 * FUZZ_TIME seconds. */
#include "../../common/frame.h"
#include "../../common/err.h"
#include "../../common/proto.h"
#include "../../common/transport.h"
#include "../../common/utf8.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FRAME (64 * 1024)

static void check_run_roundtrip(const struct nb_run_spec *a)
{
	struct nb_run_spec b;
	char msg[NB_ERR_LEN];
	cJSON *o = nb_run_spec_encode(a, 1);

	if (!o)
		return;
	if (nb_run_spec_decode(o, &b, msg))
		abort(); /* what we encode we must accept */
	cJSON_Delete(o);
	if (strcmp(a->sha256, b.sha256) || strcmp(a->workload, b.workload) ||
	    a->nparams != b.nparams || a->nevents != b.nevents || a->reps != b.reps ||
	    a->warmup != b.warmup || a->cpu != b.cpu || a->min_time_ms != b.min_time_ms ||
	    a->ops != b.ops ||
	    a->timeout_ms != b.timeout_ms)
		abort();
	for (int i = 0; i < a->nevents; i++)
		if (strcmp(a->events[i], b.events[i]))
			abort();
}

/* Replies as the agent would print them: UTF-8, whatever the request held. */
static void emit(cJSON *reply)
{
	char *s = cJSON_PrintUnformatted(reply);
	if (s && !nb_utf8_valid(s, strlen(s)))
		abort();
	cJSON_free(s);
	cJSON_Delete(reply);
}

/* One frame as the agent's session loop sees it; returns 1 when a put body follows. */
static int one_request(const unsigned char *p, size_t len)
{
	cJSON *req = NULL;
	const char *code;
	char msg[NB_ERR_LEN];
	int body = 0;

	if (nb_proto_parse_request((const char *)p, len, &req, &code, msg)) {
		emit(nb_proto_error(req, code, "%s", msg));
		cJSON_Delete(req);
		return 0;
	}
	const char *op = cJSON_GetObjectItemCaseSensitive(req, "op")->valuestring;
	cJSON *reply = nb_proto_reply(req);
	if (strcmp(op, "put") == 0) {
		struct nb_put_spec ps;
		body = nb_put_spec_decode(req, &ps, msg) == 0;
	} else if (strcmp(op, "run") == 0) {
		struct nb_run_spec *rs = malloc(sizeof(*rs));
		if (rs && nb_run_spec_decode(req, rs, msg) == 0)
			check_run_roundtrip(rs);
		free(rs);
	} else if (strcmp(op, "relay") == 0) {
		char to[NB_ADDR_LEN];
		int timeout;
		struct nb_addr a;
		if (nb_relay_decode(req, to, sizeof(to), &timeout, msg) == 0)
			nb_addr_parse(to, NB_ADDR_CONNECT, &a, msg);
	} else if (strcmp(op, "hello") == 0) {
		int proto;
		const char *tok;
		if (nb_hello_decode(req, &proto, &tok, msg) == 0 && tok)
			(void)nb_token_equal(tok, "fuzz-token");
	} else if (strcmp(op, "ping") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(req, "data");
		if (d)
			cJSON_AddItemToObject(reply, "data", cJSON_Duplicate(d, 1));
	}
	emit(reply);
	cJSON_Delete(req);
	return body;
}

/* The stream as a buffer: frames, put bodies ended by an empty frame. */
static void by_decode(const uint8_t *data, size_t size)
{
	size_t off = 0;
	int in_body = 0;

	while (off < size) {
		const unsigned char *p;
		size_t len, used;
		if (nb_frame_decode(data + off, size - off, MAX_FRAME, &p, &len, &used) != NB_FRAME_OK)
			break;
		off += used;
		if (in_body) {
			in_body = len != 0;
			continue;
		}
		if (len == 0)
			break; /* bad_frame: the agent closes */
		in_body = one_request(p, len);
	}
}

/* The stream through a pipe and the buffered reader. */
static void by_reader(const uint8_t *data, size_t size)
{
	int fds[2];
	struct nb_conn c;
	char err[NB_ERR_LEN];

	if (size > 60000 || pipe(fds))
		return;
	if (write(fds[1], data, size) != (ssize_t)size) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	nb_conn_from_fds(&c, fds[0], -1, "fuzz");
	for (;;) {
		char *buf;
		size_t len;
		if (nb_frame_read(&c, MAX_FRAME, &buf, &len, err) != NB_FRAME_OK)
			break;
		if (len)
			one_request((const unsigned char *)buf, len);
		free(buf);
	}
	nb_conn_close(&c);
}

/* The input as an address, on both sides. */
static void as_address(const uint8_t *data, size_t size)
{
	char text[400], err[NB_ERR_LEN];
	struct nb_addr a;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	nb_addr_parse(text, NB_ADDR_LISTEN, &a, err);
	nb_addr_parse(text, NB_ADDR_CONNECT, &a, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	by_decode(data, size);
	by_reader(data, size);
	as_address(data, size);
	return 0;
}
