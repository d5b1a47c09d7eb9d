/* sha256.c - SHA-256 with libcrypto's EVP interface (uses SHA-NI/AVX2 where present). */
#include "sha256.h"
#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


int nb_sha256_init(struct nb_sha256 *h, char err[NB_ERR_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->md = NULL;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return nb_err(err, "EVP_DigestInit_ex(sha256) failed");
	}
	h->md = ctx;
	return 0;
}

int nb_sha256_update(struct nb_sha256 *h, const void *buf, size_t len, char err[NB_ERR_LEN])
{
	if (len && EVP_DigestUpdate((EVP_MD_CTX *)h->md, buf, len) != 1) {
		return nb_err(err, "EVP_DigestUpdate failed");
	}
	return 0;
}

int nb_sha256_final(struct nb_sha256 *h, char hex[NB_SHA256_HEX], char err[NB_ERR_LEN])
{
	unsigned char md[32];
	unsigned int n = 0;
	int rc = 0;

	if (EVP_DigestFinal_ex((EVP_MD_CTX *)h->md, md, &n) != 1 || n != 32) {
		snprintf(err, NB_ERR_LEN, "EVP_DigestFinal_ex failed");
		rc = -1;
	} else {
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	nb_sha256_free(h);
	return rc;
}

void nb_sha256_free(struct nb_sha256 *h)
{
	EVP_MD_CTX_free((EVP_MD_CTX *)h->md);
	h->md = NULL;
}

int nb_sha256_buf(const void *buf, size_t len, char hex[NB_SHA256_HEX], char err[NB_ERR_LEN])
{
	struct nb_sha256 h;

	if (nb_sha256_init(&h, err))
		return -1;
	if (nb_sha256_update(&h, buf, len, err)) {
		nb_sha256_free(&h);
		return -1;
	}
	return nb_sha256_final(&h, hex, err);
}

int nb_sha256_fd(int fd, char hex[NB_SHA256_HEX], unsigned long long *size, char err[NB_ERR_LEN])
{
	enum { BUF = 1 << 20 };
	unsigned char *buf = malloc(BUF);
	unsigned long long total = 0;
	struct nb_sha256 h;
	ssize_t n;

	if (!buf) {
		return nb_err(err, "out of memory for a read buffer");
	}
	if (nb_sha256_init(&h, err)) {
		free(buf);
		return -1;
	}
	for (;;) {
		n = read(fd, buf, BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, NB_ERR_LEN, "read: %s", strerror(errno));
			nb_sha256_free(&h);
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		total += (unsigned long long)n;
		if (nb_sha256_update(&h, buf, (size_t)n, err)) {
			nb_sha256_free(&h);
			free(buf);
			return -1;
		}
	}
	free(buf);
	if (size)
		*size = total;
	return nb_sha256_final(&h, hex, err);
}

int nb_sha256_file(const char *path, char hex[NB_SHA256_HEX], unsigned long long *size,
		   char err[NB_ERR_LEN])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		return nb_err(err, "open %s: %s", path, strerror(errno));
	}
	rc = nb_sha256_fd(fd, hex, size, err);
	if (rc) {
		char tmp[NB_ERR_LEN];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		memcpy(err, tmp, NB_ERR_LEN);
	}
	close(fd);
	return rc;
}

int nb_sha256_valid_hex(const char *s)
{
	size_t i;

	if (!s)
		return 0;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}
