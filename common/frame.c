/* frame.c - length-prefixed frames over a transport connection. */
#include "frame.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int nb_frame_write(struct nb_conn *c, const void *payload, size_t len, char err[NB_ERR_LEN])
{
	unsigned char h[NB_FRAME_HDR];
	struct iovec iov[2];

	if (len > UINT32_MAX) {
		return nb_err(err, "frame of %zu bytes is too large to send", len);
	}
	nb_frame_put_len(h, (uint32_t)len);
	iov[0] = (struct iovec){ h, sizeof(h) };
	iov[1] = (struct iovec){ (void *)payload, len };
	if (nb_conn_write_all(c, iov, 2)) {
		return nb_err(err, "write frame to %.160s: %s", c->desc, strerror(errno));
	}
	return 0;
}

/* Read the header; NB_FRAME_OK with *len, or EOF/ERR/TRUNCATED. */
static int read_header(struct nb_conn *c, uint32_t *len, char err[NB_ERR_LEN])
{
	unsigned char h[NB_FRAME_HDR];
	size_t got = 0;
	int rc = nb_conn_read_full(c, h, sizeof(h), &got);

	if (rc == 1)
		return NB_FRAME_EOF;
	if (rc < 0) {
		if (errno == ETIMEDOUT) {
			snprintf(err, NB_ERR_LEN, "read frame from %.160s: %s (%zu of 4 header bytes)",
				 c->desc, strerror(ETIMEDOUT), got);
			errno = ETIMEDOUT;
			return NB_FRAME_TIMEOUT;
		}
		if (errno == EPIPE && got > 0) {
			snprintf(err, NB_ERR_LEN, "%.160s: stream ended inside a frame header (%zu of 4 bytes)",
				 c->desc, got);
			return NB_FRAME_TRUNCATED;
		}
		snprintf(err, NB_ERR_LEN, "read frame from %.160s: %s", c->desc, strerror(errno));
		return NB_FRAME_ERR;
	}
	*len = nb_frame_get_len(h);
	return NB_FRAME_OK;
}

static int read_payload(struct nb_conn *c, void *buf, size_t len, char err[NB_ERR_LEN])
{
	size_t got = 0;
	int rc = nb_conn_read_full(c, buf, len, &got);

	if (rc == 0)
		return NB_FRAME_OK;
	if (rc < 0 && errno == ETIMEDOUT) {
		snprintf(err, NB_ERR_LEN, "read frame from %.160s: %s (%zu of %zu bytes)", c->desc,
			 strerror(ETIMEDOUT), got, len);
		errno = ETIMEDOUT;
		return NB_FRAME_TIMEOUT;
	}
	if (rc == 1 || errno == EPIPE) {
		snprintf(err, NB_ERR_LEN, "%.160s: stream ended inside a frame (%zu of %zu bytes)", c->desc,
			 got, len);
		return NB_FRAME_TRUNCATED;
	}
	snprintf(err, NB_ERR_LEN, "read frame from %.160s: %s", c->desc, strerror(errno));
	return NB_FRAME_ERR;
}

int nb_frame_read(struct nb_conn *c, size_t max, char **payload, size_t *len, char err[NB_ERR_LEN])
{
	uint32_t n = 0;
	int rc = read_header(c, &n, err);
	char *buf;

	*payload = NULL;
	*len = 0;
	if (rc != NB_FRAME_OK)
		return rc;
	*len = n;
	if (n > max) {
		snprintf(err, NB_ERR_LEN, "frame of %u bytes exceeds the limit of %zu bytes", n, max);
		return NB_FRAME_TOO_LARGE;
	}
	if (!(buf = malloc((size_t)n + 1))) {
		snprintf(err, NB_ERR_LEN, "out of memory for a frame of %u bytes", n);
		return NB_FRAME_ERR;
	}
	rc = read_payload(c, buf, n, err);
	if (rc != NB_FRAME_OK) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*payload = buf;
	return NB_FRAME_OK;
}

int nb_frame_read_into(struct nb_conn *c, void *buf, size_t cap, size_t *len, char err[NB_ERR_LEN])
{
	uint32_t n = 0;
	int rc = read_header(c, &n, err);

	*len = 0;
	if (rc != NB_FRAME_OK)
		return rc;
	*len = n;
	if (n > cap) {
		snprintf(err, NB_ERR_LEN, "frame of %u bytes exceeds the limit of %zu bytes", n, cap);
		return NB_FRAME_TOO_LARGE;
	}
	return read_payload(c, buf, n, err);
}

int nb_frame_decode(const unsigned char *buf, size_t avail, size_t max,
		    const unsigned char **payload, size_t *len, size_t *consumed)
{
	uint32_t n;

	*payload = NULL;
	*len = 0;
	*consumed = 0;
	if (avail < NB_FRAME_HDR)
		return NB_FRAME_SHORT;
	n = nb_frame_get_len(buf);
	*len = n;
	if (n > max)
		return NB_FRAME_TOO_LARGE;
	if (avail - NB_FRAME_HDR < n)
		return NB_FRAME_SHORT;
	*payload = buf + NB_FRAME_HDR;
	*consumed = NB_FRAME_HDR + (size_t)n;
	return NB_FRAME_OK;
}
