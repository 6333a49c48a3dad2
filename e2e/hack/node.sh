#!/usr/bin/env bash
# A real Kubernetes node for the e2e tests, in a network namespace made by the run: the control
# plane of e2e/hack/control-plane.sh plus kubelet, kube-scheduler and kube-proxy (built from the
# same pinned k8s.io/kubernetes), containerd + runc + the CNI plugins, all inside that namespace.
# The host keeps one veth to it, so the test JVM reaches the node's address; nothing in the
# namespace has a route anywhere else (a guard rule drops anything that would leave it for an
# address other than the host end of that veth).
#
#   node.sh provision          build (or reuse) every binary, install runc and the CNI plugins
#                              from Debian, build the local sandbox image
#   node.sh start              namespace + control plane + containerd + kubelet + scheduler +
#                              kube-proxy; waits until the node is Ready
#   node.sh stop [--clean]     stop all of it, remove pods, mounts, cgroups, the namespace,
#                              restore the sysctls the kubelet changed; --clean removes the run dir
#   node.sh status             exit 0 when the node (every node of the run) is Ready
#   node.sh env [b]            print exports (KUBECONFIG, PATH, CONTAINER_RUNTIME_ENDPOINT, node address)
#                              of node a (default) or node b
#   node.sh import-images [REF=ARCHIVE...]
#                              import OCI archives into the node's containerd (every running node's);
#                              without arguments, what `e2e/hack/images.sh paths` lists (when that
#                              script exists)
#   node.sh restart-kubelet    stop the kubelet and start it again (pods keep running); waits for Ready
#   node.sh stop-node b        stop node b alone (kubelet, kube-proxy, containerd, its pods, its
#                              namespace): the node disappears as a powered-off machine would; its
#                              Node object stays (delete it with kubectl)
#   node.sh leftovers          list what any node run left on this host (exit 1 if anything)
#
# Environment:
#   PP_NODE_RUN_DIR     run dir (default ${TMPDIR:-/tmp}/pp-node); the control plane's is <run dir>/cp
#   PP_NODE_COUNT       1 (default) or 2: `start` adds a second node "pp-node-b" in a namespace of
#                       its own (state under <run dir>/b), joined to the first by a veth pair
#   PP_NODE_OWNER_PID   if set, `start` also runs a watchdog that does `stop --clean` once that
#                       process is gone
#   PP_NODE_START_TIMEOUT seconds to wait for each step (default 120)
#   PP_NODE_IMAGES_SH   the script whose `paths` lists local images (default e2e/hack/images.sh)
#   XDG_CACHE_HOME      cache root (default ~/.cache); binaries under packetparamedic/k8s/<version>/bin
#                       and packetparamedic/node/
#   GOFLAGS             passed to go build; default -p=2
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CP="$HERE/control-plane.sh"
K8S_VERSION="${PP_K8S_VERSION:-v1.35.4}"
CONTAINERD_VERSION="${PP_CONTAINERD_VERSION:-v2.2.9}"
# v1.35.0 is refused by the module proxy; v1.34 speaks the same CRI v1.
CRICTL_VERSION="${PP_CRICTL_VERSION:-v1.34.0}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic"
K8S_BIN="${CACHE}/k8s/${K8S_VERSION}/bin"
NODE_CACHE="${CACHE}/node"
CTD_BIN="${NODE_CACHE}/containerd-${CONTAINERD_VERSION}/bin"
CRICTL_BIN="${NODE_CACHE}/crictl-${CRICTL_VERSION}/bin"
PAUSE_ARCHIVE="${NODE_CACHE}/pause-oci.tar"
PAUSE_REF="localhost/packetparamedic/pause:dev"
RUNC="${PP_RUNC:-/usr/sbin/runc}"
CNI_BIN_DIR="${PP_CNI_BIN_DIR:-/usr/lib/cni}"
RUN_DIR="${PP_NODE_RUN_DIR:-${TMPDIR:-/tmp}/pp-node}"
START_TIMEOUT="${PP_NODE_START_TIMEOUT:-120}"
NODE_NAME="pp-node"
NODE_COUNT_WANTED="${PP_NODE_COUNT:-1}"
case "$NODE_COUNT_WANTED" in 1|2) ;; *) echo "[node] ERROR: PP_NODE_COUNT must be 1 or 2" >&2; exit 1 ;; esac
SERVICE_CIDR="10.0.0.0/24"
# The kubelet writes these global sysctls (it has no "leave them" mode): saved at start, put
# back at stop. The others are only watched, to prove nothing here touched them.
KUBELET_SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes)
# Paths the kubelet, containerd and the CNI plugins use whatever they are told. Removed at stop
# when this run created them.
FIXED_PATHS=(/var/lib/kubelet /var/log/containers /var/log/pods /run/containerd /var/lib/cni /opt/containerd /var/run/nri /etc/cni)

log() { printf '[node] %s\n' "$*" >&2; }
die() { printf '[node] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# provision
# ---------------------------------------------------------------------------------------------

goflags() {
  local f="${GOFLAGS:-}"
  case " $f " in *" -p="*) ;; *) f="$f -p=2" ;; esac
  echo "$f"
}

build_k8s_node_binaries() {
  # Same wrapper module, flags and version stamp as control-plane.sh (which made the module).
  local src="${CACHE}/k8s/${K8S_VERSION}/src/kubernetes"
  [ -f "$src/go.mod" ] || die "no wrapper module in $src: control-plane.sh provision did not run"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ldflags="-s -w" pkg cmd
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kubelet kube-scheduler kube-proxy; do
    [ -x "$K8S_BIN/$cmd" ] && continue
    local t0=$SECONDS
    log "building $cmd ${K8S_VERSION}"
    ( cd "$src" && CGO_ENABLED=0 GOFLAGS="$(goflags) -mod=mod -trimpath" \
        go build -ldflags "$ldflags" -o "$K8S_BIN/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" ) || die "go build of $cmd failed"
    mv "$K8S_BIN/$cmd.tmp" "$K8S_BIN/$cmd"
    log "built $cmd in $((SECONDS - t0)) s"
  done
}

go_install() { # GOBIN MODULE@VERSION...: static builds without the storage drivers this node does not use
  local gobin="$1"; shift
  mkdir -p "$gobin"
  local t0=$SECONDS
  CGO_ENABLED=0 GOBIN="$gobin" GOFLAGS="$(goflags) -trimpath" \
    go install -tags "no_btrfs no_devmapper no_zfs" -ldflags "-s -w" "$@" || die "go install $* failed"
  log "built $* in $((SECONDS - t0)) s"
}

build_runtime() {
  local m="github.com/containerd/containerd/v2" c
  for c in containerd containerd-shim-runc-v2 ctr; do
    [ -x "$CTD_BIN/$c" ] || go_install "$CTD_BIN" "$m/cmd/$c@${CONTAINERD_VERSION}"
  done
  [ -x "$CRICTL_BIN/crictl" ] || go_install "$CRICTL_BIN" "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
}

install_debian_packages() {
  local need=()
  [ -x "$RUNC" ] || need+=(runc)
  [ -x "$CNI_BIN_DIR/bridge" ] || need+=(containernetworking-plugins)
  command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
  command -v nft >/dev/null 2>&1 || need+=(nftables)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
  command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || die "missing ${need[*]} (Debian packages)"
  log "installing ${need[*]} from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } \
    || die "apt-get install ${need[*]} failed"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# The sandbox image: one static binary, as an OCI image layout in a tar (what `ctr images
# import` reads). Used until (and unless) e2e/hack/images.sh provides its own pause image.
build_pause_image() {
  [ -f "$PAUSE_ARCHIVE" ] && [ "$PAUSE_ARCHIVE" -nt "$HERE/pause.c" ] && return 0
  local w; w="$(mktemp -d)"
  mkdir -p "$w/rootfs" "$w/oci/blobs/sha256"
  gcc -static -Os -s -o "$w/rootfs/pause" "$HERE/pause.c" || { rm -rf "$w"; die "cannot build pause"; }
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$w/rootfs" -cf "$w/layer.tar" pause
  local diff; diff="$(sha "$w/layer.tar")"
  gzip -n -9 < "$w/layer.tar" > "$w/layer.tgz"
  local ldig lsize; ldig="$(sha "$w/layer.tgz")"; lsize="$(stat -c %s "$w/layer.tgz")"
  mv "$w/layer.tgz" "$w/oci/blobs/sha256/$ldig"
  printf '{"architecture":"amd64","os":"linux","config":{"User":"65535:65535","Entrypoint":["/pause"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"e2e/hack/node.sh (pause.c)"}]}' \
    "$diff" > "$w/config.json"
  local cdig csize; cdig="$(sha "$w/config.json")"; csize="$(stat -c %s "$w/config.json")"
  mv "$w/config.json" "$w/oci/blobs/sha256/$cdig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cdig" "$csize" "$ldig" "$lsize" > "$w/manifest.json"
  local mdig msize; mdig="$(sha "$w/manifest.json")"; msize="$(stat -c %s "$w/manifest.json")"
  mv "$w/manifest.json" "$w/oci/blobs/sha256/$mdig"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"dev"}}]}' \
    "$mdig" "$msize" "$PAUSE_REF" > "$w/oci/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$w/oci/oci-layout"
  mkdir -p "$NODE_CACHE"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$w/oci" -cf "$PAUSE_ARCHIVE.tmp" oci-layout index.json blobs
  mv "$PAUSE_ARCHIVE.tmp" "$PAUSE_ARCHIVE"
  rm -rf "$w"
}

cmd_provision() {
  local t0=$SECONDS
  install_debian_packages
  bash "$CP" provision
  command -v go >/dev/null 2>&1 || { [ -x "$K8S_BIN/kubelet" ] && [ -x "$CTD_BIN/containerd" ] && [ -x "$CRICTL_BIN/crictl" ]; } \
    || die "go is required to build the node binaries"
  build_k8s_node_binaries
  build_runtime
  build_pause_image
  log "provisioned in $((SECONDS - t0)) s"
}

require_binaries() {
  local b
  for b in "$K8S_BIN"/{kubelet,kube-scheduler,kube-proxy,kubectl} "$CTD_BIN"/{containerd,containerd-shim-runc-v2,ctr} "$CRICTL_BIN/crictl" "$RUNC" "$CNI_BIN_DIR/bridge" "$PAUSE_ARCHIVE"; do
    [ -e "$b" ] || die "$b is missing: run '$0 provision' first"
  done
  command -v nsenter >/dev/null 2>&1 && command -v nft >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
    || die "nsenter, nft and ip are required"
  [ "$(id -u)" = 0 ] || die "a node needs root (namespaces, mounts, cgroups)"
}

# ---------------------------------------------------------------------------------------------
# state of a run
# ---------------------------------------------------------------------------------------------

NODE_ENV="${RUN_DIR}/node.env"
CP_RUN_DIR="${RUN_DIR}/cp"
PKI="${CP_RUN_DIR}/pki"
NODE_COMPONENTS=(containerd kubelet kube-scheduler kube-proxy)
DAEMONS=("${NODE_COMPONENTS[@]}")
# shellcheck source=lib/daemons.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

# The node the functions below act on (use_node). Node a is the run dir itself, as with one
# node; node b keeps its own pids, logs, containerd, kubelet and CNI state under <run dir>/b, so
# that stop-node b can remove exactly what is b's.
NODES=(a)
use_node() {
  case "$1" in
    a)
      NODE_ID=a NODE_NAME="pp-node" NODE_DIR="$RUN_DIR" KUBELET_USER=kubelet CNI_NET=pp-node
      NETNS="${A_NETNS:-}" VETH="${A_VETH:-}" HOST_ADDR="${A_HOST_ADDR:-}" NODE_ADDR="${A_NODE_ADDR:-}"
      POD_CIDR="${A_POD_CIDR:-}" CGROUP_ROOT="${A_CGROUP_ROOT:-}"
      ;;
    b)
      NODE_ID=b NODE_NAME="pp-node-b" NODE_DIR="$RUN_DIR/b" KUBELET_USER=kubelet-b CNI_NET=pp-nodeb
      NETNS="${B_NETNS:-}" VETH="${B_VETH:-}" HOST_ADDR="${B_HOST_ADDR:-}" NODE_ADDR="${B_NODE_ADDR:-}"
      POD_CIDR="${B_POD_CIDR:-}" CGROUP_ROOT="${B_CGROUP_ROOT:-}"
      ;;
    *) die "no node $1 (a or b)" ;;
  esac
  PID_DIR="${NODE_DIR}/pids"
  LOG_DIR="${NODE_DIR}/logs"
  CTD_DIR="${NODE_DIR}/containerd"
  CTD_SOCK="${CTD_DIR}/containerd.sock"
}

# NETNS, VETH, N, HOST_ADDR, NODE_ADDR, POD_CIDR, CGROUP_ROOT of this run (fixed at first start),
# and for a run of two nodes NODE_COUNT=2, the same of node b as B_*, and LINK_A/LINK_B (the
# ends of the veth between the two namespaces). Leaves node a selected.
load_env() {
  # Nothing from an earlier load survives (start may remove the file and allocate anew).
  unset NETNS VETH N HOST_ADDR NODE_ADDR POD_CIDR CGROUP_ROOT API_ADDR NODE_COUNT LINK_A LINK_B \
    A_NETNS A_VETH A_HOST_ADDR A_NODE_ADDR A_POD_CIDR A_CGROUP_ROOT \
    B_NETNS B_VETH B_N B_HOST_ADDR B_NODE_ADDR B_POD_CIDR B_CGROUP_ROOT
  [ -f "$NODE_ENV" ] && . "$NODE_ENV"
  if [ -n "${NETNS:-}" ]; then
    A_NETNS="$NETNS" A_VETH="$VETH" A_HOST_ADDR="$HOST_ADDR" A_NODE_ADDR="$NODE_ADDR"
    A_POD_CIDR="$POD_CIDR" A_CGROUP_ROOT="$CGROUP_ROOT"
    # Every node's kubelet, kube-proxy and pods reach the API server at node a's address.
    API_ADDR="$NODE_ADDR"
  fi
  NODES=(a)
  [ -n "${B_NETNS:-}" ] && NODES=(a b)
  use_node a
  [ -n "${NETNS:-}" ]
}
use_node a

in_ns() { nsenter "--net=/run/netns/${NETNS}" "$@"; }

launch() { # NAME BINARY ARGS...: a daemon in the node's namespace, detached from the caller
  local name="$1"; shift
  PATH="$CTD_BIN:$CNI_BIN_DIR:$PATH" setsid nsenter "--net=/run/netns/${NETNS}" "$@" \
    </dev/null >"$LOG_DIR/$name.log" 2>&1 &
  echo $! > "$PID_DIR/$name.pid"
}

stop_pid() { # NAME PID SECONDS
  kill -TERM "$2" 2>/dev/null || true
  local deadline=$(( SECONDS + $3 ))
  while alive "$2" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if alive "$2"; then log "$1 ($2) ignored SIGTERM for $3 s; killing it"; kill -KILL "$2" 2>/dev/null || true; fi
  while alive "$2" && [ $SECONDS -lt $(( deadline + 5 )) ]; do sleep 0.1; done
}

kctl() { "$K8S_BIN/kubectl" --kubeconfig "$CP_RUN_DIR/admin.kubeconfig" --request-timeout=5s "$@"; }
crictl_() { "$CRICTL_BIN/crictl" --runtime-endpoint "unix://$CTD_SOCK" --image-endpoint "unix://$CTD_SOCK" --timeout 10s "$@"; }

fail_start() {
  local c n
  log "ERROR: $1"
  for n in "${NODES[@]}"; do
    use_node "$n"
    for c in "${NODE_COMPONENTS[@]}"; do
      [ -f "$LOG_DIR/$c.log" ] || continue
      log "---- last lines of $LOG_DIR/$c.log"
      tail -n 20 "$LOG_DIR/$c.log" >&2
    done
  done
  cmd_stop >/dev/null 2>&1 || true
  exit 1
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------

used_networks() { ip -4 route show; for n in $(ip netns list 2>/dev/null | awk '/^ppnode-/{print $1}'); do ip -n "$n" -4 addr show 2>/dev/null; done; }

# A /30 for the veth (10.200.N.0/30: host .1, node .2) and a /24 for pods (10.201.N.0/24) that
# no other run on this host uses. Called under the allocation lock.
allocate_network() {
  local id; id="$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-8)"
  NETNS="ppnode-$id"
  VETH="ppk$id"
  CGROUP_ROOT="/ppnode-$id"
  local used; used="$(used_networks)"
  local i
  for i in $(seq 0 255); do
    N=$(( (16#${id:0:2} + i) % 256 ))
    grep -q "10\.200\.${N}\.[0-9]" <<<"$used" || break
  done
  HOST_ADDR="10.200.${N}.1"; NODE_ADDR="10.200.${N}.2"; POD_CIDR="10.201.${N}.0/24"
  printf 'NETNS=%s\nVETH=%s\nN=%s\nHOST_ADDR=%s\nNODE_ADDR=%s\nPOD_CIDR=%s\nCGROUP_ROOT=%s\n' \
    "$NETNS" "$VETH" "$N" "$HOST_ADDR" "$NODE_ADDR" "$POD_CIDR" "$CGROUP_ROOT" > "$NODE_ENV"
  [ "$NODE_COUNT_WANTED" = 2 ] && allocate_network_b
  load_env
}

# Node b: the next free N after node a's, the same layout (10.200.M.0/30, 10.201.M.0/24), and a
# /30 between the two namespaces (10.202.N.0/30 after node a's N: a .1, b .2), which is unique
# because node a's N is.
allocate_network_b() {
  local id; id="$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-8)"
  local used; used="$(used_networks)"
  local i m
  for i in $(seq 1 255); do
    m=$(( (N + i) % 256 ))
    grep -q "10\.200\.${m}\.[0-9]" <<<"$used" || break
  done
  printf 'NODE_COUNT=2\nB_NETNS=%s\nB_VETH=%s\nB_N=%s\nB_HOST_ADDR=%s\nB_NODE_ADDR=%s\nB_POD_CIDR=%s\nB_CGROUP_ROOT=%s\nLINK_A=%s\nLINK_B=%s\n' \
    "ppnode-$id-b" "ppk${id}b" "$m" "10.200.${m}.1" "10.200.${m}.2" "10.201.${m}.0/24" "/ppnode-$id-b" \
    "10.202.${N}.1" "10.202.${N}.2" >> "$NODE_ENV"
}

# make_namespace and make_node_link run as `make_x || fail_start ...`, where bash ignores set -e
# inside them: each step returns on failure itself, so that a guard rule that did not load stops
# the start instead of passing unnoticed.
make_namespace() {
  ip netns add "$NETNS" || return 1
  ip link add "$VETH" type veth peer name eth0 netns "$NETNS" || return 1
  ip addr add "${HOST_ADDR}/30" dev "$VETH" || return 1
  ip link set "$VETH" up || return 1
  ip -n "$NETNS" link set lo up || return 1
  ip -n "$NETNS" addr add "${NODE_ADDR}/30" dev eth0 || return 1
  ip -n "$NETNS" link set eth0 up || return 1
  # No default route. The Service range needs a route for kube-proxy's DNAT to apply to local
  # and pod traffic; a packet that no rule rewrote would follow it to the host, and the guard
  # below drops it there instead.
  ip -n "$NETNS" route add "$SERVICE_CIDR" via "$HOST_ADDR" dev eth0 || return 1
  # Nothing leaves the namespace except to the host end of the veth (the test JVM's replies).
  in_ns nft -f - <<NFT || return 1
table inet pp_node_guard {
  chain egress {
    type filter hook postrouting priority 100; policy accept;
    oifname "eth0" ip daddr != ${HOST_ADDR} counter drop
    oifname "eth0" meta nfproto ipv6 counter drop
  }
}
NFT
}

# Two nodes: a veth pair between the namespaces ("nodeb" in a's, "nodea" in b's; the host never
# sees it). Over it node b's kubelet, kube-proxy and pods reach the API server at node a's
# address, the API server reaches node b's kubelet, and pod networks reach each other; the host
# still reaches each node over its own veth and forwards nothing. The guard of each namespace
# lets onto the pair only what is addressed to the other node.
make_node_link() {
  ip -n "$A_NETNS" link add nodeb type veth peer name nodea netns "$B_NETNS" || return 1
  ip -n "$A_NETNS" addr add "${LINK_A}/30" dev nodeb || return 1
  ip -n "$B_NETNS" addr add "${LINK_B}/30" dev nodea || return 1
  ip -n "$A_NETNS" link set nodeb up || return 1
  ip -n "$B_NETNS" link set nodea up || return 1
  ip -n "$A_NETNS" route add "${B_NODE_ADDR}/32" via "$LINK_B" dev nodeb || return 1
  ip -n "$A_NETNS" route add "$B_POD_CIDR" via "$LINK_B" dev nodeb || return 1
  ip -n "$B_NETNS" route add "${A_NODE_ADDR}/32" via "$LINK_A" dev nodea || return 1
  ip -n "$B_NETNS" route add "$A_POD_CIDR" via "$LINK_A" dev nodea || return 1
  nsenter "--net=/run/netns/${A_NETNS}" nft -f - <<NFT || return 1
add rule inet pp_node_guard egress oifname "nodeb" ip daddr != { ${LINK_B}, ${B_NODE_ADDR}, ${B_POD_CIDR} } counter drop
add rule inet pp_node_guard egress oifname "nodeb" meta nfproto ipv6 counter drop
NFT
  nsenter "--net=/run/netns/${B_NETNS}" nft -f - <<NFT || return 1
add rule inet pp_node_guard egress oifname "nodea" ip daddr != { ${LINK_A}, ${A_NODE_ADDR}, ${A_POD_CIDR} } counter drop
add rule inet pp_node_guard egress oifname "nodea" meta nfproto ipv6 counter drop
NFT
}

save_sysctls() {
  [ -f "$RUN_DIR/sysctls.saved" ] && return 0
  local k
  for k in "${KUBELET_SYSCTLS[@]}"; do
    printf '%s=%s\n' "$k" "$(sysctl -n "$k" 2>/dev/null)"
  done > "$RUN_DIR/sysctls.saved.tmp"
  mv "$RUN_DIR/sysctls.saved.tmp" "$RUN_DIR/sysctls.saved"
}

restore_sysctls() {
  [ -f "$RUN_DIR/sysctls.saved" ] || return 0
  local line
  while IFS= read -r line; do
    [ -n "${line#*=}" ] || continue
    sysctl -q -w "$line" >/dev/null 2>&1 || log "cannot restore $line"
  done < "$RUN_DIR/sysctls.saved"
  rm -f "$RUN_DIR/sysctls.saved"
}

# Fixed paths the kubelet and containerd create whatever they are told. This run creates them
# itself, with a marker, so that any node run can tell them from a real kubelet's or
# containerd's: a marked directory left behind (its run stopped while another runtime was up)
# is removed by the next run that stops alone.
MARKED_PATHS=(/var/lib/kubelet /var/log/containers /run/containerd /var/lib/cni)
MARKER=".pp-node-made-this"

# Which fixed paths existed before this run and are not a node run's (those are never removed).
save_fixed_paths() {
  [ -f "$RUN_DIR/preexisting" ] && return 0
  local p
  for p in "${FIXED_PATHS[@]}"; do
    [ -e "$p" ] && [ ! -e "$p/$MARKER" ] && echo "$p"
  done > "$RUN_DIR/preexisting" || true
  for p in "${MARKED_PATHS[@]}"; do
    [ -e "$p" ] && continue
    mkdir -p "$p" && touch "$p/$MARKER"
  done
}

cgroup_hierarchies() { awk '$3=="cgroup" || $3=="cgroup2" {print $2}' /proc/mounts | sort -u; }

# kubelet --cgroup-root must exist in every hierarchy; pods go below <root>/kubepods.
make_cgroup_root() {
  local h
  for h in $(cgroup_hierarchies); do
    mkdir -p "$h$CGROUP_ROOT"
  done
}

sign() { # NAME SUBJECT: client certificate signed by the control plane's CA
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$1.key" 2>/dev/null
  openssl req -new -key "$PKI/$1.key" -subj "$2" -out "$PKI/$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > "$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null || die "cannot sign $1"
  rm -f "$PKI/$1.csr" "$PKI/$1.ext"
}

write_kubeconfig() { # OUT USER
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: packetparamedic
  cluster:
    server: https://${API_ADDR}:6443
    certificate-authority: ${PKI}/ca.crt
users:
- name: $2
  user:
    client-certificate: ${PKI}/$2.crt
    client-key: ${PKI}/$2.key
contexts:
- name: packetparamedic
  context: {cluster: packetparamedic, user: $2}
current-context: packetparamedic
KC
  chmod 600 "$1"
}

write_configs() {
  mkdir -p "$NODE_DIR/cni/net.d" "$NODE_DIR/cni/ipam" "$NODE_DIR/kubelet" "$NODE_DIR/kubelet-pki" "$NODE_DIR/pod-logs" "$CTD_DIR"
  [ -f "$PKI/$KUBELET_USER.crt" ] || sign "$KUBELET_USER" "/O=system:nodes/CN=system:node:${NODE_NAME}"
  [ -f "$PKI/kube-scheduler.crt" ] || sign kube-scheduler "/CN=system:kube-scheduler"
  [ -f "$PKI/kube-proxy.crt" ] || sign kube-proxy "/CN=system:kube-proxy"
  write_kubeconfig "$NODE_DIR/kubelet.kubeconfig" "$KUBELET_USER"
  write_kubeconfig "$RUN_DIR/kube-scheduler.kubeconfig" kube-scheduler
  write_kubeconfig "$RUN_DIR/kube-proxy.kubeconfig" kube-proxy

  # Pod network: one bridge inside the namespace. A config must exist even when every pod uses
  # hostNetwork, or the runtime reports NetworkReady=false. isGateway turns on ip_forward, in
  # the namespace only. IPAM state stays in the run dir. The network's name differs per node:
  # the CNI result cache in /var/lib/cni is named after it, and stop-node removes only its own.
  cat > "$NODE_DIR/cni/net.d/10-pp-bridge.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "${CNI_NET}",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {"type": "host-local", "dataDir": "${NODE_DIR}/cni/ipam",
               "ranges": [[{"subnet": "${POD_CIDR}"}]], "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CNI

  # containerd 2.x, config version 3. Everything it writes is under the run dir: root, state,
  # runc's state, pod network namespaces (netns_mounts_under_state_dir), the CNI config.
  # restrict_oom_score_adj: nothing on these VMs has CAP_SYS_RESOURCE, so runc's write of a
  # negative oom_score_adj fails ("can't get final child's PID from pipe: EOF") without it.
  cat > "$CTD_DIR/config.toml" <<TOML
version = 3
root = "${CTD_DIR}/root"
state = "${CTD_DIR}/state"
# nri would make /var/run/nri, opt /opt/containerd: neither is used here.
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.internal.v1.tracing", "io.containerd.internal.v1.opt"]

[grpc]
  address = "${CTD_SOCK}"

[ttrpc]
  address = "${CTD_SOCK}.ttrpc"

[plugins]
  [plugins.'io.containerd.cri.v1.images']
    snapshotter = "overlayfs"
    [plugins.'io.containerd.cri.v1.images'.pinned_images]
      sandbox = "${PAUSE_REF}"
  [plugins.'io.containerd.cri.v1.runtime']
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    [plugins.'io.containerd.cri.v1.runtime'.containerd]
      default_runtime_name = "runc"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
          BinaryName = "${RUNC}"
          Root = "${CTD_DIR}/runc"
          SystemdCgroup = false
    [plugins.'io.containerd.cri.v1.runtime'.cni]
      bin_dirs = ["${CNI_BIN_DIR}"]
      conf_dir = "${NODE_DIR}/cni/net.d"
  [plugins.'io.containerd.grpc.v1.cri']
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
TOML

  # cgroup v1 (hybrid) and no systemd here: cgroupfs driver, and the kubelet's cgroup v1
  # refusal switched off. Everything under the run's cgroup root, dirs under the run dir.
  cat > "$NODE_DIR/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: ${CGROUP_ROOT}
failSwapOn: false
containerRuntimeEndpoint: unix://${CTD_SOCK}
address: ${NODE_ADDR}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${PKI}/ca.crt}
authorization:
  mode: Webhook
podLogsDir: ${NODE_DIR}/pod-logs
resolvConf: ""
clusterDomain: cluster.local
registerNode: true
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
shutdownGracePeriod: 0s
YAML

  cat > "$NODE_DIR/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
hostnameOverride: ${NODE_NAME}
clusterCIDR: ${POD_CIDR}
clientConnection:
  kubeconfig: ${RUN_DIR}/kube-proxy.kubeconfig
bindAddress: ${NODE_ADDR}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# All zero: kube-proxy then leaves the (host-wide) conntrack sysctls alone.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
  udpTimeout: 0s
  udpStreamTimeout: 0s
YAML
}

heartbeat_since() {
  local hb
  node_ready || return 1
  hb="$(kctl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].lastHeartbeatTime}' 2>/dev/null)"
  [ -n "$hb" ] && [[ ! "$hb" < "$1" ]]
}

runtime_ready() { crictl_ info 2>/dev/null | grep '"NetworkReady"' >/dev/null; }
node_ready() { [ "$(kctl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
kubernetes_endpoint() { kctl -n default get endpointslices -l kubernetes.io/service-name=kubernetes -o 'jsonpath={.items[*].endpoints[*].addresses[*]}' 2>/dev/null | grep -w "$NODE_ADDR" >/dev/null; }
proxy_rules() { in_ns nft list table ip kube-proxy 2>/dev/null | grep '10.0.0.1' >/dev/null; }

import_archive() { # REF ARCHIVE
  local ref="$1" archive="$2"
  [ -f "$archive" ] || die "image archive $archive does not exist"
  # --base-name keeps only images of that name; --index-name/--digests are not needed: the
  # archive names its image (io.containerd.image.name or ref.name + base name).
  local repo="${ref%:*}"
  "$CTD_BIN/ctr" --address "$CTD_SOCK" -n k8s.io images import --base-name "$repo" "$archive" >/dev/null \
    || die "ctr images import of $archive failed"
  # An archive that only has a ref.name annotation (a tag) becomes <base-name>:<tag>.
  # (Read whole, not piped into grep -q: an early exit of grep would fail the pipeline.)
  local have; have="$("$CTD_BIN/ctr" --address "$CTD_SOCK" -n k8s.io images ls -q 2>/dev/null)"
  grep -qx -- "$ref" <<<"$have" || die "importing $archive did not produce $ref (got: $(tr '\n' ' ' <<<"$have"))"
  log "imported $ref from $archive"
}

images_sh() { echo "${PP_NODE_IMAGES_SH:-$HERE/images.sh}"; }

# REF=ARCHIVE arguments, or what images.sh `paths` prints (`name path` per line; a bare name
# means localhost/packetparamedic/<name>:dev). Into every node's containerd; a node stopped by
# stop-node is skipped.
cmd_import_images() {
  load_env || die "no node in $RUN_DIR: start it first"
  live_pid containerd >/dev/null || die "containerd of $RUN_DIR is not running"
  local pairs=() a
  if [ $# -gt 0 ]; then
    for a in "$@"; do pairs+=("${a%%=*}" "${a#*=}"); done
  else
    local s; s="$(images_sh)"
    if [ ! -f "$s" ]; then log "no $s: only the node's own pause image is there"; return 0; fi
    local name path
    while read -r name path; do
      [ -n "$name" ] && [ -n "$path" ] || continue
      case "$name" in */*) ;; *) name="localhost/packetparamedic/${name}:dev" ;; esac
      case "$name" in *:*) ;; *) name="$name:dev" ;; esac
      # `paths` lists every archive, built or not.
      if [ -f "$path" ]; then pairs+=("$name" "$path"); else log "skipping $name: $path is not built"; fi
    done < <(bash "$s" paths) || die "$s paths failed"
  fi
  local i n
  for n in "${NODES[@]}"; do
    use_node "$n"
    if ! live_pid containerd >/dev/null; then log "skipping node $NODE_NAME: its containerd is not running"; continue; fi
    for (( i = 0; i < ${#pairs[@]}; i += 2 )); do import_archive "${pairs[i]}" "${pairs[i+1]}"; done
  done
  use_node a
}

launch_kubelet() {
  launch kubelet "$K8S_BIN/kubelet" --config="$NODE_DIR/kubelet/config.yaml" \
    --kubeconfig="$NODE_DIR/kubelet.kubeconfig" --root-dir="$NODE_DIR/kubelet/root" \
    --cert-dir="$NODE_DIR/kubelet-pki" --hostname-override="$NODE_NAME" --node-ip="$NODE_ADDR" --v=1
}

# What an admin does after changing a kubelet: stop it (containers keep running under
# containerd), start it again, wait until the node is Ready again.
cmd_restart_kubelet() {
  load_env || die "no node in $RUN_DIR"
  local pid t0=$SECONDS
  pid="$(live_pid kubelet)" || die "the kubelet of $RUN_DIR is not running"
  stop_pid kubelet "$pid" 20
  mv "$RUN_DIR/logs/kubelet.log" "$RUN_DIR/logs/kubelet.log.$(date +%s)"
  local since; since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  launch_kubelet
  # The Node stays Ready for a grace period after its kubelet stopped: wait for a heartbeat
  # of the new kubelet instead.
  wait_until "a Ready heartbeat of the restarted kubelet" heartbeat_since "$since"
  log "kubelet restarted; node Ready in $((SECONDS - t0)) s"
}

# Every node of the run has its kubelet and is Ready, and the run has as many nodes as asked.
all_running() {
  load_env || return 1
  [ "${#NODES[@]}" = "$NODE_COUNT_WANTED" ] || return 1
  local n
  for n in "${NODES[@]}"; do
    use_node "$n"
    live_pid kubelet >/dev/null && node_ready || { use_node a; return 1; }
  done
  use_node a
}

cmd_start() {
  require_binaries
  if all_running; then
    log "already running; node $NODE_NAME at $NODE_ADDR"
    echo "$CP_RUN_DIR/admin.kubeconfig"
    return 0
  fi
  cmd_stop >/dev/null 2>&1 || true
  local t0=$SECONDS n
  mkdir -p "$RUN_DIR" "$PID_DIR" "$RUN_DIR/logs"
  chmod 700 "$RUN_DIR"
  save_sysctls
  save_fixed_paths
  # Allocation and creation under one lock: two runs must not pick the same addresses.
  exec 9>"${TMPDIR:-/tmp}/pp-node.lock"
  flock 9
  # A run dir kept by `stop` keeps its addresses, unless the number of nodes changed.
  if load_env && [ "${#NODES[@]}" != "$NODE_COUNT_WANTED" ]; then rm -f "$NODE_ENV"; fi
  load_env || allocate_network
  make_namespace || { flock -u 9; fail_start "cannot create network namespace $NETNS"; }
  if [ "${#NODES[@]}" = 2 ]; then
    use_node b
    mkdir -p "$PID_DIR" "$LOG_DIR"
    make_namespace || { flock -u 9; fail_start "cannot create network namespace $NETNS"; }
    make_node_link || { flock -u 9; fail_start "cannot link the namespaces of the two nodes"; }
    log "namespace $NETNS: node $NODE_NAME $NODE_ADDR, host end $HOST_ADDR ($VETH), pods $POD_CIDR; link $LINK_B - $LINK_A"
    use_node a
  fi
  flock -u 9; exec 9>&-
  log "namespace $NETNS: node $NODE_ADDR, host end $HOST_ADDR ($VETH), pods $POD_CIDR"

  if [ -n "${PP_NODE_OWNER_PID:-}" ]; then
    kill -0 "$PP_NODE_OWNER_PID" 2>/dev/null || fail_start "owner process $PP_NODE_OWNER_PID does not exist"
    PP_NODE_RUN_DIR="$RUN_DIR" setsid bash "$0" watchdog "$PP_NODE_OWNER_PID" \
      </dev/null >>"$RUN_DIR/logs/watchdog.log" 2>&1 &
    echo $! > "$PID_DIR/watchdog.pid"
  fi

  PP_CP_RUN_DIR="$CP_RUN_DIR" PP_CP_NETNS="$NETNS" PP_CP_ADDRESS="$NODE_ADDR" PP_CP_OWNER_PID= \
    PP_CP_START_TIMEOUT="$START_TIMEOUT" bash "$CP" start >/dev/null || fail_start "the control plane did not start"
  local t_cp=$SECONDS
  for n in "${NODES[@]}"; do
    use_node "$n"
    write_configs
    make_cgroup_root
    launch containerd "$CTD_BIN/containerd" --config "$CTD_DIR/config.toml"
  done
  for n in "${NODES[@]}"; do
    use_node "$n"
    wait_until "containerd's CRI" runtime_ready
    import_archive "$PAUSE_REF" "$PAUSE_ARCHIVE"
  done

  for n in "${NODES[@]}"; do use_node "$n"; launch_kubelet; done
  use_node a
  launch kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$RUN_DIR/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$RUN_DIR/kube-scheduler.kubeconfig" --authorization-kubeconfig="$RUN_DIR/kube-scheduler.kubeconfig" \
    --leader-elect=false --secure-port=0 --v=1
  for n in "${NODES[@]}"; do use_node "$n"; launch kube-proxy "$K8S_BIN/kube-proxy" --config="$NODE_DIR/kube-proxy.yaml" --v=1; done

  for n in "${NODES[@]}"; do use_node "$n"; wait_until "node $NODE_NAME Ready" node_ready; done
  use_node a
  wait_until "the kubernetes Service endpoint at $NODE_ADDR" kubernetes_endpoint
  for n in "${NODES[@]}"; do use_node "$n"; wait_until "kube-proxy's nftables rules on $NODE_NAME" proxy_rules; done
  use_node a
  log "node $NODE_NAME Ready at $NODE_ADDR in $((SECONDS - t0)) s (control plane $((t_cp - t0)) s)"
  [ "${#NODES[@]}" = 2 ] && log "node pp-node-b Ready at $B_NODE_ADDR"
  echo "$CP_RUN_DIR/admin.kubeconfig"
}

# ---------------------------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------------------------

# Processes that belong to this run (or to one node of it: DIR is then the node's dir) whatever
# their pid file says: shims and containers started by its containerd carry its socket or run
# dir on their command line or are in its cgroups. run_processes DIR CGROUP_ROOT...
run_processes() {
  local p dir="$1" root; shift
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -F -- "$dir" >/dev/null; then echo "${p#/proc/}"; continue; fi
    for root in "$@"; do
      if [ -n "$root" ] && grep -qF ":${root}/" "$p/cgroup" 2>/dev/null; then echo "${p#/proc/}"; break; fi
    done
  done
}

kill_run_processes() { # DIR CGROUP_ROOT...
  local pid
  # Shims and anything else still holding the run (normally nothing after rmp).
  for pid in $(run_processes "$@"); do
    alive "$pid" || continue
    log "killing leftover process $pid: $(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | cut -c1-120)"
    stop_pid leftover "$pid" 5
  done
}

unmount_dir() { # DIR (with a trailing slash)
  local m i
  for i in 1 2 3; do
    # Deepest first.
    mapfile -t m < <(awk -v d="$1" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
    [ ${#m[@]} -eq 0 ] && return 0
    for p in "${m[@]}"; do umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null || true; done
  done
}

unmount_run_dir() { unmount_dir "$RUN_DIR/"; }

remove_cgroups() {
  [ -n "${CGROUP_ROOT:-}" ] || return 0
  local h d
  for h in $(cgroup_hierarchies); do
    [ -d "$h$CGROUP_ROOT" ] || continue
    # Leaves first; a cgroup with a live task cannot go (there should be none left).
    while read -r d; do rmdir "$d" 2>/dev/null || log "cannot remove cgroup $d"; done \
      < <(find "$h$CGROUP_ROOT" -depth -type d)
  done
}

# The selected node's namespace (it takes the veths, the bridge and kube-proxy's and the guard's
# nftables with it) and the host end of its veth.
remove_namespace() {
  [ -n "${NETNS:-}" ] || return 0
  [ -e "/run/netns/$NETNS" ] && { ip netns del "$NETNS" || log "cannot delete namespace $NETNS"; }
  ip link del "$VETH" 2>/dev/null || true
}

# What is provably one node's in the fixed paths goes whatever else runs: the kubelet's log
# links into its dir, the CNI result cache of its network (one file per pod sandbox).
remove_node_traces() { # DIR CNI_NETWORK
  local f
  if [ -d /var/log/containers ]; then
    for f in /var/log/containers/*; do
      [ -L "$f" ] && case "$(readlink "$f")" in "$1"*) rm -f "$f" ;; esac
    done
  fi
  rm -f /var/lib/cni/results/"$2"-* 2>/dev/null || true
}

remove_fixed_paths() {
  local p
  remove_node_traces "$RUN_DIR/" pp-node
  remove_node_traces "$RUN_DIR/b/" pp-nodeb
  # The directories themselves only when this run made them and no other kubelet or containerd
  # (another node run, a real one) is there to use them.
  local others=0
  other_runs_alive && others=1
  for p in "${FIXED_PATHS[@]}"; do
    [ -e "$p" ] || continue
    grep -qxF "$p" "$RUN_DIR/preexisting" 2>/dev/null && continue
    if [ "$others" = 1 ]; then
      log "leaving $p: another kubelet or containerd runs"
      continue
    fi
    rm -rf "$p"
  done
}

# A live kubelet or containerd that is not this run's. Zombies do not count: PID 1 reaps this
# run's own a little late, and their command line is empty.
other_runs_alive() {
  local p
  for p in $(pgrep -x containerd 2>/dev/null) $(pgrep -x kubelet 2>/dev/null); do
    alive "$p" || continue
    tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -F -- "$RUN_DIR/" >/dev/null || return 0
  done
  return 1
}

# The selected node's daemons. The kubelet first, so it does not restart what comes down next;
# then every pod sandbox through the runtime (containers killed, pod networks torn down by the
# CNI plugins).
stop_node_daemons() {
  local pid c
  if pid="$(live_pid kubelet)"; then stop_pid kubelet "$pid" 20; fi
  if live_pid containerd >/dev/null; then
    crictl_ stopp $(crictl_ pods -q 2>/dev/null) >/dev/null 2>&1 || true
    crictl_ rmp -f $(crictl_ pods -q 2>/dev/null) >/dev/null 2>&1 || true
  fi
  for c in kube-proxy kube-scheduler containerd; do
    if pid="$(live_pid "$c")"; then stop_pid "$c" "$pid" 15; fi
  done
}

# Node b down and gone from the host, as a machine that was switched off: its daemons, pods,
# mounts, cgroups, namespace (and with it the veth pair to node a), log links and CNI results.
# Node a, the control plane and the run's shared state stay. Its addresses stay in node.env
# (so a later stop still knows them); it does not come back before a new start.
teardown_node_b() {
  use_node b
  stop_node_daemons
  kill_run_processes "$NODE_DIR/" "$CGROUP_ROOT"
  unmount_dir "$NODE_DIR/"
  remove_cgroups
  remove_namespace
  remove_node_traces "$NODE_DIR/" "$CNI_NET"
  rm -f "$PID_DIR"/*.pid 2>/dev/null || true
  use_node a
}

cmd_stop_node() {
  [ "${1:-}" = b ] || die "usage: stop-node b (node a carries the control plane: use stop)"
  load_env || die "no node in $RUN_DIR"
  [ "${#NODES[@]}" = 2 ] || die "the run in $RUN_DIR has no node b"
  local t0=$SECONDS
  teardown_node_b
  log "node pp-node-b stopped in $((SECONDS - t0)) s"
}

cmd_stop() {
  local clean=0
  [ "${1:-}" = "--clean" ] && clean=1
  [ -d "$RUN_DIR" ] || { log "nothing to stop in $RUN_DIR"; return 0; }
  load_env || true
  local pid
  if pid="$(live_pid watchdog)" && [ "$pid" != "$$" ] && [ "$pid" != "$PPID" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  [ "${#NODES[@]}" = 2 ] && teardown_node_b
  stop_node_daemons
  [ -d "$CP_RUN_DIR" ] && PP_CP_RUN_DIR="$CP_RUN_DIR" bash "$CP" stop >/dev/null 2>&1 || true
  kill_run_processes "$RUN_DIR/" "${CGROUP_ROOT:-}" "${B_CGROUP_ROOT:-}"
  unmount_run_dir
  remove_cgroups
  remove_namespace
  restore_sysctls
  remove_fixed_paths
  rm -f "$PID_DIR"/*.pid 2>/dev/null || true
  if [ "$clean" = 1 ]; then
    unmount_run_dir
    rm -rf "$RUN_DIR"
    log "stopped; removed $RUN_DIR"
  else
    log "stopped"
  fi
}

# Everything a node run can leave on this host, for any run (not only this one), one line each.
# Only what is recognisably a node run's: another containerd or kubelet (Debian's, a real one,
# e2e/hack/images.sh's import check) and its state are not reported.
cmd_leftovers() {
  local found=0 n p h
  while read -r n _; do
    case "$n" in ppnode-*) echo "network namespace $n"; found=1 ;; esac
  done < <(ip netns list 2>/dev/null)
  while read -r n; do echo "link $n"; found=1; done < <(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^ppk[0-9a-f]{8}b?$' || true)
  for h in $(cgroup_hierarchies); do
    for p in "$h"/ppnode-*; do [ -e "$p" ] && { echo "cgroup $p"; found=1; }; done
  done
  while read -r p; do echo "mount $p"; found=1; done < <(awk '$2 ~ /pp-node|\/ppnode-/ {print $2}' /proc/self/mounts)
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    [ "$p" = "$$" ] && continue
    alive "$p" || continue
    local cmd; cmd="$(tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline")" || continue
    # The node's binaries (from the cache), anything naming a node run dir, anything in a node cgroup.
    if [[ "$cmd" == *"/packetparamedic/node/"* || "$cmd" == *"/packetparamedic/k8s/"*"/kubelet "* \
          || "$cmd" == *"/pp-node"* ]] || grep -q ':/ppnode-' "/proc/$p/cgroup" 2>/dev/null; then
      echo "process $p ${cmd:0:100}"; found=1
    fi
  done
  for p in "${MARKED_PATHS[@]}"; do
    [ -e "$p/$MARKER" ] && { echo "path $p (made by a node run)"; found=1; }
  done
  if [ -d /var/log/containers ]; then
    for p in /var/log/containers/*; do
      [ -L "$p" ] && case "$(readlink "$p")" in */pp-node*) echo "log link $p"; found=1 ;; esac
    done
  fi
  return $(( found ? 1 : 0 ))
}

cmd_watchdog() {
  local owner="$1"
  while kill -0 "$owner" 2>/dev/null; do sleep 2; done
  if [ -d "$RUN_DIR" ]; then
    log "owner process $owner is gone; stopping the node"
    cmd_stop --clean
  fi
}

cmd_status() {
  local rc=0 c pid n sfx
  load_env || { echo "no node in $RUN_DIR"; return 3; }
  PP_CP_RUN_DIR="$CP_RUN_DIR" bash "$CP" status || rc=3
  for n in "${NODES[@]}"; do
    use_node "$n"
    sfx=""; [ "$n" = b ] && sfx=" of $NODE_NAME"
    for c in "${NODE_COMPONENTS[@]}"; do
      [ "$n" = b ] && [ "$c" = kube-scheduler ] && continue
      if pid="$(live_pid "$c")"; then echo "$c$sfx: running (pid $pid)"; else echo "$c$sfx: not running"; rc=3; fi
    done
    if node_ready; then echo "node $NODE_NAME: Ready at $NODE_ADDR (namespace $NETNS)"; else echo "node $NODE_NAME: not Ready"; rc=3; fi
  done
  return $rc
}

cmd_env() {
  load_env || die "no node in $RUN_DIR"
  case "${1:-a}" in
    a) ;;
    b) [ "${#NODES[@]}" = 2 ] || die "the run in $RUN_DIR has no node b"; use_node b ;;
    *) die "no node ${1} (a or b)" ;;
  esac
  echo "export KUBECONFIG='$CP_RUN_DIR/admin.kubeconfig'"
  echo "export PATH='$K8S_BIN:$CTD_BIN:$CRICTL_BIN':\"\$PATH\""
  echo "export CONTAINER_RUNTIME_ENDPOINT='unix://$CTD_SOCK'"
  echo "export IMAGE_SERVICE_ENDPOINT='unix://$CTD_SOCK'"
  echo "export CONTAINERD_ADDRESS='$CTD_SOCK'"
  echo "export CONTAINERD_NAMESPACE='k8s.io'"
  echo "export PP_NODE_RUN_DIR='$RUN_DIR'"
  echo "export PP_NODE_DIR='$NODE_DIR'"
  echo "export PP_NODE_COUNT='${#NODES[@]}'"
  echo "export PP_NODE_NAME='$NODE_NAME'"
  echo "export PP_NODE_NETNS='$NETNS'"
  echo "export PP_NODE_ADDRESS='$NODE_ADDR'"
  echo "export PP_NODE_HOST_ADDRESS='$HOST_ADDR'"
  echo "export PP_NODE_POD_CIDR='$POD_CIDR'"
  echo "export PP_NODE_CRICTL='$CRICTL_BIN/crictl'"
  echo "export PP_NODE_KUBECTL='$K8S_BIN/kubectl'"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  provision)     cmd_provision ;;
  start)         cmd_start ;;
  stop)          shift; cmd_stop "${1:-}" ;;
  status)        cmd_status ;;
  env)           shift; cmd_env "${1:-a}" ;;
  stop-node)     shift; cmd_stop_node "${1:-}" ;;
  import-images) shift; cmd_import_images "$@" ;;
  restart-kubelet) cmd_restart_kubelet ;;
  leftovers)     cmd_leftovers ;;
  watchdog)      shift; cmd_watchdog "${1:?owner pid}" ;;
  *)             usage ;;
esac
