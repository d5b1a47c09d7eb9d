/* test_hello.c - hello and tokens (issue 11, item 8): a wrong hello ends a session's
 * authentication, token checks are spaced out agent-wide after wrong tokens (without
 * locking out the right one), and an agent on tcp: without a token says so at start,
 * even with --quiet. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../common/clock.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "0123456789abcdef0123456789abcdef"
#define WRONG "0123456789abcdef0123456789abcdeX"

static double now_ms(void)
{
	return nb_mono_s() * 1e3;
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
static int hello(struct nb_client *c, const char *tok, double *ms, char err[NB_ERR_LEN])
{
	char buf[NB_ERR_LEN];
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

/* Send a wrong hello without waiting for the reply. */
static int send_wrong(struct nb_client *c)
{
	return fx_send_frame(c, "{\"op\":\"hello\",\"id\":7,\"token\":\"" WRONG "\"}");
}

static void rate_body(struct fx *f)
{
	char tok[PATH_MAX], err[NB_ERR_LEN];
	struct fx_agent *a = token_agent(f, tok, sizeof(tok));
	struct nb_client c, g[4], gone[3], d;
	double ms, t0;
	cJSON *r;

	CHECK(a && fx_connect(&c, a->addr) == 0);
	/* No token at all is no guess: never slowed. */
	for (int i = 0; i < 5; i++) {
		CHECK(hello(&c, NULL, &ms, NULL) == -1);
		CHECK_MSG(ms < 200, "hello without a token took %.0f ms", ms);
	}
	/* The first wrong tokens are answered at once... */
	for (int i = 0; i < 3; i++) {
		CHECK(hello(&c, WRONG, &ms, err) == -1);
		CHECK_STR(c.code, "auth");
		CHECK_MSG(ms < 200, "wrong token %d took %.0f ms", i + 1, ms);
	}
	/* ... then token checks are spaced 250 ms apart, however many sessions ask. */
	for (int i = 0; i < 4; i++)
		CHECK(fx_connect(&g[i], a->addr) == 0);
	t0 = now_ms();
	for (int i = 0; i < 4; i++)
		CHECK(send_wrong(&g[i]) == 0);
	for (int i = 0; i < 4; i++) {
		r = fx_recv(&g[i]);
		CHECK_STR(fx_code(r), "auth");
		CHECK_MSG(strstr(nb_proto_error_message(r), "delayed"), "%s",
			  nb_proto_error_message(r));
		cJSON_Delete(r);
	}
	ms = now_ms() - t0;
	CHECK_MSG(ms >= 700, "4 wrong tokens from 4 sessions answered within %.0f ms", ms);
	/* Sessions that hang up while they wait leave the queue, and the right token
	 * waits one turn at most: nobody is locked out. */
	for (int i = 0; i < 3; i++)
		CHECK(fx_connect(&gone[i], a->addr) == 0 && send_wrong(&gone[i]) == 0);
	usleep(50000);
	for (int i = 0; i < 3; i++)
		nb_client_close(&gone[i]);
	CHECK(fx_connect(&d, a->addr) == 0);
	CHECK(hello(&d, TOKEN, &ms, err) == 0);
	CHECK_MSG(ms < 600, "the right token took %.0f ms", ms);
	CHECK(fx_ping(&d));
	nb_client_close(&d);
	for (int i = 0; i < 4; i++)
		nb_client_close(&g[i]);
	nb_client_close(&c);
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
