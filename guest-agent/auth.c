/* auth.c - the brake on guessing the token.
 *
 * Wrong tokens are counted agent-wide.  Once NB_AUTH_FREE_FAILS of them came within
 * NB_AUTH_WINDOW_S of each other, every token comparison - right or wrong, from any
 * session - waits for its turn in one queue, the turns NB_AUTH_TURN_MS apart, until a
 * window passes without a wrong token.  So:
 *  - many connections guess no faster than one (one comparison per turn in all);
 *  - the time to a reply tells nothing: a right token waits as a wrong one does, and
 *    nothing is compared before the turn, so hanging up or being evicted while waiting
 *    reveals nothing either;
 *  - the harness is never locked out for long: an evicted waiter leaves the queue, so
 *    it holds at most the --max-unauth sessions still waiting to authenticate (and
 *    authenticated ones saying hello again): a few seconds of turns, and no backlog
 *    that outlasts an attack. */
#include "agent.h"

#include <poll.h>
#include <time.h>

struct nb_auth_waiter {
	struct nb_auth_waiter *next;
};

/* Under a->lock: forget wrong tokens older than the window; 1 while braked. */
static int braked(struct nb_agent *a, uint64_t now)
{
	if (a->auth_fails && now - a->auth_fail_ns > NB_AUTH_WINDOW_S * 1000000000ull)
		a->auth_fails = 0;
	return a->auth_fails >= NB_AUTH_FREE_FAILS && a->o.auth_turn_ms;
}

static void enqueue(struct nb_agent *a, struct nb_auth_waiter *w)
{
	struct nb_auth_waiter **p = &a->auth_queue;

	while (*p)
		p = &(*p)->next;
	w->next = NULL;
	*p = w;
}

static void dequeue(struct nb_agent *a, struct nb_auth_waiter *w)
{
	for (struct nb_auth_waiter **p = &a->auth_queue; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			return;
		}
}

/* Wait up to ms; 1 when the session is gone: evicted to make room for a newer client,
 * or its peer hung up where that shows (a UNIX socket, a pipe).  A half-close is not
 * gone: the client may still read the reply (PROTOCOL.md, "Closing a connection"). */
static int gone_within(struct nb_session *s, unsigned ms)
{
	struct pollfd p = { .fd = s->conn.rfd, .events = 0 };

	if (__atomic_load_n(&s->evicted, __ATOMIC_ACQUIRE))
		return 1;
	if (poll(&p, 1, (int)ms) < 0)
		return 0;   /* EINTR: looked at again on the next round */
	return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) ||
	       __atomic_load_n(&s->evicted, __ATOMIC_ACQUIRE);
}

int nb_auth_turn(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	struct nb_auth_waiter me;
	int gone = 0;

	pthread_mutex_lock(&a->lock);
	if (!braked(a, nb_mono_ns())) {
		pthread_mutex_unlock(&a->lock);
		return 0;
	}
	enqueue(a, &me);
	for (;;) {
		uint64_t now = nb_mono_ns();
		unsigned ms = 50;
		if (gone || a->stopping) {
			dequeue(a, &me);
			pthread_mutex_unlock(&a->lock);
			s->after = NB_AFTER_CLOSE;
			return nb_op_fail(s, NB_E_AUTH, "token not checked: the session ended while its "
					  "hello waited for its turn (token checks are delayed after wrong "
					  "tokens)");
		}
		if (a->auth_queue == &me) {
			if (now >= a->auth_next_ns) {
				a->auth_queue = me.next;
				a->auth_next_ns = now + a->o.auth_turn_ms * 1000000ull;
				pthread_mutex_unlock(&a->lock);
				return 0;
			}
			if ((a->auth_next_ns - now) / 1000000u < ms)
				ms = (unsigned)((a->auth_next_ns - now) / 1000000u) + 1;
		}
		pthread_mutex_unlock(&a->lock);
		gone = gone_within(s, ms);
		pthread_mutex_lock(&a->lock);
	}
}

int nb_auth_wrong_token(struct nb_session *s)
{
	struct nb_agent *a = s->a;
	uint64_t now = nb_mono_ns();
	unsigned n;
	int was, is;

	pthread_mutex_lock(&a->lock);
	was = braked(a, now);
	if (a->auth_fails < 1000000)
		a->auth_fails++;
	a->auth_fail_ns = now;
	n = a->auth_fails;
	is = braked(a, now);
	pthread_mutex_unlock(&a->lock);
	if (!is)
		return nb_op_fail(s, NB_E_AUTH, "wrong token");
	if (!was)
		nb_log(a, 0, "%u wrong tokens within %d s, the last from %s: token checks are now "
		       "delayed (one per %u ms, agent-wide)", n, NB_AUTH_WINDOW_S, s->conn.desc,
		       a->o.auth_turn_ms);
	return nb_op_fail(s, NB_E_AUTH, "wrong token (%u wrong tokens on this agent lately: "
			  "token checks are delayed, one per %u ms agent-wide, until none has been "
			  "wrong for %d s)", n, a->o.auth_turn_ms, NB_AUTH_WINDOW_S);
}
