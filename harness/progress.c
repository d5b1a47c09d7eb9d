/* progress.c - the terminal progress line. */
#include "progress.h"
#include "../common/clock.h"

#include <string.h>

void nb_progress_hms(double s, char *buf, size_t len)
{
	long t = s < 0 ? 0 : (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
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
	char el[16], eta[16] = "?";
	double elapsed = nb_mono_s() - p->t0;
	long done = p->total - visits_left;

	if (!p->enabled)
		return;
	if (visits_left > p->total)
		p->total = visits_left;   /* adaptive cases can need more visits than planned */
	nb_progress_hms(elapsed, el, sizeof(el));
	if (done > 0)
		nb_progress_hms(elapsed / (double)done * (double)visits_left, eta, sizeof(eta));
	fprintf(p->f, "\r\033[K[%s] %ld/%ld round %d  %.40s  elapsed %s  ~%s left", p->tier, done,
		p->total, round + 1, what, el, eta);
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
