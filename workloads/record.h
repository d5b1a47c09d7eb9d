/* record.h - one machine-readable record per line (JSON), or the same fields as
 * "key: value" lines for people.  Written by plain code: the static workload binary
 * links no JSON library. */
#ifndef NB_RECORD_H
#define NB_RECORD_H

#include <stdint.h>
#include <stdio.h>

#define NB_REC_DEPTH 4

struct nb_rec {
	FILE *f;
	int json;
	int depth;
	int first[NB_REC_DEPTH + 1]; /* no comma needed yet at this depth */
	int in_array[NB_REC_DEPTH + 1];
};

void nb_rec_begin(struct nb_rec *r, FILE *f, int json);
void nb_rec_end(struct nb_rec *r);             /* closes the line and flushes */
void nb_rec_str(struct nb_rec *r, const char *key, const char *v);
void nb_rec_u64(struct nb_rec *r, const char *key, uint64_t v);
void nb_rec_i64(struct nb_rec *r, const char *key, int64_t v);
void nb_rec_double(struct nb_rec *r, const char *key, double v); /* NaN/inf -> null */
void nb_rec_bool(struct nb_rec *r, const char *key, int v);
void nb_rec_null(struct nb_rec *r, const char *key);
void nb_rec_obj_begin(struct nb_rec *r, const char *key);  /* key NULL inside arrays */
void nb_rec_obj_end(struct nb_rec *r);
void nb_rec_arr_begin(struct nb_rec *r, const char *key);
void nb_rec_arr_end(struct nb_rec *r);

/* Write s as a JSON string literal (with quotes). */
void nb_json_string(FILE *f, const char *s);

#endif
