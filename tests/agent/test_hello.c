/* test_hello.c - hello and tokens (issue 11, item 8): a wrong hello ends a session's
 * authentication, wrong tokens are slowed agent-wide (never the right one), and an
 * agent on tcp: without a token says so at start, even with --quiet. */
#include "../unit/check.h"
#include "fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "0123456789abcdef0123456789abcdef"
#define WRONG "0123456789abcdef0123456789abcdeX"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* An agent requiring TOKEN; NULL on failure. */
static struct fx_agent *token_agent(struct fx *f, char *path, size_t len)
{
	const char *extra[] = { "--token-file", path, NULL };
	FILE *fp;

	snprintf(path, len, "%.4000s/token", f->dir);
	if (!(fp = fopen(path, "w")))
		return NULL;
	fputs(TOKEN "\n", fp);
	fclose(fp);
	return fx_agent(f, "a", NULL, extra);
}

/* hello with tok (NULL: none); 0 ok, -1 refused (code in c->code, message in err
 * when not NULL); *ms its time. */
static int hello(struct nb_client *c, const char *tok, double *ms, char *err)
{
	char buf[256];
	double t0 = now_ms();
	if (!err)
		err = buf;
	int rc = nb_client_hello(c, tok, NULL, err);

	if (ms)
		*ms = now_ms() - t0;
	return rc;
}

static void rehello_body(struct fx *f)
{
	char tok[PATH_MAX];
	struct fx_agent *a = token_agent(f, tok, sizeof(tok));
	struct nb_client c;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	CHECK(hello(&c, TOKEN, NULL, NULL) == 0);
	CHECK(fx_ping(&c));
	/* A wrong hello on an authenticated session ends its authentication. */
	CHECK(hello(&c, WRONG, NULL, NULL) == -1);
	CHECK_STR(c.code, "auth");
	CHECK_MSG(!fx_ping(&c), "still authenticated after a hello with a wrong token");
	CHECK_STR(c.code, "auth");
	CHECK(hello(&c, TOKEN, NULL, NULL) == 0);
	CHECK(fx_ping(&c));
	/* So does a hello without the token, and one that fails for another reason. */
	CHECK(hello(&c, NULL, NULL, NULL) == -1);
	CHECK(!fx_ping(&c));
	CHECK(hello(&c, TOKEN, NULL, NULL) == 0);
	cJSON *r = fx_call(&c, "{\"op\":\"hello\",\"id\":9,\"protocol\":99,\"token\":\"" TOKEN "\"}");
	CHECK_STR(fx_code(r), "version");
	cJSON_Delete(r);
	CHECK(!fx_ping(&c));
	nb_client_close(&c);
}
TEST(wrong_rehello_deauthenticates) { FX_RUN(rehello_body); }

static void rate_body(struct fx *f)
{
	char tok[PATH_MAX];
	struct fx_agent *a = token_agent(f, tok, sizeof(tok));
	struct nb_client c1, c2;
	double ms, t[6];
	char err[256];

	CHECK(a && fx_connect(&c1, a->addr) == 0 && fx_connect(&c2, a->addr) == 0);
	/* No token at all is no guess: never slowed. */
	for (int i = 0; i < 5; i++) {
		CHECK(hello(&c1, NULL, &ms, NULL) == -1);
		CHECK_MSG(ms < 200, "hello without a token took %.0f ms", ms);
	}
	/* The first wrong tokens are answered at once, then each waits longer... */
	for (int i = 0; i < 5; i++) {
		CHECK(hello(i == 4 ? &c2 : &c1, WRONG, &t[i], err) == -1);
		CHECK_STR((i == 4 ? &c2 : &c1)->code, "auth");
	}
	for (int i = 0; i < 3; i++)
		CHECK_MSG(t[i] < 200, "wrong token %d took %.0f ms", i + 1, t[i]);
	CHECK_MSG(t[3] >= 250, "4th wrong token answered after %.0f ms", t[3]);
	/* ... agent-wide: the 5th came from another session. */
	CHECK_MSG(t[4] >= 500, "5th wrong token (other session) answered after %.0f ms", t[4]);
	CHECK_MSG(strstr(err, "delayed"), "message: %s", err);
	/* The right token is never held back. */
	CHECK(hello(&c2, TOKEN, &ms, NULL) == 0);
	CHECK_MSG(ms < 200, "the right token took %.0f ms", ms);
	CHECK(fx_ping(&c2));
	nb_client_close(&c1);
	nb_client_close(&c2);
}
TEST(wrong_tokens_slowed_agent_wide) { FX_RUN(rate_body); }

/* An agent started by hand with --quiet (the fixture waits for a log line that
 * --quiet suppresses); fx_end stops it. */
static struct fx_agent *quiet_agent(struct fx *f, const char *listen, const char *token_file)
{
	struct fx_agent *a = &f->ag[f->nag];
	char state[PATH_MAX], logpath[PATH_MAX];
	pid_t pid;

	snprintf(state, sizeof(state), "%.4000s/q%d.state", f->dir, f->nag);
	snprintf(logpath, sizeof(logpath), "%.4000s/q%d.log", f->dir, f->nag);
	memcpy(a->log, logpath, sizeof(a->log));
	snprintf(a->addr, sizeof(a->addr), "%.150s", listen);
	pid = fork();
	if (pid == 0) {
		int log = open(a->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(log, 2);
		if (token_file)
			execl(f->agent_bin, "nestbench-agent", "--quiet", "--listen", listen,
			      "--state-dir", state, "--token-file", token_file, (char *)NULL);
		else
			execl(f->agent_bin, "nestbench-agent", "--quiet", "--listen", listen,
			      "--state-dir", state, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return NULL;
	a->pid = pid;
	f->nag++;
	return a;
}

static void tcp_warning_body(struct fx *f)
{
	char line[512], tok[PATH_MAX];
	struct fx_agent *a = quiet_agent(f, "tcp:127.0.0.1:0", NULL), *b;
	FILE *fp;

	CHECK(a != NULL);
	CHECK_MSG(fx_wait_log(a, "tcp:127.0.0.1:", 5000, line, sizeof(line)) == 0,
		  "no warning from an agent on tcp: without a token (log %s)", a->log);
	CHECK_MSG(strstr(line, "--token-file") && strstr(line, "anyone"), "%s", line);
	/* With a token: no warning. */
	snprintf(tok, sizeof(tok), "%.4000s/token", f->dir);
	CHECK((fp = fopen(tok, "w")) != NULL);
	fputs(TOKEN "\n", fp);
	fclose(fp);
	const char *extra[] = { "--token-file", tok, NULL };
	b = fx_agent(f, "b", "tcp:127.0.0.1:0", extra);
	CHECK(b != NULL);
	CHECK(fx_wait_log(b, "anyone", 300, NULL, 0) == -1);
	/* Nor on a UNIX socket, which file permissions guard. */
	b = fx_agent(f, "c", NULL, NULL);
	CHECK(b != NULL);
	CHECK(fx_wait_log(b, "anyone", 300, NULL, 0) == -1);
}
TEST(tcp_without_token_warns) { FX_RUN(tcp_warning_body); }
