/* suggest.c - "did you mean" by edit distance. */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

#define MAX_WORD 31

int nb_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[MAX_WORD + 2][MAX_WORD + 2];

	if (la > MAX_WORD || lb > MAX_WORD)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]), v = sub;
			v = d[i - 1][j] + 1 < v ? d[i - 1][j] + 1 : v;
			v = d[i][j - 1] + 1 < v ? d[i][j - 1] + 1 : v;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] < 9 ? d[la][lb] : 9;
}

const char *nb_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL, *prefixed = NULL;
	int best_d = 3, prefixes = 0;

	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		int dd = nb_distance(word, names[i]);
		if (dd < best_d) {
			best_d = dd;
			best = names[i];
		}
		if (word[0] && strncmp(names[i], word, strlen(word)) == 0) {
			prefixes++;
			prefixed = names[i];
		}
	}
	return best ? best : prefixes == 1 ? prefixed : NULL;
}

void nb_suggest_phrase(const char *word, const char *const *names, size_t n, char *buf, size_t len)
{
	const char *near = nb_suggest(word, names, n);

	if (near)
		snprintf(buf, len, ", did you mean \"%s\"?", near);
	else if (len)
		buf[0] = '\0';
}
