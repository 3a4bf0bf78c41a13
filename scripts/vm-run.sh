#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a throw-away QEMU (TCG) virtual machine that uses this machine's
# root file system read-only over 9p, run one scenario script inside it
# and return the scenario's exit status.
#
# The VM has no network card unless --net-listen or --net-connect gives
# it one (see below). Its root is an overlay: the host root
# (9p, read-only) below, a tmpfs above, so everything installed on the
# host (fio, targetcli, rdma-core, ...) is usable, writes (/etc for
# targetcli, /root, /var) go to memory and nothing on the host is
# modified; /tmp and /run are fresh tmpfs. A second 9p share,
# read-write, is the results directory (/results in the guest): the
# serial console log, the kernel log (kmsg-live.txt while running,
# dmesg.txt at the end), the scenario output (scenario.log) and the
# scenario's own files are kept there; while QEMU runs, its process ID
# is in qemu.pid.
#
# Inside, the scenario runs as a child of the init (PID 1) with
# SRPT_MODULE, SRPT_KO, WAIT_SCALE, SRPT_RESULTS_DIR=/results and any
# --env variables set; its exit status is reported back. In "ours" mode
# Debian's ib_srpt.ko.xz is hidden (a whiteout in the overlay) and ours
# takes its place in the module tree, with a module index made by depmod
# on the host, so a plain "modprobe ib_srpt" loads ours. In "ref" mode
# the module tree is left alone.
#
# Usage: scripts/vm-run.sh [options] SCENARIO [ARGS...]
#   --results DIR        results directory (default: a new one under
#                        ${SRPT_RESULTS:-/var/tmp/ib_srpt-results})
#   --module ours|ref    which ib_srpt to use (default: ours)
#   --ko PATH            our ib_srpt.ko (default: <repo>/ib_srpt.ko)
#   --wait-scale N       multiply every wait in the tests by N (default 1)
#   --timeout SEC        hard limit for the whole VM run (default 600)
#   --append ARGS        extra kernel command line arguments, e.g.
#                        "ib_core.force_mr=1" (applied by modprobe)
#   --kernel-image FILE  kernel to boot (default: newest Debian 6.12)
#   --modules-dir DIR    its modules, i.e. a .../lib/modules/<release>
#                        directory on this machine
#   --mem MB, --smp N    VM size (default 3072 MB, 2 vCPUs)
#   --env NAME=VALUE     extra environment for the scenario (repeatable)
#   --console            also copy the serial console to stdout
#   --console-loglevel N kernel messages below level N go to the serial
#                        console once the scenario starts (default 2; the
#                        whole kernel log is always in kmsg-live.txt and
#                        dmesg.txt in the results directory, and is dumped
#                        to the console on a panic)
#   --tcg-single         one host thread for all vCPUs (-accel
#                        tcg,thread=single): no cross-vCPU races of the
#                        translator, e.g. against kernel text patching
#
# Two VMs joined by a network link (scripts/test-vm.sh does this for
# "# pair:" scenarios; start the listening one first):
#   --net-listen PORT    a virtio-net card whose other end is a QEMU
#                        socket listening on 127.0.0.1:PORT
#   --net-connect PORT   the same, connecting to 127.0.0.1:PORT
#   --mac MAC            its MAC address (default 52:54:00:00:00:01 with
#                        --net-listen, 52:54:00:00:00:02 with --net-connect)
#   --pair-dir DIR       host directory shared read-write at /pair in the
#                        guest (9p, cache=none: both VMs see each other's
#                        files at once)
#
# A VM without a network link whose kernel dies before the scenario
# starts is booted once more (console-boot-failure.log keeps the first
# console); one that dies after is not.
#
# Exit status: the scenario's; 124 when the hard timeout fired; 125 when
# the VM stopped without reporting a status (e.g. a kernel panic).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$SELF")")
CACHE=${SRPT_CACHE:-/var/cache/ib_srpt-dev}

die() { echo "vm-run: $*" >&2; exit 125; }

usage() {
	sed -n '/^# Usage:/,/^# Exit status/p' "$SELF" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

results='' module=ours ko=$REPO/ib_srpt.ko wait_scale=1 timeout=600
append='' kimage='' moddir='' mem=3072 smp=2 console=0 console_loglevel=2
net='' net_port='' mac='' pair_dir='' tcg_single=0
extra_env=()
while [ $# -gt 0 ]; do
	case $1 in
	--results) results=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--ref) module=ref; shift ;;
	--ko) ko=$2; shift 2 ;;
	--wait-scale) wait_scale=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--kernel-image) kimage=$2; shift 2 ;;
	--modules-dir) moddir=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--env) extra_env+=("$2"); shift 2 ;;
	--console) console=1; shift ;;
	--console-loglevel) console_loglevel=$2; shift 2 ;;
	--net-listen) net=listen; net_port=$2; shift 2 ;;
	--net-connect) net=connect; net_port=$2; shift 2 ;;
	--mac) mac=$2; shift 2 ;;
	--pair-dir) pair_dir=$2; shift 2 ;;
	--tcg-single) tcg_single=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
scenario=$(readlink -f "$1")
shift
[ -f "$scenario" ] || die "no such scenario: $1"
# /tmp and /run are fresh tmpfs inside the VM (the rest of the host's
# file system is visible): a scenario kept there (a checkout under /tmp,
# say) is shipped in through the results share, together with the rest
# of its tests directory (the nearest ancestor holding lib.sh).
hidden_scenario=0
case $scenario in
/tmp/*|/run/*) hidden_scenario=1 ;;
esac
case $module in ours|ref) ;; *) die "--module must be ours or ref" ;; esac
[[ $wait_scale =~ ^[0-9]+([.][0-9]+)?$ ]] || die "bad --wait-scale: $wait_scale"
[[ $timeout =~ ^[0-9]+$ ]] || die "bad --timeout: $timeout"
if [ -n "$net" ]; then
	[[ $net_port =~ ^[0-9]+$ ]] && [ "$net_port" -ge 1 ] && [ "$net_port" -le 65535 ] ||
		die "bad --net-$net port: $net_port"
	[ -n "$mac" ] || mac=52:54:00:00:00:0$([ "$net" = listen ] && echo 1 || echo 2)
	[[ $mac =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || die "bad --mac: $mac"
fi
if [ -n "$pair_dir" ]; then
	[ -d "$pair_dir" ] || die "--pair-dir $pair_dir is not a directory"
	pair_dir=$(readlink -f "$pair_dir")
fi

# Kernel and modules: newest Debian 6.12 release with an image, unless
# given explicitly.
if [ -n "$moddir" ]; then
	moddir=$(readlink -f "$moddir")
	[ -f "$moddir/modules.dep" ] || die "$moddir has no modules.dep"
	krel=$(basename "$moddir")
	[ -n "$kimage" ] || kimage=/boot/vmlinuz-$krel
else
	krel=
	for d in $(find /lib/modules -maxdepth 1 -name '6.12.*+deb12-amd64' \
			-printf '%f\n' | sort -rV); do
		if [ -e "/boot/vmlinuz-$d" ]; then
			krel=$d
			break
		fi
	done
	[ -n "$krel" ] || die "no Debian 6.12 kernel installed (run scripts/setup-deps.sh)"
	moddir=/lib/modules/$krel
	[ -n "$kimage" ] || kimage=/boot/vmlinuz-$krel
fi
[ -r "$kimage" ] || die "cannot read kernel image $kimage"
kimage=$(readlink -f "$kimage")

if [ "$module" = ours ]; then
	ko=$(readlink -f "$ko" 2>/dev/null || true)
	if [ -z "$ko" ] || [ ! -f "$ko" ]; then
		die "our module ib_srpt.ko does not exist (build it with make)"
	fi
fi

if [ -z "$results" ]; then
	base=${SRPT_RESULTS:-/var/tmp/ib_srpt-results}
	mkdir -p "$base"
	results=$(mktemp -d "$base/run-$(date +%Y%m%d-%H%M%S)-XXXX")
fi
mkdir -p "$results"
results=$(readlink -f "$results")
case $results in
"$REPO"|"$REPO"/*) die "the results directory must be outside the repository" ;;
esac
rm -f "$results/exit-status" "$results/console.log" "$results/dmesg.txt" \
	"$results/kmsg-live.txt" "$results/scenario.log" "$results/summary.txt" \
	"$results/qemu.pid"

# ---------------------------------------------------------------------------
# initramfs: static busybox, the 9p and overlay modules (decompressed) and
# an /init that mounts the root and hands over to the stage-2 init below.
# Cached by kernel release, modules directory and the hash of this script.
find_ko() {	# find_ko NAME -> path of NAME.ko* in $moddir, or nothing
	find "$moddir/kernel" -name "$1.ko" -o -name "$1.ko.xz" \
		-o -name "$1.ko.zst" -o -name "$1.ko.gz" | head -n1
}

write_init() {
	cat <<'EOF'
#!/bin/busybox sh
# Stage 1 (busybox): mount the host root over 9p, put a tmpfs overlay on
# top and switch to it.
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "stage1: $*"; poweroff -f; sleep 10; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules/order); do
	insmod /modules/$m.ko || echo "stage1: insmod $m failed (built in?)"
done
mkdir -p /lower /rw /newroot /results
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 \
	root /lower || fail "cannot mount the root"
mount -t tmpfs -o mode=0755,size=80% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
	overlay /newroot || fail "cannot mount the overlay"
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mkdir -p /newroot/run/lock /newroot/results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results \
	/newroot/results || fail "cannot mount the results share"
cp /stage2 /newroot/run/srpt-stage2
cp /bin/busybox /newroot/run/busybox
chmod 0755 /newroot/run/srpt-stage2
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /run/srpt-stage2
EOF
}

write_stage2() {
	cat <<'EOF'
#!/bin/bash
# Stage 2 (PID 1 on the overlay root): prepare the system, install our
# module if asked, run the scenario, save logs, power off.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
BB=/run/busybox
off() { sync; $BB poweroff -f; sleep 30; }
trap off EXIT
mount -t proc proc /proc
mount -t sysfs sysfs /sys
modprobe configfs 2>/dev/null
mount -t configfs configfs /sys/kernel/config
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /dev/pts /dev/shm
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname srpt-vm
ip link set lo up
# /run is a fresh tmpfs; nothing of the host's state is in it.
mkdir -p /run/dbus /run/udev /run/lock
: > /etc/machine-id.tmp && mv /etc/machine-id.tmp /etc/machine-id
. /results/vm-env.sh
# Keep the serial console quiet (it is slow under TCG; a driver printing
# an error per command would slow everything down) and copy the kernel
# log to the results directory as it is written instead.
$BB dmesg -n "${SRPT_CONSOLE_LOGLEVEL:-2}" 2>/dev/null || true
dmesg --follow > /results/kmsg-live.txt 2>/dev/null < /dev/null &
# The directory shared with the other VM of a pair: no caching, so that
# a file the other VM writes is seen at once.
if [ -n "${SRPT_PAIR_DIR:-}" ]; then
	mkdir -p "$SRPT_PAIR_DIR"
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=512000 pair \
		"$SRPT_PAIR_DIR" || echo "stage2: cannot mount the pair directory"
fi

echo "stage2: kernel $(uname -r), module=$SRPT_MODULE, scenario=$SRPT_SCENARIO"

# Unless it is a custom kernel, the modules directory comes from the
# host already. For a custom one bind its modules directory in place.
if [ -n "${SRPT_MODDIR:-}" ] && [ "$SRPT_MODDIR" != /lib/modules/$(uname -r) ]; then
	mkdir -p /lib/modules/$(uname -r)
	mount --bind "$SRPT_MODDIR" /lib/modules/$(uname -r)
fi

rc=0
if [ "$SRPT_MODULE" = ours ]; then
	# Hide the distribution's ib_srpt and put ours in its place. The
	# root is an overlay, so removing the file only creates a whiteout
	# in the tmpfs upper directory. The module index was made on the
	# host by depmod over a copy of exactly this tree (depmod -a here
	# would read every module over 9p, which takes minutes under TCG).
	kdir=/lib/modules/$(uname -r)
	find "$kdir/kernel" -name 'ib_srpt.ko*' -delete
	mkdir -p "$kdir/kernel/drivers/infiniband/ulp/srpt"
	cp "$SRPT_MODINDEX/ib_srpt.ko" "$kdir/kernel/drivers/infiniband/ulp/srpt/ib_srpt.ko" &&
		cp "$SRPT_MODINDEX"/modules.* "$kdir/" || rc=125
	export SRPT_KO_INSTALLED=$kdir/kernel/drivers/infiniband/ulp/srpt/ib_srpt.ko
	if [ "$(modinfo -F filename ib_srpt)" != "$SRPT_KO_INSTALLED" ]; then
		echo "stage2: modprobe would not pick our ib_srpt.ko"
		rc=125
	fi
fi

if [ $rc -eq 0 ]; then
	cd /results || exit 1
	timeout -k 10 "$SRPT_SCENARIO_TIMEOUT" bash "$SRPT_SCENARIO" "${SRPT_ARGS[@]}" \
		2>&1 | tee /results/scenario.log
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 124 ] && echo "stage2: scenario timed out after $SRPT_SCENARIO_TIMEOUT s"
fi
$BB dmesg > /results/dmesg.txt 2>/dev/null
echo "stage2: scenario exit status $rc"
echo "$rc" > /results/exit-status
EOF
}

initramfs_key() {
	{
		cat "$SELF"
		echo "$krel $moddir"
		stat -c '%n %s %Y' "$moddir/modules.dep" /bin/busybox
	} | sha256sum | cut -c1-16
}

build_initramfs() {	# build_initramfs OUT
	local out=$1 tmp m f
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
	cp /bin/busybox "$tmp/bin/busybox"
	: > "$tmp/modules/order"
	for m in netfs 9pnet 9pnet_virtio 9p overlay; do
		f=$(find_ko "$m")
		[ -n "$f" ] || continue	# assume built in
		case $f in
		*.xz) xz -dc "$f" > "$tmp/modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" > "$tmp/modules/$m.ko" ;;
		*.gz) gzip -dc "$f" > "$tmp/modules/$m.ko" ;;
		*) cp "$f" "$tmp/modules/$m.ko" ;;
		esac
		echo "$m" >> "$tmp/modules/order"
	done
	write_init > "$tmp/init"
	write_stage2 > "$tmp/stage2"
	chmod 0755 "$tmp/init" "$tmp/stage2"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
	rm -rf "$tmp"
}

# ---------------------------------------------------------------------------
# Our module: a snapshot of ib_srpt.ko plus the module index (modules.dep
# and friends) for the guest's module tree with the distribution's
# ib_srpt replaced by ours, made by depmod over a symlink copy of the tree.
prepare_ours() {
	local key dir tmp t f snap
	# A snapshot: the module may be rebuilt while we work.
	snap=$(mktemp)
	cp "$ko" "$snap"
	key=$( { sha256sum < "$snap"; stat -c '%s %Y' "$moddir/modules.dep"; echo "$moddir"; } |
		sha256sum | cut -c1-16)
	dir=$CACHE/modindex/$krel-$key
	if [ ! -f "$dir/ok" ]; then
		tmp=$(mktemp -d "$CACHE/modindex/tmp.XXXXXX")
		t=$tmp/lib/modules/$krel
		mkdir -p "$t"
		cp -rs "$moddir/kernel" "$t/kernel"
		find "$t/kernel" -name 'ib_srpt.ko*' -delete
		mkdir -p "$t/kernel/drivers/infiniband/ulp/srpt"
		cp "$snap" "$t/kernel/drivers/infiniband/ulp/srpt/ib_srpt.ko"
		for f in modules.order modules.builtin modules.builtin.modinfo; do
			[ -e "$moddir/$f" ] && cp "$moddir/$f" "$t/"
		done
		depmod -b "$tmp" "$krel" || { rm -rf "$tmp" "$snap"; die "depmod failed"; }
		mkdir -p "$tmp/out"
		cp "$t"/modules.* "$tmp/out/"
		cp "$snap" "$tmp/out/ib_srpt.ko"
		touch "$tmp/out/ok"
		# Another vm-run may have made the same index meanwhile.
		if ! mv -T "$tmp/out" "$dir" 2>/dev/null && [ ! -f "$dir/ok" ]; then
			rm -rf "$dir"
			mv -T "$tmp/out" "$dir"
		fi
		rm -rf "$tmp"
	fi
	rm -f "$snap"
	touch "$dir"
	# Forget indexes not used for two hours, keeping the ten newest
	# (other VMs may be using recent ones right now).
	find "$CACHE/modindex" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' |
		sort -rn | tail -n +11 | cut -d' ' -f2- |
		while read -r d; do
			if [ -n "$(find "$d" -maxdepth 0 -mmin +120)" ]; then
				rm -rf "$d"
			fi
		done
	modindex=$dir
}

modindex=
if [ "$module" = ours ]; then
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null || true)
	[ "${vermagic%% *}" = "$krel" ] ||
		die "$ko was built for '${vermagic%% *}', the VM runs $krel"
	mkdir -p "$CACHE/modindex"
	prepare_ours
fi

mkdir -p "$CACHE/initramfs"
initrd=$CACHE/initramfs/$krel-$(initramfs_key).cpio.gz
[ -s "$initrd" ] || build_initramfs "$initrd"

# ---------------------------------------------------------------------------
# Environment for the guest, read by stage 2.
scen_timeout=$(( timeout > 60 ? timeout - 30 : timeout ))
{
	printf 'export SRPT_MODULE=%q\n' "$module"
	printf 'export SRPT_KO=%q\n' "$([ "$module" = ours ] && echo "$ko")"
	printf 'export SRPT_MODINDEX=%q\n' "$modindex"
	if [ "$hidden_scenario" = 1 ]; then
		tests_dir=$(dirname "$scenario")
		while [ "$tests_dir" != / ] && [ ! -f "$tests_dir/lib.sh" ]; do
			tests_dir=$(dirname "$tests_dir")
		done
		[ "$tests_dir" != / ] || tests_dir=$(dirname "$scenario")
		rm -rf "$results/tests"
		mkdir -p "$results/tests"
		cp -r "$tests_dir/." "$results/tests/"
		# Scenarios that install the project's scripts in the guest
		# (targetcli-reboot) find them beside the tests.
		rm -rf "$results/scripts"
		cp -r "$REPO/scripts" "$results/scripts"
		printf 'export SRPT_SCENARIO=%q\n' \
			"/results/tests/${scenario#"$tests_dir"/}"
	else
		printf 'export SRPT_SCENARIO=%q\n' "$scenario"
	fi
	printf 'export SRPT_SCENARIO_TIMEOUT=%q\n' "$scen_timeout"
	printf 'export SRPT_REPO=%q\n' "$REPO"
	printf 'export SRPT_MODDIR=%q\n' "$moddir"
	printf 'export WAIT_SCALE=%q\n' "$wait_scale"
	printf 'export SRPT_CONSOLE_LOGLEVEL=%q\n' "$console_loglevel"
	printf 'export SRPT_RESULTS_DIR=/results\n'
	[ -z "$pair_dir" ] || printf 'export SRPT_PAIR_DIR=/pair\n'
	printf 'SRPT_ARGS=('
	[ $# -gt 0 ] && printf '%q ' "$@"
	printf ')\n'
	for e in "${extra_env[@]}"; do
		[[ $e == *=* ]] || die "--env needs NAME=VALUE"
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
} > "$results/vm-env.sh"

# log_buf_len: the kernel log check reads the live copy of the log, and
# dmesg --follow loses records when the default 128 KiB ring wraps
# before it reads them (login-cycles alone wraps it).
cmdline="console=ttyS0 panic=-1 panic_print=0x20 loglevel=5 mitigations=off no5lvl log_buf_len=8M"
cmdline="$cmdline$append"

accel=tcg
[ "$tcg_single" = 0 ] || accel=tcg,thread=single
# cx16=off: QEMU 7.2 (Debian 12) emulates CMPXCHG16B with a helper that
# computes the flags from a condition-code state the translator has not
# written back; the garbage it leaves in EFLAGS reaches the stack when
# an interrupt arrives right after the instruction, and the IRET that
# follows sets TF, DF or NT from it: kernel #DB warnings, string copies
# that run backwards and corrupt memory, oopses in the SLUB fast path
# (its per-CPU cmpxchg is the kernel's most frequent CMPXCHG16B, seen
# as "EFLAGS: 81665a02"-style values in the oops). Without CX16 the
# kernel uses its own emulation of the instruction. QEMU 8.0 replaced
# the helper with inline code.
cpu=max,cx16=off
qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -no-reboot -display none -monitor none
	-kernel "$kimage" -initrd "$initrd" -append "$cmdline"
	-chardev "file,id=ser0,path=$results/console.log"
	-serial chardev:ser0
	-device virtio-rng-pci
	-virtfs "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap"
	-pidfile "$results/qemu.pid")
if [ -n "$net" ]; then
	qemu+=(-netdev "socket,id=n0,$net=127.0.0.1:$net_port"
		-device "virtio-net-pci,netdev=n0,mac=$mac")
else
	qemu+=(-nic none)
fi
[ -z "$pair_dir" ] ||
	qemu+=(-virtfs "local,path=$pair_dir,mount_tag=pair,security_model=none,multidevs=remap")

echo "${qemu[*]}" > "$results/qemu-cmdline.txt"
tailpid=
if [ "$console" = 1 ]; then
	: > "$results/console.log"
	tail -n +1 -F "$results/console.log" 2>/dev/null &
	tailpid=$!
fi
# A kernel that dies before the scenario starts (the early-boot "Oops:
# int3" of multi-threaded TCG patching static keys while another vCPU
# runs the code) is booted once more: nothing of the scenario, and
# nothing of ib_srpt, ran in it, so no verdict is weakened. A VM with a
# network link is not: its peer is attached to this QEMU's socket, and
# scripts/test-vm.sh boots the pair again as a whole.
booted() { grep -q '^stage2: kernel' "$results/console.log" 2>/dev/null; }
boots=1
[ -n "$net" ] || boots=2
for boot in $(seq "$boots"); do
	rc=0
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$results/qemu.log" 2>&1 || rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || break
	[ ! -s "$results/exit-status" ] && ! booted || break
	[ "$boot" -lt "$boots" ] || break
	cp "$results/console.log" "$results/console-boot-failure.log"
	: > "$results/console.log"
	echo "vm-run: the kernel stopped before the scenario started (see $results/console-boot-failure.log); booting again" >&2
done
[ -n "$tailpid" ] && { sleep 0.5; kill "$tailpid" 2>/dev/null || true; }

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "vm-run: VM killed after the hard timeout of $timeout s" >&2
	exit 124
fi
if [ -s "$results/exit-status" ]; then
	status=$(cat "$results/exit-status")
	[[ $status =~ ^[0-9]+$ ]] || status=125
	exit "$status"
fi
echo "vm-run: the VM stopped without reporting a status (qemu rc $rc, see $results/console.log)" >&2
exit 125
