/* frame.h - the wire format: a 4-byte big-endian length, then that many bytes.
 *
 * A message frame carries one JSON object.  The body of a `put` is a run of frames
 * whose payload is raw file bytes ("chunks"), ended by an empty frame.  Every reader
 * states the largest frame it accepts; a longer one is refused before any of its
 * payload is read. */
#ifndef NB_FRAME_H
#define NB_FRAME_H

#include "transport.h"
#include "err.h"

#include <stddef.h>
#include <stdint.h>

/* ---- data types ------------------------------------------------------------------ */

#define NB_FRAME_HDR 4
#define NB_FRAME_MAX_DEFAULT (4u << 20)     /* agent: largest request or reply */
#define NB_FRAME_MAX_CLIENT (64u << 20)     /* client: largest reply it will read */
#define NB_CHUNK_MAX (1u << 20)             /* largest `put` body chunk */

enum nb_frame_status {
	NB_FRAME_OK = 0,
	NB_FRAME_EOF = 1,          /* the peer closed cleanly between frames */
	NB_FRAME_SHORT = 2,        /* nb_frame_decode: more bytes needed */
	NB_FRAME_ERR = -1,         /* I/O error (err says which) */
	NB_FRAME_TOO_LARGE = -2,   /* declared length above the limit; payload not read */
	NB_FRAME_TRUNCATED = -3,   /* the stream ended inside a frame */
	NB_FRAME_TIMEOUT = -4,     /* the connection's deadline or timeout passed (errno
	                            * ETIMEDOUT); *len is 0, or the declared length when
	                            * the header had arrived */
};

/* ---- prototypes ------------------------------------------------------------------ */

static inline uint32_t nb_frame_get_len(const unsigned char h[NB_FRAME_HDR])
{
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static inline void nb_frame_put_len(unsigned char h[NB_FRAME_HDR], uint32_t n)
{
	h[0] = (unsigned char)(n >> 24);
	h[1] = (unsigned char)(n >> 16);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)n;
}

/* Write one frame (header and payload in one writev).  0 or -1 with err. */
int nb_frame_write(struct nb_conn *c, const void *payload, size_t len, char err[NB_ERR_LEN]);

/* Read one frame of at most max bytes into a new buffer (NUL-terminated, free()).
 * Returns an nb_frame_status; *len holds the declared length on NB_FRAME_TOO_LARGE. */
int nb_frame_read(struct nb_conn *c, size_t max, char **payload, size_t *len, char err[NB_ERR_LEN]);

/* Read one frame into buf (cap bytes); same statuses, NB_FRAME_TOO_LARGE when the
 * declared length exceeds cap. */
int nb_frame_read_into(struct nb_conn *c, void *buf, size_t cap, size_t *len, char err[NB_ERR_LEN]);

/* Decode the first frame of a byte buffer (tests, fuzzing): NB_FRAME_OK with the
 * payload and the bytes consumed, NB_FRAME_SHORT, or NB_FRAME_TOO_LARGE. */
int nb_frame_decode(const unsigned char *buf, size_t avail, size_t max,
		    const unsigned char **payload, size_t *len, size_t *consumed);

#endif
