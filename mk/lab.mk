# lab.mk - guest images for the local nested lab (images/) and the lab's own targets.
# `make images` rebuilds only when an input changed (package versions, the agent, the
# kernel module, the recipes): images/build.sh compares them with build/images/inputs.txt.
# It builds nestbench_exits.ko first (make kmod, after the lab's packages, which include
# the kernel's headers), so both guests carry the module of this source tree.
IMAGES_DIR := $(BUILD)/images

.PHONY: images lab-up lab-down bench-lab
images: $(BUILD)/nestbench-agent
	@sh mk/deps.sh lab
	@$(MAKE) --no-print-directory kmod BUILD=$(BUILD)
	@sh images/build.sh $(IMAGES_DIR) $(BUILD)/nestbench-agent $(KMOD_DIR)/nestbench_exits.ko

lab-up: all images
	@$(BUILD)/nestbench lab up configs/lab.json

lab-down:
	@$(BUILD)/nestbench lab down

# A benchmark, not a test: LAB_RUNS (20) cycles of lab up/down in a scratch lab directory,
# success rate and boot-time distribution (tests/bench/lab_bench.sh: LAB_CONFIG, LAB_ACCEL,
# LAB_LOAD=none|l0|demo).
bench-lab: all images
	@sh tests/bench/lab_bench.sh $(BUILD)/nestbench $(IMAGES_DIR) $(BUILD)/bench-lab
