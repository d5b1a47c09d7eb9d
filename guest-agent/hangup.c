/* hangup.c - has the client hung up?  Only a full close counts: a client that shut
 * down its sending side (shutdown(SHUT_WR)) still reads, and gets its reply.
 *
 * What each transport reports when the peer
 *   half-closes:  unix, tcp, vsock: end of stream (POLLRDHUP); a pipe (stdio): POLLHUP
 *                 on the reading side;
 *   fully closes: unix: POLLHUP; vsock: end of stream only, but a send fails (EPIPE);
 *                 tcp: end of stream only - nothing tells it from a half-close until a
 *                 write fails (then the reply is lost, as nobody reads it anyway); a pipe
 *                 (stdio): POLLERR on the writing side; virtio-serial or a tty: POLLHUP
 *                 (they have no half-close).
 * So the connection's writing side is watched for POLLHUP and POLLERR; on a socket,
 * end of stream is checked with a zero-length send, which sends nothing and fails only
 * when the peer can no longer read, then again every NB_HANGUP_PROBE_MS. */
#include "agent.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NB_HANGUP_PROBE_MS 250

void nb_hangup_init(struct nb_hangup *h, int fd)
{
	struct stat st;

	h->fd = fd;
	h->sock = fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	h->half = 0;
	h->probe_ns = 0;
}

/* 1 when the peer can no longer read. */
static int probe(struct nb_hangup *h)
{
	ssize_t n = send(h->fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);

	h->probe_ns = nb_mono_ns() + NB_HANGUP_PROBE_MS * 1000000ull;
	return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

struct pollfd nb_hangup_pollfd(const struct nb_hangup *h)
{
	/* events 0: poll still reports POLLHUP and POLLERR */
	return (struct pollfd){ .fd = h->fd, .events = h->sock && !h->half ? POLLRDHUP : 0 };
}

int nb_hangup_wait_ms(const struct nb_hangup *h, int ms)
{
	if (h->fd < 0 || !h->sock || !h->half)
		return ms;
	return ms < 0 || ms > NB_HANGUP_PROBE_MS ? NB_HANGUP_PROBE_MS : ms;
}

int nb_hangup_eof(struct nb_hangup *h)
{
	struct pollfd p = { .fd = h->fd, .events = 0 };

	if (h->fd < 0)
		return 0;
	h->half = 1;
	if (h->sock)
		return probe(h);
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

int nb_hangup_check(struct nb_hangup *h, short revents)
{
	if (h->fd < 0)
		return 0;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1;
	if (!h->half && (revents & POLLRDHUP))
		return nb_hangup_eof(h);
	return h->half && h->sock && nb_mono_ns() >= h->probe_ns && probe(h);
}
