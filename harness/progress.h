/* progress.h - one live line on a terminal (tier, case, round, elapsed, estimated
 * remaining); nothing at all when stderr is not a terminal (logs stay clean). */
#ifndef NB_PROGRESS_H
#define NB_PROGRESS_H

#include <stdio.h>

struct nb_progress {
	int enabled;
	FILE *f;
	char tier[64];
	long total;        /* visits this tier was expected to need when it started */
	double t0;         /* tier start */
	int shown;         /* a line is on screen */
};

void nb_progress_init(struct nb_progress *p, int enabled, FILE *f);
void nb_progress_tier(struct nb_progress *p, const char *tier, long visits_left);
void nb_progress_visit(struct nb_progress *p, const char *what, int round, long visits_left);
void nb_progress_clear(struct nb_progress *p);

/* The width of the terminal f is (TIOCGWINSZ), else $COLUMNS, else 80: the line stays
 * shorter, so that \r redraws it in place. */
int nb_progress_columns(FILE *f);

/* "1:05" / "1:02:03" */
void nb_progress_hms(double s, char *buf, size_t len);

#endif
