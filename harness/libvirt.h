/* libvirt.h - libvirt domains as tiers, through libvirt's C API (harness only: the
 * agent and common/ never link libvirt).
 *
 * - The address "libvirt:DOMAIN[?port=N&uri=URI]" becomes "vsock:CID:PORT" before the
 *   transport is opened: the domain must be running, and its live XML names the CID of
 *   its <vsock> device.  PORT is the agent's default unless port= says otherwise; uri=
 *   comes last and runs to the end of the address (a URI may hold '?' and '&').
 * - `nestbench libvirt vsock|list`: the device to add, and the domains with their CIDs.
 * - count_exits "target": "libvirt:DOMAIN": the QEMU pid of a domain on this machine. */
#ifndef NB_LIBVIRT_H
#define NB_LIBVIRT_H

#include "../common/err.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define NB_LIBVIRT_PREFIX "libvirt:"

struct nb_libvirt_addr {
	char domain[256];
	char uri[256];             /* "" = libvirt's default (LIBVIRT_DEFAULT_URI, ...) */
	unsigned port;             /* the agent's vsock port */
};

/* 1 when text is a "libvirt:" address. */
int nb_libvirt_is_address(const char *text);
/* Parse "libvirt:DOMAIN[?port=N&uri=URI]" (no libvirt call): 0, or -1 with err naming
 * the form. */
int nb_libvirt_parse(const char *text, struct nb_libvirt_addr *a, char err[NB_ERR_LEN]);
/* The CID of the first <vsock> device of a domain XML: 1 with *cid, 0 when the device
 * has no address yet (auto, not started), -1 when there is no <vsock> device. */
int nb_libvirt_xml_cid(const char *xml, unsigned *cid);

/* Ask libvirt for a running domain's vsock CID: "vsock:CID:PORT" in buf, and in *info
 * (when not NULL) what was resolved, for the result file: {domain, uri, cid, port,
 * address}.  0, or -1 with err naming the cause and the fix. */
int nb_libvirt_resolve(const char *text, char *buf, size_t len, cJSON **info,
		       char err[NB_ERR_LEN]);
/* The pid of the QEMU process running a domain of this machine's libvirt (qemu
 * driver): 0, or -1 with err. */
int nb_libvirt_qemu_pid(const char *text, long *pid, char err[NB_ERR_LEN]);

/* `nestbench libvirt vsock|list ...` */
int nb_cmd_libvirt(int argc, char **argv);

#endif
