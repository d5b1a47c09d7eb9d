/* relay.c - after a successful `relay` reply the session becomes a byte pipe to the
 * child agent.  Frames pass unchanged (put bodies too) because nothing is parsed,
 * so relays compose to any depth: L0 -> L1 -> L2 -> L3.
 *
 * Closes pass on as they came: a client that only stops sending (shutdown(SHUT_WR))
 * gets the child's last replies - the child sees a half-close too - while a client
 * that hangs up altogether, at once or later, gets the child's connection closed, so
 * the child ends a run nobody will read (hangup.c). */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define BUF (256 * 1024)

/* Move what is readable on from to `to`; 0 = moved, 1 = end of stream, -1 = error. */
static int move(struct nb_conn *from, struct nb_conn *to, unsigned char *buf, uint64_t *count)
{
	ssize_t n;
	struct iovec iov;

	do
		n = from->ops->read(from, buf, BUF);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	iov.iov_base = buf;
	iov.iov_len = (size_t)n;
	if (nb_conn_write_all(to, &iov, 1))
		return -1;
	*count += (uint64_t)n;
	return 0;
}

int nb_relay_pump(struct nb_conn *client, struct nb_conn *child, uint64_t *up, uint64_t *down)
{
	unsigned char *buf = malloc(BUF);
	int rc = 0;

	*up = *down = 0;
	if (!buf)
		return -1;
	/* Bytes the client sent right behind the relay request are already read ahead. */
	if (nb_conn_buffered(client)) {
		struct iovec iov = { client->rbuf + client->rpos, nb_conn_buffered(client) };
		if (nb_conn_write_all(child, &iov, 1)) {
			free(buf);
			return -1;
		}
		*up += iov.iov_len;
		client->rpos = client->rlen;
	}
	if (nb_conn_buffered(child)) {
		struct iovec iov = { child->rbuf + child->rpos, nb_conn_buffered(child) };
		if (nb_conn_write_all(client, &iov, 1)) {
			free(buf);
			return -1;
		}
		*down += iov.iov_len;
		child->rpos = child->rlen;
	}
	struct nb_hangup hu;
	int client_open = 1;

	nb_hangup_init(&hu, client->wfd);
	for (;;) {
		/* Once the client stopped sending, its connection is only watched for a
		 * hang-up (with a probe every so often, hence the timeout). */
		struct pollfd p[2] = {
			client_open ? (struct pollfd){ .fd = client->rfd, .events = POLLIN }
				    : nb_hangup_pollfd(&hu),
			{ .fd = child->rfd, .events = POLLIN },
		};
		int wait_ms = client_open ? -1 : nb_hangup_wait_ms(&hu, -1);
		if (!nb_conn_spin(client, p, 2) && poll(p, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (!client_open && nb_hangup_check(&hu, p[0].revents))
			break;   /* the client hung up after all */
		if (client_open && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			int m = move(client, child, buf, up);
			if (m < 0) {
				rc = -1;
				break;
			}
			/* End of stream: a client that hung up ends the relay (closing the
			 * child's connection); one that only stopped sending has that passed on
			 * and gets the child's last replies - if the child is a socket that can
			 * be half-closed. */
			if (m > 0) {
				struct stat st;
				if (nb_hangup_eof(&hu) || child->rfd != child->wfd ||
				    fstat(child->wfd, &st) || !S_ISSOCK(st.st_mode) ||
				    shutdown(child->wfd, SHUT_WR))
					break;
				client_open = 0;
			}
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			int m = move(child, client, buf, down);
			if (m) {
				rc = m < 0 ? -1 : 0;
				break;
			}
		}
	}
	free(buf);
	return rc;
}
