/* suggest.h - "did you mean": the known word closest to a mistyped one, for messages
 * about commands, campaign keys, tiers, workloads and their parameters. */
#ifndef NB_SUGGEST_H
#define NB_SUGGEST_H

#include <stddef.h>

/* Edit distance (insertions, deletions, substitutions, transpositions of neighbours)
 * of two short words (at most 31 characters), capped at 9. */
int nb_distance(const char *a, const char *b);

/* Of names[n], the one closest to word: at most 2 edits away, or else the only one
 * word is a prefix of; NULL when none is.  NULL entries are skipped. */
const char *nb_suggest(const char *word, const char *const *names, size_t n);

/* ", did you mean \"NAME\"?" for nb_suggest's answer, or "" (for messages). */
void nb_suggest_phrase(const char *word, const char *const *names, size_t n, char *buf,
		       size_t len);

#endif
