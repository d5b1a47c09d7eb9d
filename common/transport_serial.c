/* transport_serial.c - a virtio-serial port.
 *
 * Listening side (in the guest): the character device, e.g.
 * /dev/virtio-ports/org.nestbench.agent.0.  A port carries one session at a time;
 * listen() opens it once, accept() waits until the host side sends something.  While the host
 * end is not connected, virtio_console reports POLLHUP and reads return 0, so we
 * wait instead of spinning.  Connecting side (on the host): QEMU's UNIX-socket
 * chardev behind that port (-chardev socket,path=...,server=on). */
#include "transport_int.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int open_port(const char *path, char err[NB_ERR_LEN])
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;

	if (fd < 0) {
		return nb_err(err, "open serial:%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (is virtio_console loaded and the port defined, e.g. "
					   "-device virtserialport,name=org.nestbench.agent.0?)"
					 : "");
	}
	/* A tty (a pty in tests, a real serial line) must pass bytes unchanged. */
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

/* The listener keeps the port open for as long as the agent runs, and each session
 * gets a dup of that descriptor.  Closing the port would make virtio_console discard
 * what the host already sent: a harness that reconnects right after a session ends
 * would lose its hello in the gap before the port is opened again. */
static int serial_listen(struct nb_listener *l, char err[NB_ERR_LEN])
{
	struct stat st;

	if (stat(l->addr.path, &st) == 0 && !S_ISCHR(st.st_mode)) {
		return nb_err(err, "serial:%.60s is not a character device (to listen on a "
			 "socket use unix:%.60s)", l->addr.path, l->addr.path);
	}
	l->fd = open_port(l->addr.path, err);
	return l->fd < 0 ? -1 : 0;
}

static int serial_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN])
{
	int fd;

	if (l->fd < 0 && (l->fd = open_port(l->addr.path, err)) < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int rc = poll(&p, 1, 1000);
		if (rc < 0 && errno != EINTR) {
			return nb_err(err, "poll serial:%s: %s", l->addr.path, strerror(errno));
		}
		/* Host side not connected: virtio_console then reports POLLHUP *and* POLLIN
		 * (a read would return 0 at once), so POLLHUP must be tested first, or we
		 * would open and close empty sessions in a busy loop.  Data the host sent
		 * before it hung up is still read first (POLLIN without POLLHUP). */
		if (rc > 0 && (p.revents & (POLLHUP | POLLERR))) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (rc > 0 && (p.revents & POLLIN))
			break;
	}
	fd = fcntl(l->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		return nb_err(err, "dup serial:%s: %s", l->addr.path, strerror(errno));
	}
	c->ops = &nb_transport_serial;
	c->rfd = c->wfd = fd;
	snprintf(c->desc, sizeof(c->desc), "serial:%s", l->addr.path);
	return 0;
}

static int serial_connect(struct nb_conn *c, const struct nb_addr *a, int timeout_ms,
			  char err[NB_ERR_LEN])
{
	/* A UNIX socket underneath: it keeps the unix hooks, only its name changes. */
	if (nb_unix_connect_path(c, "serial", a->path, timeout_ms, err))
		return -1;
	snprintf(c->desc, sizeof(c->desc), "serial:%s", a->path);
	return 0;
}

static void serial_unlisten(struct nb_listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static void serial_describe(const struct nb_conn *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c->desc[0] ? c->desc : "serial:?");
}

const struct nb_transport_ops nb_transport_serial = {
	.version = NB_TRANSPORT_OPS_VERSION,
	.name = "serial",
	.flags = NB_TR_ONE_SESSION,
	.listen = serial_listen,
	.accept = serial_accept,
	.connect = serial_connect,
	.read = nb_fd_read,
	.write = nb_fd_write,
	.close = nb_sock_close,
	.unlisten = serial_unlisten,
	.describe = serial_describe,
};
