# kmod.mk - nestbench_exits.ko, the kernel module of the exit.k.* workloads (kmod/), built
# with kbuild into $(BUILD)/kmod/ against KDIR.  KDIR defaults to the headers of the lab's
# kernel, the one images/build.sh puts in L1 and L2: the release in the images' manifest
# when they exist, else the linux-image-*-cloud-amd64 that build.sh would resolve now
# (NB_KERNEL_PKG, or the NB_KERNEL_META metapackage, linux-image-cloud-amd64).
# `make kmod KDIR=/lib/modules/$(uname -r)/build` builds it for this machine instead.
KMOD_DIR := $(BUILD)/kmod
KMOD_SRC := kmod/nestbench_exits.c kmod/nestbench_exits.h kmod/Kbuild kmod/Makefile
KMOD_RELEASE = $(or $(shell sed -n 's/.*"release": "\([^"]*\)".*/\1/p' \
	$(BUILD)/images/manifest.json 2>/dev/null | head -n 1), \
	$(shell k=$${NB_KERNEL_PKG:-$$(apt-cache depends "$${NB_KERNEL_META:-linux-image-cloud-amd64}" \
	2>/dev/null | awk '/Depends: linux-image-/ {print $$2; exit}')}; echo "$$k" | sed 's/^linux-image-//'))
KDIR ?= /usr/src/linux-headers-$(KMOD_RELEASE)

# kbuild decides what to rebuild; command-line variables (BUILD, CC, CFLAGS) are ours,
# not the kernel's, so they are not passed on (MAKEFLAGS=).
.PHONY: kmod
kmod:
ifeq ($(origin KDIR),file)
	@test -n "$(KMOD_RELEASE)" || { echo "kmod: cannot tell the lab kernel's release: no" \
		"$(BUILD)/images/manifest.json (make images), and apt-cache does not resolve" \
		"$${NB_KERNEL_META:-linux-image-cloud-amd64} (apt-get update); or give KDIR=DIR" >&2; exit 2; }
	@test -f "$(KDIR)/Makefile" || { echo "kmod: no kernel headers in $(KDIR): install" \
		"linux-headers-$(KMOD_RELEASE) (sh mk/deps.sh test, as root) or give KDIR=DIR" >&2; exit 2; }
else
	@test -f "$(KDIR)/Makefile" || { echo "kmod: no kernel headers in $(KDIR) (KDIR): give the" \
		"headers of a kernel, e.g. KDIR=/lib/modules/RELEASE/build" >&2; exit 2; }
endif
	@mkdir -p $(KMOD_DIR)
	@cp $(KMOD_SRC) $(KMOD_DIR)/
	MAKEFLAGS= $(MAKE) -C "$(KDIR)" M=$(abspath $(KMOD_DIR)) modules

# The headers directory `make kmod` would use (tests/cli/test_kmod_cli.sh).
.PHONY: kmod-kdir
kmod-kdir:
	@echo "$(KDIR)"
