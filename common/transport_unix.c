/* transport_unix.c - UNIX stream sockets (tests, local tiers, QEMU chardevs). */
#include "transport_int.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fill_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int nb_unix_connect_path(struct nb_conn *c, const char *label, const char *path, int timeout_ms,
			 char err[NB_ERR_LEN])
{
	struct sockaddr_un sun;
	int fd;

	if (fill_sun(&sun, path)) {
		return nb_err(err, "connect %s:%s: path too long", label, path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return nb_err(err, "socket(AF_UNIX): %s", strerror(errno));
	}
	if (nb_sock_connect(fd, (struct sockaddr *)&sun, sizeof(sun), timeout_ms)) {
		snprintf(err, NB_ERR_LEN, "connect %s:%s: %s%s", label, path, strerror(errno),
			 errno == ENOENT || errno == ECONNREFUSED ? " (is the agent or QEMU running?)"
								   : "");
		close(fd);
		return -1;
	}
	nb_conn_set_socket(c, &nb_transport_unix, fd);
	return 0;
}

static int unix_listen(struct nb_listener *l, char err[NB_ERR_LEN])
{
	struct sockaddr_un sun;
	struct stat st;
	const char *path = l->addr.path;
	int fd;

	if (fill_sun(&sun, path)) {
		return nb_err(err, "unix:%s: path too long", path);
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			return nb_err(err, "unix:%s: exists and is not a socket; remove it or "
				 "choose another path", path);
		}
		/* A socket file: stale (nobody accepts) or in use by a live agent. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			return nb_err(err, "unix:%s: another process is listening there; "
				 "stop it or choose another path", path);
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return nb_err(err, "socket(AF_UNIX): %s", strerror(errno));
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 128)) {
		snprintf(err, NB_ERR_LEN, "bind/listen unix:%s: %s (is the directory writable?)", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	l->fd = fd;
	return 0;
}

static int unix_connect(struct nb_conn *c, const struct nb_addr *a, int timeout_ms,
			char err[NB_ERR_LEN])
{
	return nb_unix_connect_path(c, "unix", a->path, timeout_ms, err);
}

static void unix_unlisten(struct nb_listener *l)
{
	struct stat st;

	nb_sock_unlisten(l);
	/* Remove the socket file only if it is still the one we created. */
	if (l->ino && stat(l->addr.path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->addr.path);
	l->ino = 0;
}

static void unix_describe(const struct nb_conn *c, char *buf, size_t len)
{
	struct sockaddr_un sun;
	socklen_t sl = sizeof(sun);
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	const char *path = "?";

	memset(&sun, 0, sizeof(sun));
	if (getpeername(c->rfd, (struct sockaddr *)&sun, &sl) == 0 && sun.sun_path[0])
		path = sun.sun_path;
	else if ((sl = sizeof(sun)), getsockname(c->rfd, (struct sockaddr *)&sun, &sl) == 0 &&
		 sun.sun_path[0])
		path = sun.sun_path;
	if (getsockopt(c->rfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && cred.pid > 0)
		snprintf(buf, len, "%s:%.*s (pid %d)", c->ops->name, (int)sizeof(sun.sun_path), path,
			 (int)cred.pid);
	else
		snprintf(buf, len, "%s:%.*s", c->ops->name, (int)sizeof(sun.sun_path), path);
}

const struct nb_transport_ops nb_transport_unix = {
	.version = NB_TRANSPORT_OPS_VERSION,
	.name = "unix",
	.listen = unix_listen,
	.accept = nb_sock_accept,
	.connect = unix_connect,
	.read = nb_sock_read,
	.write = nb_sock_write,
	.close = nb_sock_close,
	.unlisten = unix_unlisten,
	.describe = unix_describe,
};
