/* record.c - the JSON-lines writer behind every record nestbench-work prints. */
#include "record.h"

#include <math.h>
#include <inttypes.h>

void nb_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void nb_rec_begin(struct nb_rec *r, FILE *f, int json)
{
	r->f = f;
	r->json = json;
	r->depth = 0;
	r->first[0] = 1;
	r->in_array[0] = 0;
	if (json)
		fputc('{', f);
}

/* Emit the separator and key for the next member; human mode indents by depth. */
static void key(struct nb_rec *r, const char *k)
{
	if (r->json) {
		if (!r->first[r->depth])
			fputc(',', r->f);
		r->first[r->depth] = 0;
		if (k && !r->in_array[r->depth]) {
			nb_json_string(r->f, k);
			fputc(':', r->f);
		}
		return;
	}
	fprintf(r->f, "%*s", r->depth * 2, "");
	if (k)
		fprintf(r->f, "%s: ", k);
	else
		fputs("- ", r->f);
}

static void eol(struct nb_rec *r)
{
	if (!r->json)
		fputc('\n', r->f);
}

void nb_rec_str(struct nb_rec *r, const char *k, const char *v)
{
	key(r, k);
	if (r->json)
		nb_json_string(r->f, v);
	else
		fputs(v, r->f);
	eol(r);
}

void nb_rec_u64(struct nb_rec *r, const char *k, uint64_t v)
{
	key(r, k);
	fprintf(r->f, "%" PRIu64, v);
	eol(r);
}

void nb_rec_i64(struct nb_rec *r, const char *k, int64_t v)
{
	key(r, k);
	fprintf(r->f, "%" PRId64, v);
	eol(r);
}

void nb_rec_double(struct nb_rec *r, const char *k, double v)
{
	key(r, k);
	if (!isfinite(v))
		fputs(r->json ? "null" : "n/a", r->f);
	else
		fprintf(r->f, "%.10g", v);
	eol(r);
}

void nb_rec_bool(struct nb_rec *r, const char *k, int v)
{
	key(r, k);
	fputs(v ? (r->json ? "true" : "yes") : (r->json ? "false" : "no"), r->f);
	eol(r);
}

void nb_rec_null(struct nb_rec *r, const char *k)
{
	key(r, k);
	fputs(r->json ? "null" : "n/a", r->f);
	eol(r);
}

static void open_level(struct nb_rec *r, const char *k, int array)
{
	key(r, k);
	if (r->json)
		fputc(array ? '[' : '{', r->f);
	else
		fputc('\n', r->f);
	if (r->depth < NB_REC_DEPTH)
		r->depth++;
	r->first[r->depth] = 1;
	r->in_array[r->depth] = array;
}

static void close_level(struct nb_rec *r, int array)
{
	if (r->json)
		fputc(array ? ']' : '}', r->f);
	if (r->depth > 0)
		r->depth--;
}

void nb_rec_obj_begin(struct nb_rec *r, const char *k) { open_level(r, k, 0); }
void nb_rec_obj_end(struct nb_rec *r) { close_level(r, 0); }
void nb_rec_arr_begin(struct nb_rec *r, const char *k) { open_level(r, k, 1); }
void nb_rec_arr_end(struct nb_rec *r) { close_level(r, 1); }

void nb_rec_end(struct nb_rec *r)
{
	if (r->json)
		fputs("}\n", r->f);
	else
		fputc('\n', r->f);
	fflush(r->f);
}
