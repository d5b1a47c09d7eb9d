/* libvirt.c - see libvirt.h. */
#include "libvirt.h"
#include "../common/err.h"
#include "../common/files.h"
#include "../common/transport.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define FORMS "libvirt:DOMAIN, libvirt:DOMAIN?uri=URI or libvirt:DOMAIN?port=N&uri=URI"

/* ---- the address (pure) ---------------------------------------------------------- */

int nb_libvirt_is_address(const char *text)
{
	return text && strncmp(text, NB_LIBVIRT_PREFIX, strlen(NB_LIBVIRT_PREFIX)) == 0;
}

static int bad(const char *text, const char *why, char err[NB_ERR_LEN])
{
	return nb_err(err, "bad address '%.160s': %s; expected " FORMS, text, why);
}

static int parse_port(const char *s, unsigned *port, const char **next)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v == 0 || v >= UINT_MAX || (*end && *end != '&'))
		return -1;
	*port = (unsigned)v;
	*next = *end ? end + 1 : end;
	return 0;
}

int nb_libvirt_parse(const char *text, struct nb_libvirt_addr *a, char err[NB_ERR_LEN])
{
	const char *name, *q;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->port = NB_VSOCK_PORT_DEFAULT;
	if (!nb_libvirt_is_address(text))
		return bad(text ? text : "", "not a libvirt address", err);
	name = text + strlen(NB_LIBVIRT_PREFIX);
	q = strchr(name, '?');
	n = q ? (size_t)(q - name) : strlen(name);
	if (n == 0)
		return bad(text, "no domain name", err);
	if (n >= sizeof(a->domain))
		return bad(text, "domain name longer than 255 bytes", err);
	if (memchr(name, '/', n))
		return bad(text, "a libvirt domain name holds no '/'", err);
	memcpy(a->domain, name, n);
	/* uri= last: a URI has its own '?' and '&' (test+unix:///default?socket=...). */
	for (const char *p = q ? q + 1 : ""; *p;) {
		if (strncmp(p, "uri=", 4) == 0) {
			if (!p[4])
				return bad(text, "empty uri=", err);
			if (strlen(p + 4) >= sizeof(a->uri))
				return bad(text, "uri= longer than 255 bytes", err);
			strcpy(a->uri, p + 4);
			return 0;
		}
		if (strncmp(p, "port=", 5) == 0) {
			if (parse_port(p + 5, &a->port, &p))
				return bad(text, "bad port= (the agent's vsock port, 1 to 4294967294)", err);
			continue;
		}
		return bad(text, "unknown parameter (port= and uri=, uri= last)", err);
	}
	return 0;
}

/* The value of attribute name in the start tag at tag (up to its '>'): 0, or -1. */
static int attr(const char *tag, const char *name, char *buf, size_t len)
{
	const char *end = strchr(tag, '>');
	size_t n = strlen(name);

	for (const char *p = tag + 1; end && p < end; p++) {
		if (!strchr(" \t\r\n", p[-1]) || strncmp(p, name, n) || p[n] != '=' ||
		    (p[n + 1] != '\'' && p[n + 1] != '"'))
			continue;
		const char *v = p + n + 2, *close = strchr(v, p[n + 1]);
		if (!close || close > end || (size_t)(close - v) >= len)
			return -1;
		memcpy(buf, v, (size_t)(close - v));
		buf[close - v] = '\0';
		return 0;
	}
	return -1;
}

/* The start of the element <name ...> at or after s (not <namefoo>), or NULL. */
static const char *element(const char *s, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = s; (p = strstr(p, name)); p += n)
		if (p > s && p[-1] == '<' && p[n] && strchr(" \t\r\n/>", p[n]))
			return p - 1;
	return NULL;
}

int nb_libvirt_xml_cid(const char *xml, unsigned *cid)
{
	const char *v = element(xml, "vsock"), *gt, *end, *c;
	char val[16], *stop;
	unsigned long n;

	if (!v)
		return -1;
	gt = strchr(v, '>');
	if (!gt || gt[-1] == '/')
		return 0;          /* <vsock .../>: no <cid> */
	end = strstr(gt, "</vsock>");
	c = element(gt, "cid");
	if (!c || (end && c > end) || attr(c, "address", val, sizeof(val)))
		return 0;
	errno = 0;
	n = strtoul(val, &stop, 10);
	if (val[0] < '0' || val[0] > '9' || *stop || errno || n > UINT_MAX)
		return 0;
	*cid = (unsigned)n;
	return 1;
}

/* ---- talking to libvirt ----------------------------------------------------------- */

/* One domain of one connection, and how to name both in messages. */
struct lv {
	struct nb_libvirt_addr a;
	virConnectPtr conn;
	virDomainPtr dom;
	char uri[300];             /* the user's URI, else the one libvirt chose */
	char virsh[300];           /* "virsh " or "virsh -c 'URI' ", for fixes */
	char opt[300];             /* "" or " --uri 'URI'", for nestbench fixes */
	char tier[600];            /* the tier address: libvirt:DOMAIN[?uri=URI] */
	int cmd;                   /* `nestbench libvirt` (--uri), not an address (uri=) */
};

/* libvirt prints every error on stderr unless told otherwise: ours say it once. */
static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

static const char *last_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m && m[0] ? m : "unknown error";
}

static void lv_close(struct lv *l)
{
	if (l->dom)
		virDomainFree(l->dom);
	if (l->conn)
		virConnectClose(l->conn);
	l->dom = NULL;
	l->conn = NULL;
}

/* The address a campaign gives a domain as a tier (port= only when not the default). */
static void tier_address(struct lv *l, const char *domain)
{
	char port[32] = "";

	if (l->a.port != NB_VSOCK_PORT_DEFAULT)
		snprintf(port, sizeof(port), "port=%u%s", l->a.port, l->a.uri[0] ? "&" : "");
	snprintf(l->tier, sizeof(l->tier), "libvirt:%s%s%s%s%s", domain,
		 port[0] || l->a.uri[0] ? "?" : "", port, l->a.uri[0] ? "uri=" : "", l->a.uri);
}

static int lv_open(struct lv *l, int rw, char err[NB_ERR_LEN])
{
	const char *uri = l->a.uri[0] ? l->a.uri : NULL;
	char *actual;

	l->conn = NULL;
	l->dom = NULL;
	snprintf(l->virsh, sizeof(l->virsh), uri ? "virsh -c '%s' " : "virsh ", l->a.uri);
	snprintf(l->opt, sizeof(l->opt), uri ? " --uri '%s'" : "", l->a.uri);
	tier_address(l, l->a.domain);
	virSetErrorFunc(NULL, quiet);
	l->conn = rw ? virConnectOpen(uri) : virConnectOpenReadOnly(uri);
	if (!l->conn)
		return nb_err(err, "cannot reach libvirt at %s: %s: is its daemon (libvirtd or "
			      "virtqemud) running? Start it, or name the right libvirt with %s",
			      uri ? uri : "its default URI", last_error(),
			      l->cmd ? "--uri URI" : "libvirt:DOMAIN?uri=URI");
	actual = uri ? NULL : virConnectGetURI(l->conn);
	snprintf(l->uri, sizeof(l->uri), "%s", uri ? uri : actual ? actual : "default");
	free(actual);
	return 0;
}

static int lv_find(struct lv *l, char err[NB_ERR_LEN])
{
	virErrorPtr e;

	if ((l->dom = virDomainLookupByName(l->conn, l->a.domain)))
		return 0;
	e = virGetLastError();
	if (e && e->code == VIR_ERR_NO_DOMAIN)
		return nb_err(err, "libvirt at %s has no domain named '%s': `%slist --all` lists "
			      "its domains", l->uri, l->a.domain, l->virsh);
	return nb_err(err, "cannot look up libvirt domain '%s' at %s: %s", l->a.domain, l->uri,
		      last_error());
}

static const char *state_name(int s)
{
	switch (s) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting down";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "suspended by the guest";
	default: return "in no known state";
	}
}

static int lv_state(struct lv *l, char err[NB_ERR_LEN])
{
	int state, reason;

	if (virDomainGetState(l->dom, &state, &reason, 0) < 0) {
		nb_err(err, "cannot read the state of libvirt domain '%s': %s", l->a.domain,
		       last_error());
		return -1;
	}
	return state;
}

/* Running (or blocked: running, waiting for a resource), else the fix. */
static int lv_running(struct lv *l, char err[NB_ERR_LEN])
{
	int s = lv_state(l, err);
	const char *fix = s == VIR_DOMAIN_PAUSED ? "resume" :
			  s == VIR_DOMAIN_PMSUSPENDED ? "dompmwakeup" : "start";

	if (s < 0)
		return -1;
	if (s == VIR_DOMAIN_RUNNING || s == VIR_DOMAIN_BLOCKED)
		return 0;
	return nb_err(err, "libvirt domain '%s' is %s, not running: start it with `%s%s %s`",
		      l->a.domain, state_name(s), l->virsh, fix, l->a.domain);
}

/* The domain's XML (live, or the persistent configuration): malloc'd, or NULL. */
static char *lv_xml(struct lv *l, int inactive, char err[NB_ERR_LEN])
{
	char *xml = virDomainGetXMLDesc(l->dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);

	if (!xml)
		nb_err(err, "cannot read the XML of libvirt domain '%s': %s", l->a.domain, last_error());
	return xml;
}

static int lv_cid(struct lv *l, int inactive, unsigned *cid, char err[NB_ERR_LEN])
{
	char *xml = lv_xml(l, inactive, err);
	int rc;

	if (!xml)
		return -2;
	rc = nb_libvirt_xml_cid(xml, cid);
	free(xml);
	return rc;
}

static cJSON *resolved(const struct lv *l, unsigned cid, const char *address)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "domain", l->a.domain);
	cJSON_AddStringToObject(o, "uri", l->uri);
	cJSON_AddNumberToObject(o, "cid", cid);
	cJSON_AddNumberToObject(o, "port", l->a.port);
	cJSON_AddStringToObject(o, "address", address);
	return o;
}

int nb_libvirt_resolve(const char *text, char *buf, size_t len, cJSON **info,
		       char err[NB_ERR_LEN])
{
	struct lv l = { 0 };
	unsigned cid = 0;
	int rc = -1;

	if (info)
		*info = NULL;
	if (nb_libvirt_parse(text, &l.a, err) || lv_open(&l, 0, err) || lv_find(&l, err) ||
	    lv_running(&l, err))
		goto out;
	switch (lv_cid(&l, 0, &cid, err)) {
	case -2:
		goto out;
	case -1:
		nb_err(err, "libvirt domain '%s' has no vsock device, so its agent has no CID to "
		       "be reached at: add one with `nestbench libvirt vsock %s%s --apply`, then "
		       "shut the domain down and start it again", l.a.domain, l.a.domain, l.opt);
		goto out;
	case 0:
		nb_err(err, "libvirt domain '%s' is running, but its vsock device has no CID in its "
		       "live XML (`%sdumpxml %s`): restart the domain", l.a.domain, l.virsh,
		       l.a.domain);
		goto out;
	}
	snprintf(buf, len, "vsock:%u:%u", cid, l.a.port);
	if (info)
		*info = resolved(&l, cid, buf);
	rc = 0;
out:
	lv_close(&l);
	return rc;
}

/* ---- the QEMU process of a domain ------------------------------------------------- */

/* Where this machine's QEMU driver keeps its pid files, from the URI's path: 0, or -1
 * when the URI names another machine or another driver. */
static int pid_dir(const char *uri, char *buf, size_t len)
{
	const char *sep = strstr(uri, "://"), *path, *end, *base;
	char p[64];

	if (!sep || sep[3] != '/')
		return -1;         /* a host: another machine */
	path = sep + 3;
	end = path + strcspn(path, "?");
	if ((size_t)(end - path) >= sizeof(p))
		return -1;
	memcpy(p, path, (size_t)(end - path));
	p[end - path] = '\0';
	if (strcmp(p, "/system") == 0) {
		snprintf(buf, len, "/run/libvirt/qemu");
		return 0;
	}
	if (strcmp(p, "/session") != 0)
		return -1;
	/* The session daemon's runtime directory: GLib's g_get_user_runtime_dir(). */
	if ((base = getenv("XDG_RUNTIME_DIR")) && base[0])
		snprintf(buf, len, "%s/libvirt/qemu/run", base);
	else if ((base = getenv("XDG_CACHE_HOME")) && base[0])
		snprintf(buf, len, "%s/libvirt/qemu/run", base);
	else
		snprintf(buf, len, "%s/.cache/libvirt/qemu/run", getenv("HOME") ? getenv("HOME") : "");
	return 0;
}

/* "needle" in the NUL-separated command line, followed by ',' or its end. */
static int cmdline_has(const char *cmd, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(cmd + i, needle, n) == 0 && (i + n == len || cmd[i + n] == ',' ||
							cmd[i + n] == '\0'))
			return 1;
	return 0;
}

/* The pid file names this domain's QEMU: its -name guest=NAME (a stale file after a
 * daemon crash would name another process, or none). */
static int check_pid(const struct lv *l, long pid, const char *file, char err[NB_ERR_LEN])
{
	char path[64], needle[300];
	size_t len;
	char *cmd;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	snprintf(needle, sizeof(needle), "guest=%s", l->a.domain);
	if (!(cmd = nb_file_read(path, 1 << 20, &len, NULL)))
		return nb_err(err, "libvirt domain '%s': its pid file %s names process %ld, which "
			      "does not exist (a stale file: restart the domain)", l->a.domain, file, pid);
	int ok = cmdline_has(cmd, len, needle);
	free(cmd);
	if (!ok)
		return nb_err(err, "libvirt domain '%s': its pid file %s names process %ld, which "
			      "is not its QEMU (a stale file: restart the domain)", l->a.domain, file, pid);
	return 0;
}

static int read_pid(const struct lv *l, const char *dir, long *pid, char err[NB_ERR_LEN])
{
	char file[PATH_MAX], line[32], *end;

	snprintf(file, sizeof(file), "%s/%s.pid", dir, l->a.domain);
	if (nb_read_line(file, line, sizeof(line)))
		return nb_err(err, "cannot read %s, where libvirt keeps the pid of the QEMU of "
			      "domain '%s' (%s): run nestbench as the user of that libvirt daemon (root "
			      "for qemu:///system; for qemu:///session with its XDG_RUNTIME_DIR)", file,
			      l->a.domain,
			      errno ? strerror(errno) : "empty");
	errno = 0;
	*pid = strtol(line, &end, 10);
	if (errno || end == line || *pid <= 0)
		return nb_err(err, "%s holds no pid ('%s')", file, line);
	return check_pid(l, *pid, file, err);
}

int nb_libvirt_qemu_pid(const char *text, long *pid, char err[NB_ERR_LEN])
{
	struct lv l = { 0 };
	char dir[PATH_MAX];
	const char *type;
	int rc = -1;

	if (nb_libvirt_parse(text, &l.a, err) || lv_open(&l, 0, err) || lv_find(&l, err) ||
	    lv_running(&l, err))
		goto out;
	type = virConnectGetType(l.conn);
	if (!type || strcasecmp(type, "QEMU") != 0) {
		nb_err(err, "libvirt domain '%s' at %s runs under libvirt's %s driver, which has no "
		       "QEMU process to count: count_exits by domain needs a QEMU domain", l.a.domain,
		       l.uri, type ? type : "unknown");
		goto out;
	}
	if (pid_dir(l.uri, dir, sizeof(dir))) {
		nb_err(err, "libvirt domain '%s' at %s: count_exits finds the QEMU process only of "
		       "a domain of this machine (qemu:///system or qemu:///session): give the "
		       "pid instead", l.a.domain, l.uri);
		goto out;
	}
	rc = read_pid(&l, dir, pid, err);
out:
	lv_close(&l);
	return rc;
}

/* ---- nestbench libvirt ------------------------------------------------------------ */

static const char usage[] =
	"usage: nestbench libvirt vsock DOMAIN [--uri URI] [--cid N|auto] [--apply]\n"
	"       nestbench libvirt list [--uri URI]\n"
	"\n"
	"A libvirt domain as a tier: its agent is reached over vsock at the CID of the\n"
	"domain's <vsock> device, with the address \"libvirt:DOMAIN\" (or\n"
	"\"libvirt:DOMAIN?uri=URI\") in the campaign file.\n"
	"\n"
	"  vsock DOMAIN   print the <vsock> device to add to the domain's <devices>; with\n"
	"                 --apply, add it (to the persistent configuration, and live when the\n"
	"                 domain runs and its hypervisor can) and print the result\n"
	"  list           the domains, their state, CID and tier address\n"
	"\n"
	"Options:\n"
	"      --uri URI  the libvirt to ask (default: libvirt's, e.g. qemu:///system)\n"
	"      --cid N    a fixed CID (3 or more) instead of auto (libvirt picks a free one)\n"
	"      --apply    add the device instead of printing it\n"
	"  -h, --help     this help\n";

static void device_xml(unsigned cid, char *buf, size_t len)
{
	if (cid)
		snprintf(buf, len, "<vsock model='virtio'><cid auto='no' address='%u'/></vsock>", cid);
	else
		snprintf(buf, len, "<vsock model='virtio'><cid auto='yes'/></vsock>");
}

static int attach_failed(const struct lv *l, char err[NB_ERR_LEN])
{
	virErrorPtr e = virGetLastError();
	int unsupported = e && e->code == VIR_ERR_NO_SUPPORT;
	const char *type;

	if (!unsupported)
		return nb_err(err, "cannot add the vsock device to libvirt domain '%s': %s",
			      l->a.domain, last_error());
	type = virConnectGetType(l->conn);   /* (resets the last error) */
	return nb_err(err, "libvirt's %s driver (%s) cannot add devices to a domain: add the "
		      "device by hand with `%sedit %s`", type ? type : "", l->uri, l->virsh,
		      l->a.domain);
}

/* Attach: persistent configuration (if any), and live when it runs and the hypervisor
 * can; a failed live attach still leaves the configuration changed, and says why. */
static int attach(struct lv *l, const char *xml, char *note, size_t nlen, char err[NB_ERR_LEN])
{
	int active = virDomainIsActive(l->dom) == 1, persistent = virDomainIsPersistent(l->dom) == 1;
	unsigned flags = (persistent ? VIR_DOMAIN_AFFECT_CONFIG : 0) |
			 (active ? VIR_DOMAIN_AFFECT_LIVE : 0);
	char live_err[512];

	note[0] = '\0';
	if (!flags)
		return nb_err(err, "libvirt domain '%s' is neither running nor defined", l->a.domain);
	if (virDomainAttachDeviceFlags(l->dom, xml, flags) == 0) {
		snprintf(note, nlen, "%s", active ? persistent ? "live and in its configuration" : "live"
						  : "in its configuration (it takes effect when the domain starts)");
		return 0;
	}
	if (!(active && persistent))
		return attach_failed(l, err);
	snprintf(live_err, sizeof(live_err), "%s", last_error());
	if (virDomainAttachDeviceFlags(l->dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0)
		return attach_failed(l, err);
	snprintf(note, nlen, "in its configuration only: not live (%s); it takes effect when the "
		 "domain is shut down and started again (`%sshutdown %s`, then `%sstart %s`)",
		 live_err, l->virsh, l->a.domain, l->virsh, l->a.domain);
	return 0;
}

static void print_cid(struct lv *l, FILE *out)
{
	char err[NB_ERR_LEN];
	unsigned cid = 0;

	if (virDomainIsActive(l->dom) == 1 && lv_cid(l, 0, &cid, err) == 1)
		fprintf(out, "CID %u now: the tier address \"%s\" reaches vsock:%u:%u\n", cid,
			l->tier, cid, l->a.port);
	else if (lv_cid(l, 1, &cid, err) == 1)
		fprintf(out, "CID %u once the domain starts\n", cid);
	else
		fprintf(out, "CID chosen by libvirt when the domain starts\n");
}

static int cmd_vsock(struct lv *l, unsigned cid, int apply)
{
	char xml[160], note[1024], err[NB_ERR_LEN];
	unsigned have;
	int rc;

	device_xml(cid, xml, sizeof(xml));
	if (lv_open(l, apply, err) || lv_find(l, err))
		goto fail;
	rc = lv_cid(l, !virDomainIsActive(l->dom) || virDomainIsPersistent(l->dom) == 1, &have, err);
	if (rc == -2)
		goto fail;
	if (rc >= 0) {
		if (rc == 1)
			nb_err(err, "libvirt domain '%s' already has a vsock device (CID %u): its tier "
			       "address is \"%s\"", l->a.domain, have, l->tier);
		else
			nb_err(err, "libvirt domain '%s' already has a vsock device (CID chosen when it "
			       "starts): its tier address is \"%s\"", l->a.domain, l->tier);
		goto fail;
	}
	if (!apply) {
		printf("%s\n", xml);
		fprintf(stderr, "Add it inside <devices> of libvirt domain '%s' (`%sedit %s`), or "
			"let nestbench add it: nestbench libvirt vsock %s%s --apply\n", l->a.domain,
			l->virsh, l->a.domain, l->a.domain, l->opt);
		lv_close(l);
		return 0;
	}
	if (attach(l, xml, note, sizeof(note), err))
		goto fail;
	printf("added to libvirt domain '%s', %s:\n%s\n", l->a.domain, note, xml);
	print_cid(l, stdout);
	lv_close(l);
	return 0;
fail:
	fprintf(stderr, "nestbench libvirt: %s\n", err);
	lv_close(l);
	return 2;
}

static int cmd_list(struct lv *l)
{
	virDomainPtr *doms = NULL;
	char err[NB_ERR_LEN], cidtext[32];
	int n;

	if (lv_open(l, 0, err)) {
		fprintf(stderr, "nestbench libvirt: %s\n", err);
		return 2;
	}
	if ((n = virConnectListAllDomains(l->conn, &doms, 0)) < 0) {
		fprintf(stderr, "nestbench libvirt: cannot list the domains of %s: %s\n", l->uri,
			last_error());
		lv_close(l);
		return 2;
	}
	printf("%-24s %-16s %-8s %s\n", "DOMAIN", "STATE", "CID", "ADDRESS");
	for (int i = 0; i < n; i++) {
		unsigned cid;
		int rc;
		l->dom = doms[i];
		snprintf(l->a.domain, sizeof(l->a.domain), "%s", virDomainGetName(doms[i]));
		rc = lv_cid(l, virDomainIsActive(doms[i]) != 1, &cid, err);
		if (rc == 1)
			snprintf(cidtext, sizeof(cidtext), "%u", cid);
		else
			snprintf(cidtext, sizeof(cidtext), "%s", rc == 0 ? "auto" : rc == -1 ? "-" : "?");
		tier_address(l, l->a.domain);
		if (rc >= 0)
			printf("%-24s %-16s %-8s %s\n", l->a.domain, state_name(lv_state(l, err)),
			       cidtext, l->tier);
		else
			printf("%-24s %-16s %-8s - (no vsock device: nestbench libvirt vsock %s)\n",
			       l->a.domain, state_name(lv_state(l, err)), cidtext, l->a.domain);
		virDomainFree(doms[i]);
	}
	l->dom = NULL;
	free(doms);
	lv_close(l);
	return 0;
}

static int parse_cid(const char *s, unsigned *cid)
{
	char *end;
	unsigned long v;

	if (strcmp(s, "auto") == 0) {
		*cid = 0;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < 3 || v >= UINT_MAX)
		return -1;
	*cid = (unsigned)v;
	return 0;
}

int nb_cmd_libvirt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uri", required_argument, NULL, 'u' }, { "cid", required_argument, NULL, 'c' },
		{ "apply", no_argument, NULL, 'a' },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lv l = { .cmd = 1 };
	unsigned cid = 0;
	int c, apply = 0, cid_given = 0;

	l.a.port = NB_VSOCK_PORT_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (strlen(optarg) >= sizeof(l.a.uri)) {
				fprintf(stderr, "nestbench libvirt: --uri longer than 255 bytes\n");
				return 2;
			}
			snprintf(l.a.uri, sizeof(l.a.uri), "%s", optarg);
			break;
		case 'c':
			if (parse_cid(optarg, &cid)) {
				fprintf(stderr, "nestbench libvirt: --cid '%s': give auto or a CID from 3 "
					"to 4294967294 (0-2 are reserved: the hypervisor, local, host)\n",
					optarg);
				return 2;
			}
			cid_given = 1;
			break;
		case 'a':
			apply = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "list") == 0 && argc - optind == 1 &&
	    !apply && !cid_given)
		return cmd_list(&l);
	if (optind < argc && strcmp(argv[optind], "vsock") == 0 && argc - optind == 2) {
		if (strlen(argv[optind + 1]) >= sizeof(l.a.domain) || !argv[optind + 1][0]) {
			fprintf(stderr, "nestbench libvirt: bad domain name '%.80s'\n", argv[optind + 1]);
			return 2;
		}
		snprintf(l.a.domain, sizeof(l.a.domain), "%s", argv[optind + 1]);
		return cmd_vsock(&l, cid, apply);
	}
	if (optind < argc && strcmp(argv[optind], "list") && strcmp(argv[optind], "vsock"))
		fprintf(stderr, "nestbench libvirt: unknown action '%s' (vsock or list)\n", argv[optind]);
	fputs(usage, stderr);
	return 2;
}
