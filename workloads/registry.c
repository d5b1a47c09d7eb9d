/* registry.c - the one table of workloads.  Each family file defines its descriptors;
 * adding a workload means adding its line here. */
#include "workload.h"

#include <string.h>

/* DEVELOPMENT: weak until every family lands. */
#define NB_WL_REF __attribute__((weak))

extern const struct nb_workload nb_wl_cpu_int NB_WL_REF;
extern const struct nb_workload nb_wl_cpu_fp NB_WL_REF;
extern const struct nb_workload nb_wl_mem_bw_copy NB_WL_REF;
extern const struct nb_workload nb_wl_mem_bw_scale NB_WL_REF;
extern const struct nb_workload nb_wl_mem_bw_add NB_WL_REF;
extern const struct nb_workload nb_wl_mem_bw_triad NB_WL_REF;
extern const struct nb_workload nb_wl_mem_lat NB_WL_REF;
extern const struct nb_workload nb_wl_pf_anon NB_WL_REF;
extern const struct nb_workload nb_wl_pf_file NB_WL_REF;
extern const struct nb_workload nb_wl_pf_thp NB_WL_REF;
extern const struct nb_workload nb_wl_io_seq_read NB_WL_REF;
extern const struct nb_workload nb_wl_io_seq_write NB_WL_REF;
extern const struct nb_workload nb_wl_io_rand_read NB_WL_REF;
extern const struct nb_workload nb_wl_io_rand_write NB_WL_REF;
extern const struct nb_workload nb_wl_io_fsync NB_WL_REF;
extern const struct nb_workload nb_wl_exit_cpuid NB_WL_REF;
extern const struct nb_workload nb_wl_exit_pio NB_WL_REF;
extern const struct nb_workload nb_wl_exit_ipi NB_WL_REF;
extern const struct nb_workload nb_wl_exit_timer NB_WL_REF;
extern const struct nb_workload nb_wl_ctl_syscall NB_WL_REF;
extern const struct nb_workload nb_wl_ctl_rdtscp NB_WL_REF;

static const struct nb_workload *const table[] = {
	&nb_wl_cpu_int,     &nb_wl_cpu_fp,
	&nb_wl_mem_bw_copy, &nb_wl_mem_bw_scale, &nb_wl_mem_bw_add,   &nb_wl_mem_bw_triad,
	&nb_wl_mem_lat,
	&nb_wl_pf_anon,     &nb_wl_pf_file,      &nb_wl_pf_thp,
	&nb_wl_io_seq_read, &nb_wl_io_seq_write, &nb_wl_io_rand_read, &nb_wl_io_rand_write,
	&nb_wl_io_fsync,
	&nb_wl_exit_cpuid,  &nb_wl_exit_pio,     &nb_wl_exit_ipi,     &nb_wl_exit_timer,
	&nb_wl_ctl_syscall, &nb_wl_ctl_rdtscp,
};

const struct nb_workload *const *nb_workloads(size_t *n)
{
	static const struct nb_workload *present[sizeof(table) / sizeof(table[0])];
	size_t k = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i])
			present[k++] = table[i];
	*n = k;
	return present;
}

const struct nb_workload *nb_workload_find(const char *name)
{
	size_t n;
	const struct nb_workload *const *t = nb_workloads(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i]->name, name) == 0)
			return t[i];
	return NULL;
}
