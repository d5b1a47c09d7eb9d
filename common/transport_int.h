/* transport_int.h - helpers shared by the back ends (not part of the public API). */
#ifndef NB_TRANSPORT_INT_H
#define NB_TRANSPORT_INT_H

#include "transport.h"
#include "err.h"

#include <sys/socket.h>


/* Connect fd (a fresh socket) to sa, waiting at most timeout_ms (0 = the kernel's
 * own limit).  0 or -1 with errno set (ETIMEDOUT on our timeout). */
int nb_sock_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms);

/* Socket hooks: recv/sendmsg with MSG_NOSIGNAL, close. */
ssize_t nb_sock_read(struct nb_conn *c, void *buf, size_t len);
ssize_t nb_sock_write(struct nb_conn *c, const struct iovec *iov, int n);
void nb_sock_close(struct nb_conn *c);
void nb_sock_unlisten(struct nb_listener *l);
/* Accept one connection on l->fd (accept4, CLOEXEC). */
int nb_sock_accept(struct nb_listener *l, struct nb_conn *c, char err[NB_ERR_LEN]);

/* Plain descriptor hooks (pipes, character devices). */
ssize_t nb_fd_read(struct nb_conn *c, void *buf, size_t len);
ssize_t nb_fd_write(struct nb_conn *c, const struct iovec *iov, int n);

/* Fill a conn for one socket fd and let the back end describe the peer. */
void nb_conn_set_socket(struct nb_conn *c, const struct nb_transport_ops *ops, int fd);

/* Connect a UNIX stream socket (unix: and the QEMU chardev behind serial:); label
 * names the address prefix in messages. */
int nb_unix_connect_path(struct nb_conn *c, const char *label, const char *path, int timeout_ms,
			 char err[NB_ERR_LEN]);

#endif
