#!/bin/sh
# /init of the L2 guest: mount, load the modules the image lists, mount the scratch
# disk, then serve nestbench-agent on vsock port 7420 for as long as the guest runs.
# Messages go to the console (ttyS0), which the L1 init keeps as L2's console log.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
. /etc/nestbench/init-common.sh

nb_mount_basics
nb_load_modules
nb_load_kmod
nb_mount_scratch /dev/vda /scratch
hostname L2
nb_banner L2
nb_serve_agent --listen vsock:7420
