/* report_gen.c - synthetic result files for `make bench-report`: OUTDIR/f00.json ...
 * f19.json, one tier each (f00 the bare-metal L0, the others L1/L2 guests of four
 * hypervisors), 30 workloads x 50 samples, plus base.json and new.json with 20 tiers
 * each for compare (the same 600 cells).  Values come from a fixed LCG: the files are
 * the same on every run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FILES 20
#define WORKLOADS 30
#define SAMPLES 50

static const char *const families[] = { "cpu", "mem", "pf", "io", "exit", "ctl" };
static const char *const hvs[] = { "kvm", "hyperv", "vmware", "xen" };

static double uniform(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 9007199254740992.0;
}

static void write_cases(FILE *f, uint64_t *s, double slow)
{
	for (int w = 0; w < WORKLOADS; w++) {
		int higher = w % 5 == 1;
		double base = 10 + 7 * w;

		fprintf(f, "%s{\"key\":\"bench.w%02d size=%dK\",\"workload\":\"bench.w%02d\",\"family\":\"%s\","
			"\"unit\":\"%s\",\"better\":\"%s\",\"params\":{\"size\":\"%dK\"},\"status\":\"done\","
			"\"samples\":[", w ? "," : "", w, 4 << (w % 8), w, families[w % 6],
			higher ? "MB/s" : "ns/op", higher ? "higher" : "lower", 4 << (w % 8));
		for (int i = 0; i < SAMPLES; i++) {
			double v = base * (1 + 0.05 * uniform(s));

			v = higher ? v * 100 / slow : v * slow;
			fprintf(f, "%s{\"rep\":0,\"ops\":1000,\"ns\":%d,\"value\":%.6f,\"counters\":[],"
				"\"visit\":%d,\"round\":%d,\"seq\":%d}", i ? "," : "", (int)(v * 1000), v,
				i + 1, i, i + 1);
		}
		fputs("]}", f);
	}
}

static void write_tier(FILE *f, uint64_t *s, int first, int t, int level, double slow)
{
	fprintf(f, "%s{\"name\":\"T%02d\",\"level\":%d,\"hypervisor_label\":\"%s\",\"nature\":\"%s\","
		"\"status\":\"done\",\"cases\":[", first ? "" : ",", t, level, level ? hvs[t % 4] : "",
		level ? "KVM guest (signature KVMKVMKVM)" : "bare metal (no hypervisor bit)");
	write_cases(f, s, slow);
	fputs("]}", f);
}

static FILE *open_doc(const char *dir, const char *name, int n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (!(f = fopen(path, "w"))) {
		perror(path);
		exit(1);
	}
	fprintf(f, "{\"schema\":\"nestbench-result\",\"schema_version\":1,\"campaign\":{\"name\":\"bench-%s\","
		"\"seed\":%d},\"nestbench\":{\"work_sha256\":\"%064d\"},\"started_utc\":\"2026-01-01T00:00:00Z\","
		"\"status\":\"complete\",\"tiers\":[", name, n, 0);
	return f;
}

static void close_doc(FILE *f)
{
	fputs("]}\n", f);
	if (fclose(f)) {
		perror("write");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	uint64_t s = 42;
	char name[16];

	if (argc != 2) {
		fprintf(stderr, "usage: report-bench-gen OUTDIR\n");
		return 2;
	}
	for (int i = 0; i < FILES; i++) {
		FILE *f;

		snprintf(name, sizeof(name), "f%02d", i);
		f = open_doc(argv[1], name, i);
		write_tier(f, &s, 1, i, i == 0 ? 0 : 1 + i % 2, 1 + 0.02 * i);
		close_doc(f);
	}
	for (int k = 0; k < 2; k++) {
		FILE *f = open_doc(argv[1], k ? "new" : "base", k);

		for (int t = 0; t < FILES; t++)
			write_tier(f, &s, t == 0, t, t == 0 ? 0 : 1 + t % 2, k ? 1.01 : 1.0);
		close_doc(f);
	}
	return 0;
}
