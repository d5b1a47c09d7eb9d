/* test_exit_k.c - the kernel-mode exits (exit.k.*, through /dev/nestbench-exits) and
 * exit.pause: descriptors, parameters, the skip reason without the module, and
 * exit.pause's loop and its control. */
#include "check.h"
#include "ctx.h"
#include "../../common/err.h"
#include "../../kmod/nestbench_exits.h"
#include "../../workloads/meter.h"
#include "../../workloads/params.h"
#include "../../workloads/workload.h"

#include <stdlib.h>
#include <unistd.h>

extern const struct nb_workload nb_wl_exit_k_hypercall, nb_wl_exit_k_msr_read,
	nb_wl_exit_k_msr_write, nb_wl_exit_k_cr8_read, nb_wl_exit_k_cr8_write, nb_wl_exit_k_pio_in,
	nb_wl_exit_k_pio_out, nb_wl_exit_k_mmio_read, nb_wl_exit_k_mmio_write, nb_wl_exit_k_hlt,
	nb_wl_exit_k_tscdeadline, nb_wl_exit_pause;

static const struct nb_workload *const kernel_exits[] = {
	&nb_wl_exit_k_hypercall, &nb_wl_exit_k_msr_read,  &nb_wl_exit_k_msr_write,
	&nb_wl_exit_k_cr8_read,  &nb_wl_exit_k_cr8_write, &nb_wl_exit_k_pio_in,
	&nb_wl_exit_k_pio_out,   &nb_wl_exit_k_mmio_read, &nb_wl_exit_k_mmio_write,
	&nb_wl_exit_k_hlt,       &nb_wl_exit_k_tscdeadline,
};
#define NKERNEL (sizeof(kernel_exits) / sizeof(kernel_exits[0]))

/* The values the cases of `w` take for its sweeping parameter, as text; the count, 0
 * when nothing sweeps, -1 on error. */
static int sweep_of(const struct nb_workload *w, const char *const *given, int ngiven,
		    char out[NB_MAX_SWEEP][NB_PARAM_TEXT], char err[NB_ERR_LEN])
{
	char texts[NB_MAX_PARAMS][NB_PARAM_TEXT];
	int i;

	if (nb_params_resolve(w, given, ngiven, texts, err))
		return -1;
	if ((i = nb_params_sweep_index(w, texts, err)) < 0)
		return i == -1 ? 0 : -1;
	return nb_param_expand(&w->params[i], texts[i], out, err);
}

TEST(exit_k_descriptors_are_complete)
{
	for (size_t i = 0; i < NKERNEL; i++) {
		const struct nb_workload *w = kernel_exits[i];
		CHECK_MSG(strncmp(w->name, "exit.k.", 7) == 0, "%s", w->name);
		CHECK_STR(w->family, "exit");
		CHECK_STR(w->unit, "ns/op");
		CHECK(w->better == NB_LOWER_IS_BETTER && w->metric == NB_METRIC_NS_PER_OP);
		CHECK_MSG(w->stresses && strstr(w->stresses, "kernel mode"), "%s", w->name);
		CHECK(w->supported && w->setup && w->run && w->teardown);
		CHECK_EQ_U64(w->max_ops, NBX_MAX_OPS);
		CHECK_MSG(nb_workload_find(w->name) == w, "%s not registered", w->name);
	}
	CHECK(nb_workload_find("exit.pause") == &nb_wl_exit_pause);
	CHECK_STR(nb_wl_exit_pause.family, "exit");
	CHECK_STR(nb_wl_exit_pause.unit, "ns/spin");
	CHECK(nb_wl_exit_pause.supported == NULL && nb_wl_exit_pause.run);
}

/* Without the module every kernel-mode exit skips, naming the module and the fix. */
TEST(exit_k_skip_without_the_module)
{
	const char *want = "module not loaded: /dev/nestbench-exits missing (modprobe "
			   "nestbench_exits; kmod/README.md)";

	if (access(NBX_DEVICE, F_OK) == 0) {
		printf("  (" NBX_DEVICE " exists here: the module is loaded, skip not tested)\n");
		return;
	}
	for (size_t i = 0; i < NKERNEL; i++) {
		const struct nb_workload *w = kernel_exits[i];
		const char *port[] = { "port=0x80" };
		char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
		int pio = w == &nb_wl_exit_k_pio_in || w == &nb_wl_exit_k_pio_out;
		struct nb_ctx *c = nbt_ctx(w, pio ? port : NULL, pio, err);
		CHECK_MSG(c, "%s: %s", w->name, err);
		const char *r = w->supported(c, why);
		free(c);
		CHECK_MSG(r && strcmp(r, want) == 0, "%s: %s", w->name, r ? r : "(supported)");
	}
}

TEST(exit_k_pio_ports_kernel_and_user_space_by_default)
{
	char vals[NB_MAX_SWEEP][NB_PARAM_TEXT], err[NB_ERR_LEN] = "";
	const char *one[] = { "port=0x70" }, *big[] = { "port=0x10000" }, *top[] = { "port=0xffff" };

	for (int k = 0; k < 2; k++) {
		const struct nb_workload *w = k ? &nb_wl_exit_k_pio_out : &nb_wl_exit_k_pio_in;
		CHECK_MSG(sweep_of(w, NULL, 0, vals, err) == 2, "%s: %s", w->name, err);
		CHECK_STR(vals[0], "0x4d0");   /* the PIC's ELCR: KVM's kernel */
		CHECK_STR(vals[1], "0x1234");  /* no device: QEMU's user space */
		CHECK(sweep_of(w, one, 1, vals, err) == 0);
		struct nb_ctx *c = nbt_ctx(w, one, 1, err);
		CHECK_MSG(c, "%s", err);
		CHECK_EQ_U64(nb_param_u(c, "port"), 0x70);
		free(c);
		c = nbt_ctx(w, top, 1, err);
		CHECK_MSG(c, "%s", err);
		free(c);
		CHECK(nbt_ctx(w, big, 1, err) == NULL);
		CHECK_MSG(strstr(err, "'port' out of range"), "%s", err);
	}
}

TEST(exit_k_mmio_address_is_optional)
{
	char err[NB_ERR_LEN] = "";
	const char *addr[] = { "addr=0xfed000f0" }, *bad[] = { "addr=hpet" },
		   *t0[] = { "test=0" }, *t3[] = { "test=3" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_k_mmio_read, NULL, 0, err);

	CHECK_MSG(c, "%s", err);
	CHECK(!nb_param_is_set(c, "addr"));  /* unset: the pci-testdev is looked for */
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_mmio_write, addr, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK(nb_param_is_set(c, "addr"));
	CHECK_EQ_U64(nb_param_u(c, "addr"), 0xfed000f0);
	CHECK_EQ_U64(nb_param_u(c, "test"), 2);  /* datamatch-eventfd: the host kernel */
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_mmio_write, t0, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "test"), 0);
	free(c);
	CHECK(nbt_ctx(&nb_wl_exit_k_mmio_write, t3, 1, err) == NULL);
	CHECK_MSG(strstr(err, "'test' out of range"), "%s", err);
	CHECK(nbt_ctx(&nb_wl_exit_k_mmio_read, bad, 1, err) == NULL);
	CHECK_MSG(strstr(err, "'addr'") && strstr(err, "not a non-negative integer"), "%s", err);
	CHECK(nbt_ctx(&nb_wl_exit_k_mmio_read, t0, 1, err) == NULL);  /* writes only */
	CHECK_MSG(strstr(err, "unknown parameter 'test'"), "%s", err);
}

TEST(exit_k_hlt_and_tscdeadline_params)
{
	char err[NB_ERR_LEN] = "";
	const char *nohalt[] = { "halt=0" }, *far[] = { "delay_cycles=1000001" },
		   *near[] = { "delay_cycles=3000" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_k_hlt, NULL, 0, err);

	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "halt"), 1);
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_hlt, nohalt, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "halt"), 0);
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_tscdeadline, NULL, 0, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "delay_cycles"), 0);  /* already due, as tscdeadline_immed */
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_tscdeadline, near, 1, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "delay_cycles"), 3000);
	free(c);
	CHECK(nbt_ctx(&nb_wl_exit_k_tscdeadline, far, 1, err) == NULL);
	CHECK_MSG(strstr(err, "'delay_cycles' out of range"), "%s", err);
	CHECK(nbt_ctx(&nb_wl_exit_k_hypercall, near, 1, err) == NULL);
	CHECK_MSG(strstr(err, "unknown parameter 'delay_cycles' for exit.k.hypercall"), "%s", err);
}

static double extra(const struct nb_ctx *c, const char *key)
{
	for (int i = 0; i < c->nextras; i++)
		if (strcmp(c->extras[i].key, key) == 0)
			return c->extras[i].value;
	return NAN;
}

TEST(exit_pause_spins_longer_than_its_control)
{
	char err[NB_ERR_LEN] = "";
	const char *given[] = { "pauses=4096" }, *zero[] = { "pauses=0" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_pause, NULL, 0, err);
	uint64_t bytes = 0, ops = 20;

	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "pauses"), 16384);
	free(c);
	CHECK(nbt_ctx(&nb_wl_exit_pause, zero, 1, err) == NULL);
	CHECK_MSG(strstr(err, "'pauses' out of range"), "%s", err);
	c = nbt_ctx(&nb_wl_exit_pause, given, 1, err);
	CHECK_MSG(c, "%s", err);
	nb_meter_reset(c);
	int rc = nb_wl_exit_pause.run(c, ops, &bytes);
	double per = (double)c->meter.ns / (double)ops, loop = extra(c, "loop_ns_per_op"),
	       each = extra(c, "ns_per_pause");
	free(c);
	CHECK(rc == 0);
	CHECK_MSG(loop >= 0 && loop < per, "spin %g ns, its control %g ns", per, loop);
	CHECK_NEAR(each, (per - loop) / 4096, 1e-6 * per);
	CHECK_MSG(each > 0, "ns_per_pause %g", each);
}

/* Port 0 is pci-testdev's I/O BAR (out: its test `test`, 2 = the ioeventfd in the host
 * kernel); a write to QEMU's debug-exit ports (0xf4-0xf7) would end the VM: refused
 * before anything is opened, whereas a read there is allowed. */
TEST(exit_k_pio_testdev_and_debug_exit)
{
	char err[NB_ERR_LEN] = "", why[NB_ERR_LEN] = "";
	const char *dev[] = { "port=0" }, *t0[] = { "port=0", "test=0" }, *t3[] = { "port=0", "test=3" },
		   *dbg[] = { "port=0xf4" }, *dbg7[] = { "port=0xf7" }, *f8[] = { "port=0xf8" };
	struct nb_ctx *c = nbt_ctx(&nb_wl_exit_k_pio_out, dev, 1, err);

	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "port"), 0);
	CHECK(!nb_param_is_set(c, "test"));  /* unset: 2, the ioeventfd (not in other ports' keys) */
	free(c);
	c = nbt_ctx(&nb_wl_exit_k_pio_out, t0, 2, err);
	CHECK_MSG(c, "%s", err);
	CHECK_EQ_U64(nb_param_u(c, "test"), 0);
	free(c);
	CHECK(nbt_ctx(&nb_wl_exit_k_pio_out, t3, 2, err) == NULL);
	CHECK_MSG(strstr(err, "'test' out of range"), "%s", err);
	CHECK(nbt_ctx(&nb_wl_exit_k_pio_in, t0, 2, err) == NULL);  /* out only */
	CHECK_MSG(strstr(err, "unknown parameter 'test'"), "%s", err);
	for (int i = 0; i < 2; i++) {
		c = nbt_ctx(&nb_wl_exit_k_pio_out, i ? dbg7 : dbg, 1, err);
		CHECK_MSG(c, "%s", err);
		const char *r = nb_wl_exit_k_pio_out.supported(c, why);
		free(c);
		CHECK_MSG(r && strstr(r, "isa-debug-exit") && strstr(r, "ends the VM"), "%s",
			  r ? r : "(supported)");
	}
	c = nbt_ctx(&nb_wl_exit_k_pio_out, f8, 1, err);
	CHECK_MSG(c, "%s", err);
	const char *r = nb_wl_exit_k_pio_out.supported(c, why);
	free(c);
	CHECK_MSG(!r || !strstr(r, "isa-debug-exit"), "%s", r);
	c = nbt_ctx(&nb_wl_exit_k_pio_in, dbg, 1, err);
	CHECK_MSG(c, "%s", err);
	r = nb_wl_exit_k_pio_in.supported(c, why);
	free(c);
	CHECK_MSG(!r || !strstr(r, "isa-debug-exit"), "%s", r);
}
