#!/bin/sh
# host.sh - one line naming the host features the tests adapt to, printed before the
# suites so that a log says which paths ran here and which were skipped (and why).
flag() { grep -qw "$1" /proc/cpuinfo && echo yes || echo no; }
sig=$(dmesg 2>/dev/null | grep -m1 -o 'Hypervisor detected: .*')
[ -n "$sig" ] || { grep -qw hypervisor /proc/cpuinfo && sig="a guest" || sig="no hypervisor bit"; }
thp=$(sed -n 's/.*\[\([a-z]*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
pmu=no
[ -d /sys/bus/event_source/devices/cpu ] && [ -n "$(ls /sys/bus/event_source/devices/cpu/events 2>/dev/null)" ] && pmu=yes
echo "host: $(uname -m), $(nproc) CPUs, ${sig}; rdtscp $(flag rdtscp), svm $(flag svm), vmx $(flag vmx)," \
	"/dev/kvm $([ -c /dev/kvm ] && echo yes || echo no)," \
	"/dev/vhost-vsock $([ -c /dev/vhost-vsock ] && echo yes || echo no), PMU $pmu, THP ${thp:-none}," \
	"uid $(id -u)"
