/* test_machine.c - one machine description: `nestbench-work info --json` and the
 * agent's sysinfo come from the same producer (workloads/machine.c), so the keys they
 * share are the same keys, with the same values for what does not change between two
 * reads; each adds only its own (info: tsc_hz, caches; the agent: topology, agent,
 * time_unix_us). */
#include "../unit/check.h"
#include "../../common/err.h"
#include "fixture.h"
#include "../../workloads/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 256

struct keys {
	char k[MAX_KEYS][96];
	int n;
};

/* Every leaf's dotted path (an array is a leaf), except under the prefixes skipped. */
static void collect(const cJSON *o, const char *prefix, const char *const *skip, struct keys *ks)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, o) {
		char path[96];
		int skipped = 0;

		snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", it->string);
		for (const char *const *s = skip; *s; s++)
			skipped |= strcmp(path, *s) == 0;
		if (skipped)
			continue;
		if (cJSON_IsObject(it) && it->child)
			collect(it, path, skip, ks);
		else if (ks->n < MAX_KEYS)
			snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", path);
	}
}

static int has(const struct keys *ks, const char *k)
{
	for (int i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i], k) == 0)
			return 1;
	return 0;
}

/* `nestbench-work info --json`, parsed; NULL when it cannot be run. */
static cJSON *work_info(const char *work)
{
	char cmd[PATH_MAX + 32], *buf = calloc(1, 1 << 16);
	FILE *p;
	size_t n = 0;
	cJSON *o;

	snprintf(cmd, sizeof(cmd), "'%s' info --json", work);
	if (!buf || !(p = popen(cmd, "r"))) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, (1 << 16) - 1, p);
	pclose(p);
	buf[n] = '\0';
	o = cJSON_Parse(buf);
	free(buf);
	return o;
}

static void same_keys_body(struct fx *f)
{
	static const char *const info_only[] = { "type", "tsc_hz", "caches", NULL };
	static const char *const agent_only[] = { "topology", "agent", "time_unix_us", NULL };
	static const char *const stable[] = { "hostname", "kernel.release", "cpu.vendor", "cpu.model",
					      "cpu.family", "hypervisor.bit", "hypervisor.signature",
					      "hypervisor.max_leaf", "hypervisor.kernel_detected",
					      "hypervisor.kernel_log", "dmi.sys_vendor", "vcpus",
					      "memory.page_bytes", "devices.kvm", NULL };
	static struct keys ki, ks;
	struct fx_agent *a = fx_agent(f, "a", NULL, NULL);
	struct nb_client c;
	cJSON *si = NULL, *info = work_info(f->work_bin);
	char err[NB_ERR_LEN];

	CHECK_MSG(info, "%s info --json did not print one JSON object", f->work_bin);
	CHECK(a && fx_connect(&c, a->addr) == 0);
	if (!info || !a)
		return;
	CHECK_MSG(nb_client_sysinfo(&c, &si, err) == 0, "%s", err);
	nb_client_close(&c);
	if (!si) {
		cJSON_Delete(info);
		return;
	}
	cJSON_DeleteItemFromObject(si, "id");
	cJSON_DeleteItemFromObject(si, "ok");
	ki.n = ks.n = 0;
	collect(info, "", info_only, &ki);
	collect(si, "", agent_only, &ks);
	CHECK(ki.n >= 30 && ks.n >= 30);
	for (int i = 0; i < ki.n; i++)
		CHECK_MSG(has(&ks, ki.k[i]), "info has %s, sysinfo has not", ki.k[i]);
	for (int i = 0; i < ks.n; i++)
		CHECK_MSG(has(&ki, ks.k[i]), "sysinfo has %s, info has not", ks.k[i]);
	for (const char *const *k = stable; *k; k++) {
		char *x = cJSON_PrintUnformatted(fx_field(info, *k)), *y = cJSON_PrintUnformatted(fx_field(si, *k));
		CHECK_MSG((!x && !y) || (x && y && strcmp(x, y) == 0), "%s: info %s, sysinfo %s", *k,
			  x ? x : "(absent)", y ? y : "(absent)");
		free(x);
		free(y);
	}
	/* What each adds of its own. */
	CHECK(fx_num(info, "tsc_hz") > 0 && cJSON_IsObject(fx_field(info, "caches")));
	CHECK(fx_num(si, "topology.pus") >= 1 && fx_num(si, "agent.pid") > 0);
	cJSON_Delete(info);
	cJSON_Delete(si);
}
TEST(machine_info_and_sysinfo_share_keys) { FX_RUN(same_keys_body); }

/* The kernel's "Hypervisor detected: X", from a kernel log text. */
TEST(machine_kernel_hypervisor_line)
{
	char x[64];

	CHECK(nb_machine_kernel_hypervisor("<6>[    0.000000] DMI: not present or invalid.\n"
					   "<6>[    0.000000] Hypervisor detected: PVM\n"
					   "<6>[    0.000000] tsc: Fast TSC calibration\n", x, sizeof(x)) == 0);
	CHECK_STR(x, "PVM");
	CHECK(nb_machine_kernel_hypervisor("[0.0] Hypervisor detected: Microsoft Hyper-V\r\n", x, sizeof(x)) == 0);
	CHECK_STR(x, "Microsoft Hyper-V");
	CHECK(nb_machine_kernel_hypervisor("[0.0] Hypervisor detected: Xen HVM", x, sizeof(x)) == 0);
	CHECK_STR(x, "Xen HVM");
	CHECK(nb_machine_kernel_hypervisor("<6>[    0.000000] Linux version 6.1.0\n", x, sizeof(x)) == -1);
	CHECK_STR(x, "");
}

/* This machine's own evidence, read twice the same way: the hypervisor bit and the
 * signature agree with CPUID read directly. */
TEST(machine_reads_cpuid_evidence)
{
	static struct nb_machine m;
	struct nb_cpuinfo ci;

	nb_machine_read(&m);
	nb_cpuinfo_read(&ci);
	CHECK(m.cpu.hypervisor_bit == ci.hypervisor_bit);
	CHECK_STR(m.cpu.hv_signature, ci.hv_signature);
	CHECK(ci.hypervisor_bit || (!ci.hv_signature[0] && !ci.hv_signature_100[0]));
	CHECK(m.kernel_log[0]);   /* "read", or why not */
	if (strcmp(m.kernel_log, "read") != 0)
		printf("  note: kernel log not read here (%s): no kernel view to check\n", m.kernel_log);
}
