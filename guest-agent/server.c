/* server.c - listeners, the accept loop, one thread per session, clean shutdown.
 *
 * Socket listeners (vsock, tcp, unix) are polled by the main thread, which starts one
 * detached thread per connection.  Device-like listeners (serial, stdio) carry one
 * session at a time and get a thread each that opens, serves and reopens.  SIGTERM
 * and SIGINT are blocked everywhere except inside the main thread's ppoll. */
#include "agent.h"
#include "../common/err.h"
#include "tracepoints.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


static volatile sig_atomic_t got_signal;   /* set by the SIGTERM/SIGINT handler */

static void on_signal(int sig) { got_signal = sig; }

void nb_log(struct nb_agent *a, int level, const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	if (level > a->o.verbose)
		return;
	snprintf(prefix, sizeof(prefix), "nestbench-agent[%d]: ", (int)getpid());
	va_start(ap, fmt);
	nb_log_vline(stderr, prefix, fmt, ap);   /* one call per line: threads do not mix */
	va_end(ap);
}

/* ---- sessions -------------------------------------------------------------------- */

static void send_frame_error(struct nb_session *s, const char *code, const char *msg)
{
	cJSON *r = nb_proto_error(NULL, code, "%s", msg);

	nb_log(s->a, 1, "session %lu: %s: %s", s->n, code, msg);
	nb_session_send(s, r);
	cJSON_Delete(r);
}

/* The session ends with an error reply (code, msg); the reply gets a second to
 * leave, and on a socket the peer's last bytes are drained so that it arrives. */
static void end_with(struct nb_session *s, const char *code, const char *msg)
{
	s->conn.deadline_ns = nb_mono_ns() + 1000000000ull;
	send_frame_error(s, code, msg);
	s->linger = s->socket;
}

/* Authenticated (or, without a token, a first frame came): no hello deadline any
 * more, no longer counted against --max-unauth. */
static void session_admit(struct nb_session *s)
{
	struct nb_agent *a = s->a;

	pthread_mutex_lock(&a->lock);
	if (s->counted)
		a->unauth--;
	s->counted = 0;
	s->pending = 0;
	pthread_mutex_unlock(&a->lock);
	s->hello_deadline_ns = 0;
	s->conn.deadline_ns = 0;
}

/* The next request frame.  Waiting for its first byte is bounded only by the hello
 * deadline (an authenticated session may idle between visits of a campaign); from
 * its first byte the whole frame must arrive within --frame-timeout. */
static int read_request(struct nb_session *s, char **buf, size_t *len, char err[NB_ERR_LEN])
{
	struct nb_agent *a = s->a;
	uint64_t idle = s->hello_deadline_ns, frame;
	int rc;

	*buf = NULL;
	*len = 0;
	s->conn.deadline_ns = idle;
	if (nb_conn_wait_input(&s->conn)) {
		int e = errno;
		snprintf(err, NB_ERR_LEN, "wait for a frame from %.160s: %s", s->conn.desc, strerror(e));
		return e == ETIMEDOUT ? NB_FRAME_TIMEOUT : NB_FRAME_ERR;
	}
	frame = a->o.frame_timeout_ms ? nb_mono_ns() + a->o.frame_timeout_ms * 1000000ull : 0;
	if (frame && (!idle || frame < idle))
		s->conn.deadline_ns = frame;
	rc = nb_frame_read(&s->conn, (size_t)a->o.max_frame, buf, len, err);
	s->conn.deadline_ns = idle;
	return rc;
}

static void timed_out(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	char msg[NB_ERR_LEN];

	if (s->hello_deadline_ns && nb_mono_ns() >= s->hello_deadline_ns)
		snprintf(msg, sizeof(msg), "no %s within %u s of connecting (--hello-timeout); closing",
			 a->has_token ? "hello with the token" : "complete request",
			 a->o.hello_timeout_ms / 1000);
	else
		snprintf(msg, sizeof(msg), "a frame was not complete %u s after its first byte "
			 "(--frame-timeout); closing", a->o.frame_timeout_ms / 1000);
	end_with(s, NB_E_TIMEOUT, msg);
}

static void evicted(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	char msg[NB_ERR_LEN];

	snprintf(msg, sizeof(msg), "closed to make room for a newer client: at most %u sessions may "
		 "wait to authenticate (--max-unauth) and %u be open (--max-sessions); send hello "
		 "right after connecting", a->o.max_unauth, a->o.max_sessions);
	end_with(s, NB_E_BUSY, msg);
}

static void serve(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	char err[NB_ERR_LEN], msg[NB_ERR_LEN + 64];

	/* Spin briefly for the next frame, except while a workload runs here. */
	s->conn.spin_us = a->o.spin_us;
	s->conn.spin_off = &a->running;
	/* stdio's peer started the agent and nobody else can reach it: no deadline. */
	if (a->o.hello_timeout_ms && s->conn.ops != &nb_transport_stdio)
		s->hello_deadline_ns = nb_mono_ns() + a->o.hello_timeout_ms * 1000000ull;
	nb_log(a, 1, "session %lu: open from %s", s->n, s->conn.desc);
	while (s->after == NB_AFTER_NONE) {
		char *buf;
		size_t len;
		int rc = read_request(s, &buf, &len, err);

		if (rc != NB_FRAME_OK && __atomic_load_n(&s->evicted, __ATOMIC_ACQUIRE)) {
			evicted(s);
			break;
		}
		if (rc == NB_FRAME_EOF)
			break;
		if (rc == NB_FRAME_TIMEOUT) {
			timed_out(s);
			break;
		}
		if (rc == NB_FRAME_TOO_LARGE) {
			snprintf(msg, sizeof(msg), "frame of %zu bytes exceeds this agent's limit of "
				 "%llu bytes (--max-frame); closing", len,
				 (unsigned long long)a->o.max_frame);
			send_frame_error(s, NB_E_TOO_LARGE, msg);
			s->linger = 1;
			break;
		}
		if (rc == NB_FRAME_TRUNCATED) {
			snprintf(msg, sizeof(msg), "%s; closing", err);
			send_frame_error(s, NB_E_BAD_FRAME, msg);
			break;
		}
		if (rc != NB_FRAME_OK) {
			nb_log(a, 1, "session %lu: %s", s->n, err);
			break;
		}
		if (len == 0) {
			free(buf);
			send_frame_error(s, NB_E_BAD_FRAME, "empty frame outside a put body; closing");
			s->linger = 1;
			break;
		}
		if (s->pending && !a->has_token)
			session_admit(s);
		nb_session_request(s, buf, len);
		free(buf);
		if (s->pending && s->authed && a->has_token)
			session_admit(s);
		/* Still pending past the deadline (a reply held back, e.g. to a wrong token,
		 * could not go out in time): say so, once. */
		if (s->pending && s->hello_deadline_ns && nb_mono_ns() >= s->hello_deadline_ns) {
			timed_out(s);
			break;
		}
	}
	if (s->after == NB_AFTER_RELAY) {
		uint64_t up = 0, down = 0;
		int rc = nb_relay_pump(&s->conn, &s->child, &up, &down);
		nb_log(a, 1, "session %lu: relay to %s ended%s (%llu bytes up, %llu down)", s->n,
		       s->child.desc, rc ? " with an error" : "", (unsigned long long)up,
		       (unsigned long long)down);
	}
	nb_conn_close(&s->child);
	if (s->linger)
		nb_conn_linger(&s->conn, 64u << 20, 500);
	nb_log(a, 1, "session %lu: closed", s->n);
}

static struct nb_session *session_new(struct nb_agent *a)
{
	struct nb_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->a = a;
	s->child.rfd = s->child.wfd = -1;
	s->conn.rfd = s->conn.wfd = -1;
	s->authed = !a->has_token;
	s->pending = 1;
	pthread_mutex_lock(&a->lock);
	s->n = ++a->next_session;
	a->sessions++;
	pthread_mutex_unlock(&a->lock);
	return s;
}

/* List a session whose connection is up, so shutdown can reach it. */
static void session_publish(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	struct stat st;

	s->socket = s->conn.rfd == s->conn.wfd && fstat(s->conn.rfd, &st) == 0 &&
		    S_ISSOCK(st.st_mode);
	pthread_mutex_lock(&a->lock);
	s->next = a->live;
	s->prev = NULL;
	if (a->live)
		a->live->prev = s;
	a->live = s;
	s->listed = 1;
	pthread_mutex_unlock(&a->lock);
}

static void session_end(struct nb_session *s)
{
	struct nb_agent *a = s->a;

	/* Its kept workers end first, while the session is still listed: a shutdown waits
	 * for the listed sessions (stop_sessions), so the agent cannot exit with a worker
	 * half ended and leave it behind. */
	if (nb_workers_end_session(a, s->n, 0))
		nb_log(a, 1, "session %lu: its kept workers ended", s->n);
	pthread_mutex_lock(&a->lock);
	if (s->listed) {
		if (s->prev)
			s->prev->next = s->next;
		else
			a->live = s->next;
		if (s->next)
			s->next->prev = s->prev;
		s->listed = 0;
	}
	if (s->counted)
		a->unauth--;
	if (s->evicted)
		a->evicting--;
	a->sessions--;
	pthread_mutex_unlock(&a->lock);
	nb_conn_close(&s->conn);   /* after unlisting: shutdown never sees a stale fd */
	nb_exits_free(s->exits);   /* a counting its session never stopped */
	free(s);
}

static void *session_thread(void *arg)
{
	struct nb_session *s = arg;

	serve(s);
	/* Free this thread's libcrypto state now rather than in a thread destructor
	 * that could still be running when the process exits. */
	OPENSSL_thread_stop();
	session_end(s);
	return NULL;
}

struct device_arg {
	struct nb_agent *a;
	struct nb_listener *l;
};

/* serial and stdio: open, serve, repeat (stdio: once, then ask main to stop). */
static void *device_loop(void *arg)
{
	struct device_arg *d = arg;
	struct nb_agent *a = d->a;
	struct nb_listener *l = d->l;
	char err[NB_ERR_LEN];

	free(d);
	for (;;) {
		struct nb_session *s = session_new(a);
		int rc;

		if (!s)
			break;
		rc = nb_transport_accept(l, &s->conn, err);
		if (rc != 0) {
			session_end(s);
			if (rc > 0)
				break;   /* stdio: its one session is over */
			nb_log(a, 0, "%s: %s; retrying in 1 s", l->desc, err);
			sleep(1);
			continue;
		}
		session_publish(s);
		serve(s);
		OPENSSL_thread_stop();
		session_end(s);
		if (l->ops == &nb_transport_stdio)
			break;
	}
	if (write(a->wake[1], "x", 1) < 0)
		nb_log(a, 0, "wake pipe: %s", strerror(errno));
	return NULL;
}

static int start_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	pthread_t t;
	int rc;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &at, fn, arg);
	pthread_attr_destroy(&at);
	return rc;
}

/* ---- accepting ------------------------------------------------------------------- */

#define ACCEPT_REST_NS (250 * 1000000ull)

static unsigned long long nofile_limit(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long long)rl.rlim_cur : 0;
}

/* Out of descriptors: give up the spare one to accept the next client and refuse
 * it with busy, so it learns why instead of hanging in the backlog.  0 when a client
 * was taken off the backlog and the spare is back. */
static int refuse_with_spare(struct nb_agent *a, struct nb_listener *l)
{
	char err[NB_ERR_LEN];
	struct nb_conn c;
	int rc;

	if (a->spare_fd < 0) {
		a->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return -1;
	}
	close(a->spare_fd);
	rc = nb_transport_accept(l, &c, err);
	if (rc == 0) {
		cJSON *r = nb_proto_error(NULL, NB_E_BUSY, "the agent is out of file descriptors "
					  "(its limit is %llu: ulimit -n, LimitNOFILE=); retry when "
					  "sessions have ended", nofile_limit());
		c.timeout_ms = 100;
		nb_proto_send(&c, r, err);   /* best effort: the client is refused anyway */
		cJSON_Delete(r);
		nb_conn_close(&c);
	}
	a->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return rc == 0 && a->spare_fd >= 0 ? 0 : -1;
}

/* At most one line a second, counting the ones left out. */
static void accept_log(struct nb_agent *a, const char *err, const char *what)
{
	uint64_t now = nb_mono_ns();

	if (a->accept_log_ns && now - a->accept_log_ns < 1000000000ull) {
		a->accept_log_skipped++;
		return;
	}
	if (a->accept_log_skipped)
		nb_log(a, 0, "%s%s (and %u more such errors in the last second)", err, what,
		       a->accept_log_skipped);
	else
		nb_log(a, 0, "%s%s", err, what);
	a->accept_log_ns = now;
	a->accept_log_skipped = 0;
}

/* accept() failed with errno e.  Out of descriptors or memory the listener stays
 * readable, and retrying at once would spin: refuse the client with the spare
 * descriptor, or let the listener rest a moment. */
static void accept_failed(struct nb_agent *a, struct nb_listener *l, int e, const char *err)
{
	char what[160] = "";
	int rest = e == ENOMEM || e == ENOBUFS;

	if (e == EMFILE || e == ENFILE) {
		rest = refuse_with_spare(a, l) != 0;
		snprintf(what, sizeof(what), " (the agent's descriptor limit is %llu: ulimit -n, "
			 "LimitNOFILE=); %s", nofile_limit(),
			 rest ? "not accepting for 250 ms" : "refusing new clients with busy");
	} else if (rest) {
		snprintf(what, sizeof(what), "; not accepting for 250 ms");
	}
	if (rest)
		a->accept_rest_until[l - a->listeners] = nb_mono_ns() + ACCEPT_REST_NS;
	accept_log(a, err, what);
}

/* Make room for a new client by ending the oldest session still waiting to
 * authenticate: its thread sees the end of its stream and says why.  Under a->lock;
 * 0 when there is none. */
static int evict_oldest_pending(struct nb_agent *a)
{
	struct nb_session *victim = NULL;

	for (struct nb_session *s = a->live; s; s = s->next)   /* newest first */
		if (s->counted)
			victim = s;
	if (!victim)
		return 0;
	victim->counted = 0;
	a->unauth--;
	a->evicting++;
	__atomic_store_n(&victim->evicted, 1, __ATOMIC_RELEASE);
	shutdown(victim->conn.rfd, SHUT_RD);
	return 1;
}

static void accept_one(struct nb_agent *a, struct nb_listener *l)
{
	char err[NB_ERR_LEN];
	struct nb_session *s = session_new(a);
	unsigned open;
	int room = 1;

	if (!s)
		return;
	if (nb_transport_accept(l, &s->conn, err)) {
		int e = errno;
		session_end(s);
		accept_failed(a, l, e, err);
		return;
	}
	/* Sessions that have not authenticated never fill the agent: past --max-unauth,
	 * or with every slot taken, the oldest of them makes room. */
	pthread_mutex_lock(&a->lock);
	open = a->sessions - a->evicting;
	if (open > a->o.max_sessions || a->unauth >= a->o.max_unauth)
		room = evict_oldest_pending(a);
	if (room) {
		s->counted = 1;
		a->unauth++;
	}
	pthread_mutex_unlock(&a->lock);
	if (!room) {
		cJSON *r = nb_proto_error(NULL, NB_E_BUSY, "too many sessions (%u, --max-sessions)",
					  a->o.max_sessions);
		nb_session_send(s, r);
		cJSON_Delete(r);
		nb_log(a, 0, "refused a session from %s: %u open", s->conn.desc, open - 1);
		session_end(s);
		return;
	}
	session_publish(s);
	if (start_thread(session_thread, s)) {
		nb_log(a, 0, "pthread_create: %s", strerror(errno));
		session_end(s);
	}
}

/* ---- life cycle ------------------------------------------------------------------ */

int nb_agent_init(struct nb_agent *a, const struct nb_agent_opts *o, char err[NB_ERR_LEN])
{
	char e[NB_ERR_LEN];

	memset(a, 0, sizeof(*a));
	a->o = *o;
	a->wake[0] = a->wake[1] = -1;
	a->spare_fd = -1;
	a->start_ns = nb_mono_ns();
	pthread_mutex_init(&a->lock, NULL);
	pthread_mutex_init(&a->exits_lock, NULL);
	nb_pool_init(&a->pool);
	if (!a->o.max_workers)   /* options made without main.c's defaults */
		a->o.max_workers = NB_WORKERS_MAX_DEFAULT;
	if (!a->o.workers_mem_pct)
		a->o.workers_mem_pct = NB_WORKERS_MEM_PCT_DEFAULT;
	/* What a workload leaves behind is reparented to us, so exec can reap it. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Check every address before anything is created on disk. */
	for (int i = 0; i < o->nlisten; i++) {
		struct nb_addr addr;
		if (nb_addr_parse(o->listen[i], NB_ADDR_LISTEN, &addr, err))
			return -1;
	}
	if (o->token_file) {
		if (nb_token_read_file(o->token_file, a->token, sizeof(a->token), e)) {
			return nb_err(err, "%.230s (--token-file)", e);
		}
		a->has_token = 1;
	}
	if (nb_store_open(&a->store, o->state_dir, err))
		return -1;
	if (nb_events_init(e))
		nb_log(a, 0, "perf events unavailable: %s", e);
	if (nb_topo_load(&a->topo))
		nb_log(a, 0, "topology unavailable: %s", a->topo.err);
	if (pipe2(a->wake, O_CLOEXEC)) {
		return nb_err(err, "pipe2: %s", strerror(errno));
	}
	a->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* see refuse_with_spare */
	for (int i = 0; i < o->nlisten; i++) {
		if (nb_transport_listen(&a->listeners[a->nlisteners], o->listen[i], err)) {
			for (int k = 0; k < a->nlisteners; k++)
				nb_transport_unlisten(&a->listeners[k]);
			a->nlisteners = 0;
			return -1;
		}
		a->nlisteners++;
	}
	return 0;
}

void nb_agent_free(struct nb_agent *a)
{
	for (int k = 0; k < a->nlisteners; k++)
		nb_transport_unlisten(&a->listeners[k]);
	a->nlisteners = 0;
	nb_topo_free(&a->topo);
	if (a->wake[0] >= 0) {
		close(a->wake[0]);
		close(a->wake[1]);
	}
	a->wake[0] = a->wake[1] = -1;
	if (a->spare_fd >= 0)
		close(a->spare_fd);
	a->spare_fd = -1;
}

/* Stop a running workload: SIGTERM to its group, SIGKILL after 2 s. */
static void stop_run(struct nb_agent *a)
{
	pid_t pg;
	uint64_t t0 = nb_mono_ns();
	int sent_kill = 0;

	pthread_mutex_lock(&a->lock);
	a->stopping = 1;
	pg = a->run_pgid;
	pthread_mutex_unlock(&a->lock);
	if (pg > 0) {
		nb_log(a, 1, "stopping the running workload (process group %d)", (int)pg);
		kill(-pg, SIGTERM);
	}
	for (;;) {
		int running;
		pthread_mutex_lock(&a->lock);
		running = a->running;
		pg = a->run_pgid;
		pthread_mutex_unlock(&a->lock);
		if (!running || nb_mono_ns() - t0 > 3000000000ull)
			break;
		if (pg > 0 && !sent_kill && nb_mono_ns() - t0 > 2000000000ull) {
			kill(-pg, SIGKILL);
			sent_kill = 1;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* End the socket sessions (their threads see end of stream and finish, releasing
 * what they hold), waiting up to 1 s.  Device sessions (stdio, serial) cannot be
 * woken this way and end with the process. */
static void stop_sessions(struct nb_agent *a)
{
	uint64_t t0 = nb_mono_ns();

	pthread_mutex_lock(&a->lock);
	for (struct nb_session *s = a->live; s; s = s->next)
		if (s->socket)
			shutdown(s->conn.rfd, SHUT_RDWR);
	pthread_mutex_unlock(&a->lock);
	for (;;) {
		int left = 0;
		pthread_mutex_lock(&a->lock);
		for (struct nb_session *s = a->live; s; s = s->next)
			left += s->socket;
		pthread_mutex_unlock(&a->lock);
		/* A session ending its kept workers may take a quit's grace and a SIGTERM's
		 * (workers.c): up to 2 s each, one after the other. */
		if (!left || nb_mono_ns() - t0 > 5000000000ull)
			break;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int nb_agent_serve(struct nb_agent *a)
{
	struct pollfd p[NB_AGENT_MAX_LISTEN + 1];
	struct nb_listener *map[NB_AGENT_MAX_LISTEN + 1];
	struct sigaction sa;
	sigset_t block, old;
	int n = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Threads start with the signals blocked; only ppoll below lets them in. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	sigdelset(&old, SIGTERM);
	sigdelset(&old, SIGINT);

	for (int i = 0; i < a->nlisteners; i++) {
		struct nb_listener *l = &a->listeners[i];
		nb_log(a, 1, "listening on %s", l->desc);
		if (l->ops->flags & NB_TR_ONE_SESSION) {
			struct device_arg *d = malloc(sizeof(*d));
			if (!d || start_thread(device_loop, (d->a = a, d->l = l, d))) {
				nb_log(a, 0, "cannot start a thread for %s", l->desc);
				free(d);
				return 1;
			}
			continue;
		}
		p[n] = (struct pollfd){ .fd = l->fd, .events = POLLIN };
		map[n++] = l;
	}
	p[n] = (struct pollfd){ .fd = a->wake[0], .events = POLLIN };
	map[n] = NULL;

	while (!got_signal) {
		struct timespec ts, *tsp = NULL;
		uint64_t now = nb_mono_ns(), wake = 0;

		/* A listener resting after accept ran out of descriptors is left out. */
		for (int i = 0; i < n; i++) {
			uint64_t until = a->accept_rest_until[map[i] - a->listeners];
			p[i].fd = until > now ? -1 : map[i]->fd;
			if (until > now && (!wake || until < wake))
				wake = until;
		}
		if (wake) {
			ts.tv_sec = (time_t)((wake - now) / 1000000000ull);
			ts.tv_nsec = (long)((wake - now) % 1000000000ull);
			tsp = &ts;
		}
		int rc = ppoll(p, (nfds_t)n + 1, tsp, &old);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			nb_log(a, 0, "ppoll: %s", strerror(errno));
			break;
		}
		if (p[n].revents)
			break;   /* the stdio session ended */
		for (int i = 0; i < n; i++)
			if (p[i].revents & POLLIN)
				accept_one(a, map[i]);
	}
	if (got_signal)
		nb_log(a, 1, "%s: shutting down", got_signal == SIGINT ? "SIGINT" : "SIGTERM");
	for (int k = 0; k < a->nlisteners; k++)
		nb_transport_unlisten(&a->listeners[k]);   /* no new sessions */
	stop_run(a);
	stop_sessions(a);
	nb_workers_end_session(a, 0, 1);   /* those of sessions that could not be woken */
	a->nlisteners = 0;
	return 0;
}
