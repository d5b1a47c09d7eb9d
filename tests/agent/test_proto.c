/* test_proto.c - frames, addresses, requests and their decoders, tokens. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../common/frame.h"
#include "../../common/proto.h"
#include "../../common/sha256.h"
#include "../../common/transport.h"
#include "../../common/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

TEST(frame_decode_limits)
{
	unsigned char buf[16] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0 };
	const unsigned char *p;
	size_t len, used;

	CHECK(nb_frame_decode(buf, 3, 100, &p, &len, &used) == NB_FRAME_SHORT);
	CHECK(nb_frame_decode(buf, 6, 100, &p, &len, &used) == NB_FRAME_SHORT);
	CHECK(nb_frame_decode(buf, 7, 100, &p, &len, &used) == NB_FRAME_OK);
	CHECK(len == 3 && used == 7 && memcmp(p, "abc", 3) == 0);
	CHECK(nb_frame_decode(buf, 7, 2, &p, &len, &used) == NB_FRAME_TOO_LARGE);
	CHECK_EQ_U64(len, 3);
	nb_frame_put_len(buf, 0x01020304u);
	CHECK(buf[0] == 1 && buf[3] == 4);
	CHECK_EQ_U64(nb_frame_get_len(buf), 0x01020304u);
}

TEST(frame_roundtrip_over_a_pipe)
{
	int p[2];
	struct nb_conn w, r;
	char err[NB_ERR_LEN], *got = NULL;
	size_t len;

	CHECK(pipe(p) == 0);
	nb_conn_from_fds(&w, -1, p[1], "w");
	nb_conn_from_fds(&r, p[0], -1, "r");
	CHECK(nb_frame_write(&w, "{\"op\":\"ping\"}", 13, err) == 0);
	CHECK(nb_frame_write(&w, "0123456789", 10, err) == 0);
	CHECK(nb_frame_write(&w, "", 0, err) == 0);
	{
		unsigned char h[4] = { 0, 0, 0, 9 };   /* declares 9, sends 2 */
		CHECK(write(p[1], h, 4) == 4 && write(p[1], "ab", 2) == 2);
	}
	nb_conn_close(&w);
	CHECK(nb_frame_read(&r, 100, &got, &len, err) == NB_FRAME_OK);
	CHECK(len == 13 && strcmp(got, "{\"op\":\"ping\"}") == 0);
	free(got);
	CHECK(nb_frame_read(&r, 5, &got, &len, err) == NB_FRAME_TOO_LARGE);
	CHECK_EQ_U64(len, 10);
	CHECK(strstr(err, "limit") != NULL);
	/* The oversized payload is still in the stream: skip it by hand. */
	{
		char skip[10];
		CHECK(nb_conn_read_full(&r, skip, 10, NULL) == 0);
	}
	CHECK(nb_frame_read(&r, 100, &got, &len, err) == NB_FRAME_OK && len == 0);
	free(got);
	CHECK(nb_frame_read(&r, 100, &got, &len, err) == NB_FRAME_TRUNCATED);
	CHECK(nb_frame_read(&r, 100, &got, &len, err) == NB_FRAME_EOF);
	nb_conn_close(&r);
}

TEST(addr_parse_accepts_every_form)
{
	struct nb_addr a;
	char err[NB_ERR_LEN];

	CHECK(nb_addr_parse("vsock:7420", NB_ADDR_LISTEN, &a, err) == 0);
	CHECK(a.ops == &nb_transport_vsock && a.port == 7420 && a.cid == 0xffffffffu);
	CHECK(nb_addr_parse("vsock:3:7420", NB_ADDR_CONNECT, &a, err) == 0);
	CHECK(a.cid == 3 && a.port == 7420);
	CHECK(nb_addr_parse("vsock:any:1", NB_ADDR_LISTEN, &a, err) == 0 && a.cid == 0xffffffffu);
	CHECK(nb_addr_parse("tcp:127.0.0.1:80", NB_ADDR_CONNECT, &a, err) == 0);
	CHECK_STR(a.host, "127.0.0.1");
	CHECK(a.port == 80 && a.ops == &nb_transport_tcp);
	CHECK(nb_addr_parse("tcp:[::1]:7420", NB_ADDR_CONNECT, &a, err) == 0);
	CHECK_STR(a.host, "::1");
	CHECK(nb_addr_parse("tcp:localhost:0", NB_ADDR_LISTEN, &a, err) == 0 && a.port == 0);
	CHECK(nb_addr_parse("unix:/run/x.sock", NB_ADDR_CONNECT, &a, err) == 0);
	CHECK_STR(a.path, "/run/x.sock");
	CHECK(nb_addr_parse("serial:/dev/virtio-ports/org.nestbench.agent.0", NB_ADDR_LISTEN, &a,
			    err) == 0);
	CHECK(a.ops == &nb_transport_serial);
	CHECK(nb_addr_parse("stdio", NB_ADDR_LISTEN, &a, err) == 0 && a.ops == &nb_transport_stdio);
}

TEST(addr_parse_rejects_with_the_forms)
{
	static const char *bad_connect[] = {
		"", "vsock", "vsock:7420", "vsock:x:1", "vsock:3:", "vsock:3:-1", "tcp:host",
		"tcp::80", "tcp:h:99999", "tcp:h:0", "tcp:::1:80", "tcp:[::1", "unix:", "ftp:x",
		"stdio", "serial:", "tcp:h: 80",
	};
	struct nb_addr a;
	char err[NB_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad_connect) / sizeof(bad_connect[0]); i++) {
		CHECK_MSG(nb_addr_parse(bad_connect[i], NB_ADDR_CONNECT, &a, err) == -1,
			  "accepted '%s'", bad_connect[i]);
		CHECK_MSG(strstr(err, "expected") != NULL, "no forms in: %s", err);
	}
	char longpath[300];
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:", 5);
	longpath[200] = '\0';
	CHECK(nb_addr_parse(longpath, NB_ADDR_LISTEN, &a, err) == -1);
	CHECK(strstr(err, "107") != NULL);
}

TEST(every_transport_has_its_hooks)
{
	char err[NB_ERR_LEN];

	for (const struct nb_transport_ops *const *o = nb_transport_all(); *o; o++)
		CHECK_MSG(nb_transport_check(*o, err) == 0, "%s", err);
	struct nb_transport_ops broken = nb_transport_tcp;
	broken.connect = NULL;
	CHECK(nb_transport_check(&broken, err) == -1 && strstr(err, "connect"));
	broken = nb_transport_tcp;
	broken.version = 99;
	CHECK(nb_transport_check(&broken, err) == -1 && strstr(err, "version"));
}

TEST(vsock_message_names_the_modules)
{
	char err[NB_ERR_LEN];

	nb_vsock_unavailable("vsock:7420", EAFNOSUPPORT, err);
	CHECK(strstr(err, "vmw_vsock_virtio_transport") && strstr(err, "hv_sock") &&
	      strstr(err, "vmw_vsock_vmci_transport") && strstr(err, "vhost_vsock"));
}

static int parse_code(const char *s, const char **code)
{
	cJSON *req;
	char msg[NB_ERR_LEN];
	int rc = nb_proto_parse_request(s, strlen(s), &req, code, msg);

	cJSON_Delete(req);
	return rc;
}

TEST(request_parsing)
{
	const char *code;

	CHECK(parse_code("{\"op\":\"ping\",\"id\":1}", &code) == 0);
	CHECK(parse_code("{\"op\":\"ping\",\"id\":\"a\"} \n", &code) == 0);
	CHECK(parse_code("{bad", &code) == -1 && strcmp(code, NB_E_BAD_JSON) == 0);
	CHECK(parse_code("[1,2]", &code) == -1 && strcmp(code, NB_E_BAD_JSON) == 0);
	CHECK(parse_code("{\"op\":\"ping\"} x", &code) == -1 && strcmp(code, NB_E_BAD_JSON) == 0);
	CHECK(parse_code("{\"id\":1}", &code) == -1 && strcmp(code, NB_E_BAD_REQUEST) == 0);
	CHECK(parse_code("{\"op\":5}", &code) == -1 && strcmp(code, NB_E_BAD_REQUEST) == 0);
	CHECK(parse_code("{\"op\":\"x\",\"id\":[1]}", &code) == -1);
	{
		cJSON *req;
		char msg[NB_ERR_LEN];
		CHECK(nb_proto_parse_request("{\"op\":\"a\0\"}", 11, &req, &code, msg) == -1);
		CHECK(strstr(msg, "NUL") != NULL);
		cJSON_Delete(req);
	}
}

TEST(replies_echo_the_id)
{
	cJSON *req = cJSON_Parse("{\"op\":\"x\",\"id\":42}");
	cJSON *ok = nb_proto_reply(req), *err = nb_proto_error(req, NB_E_BUSY, "n=%d", 3);

	CHECK(cJSON_GetObjectItem(ok, "id")->valuedouble == 42);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(ok, "ok")));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(err, "ok")));
	CHECK_STR(nb_proto_error_code(err), "busy");
	CHECK_STR(nb_proto_error_message(err), "n=3");
	CHECK_STR(nb_proto_error_code(ok), "");
	cJSON_Delete(req);
	cJSON_Delete(ok);
	cJSON_Delete(err);
}

static int put_decode(const char *json, char *msg)
{
	cJSON *o = cJSON_Parse(json);
	struct nb_put_spec p;
	int rc = nb_put_spec_decode(o, &p, msg);

	cJSON_Delete(o);
	return rc;
}

#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

TEST(put_fields)
{
	char msg[NB_ERR_LEN];

	CHECK(put_decode("{\"name\":\"w\",\"sha256\":\"" SHA "\",\"size\":0}", msg) == 0);
	CHECK(put_decode("{\"name\":\"../w\",\"sha256\":\"" SHA "\",\"size\":1}", msg) == -1);
	CHECK(strstr(msg, "name"));
	CHECK(put_decode("{\"name\":\"w\",\"sha256\":\"ABC\",\"size\":1}", msg) == -1);
	CHECK(strstr(msg, "sha256"));
	CHECK(put_decode("{\"name\":\"w\",\"sha256\":\"" SHA "\",\"size\":-1}", msg) == -1);
	CHECK(put_decode("{\"name\":\"w\",\"sha256\":\"" SHA "\",\"size\":1.5}", msg) == -1);
	CHECK(put_decode("{\"name\":\"w\",\"sha256\":\"" SHA "\"}", msg) == -1);
	CHECK(strstr(msg, "size"));
}

TEST(run_spec_roundtrip)
{
	struct nb_run_spec a, b;
	char err[NB_ERR_LEN], msg[NB_ERR_LEN];
	cJSON *o;

	nb_run_spec_init(&a);
	snprintf(a.sha256, sizeof(a.sha256), SHA);
	snprintf(a.workload, sizeof(a.workload), "mem.lat");
	CHECK(nb_run_spec_add_param(&a, "size=16K..1M", err) == 0);
	CHECK(nb_run_spec_add_param(&a, "stride=64", err) == 0);
	CHECK(nb_run_spec_add_param(&a, "bad key=1", err) == -1);
	CHECK(nb_run_spec_add_param(&a, "novalue", err) == -1);
	CHECK(nb_run_spec_add_event(&a, "cycles", err) == 0);
	CHECK(nb_run_spec_add_event(&a, "a,b", err) == -1);
	CHECK(nb_run_spec_add_event(&a, "-x", err) == -1);
	a.reps = 3;
	a.warmup = 0;
	a.min_time_ms = 20;
	a.ops = 123456789012ull;
	a.timeout_ms = 9000;
	o = nb_run_spec_encode(&a, 7);
	CHECK(nb_run_spec_decode(o, &b, msg) == 0);
	cJSON_Delete(o);
	CHECK_STR(b.workload, "mem.lat");
	CHECK(b.nparams == 2);
	CHECK_STR(b.params[0], "size=16K..1M");
	CHECK_STR(b.params[1], "stride=64");
	CHECK(b.nevents == 1 && b.reps == 3 && b.warmup == 0 && b.cpu == -1);
	CHECK(b.min_time_ms == 20 && b.timeout_ms == 9000 && b.ops == 123456789012ull);
}

TEST(run_fields_rejected)
{
	static const char *bad[] = {
		"{\"sha256\":\"" SHA "\"}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"-rf\"}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"a b\"}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"reps\":0}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"cpu\":-1}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":[\"a=1\"]}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":{\"a\":{}}}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":{\"a\":\"x\\ny\"}}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"events\":\"cycles\"}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"events\":[1]}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"timeout_ms\":0}",
		"{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"ops\":0}",
	};
	struct nb_run_spec r;
	char msg[NB_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *o = cJSON_Parse(bad[i]);
		CHECK_MSG(o && nb_run_spec_decode(o, &r, msg) == -1, "accepted %s", bad[i]);
		cJSON_Delete(o);
	}
	cJSON *o = cJSON_Parse("{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":"
			       "{\"n\":4096,\"huge\":true}}");
	CHECK(nb_run_spec_decode(o, &r, msg) == 0);
	cJSON_Delete(o);
	CHECK_STR(r.params[0], "n=4096");
	CHECK_STR(r.params[1], "huge=1");
}

TEST(tokens)
{
	char path[] = "/tmp/nbt-token.XXXXXX", tok[NB_TOKEN_MAX], err[NB_ERR_LEN];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "  s3cret\n", 9) == 9);
	close(fd);
	CHECK(nb_token_read_file(path, tok, sizeof(tok), err) == 0);
	CHECK_STR(tok, "s3cret");
	CHECK(nb_token_equal("s3cret", tok));
	CHECK(!nb_token_equal("s3cre", tok));
	CHECK(!nb_token_equal("s3cret!", tok));
	CHECK(!nb_token_equal(NULL, tok));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, " \n", 2) == 2);
	close(fd);
	CHECK(nb_token_read_file(path, tok, sizeof(tok), err) == -1 && strstr(err, "empty"));
	unlink(path);
	CHECK(nb_token_read_file(path, tok, sizeof(tok), err) == -1 && strstr(err, path));
}

TEST(sha256_known_answer)
{
	char hex[NB_SHA256_HEX], err[NB_ERR_LEN];

	CHECK(nb_sha256_buf("", 0, hex, err) == 0);
	CHECK_STR(hex, SHA);
	CHECK(nb_sha256_buf("abc", 3, hex, err) == 0);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK(nb_sha256_valid_hex(SHA));
	CHECK(!nb_sha256_valid_hex("E3B0"));
}

/* ---- UTF-8 (issue 11, item 7) -------------------------------------------------------- */

static int parse_msg(const char *s, const char **code, char *msg)
{
	cJSON *req;
	int rc = nb_proto_parse_request(s, strlen(s), &req, code, msg);

	cJSON_Delete(req);
	return rc;
}

TEST(request_parsing_refuses_what_is_not_utf8)
{
	static const struct {
		const char *s;
		const char *says;
	} bad[] = {
		{ "{\"op\":\"ping\",\"id\":\"\xff\"}",
		  "not valid UTF-8 (a byte that never occurs in UTF-8 at byte 19)" },
		{ "{\"op\":\"p\xc3\"}", "truncated sequence at byte 8" },
		{ "{\"op\":\"\xe0\x80\x80\"}", "overlong encoding at byte 7" },
		{ "{\"op\":\"\xed\xb0\x80\"}", "surrogate encoded in UTF-8 at byte 7" },
		{ "\xef\xbb\xbf{\"op\":\"ping\"}", "byte order mark" },
		{ "{\"op\":\"ping\\u0000\"}", "\\u0000 in a string at byte 11" },
		{ "{\"op\":\"ping\",\"x\\u0000\":1}", "\\u0000 in a string at byte 15" },
		{ "{\"op\":\"\\uDBFF\"}", "unpaired UTF-16 surrogate escape \\uDBFF at byte 7" },
		{ "{\"op\":\"\\ud800\\u0041\"}", "unpaired UTF-16 surrogate escape \\ud800 at byte 7" },
		{ "{\"op\":\"\\uDC00\\uD800\"}", "unpaired UTF-16 surrogate escape \\uDC00 at byte 7" },
	};
	const char *code;
	char msg[NB_ERR_LEN];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(parse_msg(bad[i].s, &code, msg) == -1, "accepted bad[%zu]",
			  i);
		CHECK_STR(code, NB_E_BAD_JSON);
		CHECK_MSG(strstr(msg, bad[i].says), "bad[%zu]: '%s' does not say '%s'", i, msg,
			  bad[i].says);
	}
	/* Not escapes: an escaped backslash before u0000, and a good pair. */
	CHECK(parse_msg("{\"op\":\"a\\\\u0000\"}", &code, msg) == 0);
	CHECK(parse_msg("{\"op\":\"\\\\\\\\u0000\"}", &code, msg) == 0);
	CHECK(parse_msg("{\"op\":\"\\ud83d\\uDE00\"}", &code, msg) == 0);
	CHECK(parse_msg("{\"op\":\"\\u0041\\u00e9\"}", &code, msg) == 0);
	CHECK(parse_msg("{\"op\":\"\xe2\x82\xac\"}", &code, msg) == 0);
}

static void euros30(char *buf)
{
	buf[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(buf, "\xe2\x82\xac");
}

static int utf8_ok(const char *s)
{
	return nb_utf8_valid(s, strlen(s));
}

TEST(decoder_messages_cut_on_character_boundaries)
{
	struct nb_run_spec r;
	char e[100], err[NB_ERR_LEN], json[512];
	cJSON *o;

	euros30(e);
	nb_run_spec_init(&r);
	CHECK(nb_run_spec_add_event(&r, e, err) == -1);
	CHECK_MSG(utf8_ok(err), "%s", err);
	snprintf(json, sizeof(json), "%s=1", e);
	CHECK(nb_run_spec_add_param(&r, json, err) == -1);
	CHECK_MSG(utf8_ok(err), "%s", err);
	snprintf(json, sizeof(json), "{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":"
		 "{\"%s\":[]}}", e);
	o = cJSON_Parse(json);
	CHECK(o && nb_run_spec_decode(o, &r, err) == -1);
	cJSON_Delete(o);
	CHECK_MSG(utf8_ok(err), "%s", err);
	snprintf(json, sizeof(json), "{\"sha256\":\"" SHA "\",\"workload\":\"cpu.int\",\"params\":"
		 "{\"%s%s%s\":\"v\"}}", e, e, e);
	o = cJSON_Parse(json);
	CHECK(o && nb_run_spec_decode(o, &r, err) == -1);
	cJSON_Delete(o);
	CHECK_MSG(utf8_ok(err), "%s", err);
}

TEST(error_messages_cut_short_stay_utf8)
{
	char e[100], long_msg[2048] = "";
	cJSON *r;

	euros30(e);
	strcat(long_msg, "x");   /* 1 + 12 * 90 bytes: the 1024-byte buffer cuts a character */
	for (int i = 0; i < 12; i++)
		strcat(long_msg, e);
	r = nb_proto_error(NULL, NB_E_INTERNAL, "%s", long_msg);
	CHECK(r != NULL);
	CHECK(strlen(nb_proto_error_message(r)) > 1000);
	CHECK_MSG(utf8_ok(nb_proto_error_message(r)), "message cut inside a character");
	cJSON_Delete(r);
}

/* What the agent cannot vouch for (a workload's stderr) is repaired on the way out,
 * and what a peer sends is repaired on the way in: every frame is UTF-8. */
TEST(send_and_recv_repair_invalid_utf8)
{
	int p[2];
	struct nb_conn w, rd;
	char err[NB_ERR_LEN], *raw;
	size_t len;
	cJSON *o = cJSON_CreateObject(), *got;

	CHECK(pipe(p) == 0);
	nb_conn_from_fds(&w, -1, p[1], "w");
	nb_conn_from_fds(&rd, p[0], -1, "r");
	cJSON_AddStringToObject(o, "stderr", "bad \xff byte, cut \xe2\x82");
	CHECK(nb_proto_send(&w, o, err) == 0);
	CHECK(nb_frame_read(&rd, 4096, &raw, &len, err) == NB_FRAME_OK);
	CHECK_MSG(nb_utf8_valid(raw, len), "sent: %s", raw);
	CHECK(strstr(raw, "bad ? byte, cut ??") != NULL);
	free(raw);
	/* A peer that sends invalid UTF-8 anyway (an older agent). */
	{
		static const char bad[] = "{\"ok\":true,\"stderr\":\"\xc0\xaf\"}";
		CHECK(nb_frame_write(&w, bad, sizeof(bad) - 1, err) == 0);
	}
	CHECK(nb_proto_recv(&rd, 4096, &got, err) == NB_FRAME_OK);
	CHECK_STR(cJSON_GetObjectItem(got, "stderr")->valuestring, "??");
	cJSON_Delete(got);
	cJSON_Delete(o);
	nb_conn_close(&w);
	nb_conn_close(&rd);
}
