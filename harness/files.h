/* files.h - reading a whole file into memory (campaign files, result files, the lab's
 * state and console logs, /proc entries whose size stat cannot tell). */
#ifndef NB_FILES_H
#define NB_FILES_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (malloc'd; *len bytes, len may be NULL).  NULL with
 * errno set: *open_failed (may be NULL) says whether opening failed, as opposed to
 * reading; EFBIG when the file exceeds max bytes (0: no limit). */
char *nb_file_read(const char *path, size_t max, size_t *len, int *open_failed);

#endif
