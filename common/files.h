/* files.h - the file helpers every program shares: a whole file into memory
 * (campaign files, result files, the lab's state and console logs, /proc entries whose
 * size stat cannot tell), the first line of a small sysfs or /proc file, mkdir -p and
 * a write that writes everything.
 * No dependencies: the static nestbench-work links it too. */
#ifndef NB_FILES_H
#define NB_FILES_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (malloc'd; *len bytes, len may be NULL).  NULL with
 * errno set: *open_failed (may be NULL) says whether opening failed, as opposed to
 * reading; EFBIG when the file exceeds max bytes (0: no limit). */
char *nb_file_read(const char *path, size_t max, size_t *len, int *open_failed);

/* First line of a small sysfs/proc file into buf, without its newline: 0, or -1 with
 * buf "" when the file cannot be opened or is empty. */
int nb_read_line(const char *path, char *buf, size_t len);

/* mkdir -p (mode 0755); 0 or -1 (errno). */
int nb_mkdirs(const char *path);

/* All n bytes to fd, across short writes and EINTR; 0 or -1 (errno). */
int nb_write_full(int fd, const void *buf, size_t n);

#endif
