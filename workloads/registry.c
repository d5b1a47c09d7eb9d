/* registry.c - the one table of workloads.  Each family file defines its descriptors;
 * adding a workload means adding its line here. */
#include "workload.h"

#include <string.h>

extern const struct nb_workload nb_wl_cpu_int;
extern const struct nb_workload nb_wl_cpu_fp;
extern const struct nb_workload nb_wl_mem_bw_copy;
extern const struct nb_workload nb_wl_mem_bw_scale;
extern const struct nb_workload nb_wl_mem_bw_add;
extern const struct nb_workload nb_wl_mem_bw_triad;
extern const struct nb_workload nb_wl_mem_lat;
extern const struct nb_workload nb_wl_pf_anon;
extern const struct nb_workload nb_wl_pf_file;
extern const struct nb_workload nb_wl_pf_thp;
extern const struct nb_workload nb_wl_io_seq_read;
extern const struct nb_workload nb_wl_io_seq_write;
extern const struct nb_workload nb_wl_io_rand_read;
extern const struct nb_workload nb_wl_io_rand_write;
extern const struct nb_workload nb_wl_io_fsync;
extern const struct nb_workload nb_wl_exit_cpuid;
extern const struct nb_workload nb_wl_exit_pio;
extern const struct nb_workload nb_wl_exit_ipi;
extern const struct nb_workload nb_wl_exit_timer;
extern const struct nb_workload nb_wl_exit_pause;
extern const struct nb_workload nb_wl_exit_mmio_read, nb_wl_exit_mmio_write;
extern const struct nb_workload nb_wl_exit_k_hypercall, nb_wl_exit_k_msr_read, nb_wl_exit_k_msr_write,
	nb_wl_exit_k_cr8_read, nb_wl_exit_k_cr8_write, nb_wl_exit_k_pio_in, nb_wl_exit_k_pio_out,
	nb_wl_exit_k_mmio_read, nb_wl_exit_k_mmio_write, nb_wl_exit_k_hlt, nb_wl_exit_k_tscdeadline;
extern const struct nb_workload nb_wl_ctl_syscall;
extern const struct nb_workload nb_wl_ctl_rdtscp;

static const struct nb_workload *const table[] = {
	&nb_wl_cpu_int,     &nb_wl_cpu_fp,
	&nb_wl_mem_bw_copy, &nb_wl_mem_bw_scale, &nb_wl_mem_bw_add,   &nb_wl_mem_bw_triad,
	&nb_wl_mem_lat,
	&nb_wl_pf_anon,     &nb_wl_pf_file,      &nb_wl_pf_thp,
	&nb_wl_io_seq_read, &nb_wl_io_seq_write, &nb_wl_io_rand_read, &nb_wl_io_rand_write,
	&nb_wl_io_fsync,
	&nb_wl_exit_cpuid,  &nb_wl_exit_pio,     &nb_wl_exit_ipi,     &nb_wl_exit_timer,
	&nb_wl_exit_pause,   &nb_wl_exit_mmio_read, &nb_wl_exit_mmio_write,
	&nb_wl_exit_k_hypercall, &nb_wl_exit_k_msr_read, &nb_wl_exit_k_msr_write,
	&nb_wl_exit_k_cr8_read, &nb_wl_exit_k_cr8_write, &nb_wl_exit_k_pio_in, &nb_wl_exit_k_pio_out,
	&nb_wl_exit_k_mmio_read, &nb_wl_exit_k_mmio_write, &nb_wl_exit_k_hlt, &nb_wl_exit_k_tscdeadline,
	&nb_wl_ctl_syscall, &nb_wl_ctl_rdtscp,
};

const struct nb_workload *const *nb_workloads(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
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
