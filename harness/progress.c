/* progress.c - the terminal progress line. */
#include "progress.h"
#include "../common/clock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

void nb_progress_hms(double s, char *buf, size_t len)
{
	long t = s < 0 ? 0 : (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

int nb_progress_columns(FILE *f)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && atoi(env) > 0)
		return atoi(env);
	return 80;
}

void nb_progress_init(struct nb_progress *p, int enabled, FILE *f)
{
	memset(p, 0, sizeof(*p));
	p->enabled = enabled && f;
	p->f = f;
}

void nb_progress_tier(struct nb_progress *p, const char *tier, long visits_left)
{
	snprintf(p->tier, sizeof(p->tier), "%s", tier);
	p->total = visits_left;
	p->t0 = nb_mono_s();
}

void nb_progress_visit(struct nb_progress *p, const char *what, int round, long visits_left)
{
	char el[16], eta[16] = "?", head[96], tail[64], line[256];
	double elapsed = nb_mono_s() - p->t0;
	long done = p->total - visits_left;

	if (!p->enabled)
		return;
	if (visits_left > p->total)
		p->total = visits_left;   /* adaptive cases can need more visits than planned */
	nb_progress_hms(elapsed, el, sizeof(el));
	if (done > 0)
		nb_progress_hms(elapsed / (double)done * (double)visits_left, eta, sizeof(eta));
	snprintf(head, sizeof(head), "[%s] %ld/%ld round %d  ", p->tier, done, p->total, round + 1);
	snprintf(tail, sizeof(tail), "  elapsed %s  ~%s left", el, eta);
	/* Shorter than the terminal: a line that wraps is not redrawn by \r but stacks.  The
	 * case's name gives way first, then the end of the line. */
	int cols = nb_progress_columns(p->f), room = cols - 1 - (int)(strlen(head) + strlen(tail));
	snprintf(line, sizeof(line), "%s%.*s%s", head, room < 40 ? (room > 0 ? room : 0) : 40, what,
		 tail);
	if (cols > 1 && strlen(line) >= (size_t)cols)
		line[cols - 1] = '\0';
	fprintf(p->f, "\r\033[K%s", line);
	fflush(p->f);
	p->shown = 1;
}

void nb_progress_clear(struct nb_progress *p)
{
	if (p->enabled && p->shown) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->shown = 0;
}
