/* scratch.c - the scratch file of the `io` and `pf` families (scratch.h): created with
 * real stamped data, registered with nb_tmpfile_add before it exists so that teardown,
 * exit and SIGINT/SIGTERM remove it, and removed on every error path.  It was in io.c with
 * pf.c declaring what it used by hand; one header now keeps the two in step. */
#include "scratch.h"
#include "memutil.h"
#include "../common/units.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* splitmix64 words; a tail shorter than 8 bytes keeps what the buffer held. */
void nb_scratch_fill(unsigned char *buf, size_t len, uint64_t seed)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t v = nb_splitmix64(&seed);
		memcpy(buf + i, &v, 8);
	}
}

const char *nb_scratch_fs_name(unsigned long type, char *buf, size_t len)
{
	static const struct { unsigned long magic; const char *name; } tab[] = {
		{ 0xEF53, "ext2/3/4" },      { 0x58465342, "xfs" },     { 0x9123683E, "btrfs" },
		{ 0x01021994, "tmpfs" },     { 0x858458F6, "ramfs" },   { 0x6969, "nfs" },
		{ 0x794C7630, "overlayfs" }, { 0x2FC12FC1, "zfs" },     { 0xF2F52010, "f2fs" },
		{ 0x65735546, "fuse" },      { 0x01021997, "9p" },      { 0xFF534D42, "cifs" },
		{ 0xFE534D42, "smb2" },      { 0x5346544E, "ntfs" },    { 0x4D44, "vfat" },
		{ 0x2011BAB0, "exfat" },     { 0xCA451A4E, "bcachefs" }, { 0x3153464A, "jfs" },
		{ 0x73717368, "squashfs" },  { 0x9FA0, "proc" },        { 0x62656572, "sysfs" },
	};

	type &= 0xffffffffUL;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].magic == type)
			return tab[i].name;
	snprintf(buf, len, "unknown filesystem 0x%lx", type);
	return buf;
}

int nb_scratch_fs_in_ram(unsigned long type)
{
	type &= 0xffffffffUL;
	return type == 0x01021994 || type == 0x858458F6;
}

void nb_scratch_remove(struct nb_ctx *c, const char *path)
{
	if (!path[0])
		return;
	unlink(path);
	for (int i = 0; i < c->ntmpfiles; i++) {
		if (strcmp(c->tmpfiles[i], path) != 0)
			continue;
		/* Copy the last entry over this one before shrinking: a signal arriving in
		 * between at worst unlinks a path twice. */
		if (i != c->ntmpfiles - 1)
			memcpy(c->tmpfiles[i], c->tmpfiles[c->ntmpfiles - 1], sizeof(c->tmpfiles[i]));
		c->ntmpfiles--;
		break;
	}
}

int nb_scratch_create(struct nb_ctx *c, const char *dir, const char *prefix, uint64_t size,
		      size_t wchunk, char *path, struct statfs *sfs)
{
	struct stat st;
	struct statvfs vfs;
	char a[32], b[32];
	unsigned char *buf = NULL;
	size_t dlen = strlen(dir);
	int fd = -1, err;

	path[0] = '\0';
	if (!dlen)
		return nb_fail(c, 1, "parameter 'dir' is empty: name a directory for the scratch file");
	if (stat(dir, &st)) {
		if (errno == ENOENT)
			return nb_fail(c, 1, "directory '%s' does not exist", dir);
		return nb_fail(c, 1, "cannot use directory '%s': %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return nb_fail(c, 1, "'%s' is not a directory", dir);
	if (access(dir, W_OK | X_OK))
		return nb_fail(c, 1, "directory '%s' is not writable: %s", dir, strerror(errno));
	if (statvfs(dir, &vfs) || statfs(dir, sfs))
		return nb_fail(c, 0, "statvfs '%s': %s", dir, strerror(errno));
	/* f_blocks 0: the filesystem keeps no count (ramfs, some FUSE): nothing to check. */
	uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize, need = size + size / 16;
	if (vfs.f_blocks && avail < need) {
		nb_format_size(size, a, sizeof(a));
		snprintf(b, sizeof(b), "%.1f MiB", avail / 1048576.0);
		return nb_fail(c, 1, "not enough free space in '%s' for a %s scratch file (plus a 1/16 "
				     "reserve): %s available", dir, a, b);
	}
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if ((size_t)snprintf(path, 4096, "%.*s/%s.%ld.tmp", (int)dlen, dir, prefix, (long)getpid()) >= 4096) {
		path[0] = '\0';
		return nb_fail(c, 1, "directory name '%s' is too long", dir);
	}
	if (nb_tmpfile_add(c, path) < 0) {
		path[0] = '\0';
		return nb_fail(c, 0, "too many scratch files registered");
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		if (err == EEXIST) {
			/* Not ours: forget it without unlinking it. */
			c->ntmpfiles--;
			nb_fail(c, 1, "'%s' already exists (left by a killed run?); remove it", path);
			path[0] = '\0';
			return -1;
		}
		nb_scratch_remove(c, path);
		path[0] = '\0';
		return nb_fail(c, err == EACCES || err == EPERM || err == EROFS || err == ENOSPC ||
				  err == EDQUOT, "cannot create a file in '%s': %s", dir, strerror(err));
	}
	if (wchunk == 0 || wchunk > (1u << 20))
		wchunk = 1u << 20;
	if (posix_memalign((void **)&buf, NB_SCRATCH_SECTOR, 1 << 20)) {
		nb_fail(c, 0, "out of memory");
		goto fail;
	}
	nb_scratch_fill(buf, 1 << 20, 0x5eedull ^ size);
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < wchunk ? (size_t)(size - off) : wchunk;
		nb_scratch_stamp(buf, n, off, 0);
		ssize_t w = pwrite(fd, buf, n, (off_t)off);
		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			nb_fail(c, err == ENOSPC || err == EDQUOT, "writing the scratch file %s: %s", path,
				strerror(err));
			goto fail;
		}
		off += (uint64_t)w;  /* a short write continues where it stopped */
	}
	if (fsync(fd)) {
		err = errno;
		nb_fail(c, err == ENOSPC || err == EDQUOT, "fsync of the scratch file %s: %s", path,
			strerror(err));
		goto fail;
	}
	free(buf);
	return fd;
fail:
	free(buf);
	close(fd);
	nb_scratch_remove(c, path);
	path[0] = '\0';
	return -1;
}
