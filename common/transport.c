/* transport.c - address parsing, the back-end table and buffered connection I/O. */
#include "transport_int.h"
#include "err.h"
#include "clock.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RBUF_SIZE (64 * 1024)

static const struct nb_transport_ops *const all_ops[] = {
	&nb_transport_vsock, &nb_transport_tcp,   &nb_transport_unix,
	&nb_transport_serial, &nb_transport_stdio, NULL,
};

const struct nb_transport_ops *const *nb_transport_all(void) { return all_ops; }

int nb_transport_check(const struct nb_transport_ops *o, char err[NB_ERR_LEN])
{
	const char *missing = NULL;

	if (!o || !o->name) {
		return nb_err(err, "transport without a name");
	}
	if (o->version != NB_TRANSPORT_OPS_VERSION) {
		return nb_err(err, "transport %s: ops version %d, expected %d", o->name,
			 o->version, NB_TRANSPORT_OPS_VERSION);
	}
	if (!o->listen) missing = "listen";
	else if (!o->accept) missing = "accept";
	else if (!o->connect) missing = "connect";
	else if (!o->read) missing = "read";
	else if (!o->write) missing = "write";
	else if (!o->close) missing = "close";
	else if (!o->unlisten) missing = "unlisten";
	else if (!o->describe) missing = "describe";
	if (missing) {
		return nb_err(err, "transport %s: no %s hook", o->name, missing);
	}
	return 0;
}

/* ---- addresses ------------------------------------------------------------------- */

static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static const char *forms(enum nb_addr_side side)
{
	return side == NB_ADDR_LISTEN
		       ? "vsock:PORT, vsock:CID:PORT, serial:PATH, tcp:HOST:PORT, unix:PATH or stdio"
		       : "vsock:CID:PORT, unix:PATH, tcp:HOST:PORT or serial:PATH (a QEMU "
			 "UNIX-socket chardev)";
}

static int bad_addr(const char *text, enum nb_addr_side side, const char *why, char err[NB_ERR_LEN])
{
	char shown[81];   /* the address may come from a peer (relay): cut on a character */
	return nb_err(err, "bad address '%s': %s; expected %s",
		 nb_utf8_clip(shown, sizeof(shown), text, 80), why, forms(side));
}

static int parse_path(const char *text, const char *rest, enum nb_addr_side side,
		      struct nb_addr *a, char err[NB_ERR_LEN])
{
	if (!*rest)
		return bad_addr(text, side, "empty path", err);
	if (strlen(rest) >= sizeof(a->path))
		return bad_addr(text, side, "path longer than 107 bytes (the UNIX socket limit)", err);
	strcpy(a->path, rest);
	return 0;
}

int nb_addr_parse(const char *text, enum nb_addr_side side, struct nb_addr *a, char err[NB_ERR_LEN])
{
	const char *colon, *rest;
	size_t plen;

	memset(a, 0, sizeof(*a));
	if (!text || !*text)
		return bad_addr("", side, "empty", err);
	if (strlen(text) >= sizeof(a->text))
		return bad_addr(text, side, "too long", err);
	strcpy(a->text, text);
	if (strcmp(text, "stdio") == 0) {
		if (side != NB_ADDR_LISTEN)
			return bad_addr(text, side, "stdio cannot be connected to", err);
		a->ops = &nb_transport_stdio;
		return 0;
	}
	colon = strchr(text, ':');
	if (!colon)
		return bad_addr(text, side, "no transport prefix", err);
	plen = (size_t)(colon - text);
	rest = colon + 1;
	for (const struct nb_transport_ops *const *o = all_ops; *o; o++)
		if (strlen((*o)->name) == plen && strncmp((*o)->name, text, plen) == 0)
			a->ops = *o;
	if (!a->ops || a->ops == &nb_transport_stdio)
		return bad_addr(text, side, "unknown transport", err);

	if (a->ops == &nb_transport_unix || a->ops == &nb_transport_serial)
		return parse_path(text, rest, side, a, err);

	if (a->ops == &nb_transport_vsock) {
		const char *c2 = strchr(rest, ':');
		if (!c2) {
			if (side != NB_ADDR_LISTEN)
				return bad_addr(text, side, "vsock needs CID:PORT to connect", err);
			a->cid = UINT_MAX; /* VMADDR_CID_ANY */
			if (parse_uint(rest, UINT_MAX - 1, &a->port))
				return bad_addr(text, side, "bad vsock port", err);
			return 0;
		}
		char cid[32];
		if ((size_t)(c2 - rest) >= sizeof(cid))
			return bad_addr(text, side, "bad vsock CID", err);
		memcpy(cid, rest, (size_t)(c2 - rest));
		cid[c2 - rest] = '\0';
		if (side == NB_ADDR_LISTEN && (strcmp(cid, "any") == 0 || strcmp(cid, "-1") == 0))
			a->cid = UINT_MAX;
		else if (parse_uint(cid, UINT_MAX, &a->cid))
			return bad_addr(text, side, "bad vsock CID (a number, e.g. 2 for the host)", err);
		if (parse_uint(c2 + 1, UINT_MAX - 1, &a->port))
			return bad_addr(text, side, "bad vsock port", err);
		return 0;
	}

	/* tcp:HOST:PORT, HOST possibly [v6] */
	const char *pc;
	if (rest[0] == '[') {
		const char *rb = strchr(rest, ']');
		if (!rb || rb[1] != ':')
			return bad_addr(text, side, "unterminated [IPv6] host", err);
		if ((size_t)(rb - rest - 1) >= sizeof(a->host) || rb == rest + 1)
			return bad_addr(text, side, "bad host", err);
		memcpy(a->host, rest + 1, (size_t)(rb - rest - 1));
		a->host[rb - rest - 1] = '\0';
		pc = rb + 1;
	} else {
		pc = strrchr(rest, ':');
		if (!pc)
			return bad_addr(text, side, "tcp needs HOST:PORT", err);
		if (pc == rest || (size_t)(pc - rest) >= sizeof(a->host))
			return bad_addr(text, side, "bad host", err);
		memcpy(a->host, rest, (size_t)(pc - rest));
		a->host[pc - rest] = '\0';
		if (strchr(a->host, ':'))
			return bad_addr(text, side, "write IPv6 hosts in brackets, e.g. tcp:[::1]:7420", err);
	}
	if (parse_uint(pc + 1, 65535, &a->port))
		return bad_addr(text, side, "bad tcp port (0-65535)", err);
	if (side == NB_ADDR_CONNECT && a->port == 0)
		return bad_addr(text, side, "cannot connect to port 0", err);
	return 0;
}

/* ---- listening and connecting ------------------------------------------------------ */

int nb_transport_listen(struct nb_listener *l, const char *text, char err[NB_ERR_LEN])
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (nb_addr_parse(text, NB_ADDR_LISTEN, &l->addr, err))
		return -1;
	l->ops = l->addr.ops;
	if (nb_transport_check(l->ops, err))
		return -1;
	snprintf(l->desc, sizeof(l->desc), "%.*s", (int)sizeof(l->desc) - 1, l->addr.text);
	return l->ops->listen(l, err);
}

int nb_transport_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN])
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->rfd = c->wfd = -1;
	rc = l->ops->accept(l, c, err);
	if (rc == 0)
		l->sessions++;
	return rc;
}

void nb_transport_unlisten(struct nb_listener *l)
{
	if (l->ops)
		l->ops->unlisten(l);
	l->fd = -1;
}

int nb_transport_connect(struct nb_conn *c, const char *text, int timeout_ms, char err[NB_ERR_LEN])
{
	struct nb_addr a;

	memset(c, 0, sizeof(*c));
	c->rfd = c->wfd = -1;
	if (nb_addr_parse(text, NB_ADDR_CONNECT, &a, err))
		return -1;
	if (nb_transport_check(a.ops, err))
		return -1;
	return a.ops->connect(c, &a, timeout_ms, err);
}

void nb_conn_from_fds(struct nb_conn *c, int rfd, int wfd, const char *desc)
{
	memset(c, 0, sizeof(*c));
	c->ops = &nb_transport_stdio;
	c->rfd = rfd;
	c->wfd = wfd;
	snprintf(c->desc, sizeof(c->desc), "%s", desc ? desc : "fds");
}

void nb_conn_set_socket(struct nb_conn *c, const struct nb_transport_ops *ops, int fd)
{
	c->ops = ops;
	c->rfd = c->wfd = fd;
	ops->describe(c, c->desc, sizeof(c->desc));
}

/* ---- buffered I/O ------------------------------------------------------------------ */

static int stopped(const struct nb_conn *c)
{
	return c->stop && *c->stop;
}


/* Milliseconds poll may wait for one read or write: the smaller of c->timeout_ms and
 * what is left before c->deadline_ns (rounded up, so poll does not wake just short
 * of it); -1 for no limit, 0 when the deadline has passed. */
static int wait_limit_ms(const struct nb_conn *c)
{
	int ms = c->timeout_ms > 0 ? c->timeout_ms : -1;

	if (c->deadline_ns) {
		uint64_t now = nb_mono_ns();
		uint64_t left = c->deadline_ns > now ? (c->deadline_ns - now + 999999) / 1000000 : 0;
		if (left > INT_MAX)
			left = INT_MAX;
		if (ms < 0 || (uint64_t)ms > left)
			ms = (int)left;
	}
	return ms;
}

/* Wait until fd is ready for events within the connection's limits: 0, or -1 with
 * errno (ETIMEDOUT).  Without a limit it returns at once: the read or write blocks. */
static int wait_fd(const struct nb_conn *c, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc, ms;

	if (wait_limit_ms(c) < 0)
		return 0;
	do {
		ms = wait_limit_ms(c);
		rc = ms == 0 ? 0 : poll(&p, 1, ms);
	} while (rc < 0 && errno == EINTR && !stopped(c));
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

int nb_conn_spin(const struct nb_conn *c, struct pollfd *p, int n)
{
	uint64_t end;

	if (!c->spin_us || (c->spin_off && __atomic_load_n(c->spin_off, __ATOMIC_RELAXED)))
		return 0;
	end = nb_mono_ns() + (uint64_t)c->spin_us * 1000u;
	do {
		if (poll(p, (nfds_t)n, 0) > 0)
			return 1;
		sched_yield();   /* let a runnable thread on this CPU go first */
	} while (nb_mono_ns() < end);
	return 0;
}

static ssize_t raw_read(struct nb_conn *c, void *buf, size_t len)
{
	int ready = 0;
	ssize_t n;

	if (c->spin_us) {
		struct pollfd p = { .fd = c->rfd, .events = POLLIN };
		ready = nb_conn_spin(c, &p, 1);
	}
	for (;;) {
		if (!ready && wait_fd(c, c->rfd, POLLIN))
			return -1;
		ready = 0;
		n = c->ops->read(c, buf, len);
		if (n < 0 && errno == EINTR && !stopped(c))
			continue;
		return n;
	}
}

static int alloc_rbuf(struct nb_conn *c)
{
	if (!c->rbuf) {
		if (!(c->rbuf = malloc(RBUF_SIZE))) {
			errno = ENOMEM;
			return -1;
		}
		c->rcap = RBUF_SIZE;
	}
	return 0;
}

/* The bytes that came are read ahead here: the read the next frame needs anyway, so
 * waiting this way costs no extra system call. */
int nb_conn_wait_input(struct nb_conn *c)
{
	ssize_t n;

	if (nb_conn_buffered(c))
		return 0;
	if (alloc_rbuf(c) || (n = raw_read(c, c->rbuf, c->rcap)) < 0)
		return -1;
	c->rpos = 0;
	c->rlen = (size_t)n;   /* 0: the end of the stream, which the next read sees again */
	return 0;
}

ssize_t nb_conn_read(struct nb_conn *c, void *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	if (c->rpos < c->rlen) {
		size_t k = c->rlen - c->rpos;
		if (k > len)
			k = len;
		memcpy(buf, c->rbuf + c->rpos, k);
		c->rpos += k;
		return (ssize_t)k;
	}
	/* Large reads go straight to the caller; small ones fill the read-ahead buffer. */
	if (len >= RBUF_SIZE / 2)
		return raw_read(c, buf, len);
	if (alloc_rbuf(c))
		return -1;
	n = raw_read(c, c->rbuf, c->rcap);
	if (n <= 0)
		return n;
	c->rpos = 0;
	c->rlen = (size_t)n;
	return nb_conn_read(c, buf, len);
}

int nb_conn_read_full(struct nb_conn *c, void *buf, size_t n, size_t *got)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = nb_conn_read(c, (char *)buf + done, n - done);
		if (k < 0) {
			if (got)
				*got = done;
			return -1;
		}
		if (k == 0) {
			if (got)
				*got = done;
			if (done == 0)
				return 1;
			errno = EPIPE;
			return -1;
		}
		done += (size_t)k;
	}
	if (got)
		*got = done;
	return 0;
}

size_t nb_conn_buffered(const struct nb_conn *c) { return c->rlen - c->rpos; }

int nb_conn_write_all(struct nb_conn *c, const struct iovec *iov_in, int n)
{
	struct iovec iov[8];
	int i = 0;

	if (n > 8) {
		errno = EINVAL;
		return -1;
	}
	memcpy(iov, iov_in, (size_t)n * sizeof(iov[0]));
	while (i < n) {
		if (iov[i].iov_len == 0) {
			i++;
			continue;
		}
		if (wait_fd(c, c->wfd, POLLOUT))
			return -1;
		ssize_t k = c->ops->write(c, iov + i, n - i);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		size_t left = (size_t)k;
		while (i < n && left >= iov[i].iov_len) {
			left -= iov[i].iov_len;
			i++;
		}
		if (i < n) {
			iov[i].iov_base = (char *)iov[i].iov_base + left;
			iov[i].iov_len -= left;
		}
	}
	return 0;
}

static uint64_t now_ms(void)
{
	return nb_mono_ns() / 1000000u;
}

void nb_conn_linger(struct nb_conn *c, size_t max, int ms)
{
	struct stat st;
	char buf[16384];
	uint64_t end = now_ms() + (uint64_t)ms;
	size_t total = 0;

	if (c->rfd < 0)
		return;
	if (c->rfd == c->wfd && fstat(c->wfd, &st) == 0 && S_ISSOCK(st.st_mode))
		shutdown(c->wfd, SHUT_WR);
	c->rpos = c->rlen = 0;
	while (total < max) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = c->rfd, .events = POLLIN };
		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			break;
		ssize_t k = c->ops->read(c, buf, sizeof(buf));
		if (k <= 0)
			break;
		total += (size_t)k;
	}
}

void nb_conn_close(struct nb_conn *c)
{
	if (c->ops && (c->rfd >= 0 || c->wfd >= 0))
		c->ops->close(c);
	c->rfd = c->wfd = -1;
	free(c->rbuf);
	c->rbuf = NULL;
	c->rpos = c->rlen = c->rcap = 0;
}

/* ---- shared socket and descriptor hooks ------------------------------------------- */

int nb_sock_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	int fl = fcntl(fd, F_GETFL), rc, soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (timeout_ms <= 0) {
		do
			rc = connect(fd, sa, len);
		while (rc < 0 && errno == EINTR);
		return rc;
	}
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	rc = connect(fd, sa, len);
	if (rc < 0 && errno != EINPROGRESS && errno != EAGAIN) {
		int e = errno;
		fcntl(fd, F_SETFL, fl);
		errno = e;
		return -1;
	}
	if (rc < 0) {
		do
			rc = poll(&p, 1, timeout_ms);
		while (rc < 0 && errno == EINTR);
		if (rc == 0) {
			fcntl(fd, F_SETFL, fl);
			errno = ETIMEDOUT;
			return -1;
		}
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
			int e = errno;
			fcntl(fd, F_SETFL, fl);
			errno = e;
			return -1;
		}
		if (soerr) {
			fcntl(fd, F_SETFL, fl);
			errno = soerr;
			return -1;
		}
	}
	fcntl(fd, F_SETFL, fl);
	return 0;
}

ssize_t nb_sock_read(struct nb_conn *c, void *buf, size_t len)
{
	return recv(c->rfd, buf, len, 0);
}

ssize_t nb_sock_write(struct nb_conn *c, const struct iovec *iov, int n)
{
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = (struct iovec *)iov;
	m.msg_iovlen = (size_t)n;
	return sendmsg(c->wfd, &m, MSG_NOSIGNAL);
}

void nb_sock_close(struct nb_conn *c)
{
	if (c->rfd >= 0)
		close(c->rfd);
	c->rfd = c->wfd = -1;
}

void nb_sock_unlisten(struct nb_listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

int nb_sock_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN])
{
	int fd;

	do
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int e = errno;
		snprintf(err, NB_ERR_LEN, "accept on %s: %s", l->desc, strerror(e));
		errno = e;   /* the caller tells EMFILE from the rest */
		return -1;
	}
	nb_conn_set_socket(c, l->ops, fd);
	return 0;
}

ssize_t nb_fd_read(struct nb_conn *c, void *buf, size_t len)
{
	ssize_t n = read(c->rfd, buf, len);

	/* A pty or virtio-serial port whose other end went away: end of stream. */
	if (n < 0 && errno == EIO)
		return 0;
	return n;
}

ssize_t nb_fd_write(struct nb_conn *c, const struct iovec *iov, int n)
{
	return writev(c->wfd, iov, n);
}

void nb_vsock_unavailable(const char *what, int e, char err[NB_ERR_LEN])
{
	snprintf(err, NB_ERR_LEN,
		 "%.24s: no AF_VSOCK (%.42s); load the vsock modules: "
		 "vmw_vsock_virtio_transport (KVM), hv_sock (Hyper-V) or "
		 "vmw_vsock_vmci_transport (VMware); on a host vhost_vsock. Or use "
		 "serial:, tcp:, unix:",
		 what, strerror(e));
}
