/* transport.h - one small ops struct behind every way of reaching an agent.
 *
 * Back ends (one file each): vsock, tcp, unix, serial (a virtio-serial port on the
 * listening side, QEMU's UNIX-socket chardev on the connecting side) and stdio.  The
 * agent listens with them, the client library (and so the harness) connects with
 * them; everything above this layer sees a struct nb_conn and its read/write hooks.
 *
 * Addresses:  listen side                  connect side
 *             vsock:PORT | vsock:CID:PORT  vsock:CID:PORT
 *             tcp:HOST:PORT                tcp:HOST:PORT   (HOST may be [v6])
 *             unix:PATH                    unix:PATH
 *             serial:PATH (char device)    serial:PATH (QEMU chardev UNIX socket)
 *             stdio
 */
#ifndef NB_TRANSPORT_H
#define NB_TRANSPORT_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <poll.h>
#include <signal.h>
#include <sys/uio.h>

/* ---- data types ------------------------------------------------------------------ */

#define NB_DESC_LEN 192
#define NB_ADDR_LEN 320
#define NB_VSOCK_PORT_DEFAULT 7420
#define NB_TRANSPORT_OPS_VERSION 1

enum nb_addr_side { NB_ADDR_LISTEN, NB_ADDR_CONNECT };

struct nb_transport_ops;

struct nb_addr {
	const struct nb_transport_ops *ops;
	char text[NB_ADDR_LEN];     /* as written, e.g. "tcp:127.0.0.1:7420" */
	char path[108];             /* unix, serial */
	char host[256];             /* tcp (without brackets) */
	unsigned port;              /* tcp, vsock */
	unsigned cid;               /* vsock; VMADDR_CID_ANY (-1U) when listening */
};

struct nb_conn {
	const struct nb_transport_ops *ops;
	int rfd, wfd;               /* one socket twice, or stdin/stdout */
	char desc[NB_DESC_LEN];     /* the peer, e.g. "tcp:127.0.0.1:40312" */
	unsigned char *rbuf;        /* read-ahead buffer (frames are small) */
	size_t rpos, rlen, rcap;
	int timeout_ms;             /* longest wait for one read or write; 0 = forever */
	/* Absolute CLOCK_MONOTONIC time (ns; the agent's nb_mono_ns) after which reads
	 * and writes fail with ETIMEDOUT, however the bytes trickle in (0 = none): the
	 * agent's hello, frame and put-chunk deadlines. */
	uint64_t deadline_ns;
	/* Busy-poll up to this long for input before sleeping: a wake-up across vCPUs
	 * costs tens of microseconds in a VM, a short spin saves it on request/reply
	 * traffic.  0 = never; spin_off (if set) non-zero also disables it. */
	unsigned spin_us;
	const int *spin_off;
	/* Set by the owner (the harness points it at its SIGINT flag): a signal that
	 * interrupts a wait ends it with EINTR instead of retrying.  NULL = always retry. */
	const volatile sig_atomic_t *stop;
};

struct nb_listener {
	const struct nb_transport_ops *ops;
	struct nb_addr addr;
	int fd;                     /* listening socket, -1 for device and stdio back ends */
	unsigned long sessions;     /* sessions accepted so far */
	dev_t dev;                  /* unix: the socket file we created, to unlink only it */
	ino_t ino;
	char desc[NB_DESC_LEN];     /* where it listens, with the real port for tcp:...:0 */
};

/* Flags of a back end. */
enum {
	NB_TR_ONE_SESSION = 1,      /* accept() opens a device: one session at a time */
};

/* The hooks of one back end (fio ioengine_ops style).  Every hook returns 0 / -1 and
 * fills err (256 bytes) with the failing call and strerror; accept may return 1:
 * "no more sessions" (stdio serves exactly one). */
struct nb_transport_ops {
	int version;                /* NB_TRANSPORT_OPS_VERSION */
	const char *name;           /* "vsock", "tcp", ... = the address prefix */
	unsigned flags;
	int (*listen)(struct nb_listener *l, char err[NB_ERR_LEN]);
	int (*accept)(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN]);
	int (*connect)(struct nb_conn *c, const struct nb_addr *a, int timeout_ms, char err[NB_ERR_LEN]);
	ssize_t (*read)(struct nb_conn *c, void *buf, size_t len);          /* -1 + errno */
	ssize_t (*write)(struct nb_conn *c, const struct iovec *iov, int n); /* -1 + errno */
	void (*close)(struct nb_conn *c);
	void (*unlisten)(struct nb_listener *l);
	/* The peer of a connection in address syntax, for logs and replies. */
	void (*describe)(const struct nb_conn *c, char *buf, size_t len);
};

extern const struct nb_transport_ops nb_transport_vsock;
extern const struct nb_transport_ops nb_transport_tcp;
extern const struct nb_transport_ops nb_transport_unix;
extern const struct nb_transport_ops nb_transport_serial;
extern const struct nb_transport_ops nb_transport_stdio;

/* ---- prototypes ------------------------------------------------------------------ */

/* The registered back ends, NULL-terminated. */
const struct nb_transport_ops *const *nb_transport_all(void);
/* Check a back end's version and required hooks once (0, or -1 naming what's missing). */
int nb_transport_check(const struct nb_transport_ops *ops, char err[NB_ERR_LEN]);

/* Parse an address for one side; 0 or -1 with err naming the accepted forms. */
int nb_addr_parse(const char *text, enum nb_addr_side side, struct nb_addr *a,
		  char err[NB_ERR_LEN]);

int nb_transport_listen(struct nb_listener *l, const char *text, char err[NB_ERR_LEN]);
/* 0 = a new session in c, 1 = no more sessions, -1 = error. */
int nb_transport_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN]);
void nb_transport_unlisten(struct nb_listener *l);
int nb_transport_connect(struct nb_conn *c, const char *text, int timeout_ms, char err[NB_ERR_LEN]);

/* A connection over two existing descriptors (a pipe pair, stdin/stdout...). */
void nb_conn_from_fds(struct nb_conn *c, int rfd, int wfd, const char *desc);

#define NB_SPIN_US_DEFAULT 50

/* Busy-poll fds (POLLIN) for up to c->spin_us: 1 when one is ready, 0 otherwise. */
int nb_conn_spin(const struct nb_conn *c, struct pollfd *p, int n);

/* Wait until c has input (or its end of stream) to read, as nb_conn_read would (with
 * its spin and limits), reading what came ahead: 0, or -1 with errno (ETIMEDOUT past
 * c->deadline_ns). */
int nb_conn_wait_input(struct nb_conn *c);

/* Buffered reading: >0 bytes, 0 at end of stream, -1 with errno (ETIMEDOUT after
 * c->timeout_ms or past c->deadline_ns).  nb_conn_read_full: 0 = all n bytes, 1 = end
 * of stream before the first byte, -1 = error or end of stream part-way (*got = bytes
 * read). */
ssize_t nb_conn_read(struct nb_conn *c, void *buf, size_t len);
int nb_conn_read_full(struct nb_conn *c, void *buf, size_t n, size_t *got);
/* Bytes already read ahead from the peer but not yet consumed. */
size_t nb_conn_buffered(const struct nb_conn *c);
/* Write all of iov (retrying partial writes); 0 or -1 with errno. */
int nb_conn_write_all(struct nb_conn *c, const struct iovec *iov, int n);
/* Stop sending (sockets: shutdown SHUT_WR) and discard what the peer still sends, up
 * to max bytes or ms milliseconds, so an error reply reaches it before the close
 * instead of being lost to a TCP reset. */
void nb_conn_linger(struct nb_conn *c, size_t max, int ms);
void nb_conn_close(struct nb_conn *c);

/* The message for a missing AF_VSOCK, naming the modules to load (errno e). */
void nb_vsock_unavailable(const char *what, int e, char err[NB_ERR_LEN]);

#endif
