/* transport_stdio.c - one session on stdin/stdout (the local tier, tests), and the
 * ops behind nb_conn_from_fds (pipes to a child agent). */
#include "transport_int.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int stdio_listen(struct nb_listener *l, char err[NB_ERR_LEN])
{
	if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) {
		return nb_err(err, "stdio: stdin or stdout is closed");
	}
	snprintf(l->desc, sizeof(l->desc), "stdio");
	return 0;
}

static int stdio_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN])
{
	(void)err;
	if (l->sessions > 0)
		return 1; /* stdin/stdout carry exactly one session */
	nb_conn_from_fds(c, 0, 1, "stdio");
	return 0;
}

static int stdio_connect(struct nb_conn *c, const struct nb_addr *a, int timeout_ms,
			 char err[NB_ERR_LEN])
{
	(void)c;
	(void)timeout_ms;
	return nb_err(err, "%.100s: stdio cannot be connected to; start the agent with --stdio "
		 "on a pipe instead", a->text);
}

static void stdio_close(struct nb_conn *c)
{
	if (c->wfd >= 0 && c->wfd != c->rfd)
		close(c->wfd);
	if (c->rfd >= 0)
		close(c->rfd);
	c->rfd = c->wfd = -1;
}

static void stdio_unlisten(struct nb_listener *l) { l->fd = -1; }

static void stdio_describe(const struct nb_conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c->desc[0] ? c->desc : "stdio");
}

const struct nb_transport_ops nb_transport_stdio = {
	.version = NB_TRANSPORT_OPS_VERSION,
	.name = "stdio",
	.flags = NB_TR_ONE_SESSION,
	.listen = stdio_listen,
	.accept = stdio_accept,
	.connect = stdio_connect,
	.read = nb_fd_read,
	.write = nb_fd_write,
	.close = stdio_close,
	.unlisten = stdio_unlisten,
	.describe = stdio_describe,
};
