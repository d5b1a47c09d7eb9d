/* transport_vsock.c - AF_VSOCK: the preferred way between a host and its guests. */
#include "transport_int.h"
#include "err.h"

#include <errno.h>
#include <limits.h>
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void fill(struct sockaddr_vm *svm, unsigned cid, unsigned port)
{
	memset(svm, 0, sizeof(*svm));
	svm->svm_family = AF_VSOCK;
	svm->svm_cid = cid;
	svm->svm_port = port;
}

static int vsock_socket(const char *what, char err[NB_ERR_LEN])
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		nb_vsock_unavailable(what, errno, err);
	return fd;
}

static int vsock_listen(struct nb_listener *l, char err[NB_ERR_LEN])
{
	struct sockaddr_vm svm;
	int fd = vsock_socket(l->addr.text, err);

	if (fd < 0)
		return -1;
	fill(&svm, l->addr.cid, l->addr.port);
	if (bind(fd, (struct sockaddr *)&svm, sizeof(svm)) || listen(fd, 128)) {
		int e = errno;
		if (e == EADDRINUSE)
			snprintf(err, NB_ERR_LEN, "bind %.100s: %s (another agent there? choose another "
				 "port)", l->addr.text, strerror(e));
		else if (e == EADDRNOTAVAIL || e == ENODEV || e == EAFNOSUPPORT)
			nb_vsock_unavailable(l->addr.text, e, err);
		else
			snprintf(err, NB_ERR_LEN, "bind/listen %.100s: %s", l->addr.text, strerror(e));
		close(fd);
		return -1;
	}
	l->fd = fd;
	if (l->addr.cid == UINT_MAX)
		snprintf(l->desc, sizeof(l->desc), "vsock:%u (any CID)", l->addr.port);
	return 0;
}

static int vsock_connect(struct nb_conn *c, const struct nb_addr *a, int timeout_ms,
			 char err[NB_ERR_LEN])
{
	struct sockaddr_vm svm;
	int fd = vsock_socket(a->text, err);

	if (fd < 0)
		return -1;
	fill(&svm, a->cid, a->port);
	if (nb_sock_connect(fd, (struct sockaddr *)&svm, sizeof(svm), timeout_ms)) {
		int e = errno;
		if (e == ENODEV || e == EADDRNOTAVAIL || e == ENETUNREACH)
			nb_vsock_unavailable(a->text, e, err);
		else
			snprintf(err, NB_ERR_LEN, "connect %.60s: %s (is an agent listening on port %u in "
				 "the VM with CID %u, and does that VM have a vhost-vsock device?)",
				 a->text, strerror(e), a->port, a->cid);
		close(fd);
		return -1;
	}
	nb_conn_set_socket(c, &nb_transport_vsock, fd);
	return 0;
}

static void vsock_describe(const struct nb_conn *c, char *buf, size_t len)
{
	struct sockaddr_vm svm;
	socklen_t sl = sizeof(svm);

	if (getpeername(c->rfd, (struct sockaddr *)&svm, &sl) == 0)
		snprintf(buf, len, "vsock:%u:%u", svm.svm_cid, svm.svm_port);
	else
		snprintf(buf, len, "vsock:?");
}

const struct nb_transport_ops nb_transport_vsock = {
	.version = NB_TRANSPORT_OPS_VERSION,
	.name = "vsock",
	.listen = vsock_listen,
	.accept = nb_sock_accept,
	.connect = vsock_connect,
	.read = nb_sock_read,
	.write = nb_sock_write,
	.close = nb_sock_close,
	.unlisten = nb_sock_unlisten,
	.describe = vsock_describe,
};
