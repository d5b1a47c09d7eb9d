/* test_utf8.c - strict UTF-8 (common/utf8.c), and an agent whose every reply is UTF-8
 * whatever it was sent: invalid UTF-8, a byte order mark, \u0000, lone surrogate
 * escapes, and long non-ASCII strings that messages must cut on character boundaries. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../common/utf8.h"

#include <stdlib.h>
#include <string.h>

/* ---- the helpers ----------------------------------------------------------------- */

TEST(utf8_accepts_well_formed_text)
{
	static const char *good[] = {
		"", "plain ASCII", "\xc2\x80", "\xdf\xbf", "\xe2\x82\xac",    /* U+0080, U+07FF, € */
		"\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",               /* U+0800, U+D7FF, U+E000 */
		"\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80",       /* U+FFFF, U+10000, 😀 */
		"\xf4\x8f\xbf\xbf", "h\xc3\xa9llo w\xc3\xb6rld, \xe6\x97\xa5\xe6\x9c\xac",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK_MSG(nb_utf8_valid(good[i], strlen(good[i])), "refused good[%zu]", i);
}

TEST(utf8_refuses_what_rfc3629_forbids)
{
	static const struct {
		const char *s;
		size_t at;
		const char *why;
	} bad[] = {
		{ "\xc0\xaf", 0, "overlong" },                 /* '/' in two bytes */
		{ "\xc1\xbf", 0, "overlong" },
		{ "\xe0\x80\xaf", 0, "overlong" },
		{ "\xe0\x9f\xbf", 0, "overlong" },
		{ "\xf0\x80\x80\xaf", 0, "overlong" },
		{ "\xf0\x8f\xbf\xbf", 0, "overlong" },
		{ "ab\xed\xa0\x80", 2, "surrogate" },          /* U+D800 */
		{ "\xed\xbf\xbf", 0, "surrogate" },            /* U+DFFF */
		{ "\xf4\x90\x80\x80", 0, "U+10FFFF" },         /* U+110000 */
		{ "\xf5\x80\x80\x80", 0, "U+10FFFF" },
		{ "\xff", 0, "never occurs" },
		{ "\xf8\x88\x80\x80\x80", 0, "never occurs" },
		{ "x\x80", 1, "continuation" },
		{ "\xe2\x82\xac\xac", 3, "continuation" },     /* one byte too many */
		{ "a\xe2\x82", 1, "truncated" },               /* at the end */
		{ "\xe2\x82z", 0, "truncated" },               /* in the middle */
		{ "\xf0\x9f\x98", 0, "truncated" },
		{ "\xc3", 0, "truncated" },
		{ "0123456789abcdefghij\xff", 20, "" },        /* past the 8-byte ASCII steps */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		size_t len = strlen(bad[i].s), at = nb_utf8_check(bad[i].s, len, &why);
		CHECK_MSG(at == bad[i].at, "bad[%zu]: first bad byte at %zu, expected %zu", i, at,
			  bad[i].at);
		CHECK_MSG(why && strstr(why, bad[i].why), "bad[%zu]: fault '%s', expected '%s'", i,
			  why ? why : "(null)", bad[i].why);
		CHECK(!nb_utf8_valid(bad[i].s, len));
	}
}

/* 30 euro signs: 90 bytes, a character every 3. */
static const char *euros(char *buf)
{
	buf[0] = '\0';
	for (int i = 0; i < 30; i++)
		strcat(buf, "\xe2\x82\xac");
	return buf;
}

TEST(utf8_clip_cuts_on_character_boundaries)
{
	char e[100], out[100], small[5];

	euros(e);
	CHECK_EQ_U64(nb_utf8_prefix(e, 64), 63);        /* "%.64s" would keep a lone 0xe2 */
	CHECK_EQ_U64(nb_utf8_prefix(e, 63), 63);
	CHECK_EQ_U64(nb_utf8_prefix(e, 2), 0);
	CHECK_EQ_U64(nb_utf8_prefix(e, 200), 90);
	CHECK_EQ_U64(nb_utf8_prefix("abc", 2), 2);
	CHECK_EQ_U64(nb_utf8_prefix("abc", 3), 3);
	nb_utf8_clip(out, sizeof(out), e, 64);
	CHECK_EQ_U64(strlen(out), 63);
	CHECK(nb_utf8_valid(out, strlen(out)));
	nb_utf8_clip(small, sizeof(small), e, 64);     /* the buffer is the tighter bound */
	CHECK_STR(small, "\xe2\x82\xac");
	nb_utf8_clip(small, sizeof(small), "ab", 64);
	CHECK_STR(small, "ab");
}

TEST(utf8_trim_drops_a_cut_character)
{
	char s[32];

	strcpy(s, "ab\xe2\x82");
	nb_utf8_trim(s);
	CHECK_STR(s, "ab");
	strcpy(s, "ab\xe2\x82\xac");
	nb_utf8_trim(s);
	CHECK_STR(s, "ab\xe2\x82\xac");
	strcpy(s, "\xf0\x9f\x98");
	nb_utf8_trim(s);
	CHECK_STR(s, "");
	strcpy(s, "x\xc3");
	nb_utf8_trim(s);
	CHECK_STR(s, "x");
	strcpy(s, "plain");
	nb_utf8_trim(s);
	CHECK_STR(s, "plain");
}

TEST(utf8_scrub_repairs_in_place)
{
	char s[32];

	strcpy(s, "a\xff" "b\xe2\x82");
	CHECK_EQ_U64(nb_utf8_scrub(s, strlen(s)), 3);
	CHECK_STR(s, "a?b??");
	strcpy(s, "\xed\xa0\x80\xe2\x82\xac");          /* a surrogate, then a good € */
	CHECK_EQ_U64(nb_utf8_scrub(s, strlen(s)), 3);
	CHECK_STR(s, "???\xe2\x82\xac");
	strcpy(s, "ok \xc3\xa9");
	CHECK_EQ_U64(nb_utf8_scrub(s, strlen(s)), 0);
	CHECK_STR(s, "ok \xc3\xa9");
}

/* ---- the agent ------------------------------------------------------------------- */

/* Send one payload as a frame, read the reply's raw bytes: they must be UTF-8 and
 * one JSON object.  The parsed reply, or NULL (the failure printed). */
static cJSON *raw_call(struct nb_client *c, const void *payload, size_t len)
{
	char err[NB_ERR_LEN], *buf = NULL;
	const char *why = "";
	size_t n, at;
	cJSON *r;

	if (nb_frame_write(&c->conn, payload, len, err) ||
	    nb_frame_read(&c->conn, NB_FRAME_MAX_CLIENT, &buf, &n, err) != NB_FRAME_OK) {
		printf("  raw_call: %s\n", err);
		return NULL;
	}
	at = nb_utf8_check(buf, n, &why);
	if (at != n) {
		printf("  reply is not UTF-8 (%s at byte %zu of %zu): %s\n", why, at, n, buf);
		free(buf);
		return NULL;
	}
	r = cJSON_ParseWithLength(buf, n);
	if (!cJSON_IsObject(r))
		printf("  reply is not a JSON object: %s\n", buf);
	free(buf);
	return r;
}

static cJSON *raw_call_str(struct nb_client *c, const char *json)
{
	return raw_call(c, json, strlen(json));
}

/* The payload is refused with bad_json and a message holding `says`. */
static int refused(struct nb_client *c, const char *payload, const char *says)
{
	cJSON *r = raw_call_str(c, payload);
	int ok = r && strcmp(fx_code(r), "bad_json") == 0 &&
		 strstr(nb_proto_error_message(r), says) != NULL;

	if (!ok)
		printf("  expected bad_json saying '%s', got %s: %s\n", says, r ? fx_code(r) : "none",
		       r ? nb_proto_error_message(r) : "");
	cJSON_Delete(r);
	return ok;
}

static void invalid_requests_body(struct fx *f)
{
	static const char ff_id[] = "{\"op\":\"ping\",\"id\":\"\xff\"}";
	static const char bom[] = "\xef\xbb\xbf{\"op\":\"ping\",\"id\":1}";
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	/* The example: 0xff in the id came back as it was. */
	CHECK(refused(&c, ff_id, "UTF-8"));
	CHECK(refused(&c, ff_id, "byte 19"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\xc0\xaf\"}", "overlong"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\xed\xa0\x80\"}", "surrogate"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\xf4\x90\x80\x80\"}", "U+10FFFF"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\xe2\x82\"}", "truncated"));
	CHECK(refused(&c, bom, "byte order mark"));
	/* \u0000 was decoded and cut the string short: "ping\u0000x" ran a ping. */
	CHECK(refused(&c, "{\"op\":\"ping\\u0000x\",\"id\":1}", "\\u0000"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\\u0000\"}", "byte 19"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\\uD800\"}", "surrogate"));
	CHECK(refused(&c, "{\"op\":\"ping\",\"id\":\"\\udc00x\"}", "surrogate"));
	/* Escaped backslashes are not escapes: "\\u0000" is six characters. */
	cJSON *r = raw_call_str(&c, "{\"op\":\"ping\",\"id\":1,\"data\":\"\\\\u0000\"}");
	CHECK(fx_ok(r) && strcmp(fx_str(r, "data"), "\\u0000") == 0);
	cJSON_Delete(r);
	/* A good surrogate pair is one character. */
	r = raw_call_str(&c, "{\"op\":\"ping\",\"id\":\"\\ud83d\\ude00\"}");
	CHECK(fx_ok(r) && strcmp(fx_str(r, "id"), "\xf0\x9f\x98\x80") == 0);
	cJSON_Delete(r);
	CHECK(fx_ping(&c));   /* the session goes on */
	nb_client_close(&c);
}
TEST(invalid_utf8_requests_refused) { FX_RUN(invalid_requests_body); }

static void long_strings_body(struct fx *f)
{
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	char e[100], req[512], want[100];
	struct nb_client c;
	cJSON *r;

	euros(e);
	CHECK(a && fx_connect(&c, a->addr) == 0);
	/* The example: the op name cut to 64 bytes ended in a lone 0xe2. */
	snprintf(req, sizeof(req), "{\"op\":\"%s\",\"id\":1}", e);
	r = raw_call_str(&c, req);
	CHECK(r != NULL);
	CHECK_STR(fx_code(r), "unknown_op");
	snprintf(want, sizeof(want), "'%.63s'", e);    /* 21 whole characters */
	CHECK_MSG(strstr(nb_proto_error_message(r), want), "%s", nb_proto_error_message(r));
	cJSON_Delete(r);
	/* Other messages that quote what the client sent. */
	snprintf(req, sizeof(req), "{\"op\":\"relay\",\"id\":2,\"to\":\"ftp:%s\"}", e);
	r = raw_call_str(&c, req);
	CHECK(r != NULL);
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	snprintf(req, sizeof(req), "{\"op\":\"events-probe\",\"id\":3,\"events\":[\"%s\"]}", e);
	r = raw_call_str(&c, req);
	CHECK(r != NULL);
	{
		const cJSON *ev = fx_field(r, "events");
		const cJSON *last = cJSON_GetArrayItem(ev, cJSON_GetArraySize(ev) - 1);
		CHECK_STR(fx_str(last, "name"), e);
		CHECK_MSG(strstr(fx_str(last, "reason"), want), "%s", fx_str(last, "reason"));
	}
	cJSON_Delete(r);
	snprintf(req, sizeof(req), "{\"op\":\"run\",\"id\":4,\"sha256\":\"%064d\",\"workload\":"
		 "\"cpu.int\",\"params\":{\"%s\":{}}}", 0, e);
	r = raw_call_str(&c, req);
	CHECK(r != NULL);
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	snprintf(req, sizeof(req), "{\"op\":\"run\",\"id\":5,\"sha256\":\"%064d\",\"workload\":"
		 "\"cpu.int\",\"events\":[\"%s\"]}", 0, e);
	r = raw_call_str(&c, req);
	CHECK(r != NULL);
	CHECK_STR(fx_code(r), "bad_request");
	cJSON_Delete(r);
	nb_client_close(&c);
}
TEST(messages_quote_long_strings_as_utf8) { FX_RUN(long_strings_body); }
