/* transport_tcp.c - TCP (fallback when neither vsock nor a serial port is there). */
#include "transport_int.h"
#include "err.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void nodelay(int fd)
{
	int one = 1;

	/* Frames are small request/reply pairs: never wait for Nagle. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void sa_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "tcp:%s:%u", host, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "tcp:[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		snprintf(buf, len, "tcp:?");
	}
}

static int resolve(const struct nb_addr *a, int passive, struct addrinfo **res,
		   char err[NB_ERR_LEN])
{
	struct addrinfo hints;
	char port[16];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	snprintf(port, sizeof(port), "%u", a->port);
	rc = getaddrinfo(strcmp(a->host, "*") == 0 ? NULL : a->host, port, &hints, res);
	if (rc) {
		char shown[161];   /* a relay's address comes from a peer: cut on a character */
		return nb_err(err, "getaddrinfo %s: %s",
			 nb_utf8_clip(shown, sizeof(shown), a->text, 160), gai_strerror(rc));
	}
	return 0;
}

static int tcp_listen(struct nb_listener *l, char err[NB_ERR_LEN])
{
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, e = 0;

	if (resolve(&l->addr, 1, &res, err))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		return nb_err(err, "bind/listen %.160s: %s%s", l->addr.text, strerror(e),
			 e == EADDRINUSE ? " (another agent there? choose another port)" : "");
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		sa_text((struct sockaddr *)&ss, l->desc, sizeof(l->desc));
	l->fd = fd;
	return 0;
}

static int tcp_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN])
{
	if (nb_sock_accept(l, c, err))
		return -1;
	nodelay(c->rfd);
	return 0;
}

static int tcp_connect(struct nb_conn *c, const struct nb_addr *a, int timeout_ms,
		       char err[NB_ERR_LEN])
{
	struct addrinfo *res, *ai;
	int fd = -1, e = 0;

	if (resolve(a, 0, &res, err))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (nb_sock_connect(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		char shown[161];
		return nb_err(err, "connect %s: %s",
			 nb_utf8_clip(shown, sizeof(shown), a->text, 160), strerror(e));
	}
	nodelay(fd);
	nb_conn_set_socket(c, &nb_transport_tcp, fd);
	return 0;
}

static void tcp_describe(const struct nb_conn *c, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(c->rfd, (struct sockaddr *)&ss, &sl) == 0)
		sa_text((struct sockaddr *)&ss, buf, len);
	else
		snprintf(buf, len, "tcp:?");
}

const struct nb_transport_ops nb_transport_tcp = {
	.version = NB_TRANSPORT_OPS_VERSION,
	.name = "tcp",
	.listen = tcp_listen,
	.accept = tcp_accept,
	.connect = tcp_connect,
	.read = nb_sock_read,
	.write = nb_sock_write,
	.close = nb_sock_close,
	.unlisten = nb_sock_unlisten,
	.describe = tcp_describe,
};
