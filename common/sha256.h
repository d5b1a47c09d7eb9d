/* sha256.h - SHA-256 over buffers, streams and files (libcrypto EVP), as lowercase hex. */
#ifndef NB_SHA256_H
#define NB_SHA256_H

#include "err.h"

#include <stddef.h>

/* ---- data types ------------------------------------------------------------------ */

#define NB_SHA256_HEX 65           /* 64 hex digits and the NUL */

struct nb_sha256 {
	void *md;                  /* EVP_MD_CTX * */
};

/* ---- prototypes ------------------------------------------------------------------ */

/* Streaming: init, update..., final (writes hex, frees the context).  0 or -1 (err).
 * nb_sha256_free releases a context that will not be finalised. */
int nb_sha256_init(struct nb_sha256 *h, char err[NB_ERR_LEN]);
int nb_sha256_update(struct nb_sha256 *h, const void *buf, size_t len, char err[NB_ERR_LEN]);
int nb_sha256_final(struct nb_sha256 *h, char hex[NB_SHA256_HEX], char err[NB_ERR_LEN]);
void nb_sha256_free(struct nb_sha256 *h);

int nb_sha256_buf(const void *buf, size_t len, char hex[NB_SHA256_HEX], char err[NB_ERR_LEN]);
/* Hash a whole file; *size gets its length when size is not NULL. */
int nb_sha256_file(const char *path, char hex[NB_SHA256_HEX], unsigned long long *size,
		   char err[NB_ERR_LEN]);
int nb_sha256_fd(int fd, char hex[NB_SHA256_HEX], unsigned long long *size, char err[NB_ERR_LEN]);

/* 1 when s is exactly 64 lowercase hex digits. */
int nb_sha256_valid_hex(const char *s);

#endif
