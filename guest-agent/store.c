/* store.c - binaries stored under their SHA-256: written to a temporary file in the
 * store directory, hashed while written, fsync'd, made executable and renamed into
 * place only when the content matches the declared hash. */
#include "agent.h"
#include "../common/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WRITEBACK_STEP (8u << 20)   /* start writeback every 8 MiB: a short final fsync */

static int mkdir_p(const char *path, mode_t mode, char err[NB_ERR_LEN])
{
	char buf[PATH_MAX];
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		return nb_err(err, "path too long: %.80s...", path);
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			return nb_err(err, "mkdir %.180s: %s", buf, strerror(errno));
		}
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST) {
		return nb_err(err, "mkdir %.180s: %s", buf, strerror(errno));
	}
	if (stat(buf, &st) || !S_ISDIR(st.st_mode)) {
		return nb_err(err, "%.200s is not a directory", buf);
	}
	return 0;
}

int nb_store_open(struct nb_store *st, const char *state_dir, char err[NB_ERR_LEN])
{
	char probe[PATH_MAX + 32], e[NB_ERR_LEN];
	DIR *d;
	int fd;

	memset(st, 0, sizeof(*st));
	if (!state_dir || state_dir[0] != '/') {
		return nb_err(err, "state directory '%s' must be an absolute path (--state-dir)",
			 state_dir ? state_dir : "");
	}
	if (strlen(state_dir) > PATH_MAX - 128) {
		return nb_err(err, "state directory path too long (--state-dir)");
	}
	if (snprintf(st->state, sizeof(st->state), "%s", state_dir) >= (int)sizeof(st->state) ||
	    snprintf(st->dir, sizeof(st->dir), "%s/store", state_dir) >= (int)sizeof(st->dir) ||
	    snprintf(st->work, sizeof(st->work), "%s/work", state_dir) >= (int)sizeof(st->work)) {
		return nb_err(err, "state directory path too long (--state-dir)");
	}
	if (mkdir_p(st->state, 0700, e) || mkdir_p(st->dir, 0700, e) || mkdir_p(st->work, 0700, e)) {
		return nb_err(err, "state directory %.60s is not usable (%.120s): choose a writable "
			 "one with --state-dir", state_dir, e);
	}
	snprintf(probe, sizeof(probe), "%s/.probe-XXXXXX", st->dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		return nb_err(err, "state directory %.100s is not writable (%s): choose a writable "
			 "one with --state-dir", state_dir, strerror(errno));
	}
	close(fd);
	unlink(probe);
	/* Temporary files of puts interrupted by a crash or SIGTERM. */
	if ((d = opendir(st->dir))) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strncmp(de->d_name, ".tmp-", 5) == 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	return 0;
}

void nb_store_path(const struct nb_store *st, const char *hex, char *path, size_t len)
{
	if (snprintf(path, len, "%s/%s", st->dir, hex) >= (int)len)
		path[0] = '\0';
}

int nb_store_has(const struct nb_store *st, const char *hex, uint64_t *size)
{
	char path[PATH_MAX];
	struct stat s;

	if (!nb_sha256_valid_hex(hex))
		return 0;
	nb_store_path(st, hex, path, sizeof(path));
	if (stat(path, &s) || !S_ISREG(s.st_mode))
		return 0;
	if (size)
		*size = (uint64_t)s.st_size;
	return 1;
}

int nb_store_put_begin(const struct nb_store *st, struct nb_store_put *p, char err[NB_ERR_LEN])
{
	char e[NB_ERR_LEN];

	memset(p, 0, sizeof(*p));
	if (snprintf(p->tmp, sizeof(p->tmp), "%s/.tmp-XXXXXX", st->dir) >= (int)sizeof(p->tmp)) {
		snprintf(err, NB_ERR_LEN, "store path too long");
		p->fd = -1;
		return -1;
	}
	p->fd = mkostemp(p->tmp, O_CLOEXEC);
	if (p->fd < 0) {
		return nb_err(err, "mkostemp in %.180s: %s", st->dir, strerror(errno));
	}
	if (nb_sha256_init(&p->h, e)) {
		snprintf(err, NB_ERR_LEN, "%s", e);
		close(p->fd);
		unlink(p->tmp);
		p->fd = -1;
		return -1;
	}
	return 0;
}

void nb_store_put_hash(struct nb_store_put *p, const void *buf, size_t n)
{
	char e[NB_ERR_LEN];

	if (!p->hash_failed && nb_sha256_update(&p->h, buf, n, e)) {
		p->hash_failed = 1;
		snprintf(p->hash_why, sizeof(p->hash_why), "%s", e);
	}
}

void nb_store_put_write(struct nb_store_put *p, const void *buf, size_t n)
{
	nb_store_put_hash(p, buf, n);
	nb_store_put_data(p, buf, n);
}

void nb_store_put_data(struct nb_store_put *p, const void *buf, size_t n)
{
	const char *b = buf;
	size_t done = 0;

	if (p->failed)
		return;
	while (done < n) {
		ssize_t k = write(p->fd, b + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			p->failed = 1;
			snprintf(p->why, sizeof(p->why), "write %.180s: %s", p->tmp,
				 k < 0 ? strerror(errno) : "no progress");
			return;
		}
		done += (size_t)k;
	}
	p->written += n;
	if (p->written - p->flushed >= WRITEBACK_STEP) {
		sync_file_range(p->fd, (off_t)p->flushed, (off_t)(p->written - p->flushed),
				SYNC_FILE_RANGE_WRITE);
		p->flushed = p->written;
	}
}

void nb_store_put_abort(struct nb_store_put *p)
{
	if (p->fd >= 0) {
		close(p->fd);
		unlink(p->tmp);
	}
	p->fd = -1;
	if (p->h.md)
		nb_sha256_free(&p->h);
}

int nb_store_put_finish(const struct nb_store *st, struct nb_store_put *p, const char *hex,
			const char **code, char msg[NB_ERR_LEN])
{
	char got[NB_SHA256_HEX], e[NB_ERR_LEN], path[PATH_MAX];
	int dfd;

	*code = NB_E_IO;
	if (p->failed || p->hash_failed) {
		snprintf(msg, NB_ERR_LEN, "storing failed: %s", p->failed ? p->why : p->hash_why);
		nb_store_put_abort(p);
		return -1;
	}
	if (nb_sha256_final(&p->h, got, e)) {
		snprintf(msg, NB_ERR_LEN, "%s", e);
		nb_store_put_abort(p);
		return -1;
	}
	if (strcmp(got, hex) != 0) {
		*code = NB_E_HASH_MISMATCH;
		snprintf(msg, NB_ERR_LEN, "the content's sha256 is %s, not the declared %s: not stored",
			 got, hex);
		nb_store_put_abort(p);
		return -1;
	}
	if (fsync(p->fd) || fchmod(p->fd, 0755)) {
		snprintf(msg, NB_ERR_LEN, "fsync/fchmod %s: %s", p->tmp, strerror(errno));
		nb_store_put_abort(p);
		return -1;
	}
	nb_store_path(st, hex, path, sizeof(path));
	if (rename(p->tmp, path)) {
		snprintf(msg, NB_ERR_LEN, "rename %s -> %s: %s", p->tmp, path, strerror(errno));
		nb_store_put_abort(p);
		return -1;
	}
	close(p->fd);
	p->fd = -1;
	/* Make the rename itself durable. */
	if ((dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int same_ts(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* s is the file last verified as hex, unchanged since. */
static int still_verified(const struct nb_store_verified *v, const char *hex, const struct stat *s)
{
	return strcmp(v->hex, hex) == 0 && v->dev == s->st_dev && v->ino == s->st_ino &&
	       v->size == s->st_size && same_ts(v->mtime, s->st_mtim) && same_ts(v->ctime, s->st_ctim);
}

/* Remember s as intact, if its timestamps are old enough that a later write changes them
 * (file timestamps tick at the kernel's coarse clock: a few ms). */
static void remember_verified(struct nb_store_verified *v, const char *hex, const struct stat *s)
{
	struct timespec now;

	unsigned long hashed = v->hashed;

	memset(v, 0, sizeof(*v));
	v->hashed = hashed;
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec - s->st_mtim.tv_sec < 2 || now.tv_sec - s->st_ctim.tv_sec < 2)
		return;
	snprintf(v->hex, sizeof(v->hex), "%s", hex);
	v->dev = s->st_dev;
	v->ino = s->st_ino;
	v->size = s->st_size;
	v->mtime = s->st_mtim;
	v->ctime = s->st_ctim;
}

int nb_store_verify(struct nb_store *st, const char *hex, char *path, size_t len,
		    const char **code, char msg[NB_ERR_LEN])
{
	char got[NB_SHA256_HEX], e[NB_ERR_LEN];
	struct stat s;

	nb_store_path(st, hex, path, len);
	if (stat(path, &s) || !S_ISREG(s.st_mode)) {
		*code = NB_E_NOT_FOUND;
		return nb_err(msg, "no stored binary with sha256 %s: send it with put first", hex);
	}
	if (still_verified(&st->verified, hex, &s))
		return 0;
	st->verified.hex[0] = '\0';
	st->verified.hashed++;
	if (nb_sha256_file(path, got, NULL, e)) {
		*code = NB_E_IO;
		return nb_err(msg, "%s", e);
	}
	if (strcmp(got, hex) != 0) {
		*code = NB_E_HASH_MISMATCH;
		snprintf(msg, NB_ERR_LEN, "stored binary %s changed on disk (now hashes to %s): removed; "
			 "put it again", hex, got);
		unlink(path);
		return -1;
	}
	remember_verified(&st->verified, hex, &s);
	return 0;
}
