/* kvm_loop.c - a stand-in VMM for test_exits_cli.sh: runs the tiny KVM guest of
 * tests/agent/kvm_guest.c (N `out` instructions, then hlt) again and again for S
 * seconds, so that a campaign's parent tier has a VM whose exits it can count.
 *	kvm_loop N SECONDS     prints "ready" once the first VM exists, "runs R" at the end */
#include "../agent/kvm_guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 100;
	double secs = argc > 2 ? atof(argv[2]) : 10;
	struct timespec t0, t;
	struct kvm_guest g;
	unsigned long io, runs = 0;
	char why[256];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (kvm_guest_create(&g, KVM_GUEST_OUT, n, why, sizeof(why))) {
			fprintf(stderr, "kvm_loop: %s\n", why);
			return 77;
		}
		if (runs == 0) {
			printf("ready\n");
			fflush(stdout);
		}
		if (kvm_guest_run(&g, &io, why, sizeof(why))) {
			fprintf(stderr, "kvm_loop: %s\n", why);
			return 1;
		}
		kvm_guest_destroy(&g);
		runs++;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 > secs)
			break;
	}
	printf("runs %lu\n", runs);
	return 0;
}
