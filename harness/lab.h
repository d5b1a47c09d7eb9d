/* lab.h - the local nested lab: L1 under QEMU on this machine (KVM when it can boot a
 * 64-bit guest, TCG otherwise), L2 under KVM inside L1, an agent in each.  `nestbench
 * lab up|down|status`; campaigns reach the guests as "lab:L1" and "lab:L2".
 *
 * The lab directory holds the state file (state.json: the QEMU pid and what was
 * chosen, and why), the agent sockets, both guests' console logs and scratch disks. */
#ifndef NB_LAB_H
#define NB_LAB_H

#include "config.h"
#include "../common/err.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>

struct nb_lab_paths {
	char dir[PATH_MAX];        /* state, sockets, logs, scratch disks (build/lab) */
	char images[PATH_MAX];     /* `make images` output (build/images) */
};

/* In a build tree, build/lab and build/images: lab/ and images/ beside the nestbench
 * binary; installed, lab/ and images/ in the user's cache ($XDG_CACHE_HOME/nestbench). */
void nb_lab_default_paths(struct nb_lab_paths *p);
/* How to build the guest images into the directory images: `make images` in a build
 * tree, the installed recipe (DATADIR/nestbench/images/build.sh) otherwise. */
void nb_lab_images_hint(const char *images, char *buf, size_t len);

/* Boot the lab as cfg describes and wait for L1's agent, then for L2's (L1's init starts
 * L2, retrying it: images/README.md); what was chosen goes to out.  A lab left behind by
 * a crash is cleaned up first; a running one is left alone; a lab whose L1 stopped
 * answering is booted once more.  NB_LAB_L2_FAIL (tests only) makes L2's start fail.
 * 0, or 2 with err naming the guest at fault ("L1: ..." or "L2: ..."; the guests are
 * stopped again, that guest's console tail printed). */
int nb_lab_up(const struct nb_lab_cfg *cfg, const struct nb_lab_paths *p, FILE *out,
	      char err[NB_ERR_LEN]);
/* Stop the guests (by the recorded pid, if it is still our QEMU) and remove the state
 * and sockets; console logs are kept.  0 (also when nothing was running), 2 with err. */
int nb_lab_down(const struct nb_lab_paths *p, FILE *out, char err[NB_ERR_LEN]);
/* What runs and whether both agents answer: 0 up and answering, 1 otherwise. */
int nb_lab_status(const struct nb_lab_paths *p, FILE *out);

/* The real address of "lab:L1" or "lab:L2" and a description of that guest for the
 * result file (accelerator, transport, image: *info, caller frees).  -1 with err
 * ("the lab is not running: nestbench lab up ..."). */
int nb_lab_resolve(const char *lab_dir, const char *address, char *real, size_t len,
		   cJSON **info, char err[NB_ERR_LEN]);

#endif
