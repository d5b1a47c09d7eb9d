/* test_tier.c - reaching a tier whose agent is too old (or too new): one clear error
 * naming the protocol mismatch and the fix.  A fake agent on a UNIX socket answers
 * hello the way an agent of another protocol version does. */
#include "../unit/check.h"
#include "../../common/err.h"
#include "../../harness/tier.h"
#include "../../common/proto.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct fake {
	int lfd;
	const char *code, *message;
};

/* Serve one session: answer every request with the configured error, until EOF. */
static void *fake_agent(void *arg)
{
	struct fake *f = arg;
	int fd = accept(f->lfd, NULL, NULL);
	struct nb_conn c;
	cJSON *req = NULL;
	char err[NB_ERR_LEN];

	if (fd < 0)
		return NULL;
	nb_conn_from_fds(&c, fd, fd, "fake");
	while (nb_proto_recv(&c, 1 << 20, &req, err) == 0) {
		cJSON *r = nb_proto_error(req, f->code, "%s", f->message);
		nb_proto_send(&c, r, err);
		cJSON_Delete(r);
		cJSON_Delete(req);
		req = NULL;
	}
	nb_conn_close(&c);
	return NULL;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return -1;
	return fd;
}

static int connect_to_fake(struct fake *f, const char *path, char err[NB_ERR_LEN])
{
	static struct nb_campaign_cfg cfg;
	struct nb_tier_env env = { "/nonexistent/agent", "/tmp" };
	struct nb_tier_conn tc;
	pthread_t th;
	char text[512], cerr[NB_ERR_LEN];
	int rc;

	snprintf(text, sizeof(text),
		 "{\"name\":\"t\",\"tiers\":[{\"name\":\"old\",\"level\":1,\"address\":\"unix:%s\"}],"
		 "\"workloads\":[\"cpu.int\"]}", path);
	if (nb_config_parse(text, strlen(text), "t.json", &cfg, cerr))
		return -2;
	if ((f->lfd = listen_unix(path)) < 0 || pthread_create(&th, NULL, fake_agent, f))
		return -2;
	rc = nb_tier_connect(&cfg, 0, &env, &tc, err);
	if (rc == 0)
		nb_tier_close(&tc);
	pthread_join(th, NULL);
	close(f->lfd);
	unlink(path);
	nb_config_free(&cfg);
	return rc;
}

TEST(tier_agent_of_another_protocol_version)
{
	char path[64], err[NB_ERR_LEN] = "";
	struct fake f = { -1, NB_E_VERSION, "this agent speaks protocol 0; the client asked for 1" };

	snprintf(path, sizeof(path), "/tmp/nbtest-fake-%d.sock", (int)getpid());
	CHECK(connect_to_fake(&f, path, err) == -1);
	CHECK_MSG(strstr(err, "tier old") && strstr(err, "another protocol version") &&
			  strstr(err, "install the matching nestbench-agent"), "%s", err);
}

TEST(tier_token_refused)
{
	char path[64], err[NB_ERR_LEN] = "";
	struct fake f = { -1, NB_E_AUTH, "token missing or wrong" };

	snprintf(path, sizeof(path), "/tmp/nbtest-fake-%d.sock", (int)getpid());
	CHECK(connect_to_fake(&f, path, err) == -1);
	CHECK_MSG(strstr(err, "refused the token") && strstr(err, "token_file"), "%s", err);
}

TEST(tier_unreachable_names_address)
{
	static struct nb_campaign_cfg cfg;
	struct nb_tier_env env = { "/nonexistent/agent", "/tmp" };
	struct nb_tier_conn tc;
	const char *text = "{\"name\":\"t\",\"tiers\":[{\"name\":\"gone\",\"level\":1,"
			   "\"address\":\"unix:/nonexistent/agent.sock\"}],\"workloads\":[\"cpu.int\"]}";
	char err[NB_ERR_LEN] = "", cerr[NB_ERR_LEN];

	CHECK(nb_config_parse(text, strlen(text), "t.json", &cfg, cerr) == 0);
	CHECK(nb_tier_connect(&cfg, 0, &env, &tc, err) == -1);
	CHECK_MSG(strstr(err, "tier gone unreachable at unix:/nonexistent/agent.sock"), "%s", err);
	nb_config_free(&cfg);
}
