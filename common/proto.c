/* proto.c - requests and replies as cJSON objects, field checks, run/put specs. */
#include "proto.h"
#include "err.h"
#include "sha256.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- requests and replies ---------------------------------------------------------- */

static int hex4(const char *p, const char *end, unsigned *v)
{
	*v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d = isdigit(c) ? c - '0'
					       : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* \u escapes inside strings that cJSON would turn into something other than the
 * string sent: \u0000 (cJSON ends the string there) and unpaired surrogates.  A
 * malformed escape is left to the JSON parser.  0, or -1 with msg. */
static int check_escapes(const char *buf, size_t len, char msg[NB_ERR_LEN])
{
	const char *p = buf, *end = buf + len;
	int in_str = 0;

	if (!memmem(buf, len, "\\u", 2))
		return 0;
	for (; p < end; p++) {
		unsigned v, w;
		if (!in_str) {
			in_str = *p == '"';
			continue;
		}
		if (*p == '"') {
			in_str = 0;
			continue;
		}
		if (*p != '\\' || ++p >= end || *p != 'u' || hex4(p + 1, end, &v))
			continue;   /* p is on the escaped character: skipped with it */
		if (v == 0) {
			return nb_err(msg, "payload has \\u0000 in a string at byte %zu: strings "
				 "may not hold NUL characters", (size_t)(p - 1 - buf));
		}
		if (v >= 0xd800 && v <= 0xdbff && end - p >= 11 && p[5] == '\\' && p[6] == 'u' &&
		    hex4(p + 7, end, &w) == 0 && w >= 0xdc00 && w <= 0xdfff) {
			p += 10;    /* a surrogate pair: one character */
		} else if (v >= 0xd800 && v <= 0xdfff) {
			return nb_err(msg, "payload has an unpaired UTF-16 surrogate escape \\%.5s at "
				 "byte %zu: a character above U+FFFF is a high and a low surrogate "
				 "escape in a row", p, (size_t)(p - 1 - buf));
		} else {
			p += 4;
		}
	}
	return 0;
}

/* What cJSON would let through but a request must not be: text that is not UTF-8,
 * a byte order mark (PROTOCOL.md: one JSON object, nothing else), escapes that do
 * not stand for a character.  0, or -1 with msg. */
static int check_text(const char *buf, size_t len, char msg[NB_ERR_LEN])
{
	const char *why = "";
	size_t at;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		return nb_err(msg, "payload starts with a UTF-8 byte order mark: send the JSON "
			 "object without one");
	}
	at = nb_utf8_check(buf, len, &why);
	if (at != len) {
		return nb_err(msg, "payload is not valid UTF-8 (%s at byte %zu): send UTF-8 text",
			 why, at);
	}
	return check_escapes(buf, len, msg);
}

int nb_proto_parse_request(const char *buf, size_t len, cJSON **req, const char **code,
			   char msg[NB_ERR_LEN])
{
	const char *end = NULL;
	const cJSON *op, *id;
	cJSON *o;

	*req = NULL;
	*code = NB_E_BAD_JSON;
	if (len == 0 || memchr(buf, '\0', len)) {
		return nb_err(msg, len ? "payload contains a NUL byte" : "empty payload");
	}
	if (check_text(buf, len, msg))
		return -1;
	o = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (!o) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= buf && at <= buf + len ? (size_t)(at - buf) : 0;
		return nb_err(msg, "payload is not valid JSON (near byte %zu)", off);
	}
	while (end && end < buf + len && isspace((unsigned char)*end))
		end++;
	if (end != buf + len) {
		cJSON_Delete(o);
		return nb_err(msg, "trailing bytes after the JSON object");
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return nb_err(msg, "payload is JSON but not an object");
	}
	*req = o;
	*code = NB_E_BAD_REQUEST;
	id = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
		return nb_err(msg, "\"id\" must be a number or a string");
	}
	op = cJSON_GetObjectItemCaseSensitive(o, "op");
	if (!cJSON_IsString(op) || !op->valuestring[0]) {
		return nb_err(msg, "request has no \"op\" string");
	}
	return 0;
}

cJSON *nb_proto_reply(const cJSON *req)
{
	cJSON *r = cJSON_CreateObject();
	const cJSON *id = req ? cJSON_GetObjectItemCaseSensitive(req, "id") : NULL;

	if (!r)
		return NULL;
	if (id && (cJSON_IsNumber(id) || cJSON_IsString(id)))
		cJSON_AddItemToObject(r, "id", cJSON_Duplicate(id, 0));
	else
		cJSON_AddNullToObject(r, "id");
	cJSON_AddTrueToObject(r, "ok");
	return r;
}

cJSON *nb_proto_error(const cJSON *req, const char *code, const char *fmt, ...)
{
	cJSON *r = nb_proto_reply(req), *e;
	char msg[1024];
	va_list ap;

	if (!r)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nb_utf8_trim(msg);   /* a long message is cut short: never inside a character */
	cJSON_ReplaceItemInObjectCaseSensitive(r, "ok", cJSON_CreateFalse());
	e = cJSON_AddObjectToObject(r, "error");
	if (e) {
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
	}
	return r;
}

int nb_proto_send(struct nb_conn *c, const cJSON *msg, char err[NB_ERR_LEN])
{
	char stack[4096], *text = stack;
	size_t len;
	int rc;

	/* Small messages (ping, hello) are printed without a heap round trip. */
	if (!cJSON_PrintPreallocated((cJSON *)msg, stack, sizeof(stack), 0)) {
		text = cJSON_PrintUnformatted(msg);
		if (!text) {
			return nb_err(err, "cJSON_PrintUnformatted: out of memory");
		}
	}
	len = strlen(text);
	/* Requests are checked, messages cut on characters; what remains is text from
	 * elsewhere (a workload's stderr, a file name): its stray bytes become '?', so
	 * that every frame is UTF-8.  Structure is ASCII: only strings change. */
	nb_utf8_scrub(text, len);
	rc = nb_frame_write(c, text, len, err);
	if (text != stack)
		cJSON_free(text);
	return rc;
}

int nb_proto_recv(struct nb_conn *c, size_t max, cJSON **msg, char err[NB_ERR_LEN])
{
	char *buf;
	size_t len;
	int rc = nb_frame_read(c, max, &buf, &len, err);

	*msg = NULL;
	if (rc != NB_FRAME_OK)
		return rc;
	nb_utf8_scrub(buf, len);   /* an older agent's stray bytes: kept out of results */
	*msg = cJSON_ParseWithLength(buf, len);
	free(buf);
	if (!cJSON_IsObject(*msg)) {
		cJSON_Delete(*msg);
		*msg = NULL;
		snprintf(err, NB_ERR_LEN, "%s sent a frame that is not a JSON object", c->desc);
		return NB_FRAME_ERR;
	}
	return NB_FRAME_OK;
}

const char *nb_proto_error_code(const cJSON *reply)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");

	return cJSON_IsString(c) ? c->valuestring : "";
}

const char *nb_proto_error_message(const cJSON *reply)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

	return cJSON_IsString(m) ? m->valuestring : "";
}

/* ---- fields ---------------------------------------------------------------------- */

int nb_json_get_uint(const cJSON *o, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		 char msg[NB_ERR_LEN])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	if (!v || cJSON_IsNull(v))
		return 0;
	d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max ||
	    d > 9007199254740992.0) {
		return nb_err(msg, "\"%s\" must be an integer between %llu and %llu", key,
			 (unsigned long long)min, (unsigned long long)max);
	}
	*out = (uint64_t)d;
	return 1;
}

int nb_json_get_str(const cJSON *o, const char *key, size_t maxlen, const char **out,
		    char msg[NB_ERR_LEN])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > maxlen) {
		return nb_err(msg, "\"%s\" must be a string of at most %zu bytes", key, maxlen);
	}
	*out = v->valuestring;
	return 1;
}

int nb_valid_name(const char *s, size_t maxlen)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > maxlen || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._+-", s[i]))
			return 0;
	return 1;
}

int nb_valid_event_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= NB_EVENT_NAME_LEN || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == ',')
			return 0;
	return 1;
}

static int valid_param(const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv || strlen(kv) >= NB_RUN_PARAM_LEN)
		return 0;
	for (const char *p = kv; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	for (const char *p = eq + 1; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/* ---- op fields ------------------------------------------------------------------- */

static int need_string(const cJSON *req, const char *key, size_t maxlen, const char **out,
		       char msg[NB_ERR_LEN])
{
	int rc = nb_json_get_str(req, key, maxlen, out, msg);

	if (rc == 0)
		snprintf(msg, NB_ERR_LEN, "\"%s\" is required", key);
	return rc == 1 ? 0 : -1;
}

int nb_put_spec_decode(const cJSON *req, struct nb_put_spec *p, char msg[NB_ERR_LEN])
{
	const char *name, *sha;
	uint64_t size;
	int rc;

	memset(p, 0, sizeof(*p));
	if (need_string(req, "name", NB_NAME_LEN - 1, &name, msg) ||
	    need_string(req, "sha256", 64, &sha, msg))
		return -1;
	if (!nb_valid_name(name, NB_NAME_LEN - 1)) {
		return nb_err(msg, "\"name\" must be 1-63 characters of [A-Za-z0-9._+-] starting "
			 "with a letter or digit");
	}
	if (!nb_sha256_valid_hex(sha)) {
		return nb_err(msg, "\"sha256\" must be 64 lowercase hex digits");
	}
	rc = nb_json_get_uint(req, "size", 0, UINT64_MAX, &size, msg);
	if (rc <= 0) {
		if (rc == 0)
			snprintf(msg, NB_ERR_LEN, "\"size\" is required");
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	memcpy(p->sha256, sha, 65);
	p->size = size;
	return 0;
}

static int decode_params(const cJSON *req, struct nb_run_spec *r, char msg[NB_ERR_LEN])
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(req, "params"), *it;

	if (!ps || cJSON_IsNull(ps))
		return 0;
	if (!cJSON_IsObject(ps)) {
		return nb_err(msg, "\"params\" must be an object of name: value");
	}
	cJSON_ArrayForEach(it, ps)
	{
		char kv[NB_RUN_PARAM_LEN + 64], num[64], name[65];
		const char *val;

		if (cJSON_IsString(it)) {
			val = it->valuestring;
		} else if (cJSON_IsNumber(it) && it->valuedouble >= 0 &&
			   it->valuedouble == floor(it->valuedouble) && it->valuedouble < 9e15) {
			snprintf(num, sizeof(num), "%.0f", it->valuedouble);
			val = num;
		} else if (cJSON_IsBool(it)) {
			val = cJSON_IsTrue(it) ? "1" : "0";
		} else {
			return nb_err(msg, "parameter \"%s\" must be a string, a non-negative "
				 "integer or a boolean",
				 nb_utf8_clip(name, sizeof(name), it->string ? it->string : "", 64));
		}
		if (!it->string || strlen(it->string) + strlen(val) + 2 > NB_RUN_PARAM_LEN) {
			return nb_err(msg, "parameter \"%s\" is too long",
				 nb_utf8_clip(name, sizeof(name), it->string ? it->string : "", 64));
		}
		if (snprintf(kv, sizeof(kv), "%s=%s", it->string, val) >= (int)sizeof(kv))
			kv[0] = '\0';
		if (nb_run_spec_add_param(r, kv, msg))
			return -1;
	}
	return 0;
}

static int decode_events(const cJSON *req, struct nb_run_spec *r, char msg[NB_ERR_LEN])
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(req, "events"), *it;
	if (!ev || cJSON_IsNull(ev))
		return 0;
	if (!cJSON_IsArray(ev)) {
		return nb_err(msg, "\"events\" must be an array of event names");
	}
	cJSON_ArrayForEach(it, ev)
	{
		if (!cJSON_IsString(it)) {
			return nb_err(msg, "\"events\" must hold strings");
		}
		if (nb_run_spec_add_event(r, it->valuestring, msg))
			return -1;
	}
	return 0;
}

int nb_run_spec_decode(const cJSON *req, struct nb_run_spec *r, char msg[NB_ERR_LEN])
{
	const char *sha, *wl;
	uint64_t v;
	int rc;

	nb_run_spec_init(r);
	if (need_string(req, "sha256", 64, &sha, msg) ||
	    need_string(req, "workload", NB_NAME_LEN - 1, &wl, msg))
		return -1;
	if (!nb_sha256_valid_hex(sha)) {
		return nb_err(msg, "\"sha256\" must be 64 lowercase hex digits");
	}
	if (!nb_valid_name(wl, NB_NAME_LEN - 1)) {
		return nb_err(msg, "\"workload\" must be a workload name such as \"cpu.int\"");
	}
	memcpy(r->sha256, sha, 65);
	snprintf(r->workload, sizeof(r->workload), "%s", wl);
	if ((rc = nb_json_get_uint(req, "reps", 1, 1000000, &v, msg)) < 0)
		return -1;
	if (rc)
		r->reps = (int)v;
	if ((rc = nb_json_get_uint(req, "warmup", 0, 1000000, &v, msg)) < 0)
		return -1;
	if (rc)
		r->warmup = (int)v;
	if ((rc = nb_json_get_uint(req, "min_time_ms", 1, 3600000, &v, msg)) < 0)
		return -1;
	if (rc)
		r->min_time_ms = (unsigned)v;
	if ((rc = nb_json_get_uint(req, "ops", 1, 1ull << 53, &v, msg)) < 0)
		return -1;
	if (rc)
		r->ops = v;
	/* "cpu": N pins, "none" leaves the workload unpinned, absent lets the agent choose. */
	const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(req, "cpu");
	if (cJSON_IsString(cpu) && strcmp(cpu->valuestring, "none") == 0) {
		r->cpu = NB_RUN_CPU_NONE;
	} else {
		if ((rc = nb_json_get_uint(req, "cpu", 0, 1048575, &v, msg)) < 0)
			return -1;
		if (rc)
			r->cpu = (int)v;
	}
	if ((rc = nb_json_get_uint(req, "timeout_ms", 1, NB_RUN_TIMEOUT_MAX_MS, &v, msg)) < 0)
		return -1;
	if (rc)
		r->timeout_ms = (unsigned)v;
	const cJSON *keep = cJSON_GetObjectItemCaseSensitive(req, "keep");
	if (keep && !cJSON_IsBool(keep))
		return nb_err(msg, "\"keep\" must be true or false");
	r->keep = cJSON_IsTrue(keep);
	const cJSON *group = cJSON_GetObjectItemCaseSensitive(req, "keep_group");
	if (group && (!cJSON_IsString(group) || !r->keep || !group->valuestring[0] ||
		      strlen(group->valuestring) >= sizeof(r->keep_group)))
		return nb_err(msg, "\"keep_group\" must be a workload group name of 1 to %zu "
			      "characters, with \"keep\": true", sizeof(r->keep_group) - 1);
	if (group)
		snprintf(r->keep_group, sizeof(r->keep_group), "%s", group->valuestring);
	if (decode_params(req, r, msg) || decode_events(req, r, msg))
		return -1;
	return 0;
}

int nb_relay_decode(const cJSON *req, char *to, size_t tolen, int *timeout_ms, char msg[NB_ERR_LEN])
{
	const char *t;
	uint64_t v;
	int rc;

	if (need_string(req, "to", tolen - 1, &t, msg))
		return -1;
	snprintf(to, tolen, "%s", t);
	*timeout_ms = 5000;
	if ((rc = nb_json_get_uint(req, "timeout_ms", 1, 600000, &v, msg)) < 0)
		return -1;
	if (rc)
		*timeout_ms = (int)v;
	return 0;
}

int nb_hello_decode(const cJSON *req, int *protocol, const char **token, char msg[NB_ERR_LEN])
{
	uint64_t v;
	int rc;

	*protocol = NB_PROTO_VERSION;
	*token = NULL;
	if ((rc = nb_json_get_uint(req, "protocol", 0, 1000000, &v, msg)) < 0)
		return -1;
	if (rc)
		*protocol = (int)v;
	if (nb_json_get_str(req, "token", NB_TOKEN_MAX - 1, token, msg) < 0)
		return -1;
	return 0;
}

/* ---- building run requests ------------------------------------------------------- */

void nb_run_spec_init(struct nb_run_spec *r)
{
	memset(r, 0, sizeof(*r));
	r->reps = -1;
	r->warmup = -1;
	r->cpu = -1;
}

int nb_run_spec_add_param(struct nb_run_spec *r, const char *kv, char err[NB_ERR_LEN])
{
	if (r->nparams >= NB_RUN_MAX_PARAMS) {
		return nb_err(err, "too many parameters (at most %d)", NB_RUN_MAX_PARAMS);
	}
	if (!valid_param(kv)) {
		char shown[65];
		return nb_err(err, "bad parameter '%s': expected name=value, name of "
			 "[A-Za-z0-9_], printable value, under %d bytes",
			 nb_utf8_clip(shown, sizeof(shown), kv, 64), NB_RUN_PARAM_LEN);
	}
	snprintf(r->params[r->nparams++], NB_RUN_PARAM_LEN, "%s", kv);
	return 0;
}

int nb_run_spec_add_event(struct nb_run_spec *r, const char *name, char err[NB_ERR_LEN])
{
	if (r->nevents >= NB_RUN_MAX_EVENTS) {
		return nb_err(err, "too many perf events (at most %d)", NB_RUN_MAX_EVENTS);
	}
	if (!nb_valid_event_name(name)) {
		char shown[65];
		return nb_err(err, "bad perf event name '%s': printable, no ',' or spaces, "
			 "under %d bytes", nb_utf8_clip(shown, sizeof(shown), name, 64),
			 NB_EVENT_NAME_LEN);
	}
	snprintf(r->events[r->nevents++], NB_EVENT_NAME_LEN, "%s", name);
	return 0;
}

cJSON *nb_run_spec_encode(const struct nb_run_spec *r, long id)
{
	cJSON *o = cJSON_CreateObject(), *ps, *ev;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "op", "run");
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "sha256", r->sha256);
	cJSON_AddStringToObject(o, "workload", r->workload);
	ps = cJSON_AddObjectToObject(o, "params");
	for (int i = 0; ps && i < r->nparams; i++) {
		char key[NB_RUN_PARAM_LEN];
		const char *eq = strchr(r->params[i], '=');
		if (!eq)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - r->params[i]), r->params[i]);
		cJSON_AddStringToObject(ps, key, eq + 1);
	}
	if (r->reps >= 0)
		cJSON_AddNumberToObject(o, "reps", r->reps);
	if (r->warmup >= 0)
		cJSON_AddNumberToObject(o, "warmup", r->warmup);
	if (r->min_time_ms)
		cJSON_AddNumberToObject(o, "min_time_ms", r->min_time_ms);
	if (r->ops)
		cJSON_AddNumberToObject(o, "ops", (double)r->ops);
	if (r->cpu >= 0)
		cJSON_AddNumberToObject(o, "cpu", r->cpu);
	else if (r->cpu == NB_RUN_CPU_NONE)
		cJSON_AddStringToObject(o, "cpu", "none");
	if (r->timeout_ms)
		cJSON_AddNumberToObject(o, "timeout_ms", r->timeout_ms);
	if (r->keep)
		cJSON_AddBoolToObject(o, "keep", 1);
	if (r->keep && r->keep_group[0])
		cJSON_AddStringToObject(o, "keep_group", r->keep_group);
	ev = cJSON_AddArrayToObject(o, "events");
	for (int i = 0; ev && i < r->nevents; i++)
		cJSON_AddItemToArray(ev, cJSON_CreateString(r->events[i]));
	return o;
}

/* ---- tokens ---------------------------------------------------------------------- */

int nb_token_read_file(const char *path, char *tok, size_t len, char err[NB_ERR_LEN])
{
	char buf[NB_TOKEN_MAX + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *s, *e;

	if (fd < 0) {
		return nb_err(err, "cannot read token file %s: %s", path, strerror(errno));
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		return nb_err(err, "cannot read token file %s: %s", path, strerror(errno));
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n)) {
		return nb_err(err, "token file %s holds a NUL byte", path);
	}
	if ((size_t)n >= NB_TOKEN_MAX + 1) {
		return nb_err(err, "token file %s: token longer than %d bytes", path,
			 NB_TOKEN_MAX - 1);
	}
	for (s = buf; *s && isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	if (!*s || strlen(s) >= len) {
		return nb_err(err, "token file %s is empty: put a random "
			 "token in it, e.g. 'openssl rand -hex 32 > %s'", path, path);
	}
	memmove(tok, s, strlen(s) + 1);
	return 0;
}

int nb_token_equal(const char *a, const char *b)
{
	char ha[NB_SHA256_HEX], hb[NB_SHA256_HEX], err[NB_ERR_LEN];

	if (!a || !b)
		return 0;
	if (nb_sha256_buf(a, strlen(a), ha, err) || nb_sha256_buf(b, strlen(b), hb, err))
		return 0;
	return CRYPTO_memcmp(ha, hb, 64) == 0;
}
