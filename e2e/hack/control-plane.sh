#!/usr/bin/env bash
# A real, loopback-only Kubernetes control plane for tests: etcd + kube-apiserver +
# kube-controller-manager, built from the upstream k8s.io/kubernetes Go module at one pinned
# version and cached under ~/.cache. No kubelet, scheduler or container engine: objects that
# need a node (Pods) stay Pending, which is all the e2e tests need.
#
#   control-plane.sh provision   build (or reuse) the binaries, check openssl
#   control-plane.sh start       generate certs, start etcd/apiserver/controller-manager, wait /readyz
#   control-plane.sh stop [--clean]   stop what start started (pid files); --clean removes the run dir
#   control-plane.sh apiserver-stop    stop only kube-apiserver (an API outage; etcd keeps the data)
#   control-plane.sh apiserver-start   start it again with the same flags and wait for /readyz
#   control-plane.sh apiserver-freeze  suspend kube-apiserver (SIGSTOP): connections stay open, nothing answers
#   control-plane.sh apiserver-thaw    resume it (SIGCONT): the requests it held are answered
#   control-plane.sh status      exit 0 when running and ready
#   control-plane.sh env         print exports (KUBECONFIG, PATH with kubectl, ...)
#
# Environment:
#   PP_K8S_VERSION      Kubernetes version to build (default below; must exist on the Go proxy)
#   PP_CP_RUN_DIR       run dir: certs, etcd data, logs, pid files, kubeconfigs
#                       (default ${TMPDIR:-/tmp}/pp-control-plane)
#   PP_CP_PORT          apiserver secure port on 127.0.0.1 (default: a free port)
#   PP_CP_START_TIMEOUT seconds to wait for readiness (default 90)
#   PP_CP_OWNER_PID     if set, `start` also runs a watchdog that does `stop --clean` once that
#                       process is gone (a test JVM killed before it could stop the cluster)
#   PP_CP_NETNS         run every daemon inside this existing network namespace (/run/netns/<name>,
#                       made by e2e/hack/node.sh) instead of on the host's loopback
#   PP_CP_ADDRESS       with PP_CP_NETNS: the node address inside it that the apiserver serves on,
#                       advertises (lease endpoint reconciler, so the `kubernetes` Service has a real
#                       endpoint) and has in its certificate; kubeconfigs then use it
#   XDG_CACHE_HOME      cache root (default ~/.cache); binaries under packetparamedic/k8s/<version>/bin
#   GOFLAGS             passed to go build; default -p=2 because the machine is small and shared
set -euo pipefail

K8S_VERSION="${PP_K8S_VERSION:-v1.35.4}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/packetparamedic/k8s/${K8S_VERSION}"
BIN_DIR="${CACHE_ROOT}/bin"
RUN_DIR="${PP_CP_RUN_DIR:-${TMPDIR:-/tmp}/pp-control-plane}"
START_TIMEOUT="${PP_CP_START_TIMEOUT:-90}"

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() { printf '[control-plane] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# provision
# ---------------------------------------------------------------------------------------------

# GOFLAGS for the builds: the caller's, plus -p=2 unless it sets -p (small shared machines),
# plus what the wrapper modules need.
build_goflags() {
  local f="${GOFLAGS:-}"
  case " $f " in *" -p="*) ;; *) f="$f -p=2" ;; esac
  echo "$f -mod=mod -trimpath"
}

# Staging minor: k8s.io/kubernetes vX.Y.Z ships its staging modules as v0.Y.Z.
staging_version() { echo "v0.${K8S_VERSION#v1.}"; }

write_wrapper_module() {
  local src="$1" kmod="$2"
  mkdir -p "$src"
  # k8s.io/kubernetes requires every staging module at v0.0.0 and replaces them with
  # ./staging/src/... paths; replace directives of a dependency are ignored, so the wrapper
  # must map each of them to the published v0.Y.Z itself. The list is taken from the real
  # go.mod so that a version bump picks up new staging modules automatically.
  local sv; sv="$(staging_version)"
  {
    echo "module packetparamedic.local/k8s-build"
    echo
    echo "go $(awk '$1=="go"{print $2; exit}' "$kmod")"
    # Upstream builds its binaries with this godebug default; the main module's directive is
    # the one that applies, so mirror it.
    awk '$1=="godebug"{print; exit}' "$kmod"
    echo
    echo "require k8s.io/kubernetes ${K8S_VERSION}"
    echo
    echo "replace ("
    awk -v sv="$sv" '$1 ~ /^k8s\.io\// && $2=="v0.0.0" {printf "\t%s => %s %s\n", $1, $1, sv}' "$kmod" | sort -u
    echo ")"
  } > "$src/go.mod"
}

fetch_kubernetes_gomod() {
  local out="$1"
  # `go mod download -json` goes through GOPROXY like every other module fetch and returns the
  # path of the cached .mod file.
  local tmp; tmp="$(mktemp -d)"
  ( cd "$tmp" && go mod init tmp >/dev/null 2>&1 && go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" ) > "$tmp/dl.json" \
    || { rm -rf "$tmp"; die "cannot download k8s.io/kubernetes@${K8S_VERSION} from the Go proxy"; }
  local gomod; gomod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p' "$tmp/dl.json")"
  [ -f "$gomod" ] || { rm -rf "$tmp"; die "no go.mod for k8s.io/kubernetes@${K8S_VERSION}"; }
  cp "$gomod" "$out"
  rm -rf "$tmp"
}

build_kubernetes() {
  local src="${CACHE_ROOT}/src/kubernetes"
  mkdir -p "$src" "$BIN_DIR"
  fetch_kubernetes_gomod "${CACHE_ROOT}/src/kubernetes.go.mod"
  write_wrapper_module "$src" "${CACHE_ROOT}/src/kubernetes.go.mod"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  # Stamp the version the way upstream's hack/lib/version.sh does; otherwise the binaries
  # report v0.0.0-master and kubectl warns about skew.
  local ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  local cmd
  for cmd in kube-apiserver kube-controller-manager kubectl; do
    [ -x "$BIN_DIR/$cmd" ] && continue
    log "building $cmd ${K8S_VERSION} (cold builds take a while on 2 cores)"
    # -mod=mod lets go resolve the requirement graph and write go.sum on first build.
    ( cd "$src" && CGO_ENABLED=0 GOFLAGS="$(build_goflags)" \
        go build -ldflags "$ldflags" -o "$BIN_DIR/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" ) \
      || die "go build of $cmd failed"
    mv "$BIN_DIR/$cmd.tmp" "$BIN_DIR/$cmd"
  done
}

etcd_version_ok() {
  # kube-apiserver of this generation is built against etcd client 3.6 and documents etcd
  # >= 3.5 as supported; its consistent-read features need >= 3.5.13. Anything older (Debian
  # bookworm ships 3.4.23) is rejected here and built instead.
  local v="$1" maj min pat
  IFS=. read -r maj min pat <<<"${v%%[-+]*}"
  [ "${maj:-0}" -gt 3 ] && return 0
  [ "${maj:-0}" -eq 3 ] || return 1
  [ "${min:-0}" -gt 5 ] && return 0
  [ "${min:-0}" -eq 5 ] && [ "${pat:-0}" -ge 13 ] && return 0
  return 1
}

provision_etcd() {
  [ -x "$BIN_DIR/etcd" ] && return 0
  mkdir -p "$BIN_DIR"
  # Prefer the distribution's etcd when it is new enough.
  local deb_etcd=""
  if ! command -v etcd >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    local cand; cand="$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/{print $2}')"
    if [ -n "$cand" ] && [ "$cand" != "(none)" ] && etcd_version_ok "${cand#*:}"; then
      log "installing Debian etcd-server $cand"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null || true
    fi
  fi
  if command -v etcd >/dev/null 2>&1; then
    local v; v="$(etcd --version 2>/dev/null | awk '/etcd Version:/{print $3}')"
    if etcd_version_ok "$v"; then deb_etcd="$(command -v etcd)"; else log "system etcd $v is too old; building etcd"; fi
  fi
  if [ -n "$deb_etcd" ]; then
    ln -sf "$deb_etcd" "$BIN_DIR/etcd"
    return 0
  fi
  # Build the etcd server version that this Kubernetes release's etcd client pins.
  local ev; ev="$(awk '$1=="go.etcd.io/etcd/client/v3"{print $2; exit}' "${CACHE_ROOT}/src/kubernetes.go.mod")"
  [ -n "$ev" ] || die "cannot tell the etcd version from k8s.io/kubernetes go.mod"
  local src="${CACHE_ROOT}/src/etcd"
  mkdir -p "$src"
  printf 'module packetparamedic.local/etcd-build\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ev" > "$src/go.mod"
  log "building etcd $ev"
  ( cd "$src" && CGO_ENABLED=0 GOFLAGS="$(build_goflags)" \
      go build -ldflags "-s -w" -o "$BIN_DIR/etcd.tmp" go.etcd.io/etcd/server/v3 ) || die "go build of etcd failed"
  mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
}

cmd_provision() {
  command -v openssl >/dev/null 2>&1 || die "openssl is required (apt-get install -y openssl)"
  local need_build=0 b
  for b in kube-apiserver kube-controller-manager kubectl etcd; do [ -x "$BIN_DIR/$b" ] || need_build=1; done
  if [ "$need_build" = 1 ]; then
    command -v go >/dev/null 2>&1 || die "go is required to build the control plane binaries"
    local t0=$SECONDS
    [ -f "${CACHE_ROOT}/src/kubernetes.go.mod" ] || { mkdir -p "${CACHE_ROOT}/src"; fetch_kubernetes_gomod "${CACHE_ROOT}/src/kubernetes.go.mod"; }
    provision_etcd
    build_kubernetes
    log "provisioned in $((SECONDS - t0)) s"
  fi
  log "binaries in $BIN_DIR"
}

# ---------------------------------------------------------------------------------------------
# start / stop / status / env
# ---------------------------------------------------------------------------------------------

PID_DIR="${RUN_DIR}/pids"
PKI="${RUN_DIR}/pki"
ADMIN_KUBECONFIG="${RUN_DIR}/admin.kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager)
DAEMONS=("${COMPONENTS[@]}")
# shellcheck source=lib/daemons.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/daemons.sh"

require_binaries() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kubectl; do
    [ -x "$BIN_DIR/$b" ] || die "$BIN_DIR/$b is missing: run '$0 provision' first"
  done
  command -v openssl >/dev/null 2>&1 || die "openssl is required (apt-get install -y openssl)"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nobody listens on right now. There is a window between choosing and binding, so the
# range stays below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by
# default): there, any outgoing connection on the host (a test client, a benchmark) may take the
# port in that window and etcd or the apiserver fails with "address already in use".
# free_port VAR: sets VAR (not a $(...) subshell, so TAKEN_PORTS remembers earlier picks).
TAKEN_PORTS=" "
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 10000 + RANDOM % 22000 ))
    case "$TAKEN_PORTS" in *" $p "*) continue ;; esac
    if ! port_in_use "$p"; then TAKEN_PORTS+="$p "; printf -v "$1" '%s' "$p"; return 0; fi
  done
  die "no free loopback port found"
}

# P-256 keys in SEC1 form ("BEGIN EC PRIVATE KEY"): Go reads both forms, but some clients
# (Fabric8's kubeconfig loader among them) only parse EC keys in SEC1, not PKCS#8.
gen_key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }

# sign NAME SUBJECT EXTFILE-CONTENT: key + CA-signed certificate in $PKI
sign() {
  local name="$1" subj="$2" ext="$3"
  gen_key "$PKI/$name.key"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null \
    || die "cannot sign $name certificate"
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

gen_pki() {
  # Certificates survive stop/start of the same run dir: generating them is cheap (P-256), but
  # reusing them keeps kubeconfigs handed out earlier valid. The apiserver's certificate is
  # remade when the address it must carry changed (PP_CP_ADDRESS).
  local extra_san=""
  [ -n "${PP_CP_ADDRESS:-}" ] && extra_san=",IP:${PP_CP_ADDRESS}"
  if [ -f "$PKI/done" ]; then
    [ "$(cat "$PKI/apiserver.san" 2>/dev/null)" = "$extra_san" ] && return 0
    rm -f "$PKI/done"
  fi
  if [ -f "$PKI/ca.key" ]; then
    sign_apiserver "$extra_san"
    touch "$PKI/done"
    return 0
  fi
  mkdir -p "$PKI"; chmod 700 "$PKI"
  gen_key "$PKI/ca.key"
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=packetparamedic-test-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/ca.crt" 2>/dev/null || die "cannot create the CA"
  local client_ext=$'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
  sign_apiserver "$extra_san"
  # system:masters bypasses authorization: the admin identity of the tests.
  sign admin "/O=system:masters/CN=packetparamedic-admin" "$client_ext"
  # The bootstrap RBAC policy grants this exact user name what the controller manager needs.
  sign controller-manager "/CN=system:kube-controller-manager" "$client_ext"
  # The apiserver's identity towards kubelets (logs, exec, port-forward) when a node runs.
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
  # Service-account token signing pair (apiserver signs TokenRequests, controller manager the
  # legacy token secrets).
  gen_key "$PKI/sa.key"
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/done"
}

# 10.0.0.1 is the ClusterIP of the `kubernetes` Service (first address of the service range
# below); in-cluster clients (pods on a node, e2e/hack/node.sh) connect to it.
sign_apiserver() {
  sign apiserver "/CN=kube-apiserver" "$(printf '%s\n' \
    'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' \
    "subjectAltName=IP:127.0.0.1,IP:10.0.0.1${1},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")"
  printf '%s' "$1" > "$PKI/apiserver.san"
}

b64() { base64 -w0 < "$1"; }

write_kubeconfig() {
  local out="$1" user="$2" server="$3"
  cat > "$out.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: packetparamedic
  cluster:
    server: ${server}
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: ${user}
  user:
    client-certificate-data: $(b64 "$PKI/$user.crt")
    client-key-data: $(b64 "$PKI/$user.key")
contexts:
- name: packetparamedic
  context:
    cluster: packetparamedic
    user: ${user}
    namespace: default
current-context: packetparamedic
KC
  chmod 600 "$out.tmp"; mv "$out.tmp" "$out"
}

launch() {
  local name="$1"; shift
  # setsid + closed stdio: the daemons must outlive this script and must not hold the pipes
  # of whoever called it (a JVM reading our output would otherwise never see EOF).
  # In a node's namespace: nsenter --net only (not `ip netns exec`, which remounts /sys in a
  # private mount namespace).
  local -a pre=()
  [ -n "${PP_CP_NETNS:-}" ] && pre=(nsenter "--net=/run/netns/${PP_CP_NETNS}")
  setsid "${pre[@]}" "$BIN_DIR/$name" "$@" </dev/null >"$RUN_DIR/logs/$name.log" 2>&1 &
  echo $! > "$PID_DIR/$name.pid"
}

fail_start() {
  local c
  log "ERROR: $1"
  for c in "${COMPONENTS[@]}"; do
    [ -f "$RUN_DIR/logs/$c.log" ] || continue
    log "---- last lines of $RUN_DIR/logs/$c.log"
    tail -n 15 "$RUN_DIR/logs/$c.log" >&2
  done
  cmd_stop >/dev/null 2>&1 || true
  exit 1
}

kctl() { "$BIN_DIR/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" --request-timeout=5s "$@"; }

cmd_start() {
  require_binaries
  if live_pid kube-apiserver >/dev/null && kctl get --raw /readyz >/dev/null 2>&1; then
    log "already running; kubeconfig: $ADMIN_KUBECONFIG"
    echo "$ADMIN_KUBECONFIG"
    return 0
  fi
  cmd_stop >/dev/null 2>&1 || true   # leftovers of a half-dead previous start
  local t0=$SECONDS
  mkdir -p "$RUN_DIR" "$PID_DIR" "$RUN_DIR/logs"
  chmod 700 "$RUN_DIR"
  gen_pki
  # Every start begins with an empty cluster: tests must not see the previous run's objects.
  rm -rf "$RUN_DIR/etcd"

  local etcd_client etcd_peer api_port bind=127.0.0.1 advertise=127.0.0.1 reconciler=none
  local -a node_flags=()
  if [ -n "${PP_CP_NETNS:-}" ]; then
    # A namespace of its own: nothing else listens there, so the well-known ports are free.
    [ -e "/run/netns/${PP_CP_NETNS}" ] || die "network namespace ${PP_CP_NETNS} does not exist"
    [ -n "${PP_CP_ADDRESS:-}" ] || die "PP_CP_NETNS needs PP_CP_ADDRESS"
    etcd_client=2379; etcd_peer=2380; api_port="${PP_CP_PORT:-6443}"
    # All addresses of the run's namespace (its lo, the node address, the veth to the host):
    # the test JVM connects over the veth, pods through the `kubernetes` Service.
    bind=0.0.0.0; advertise="$PP_CP_ADDRESS"; reconciler=lease
    node_flags=(--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt"
      --kubelet-client-key="$PKI/apiserver-kubelet-client.key"
      --kubelet-preferred-address-types=InternalIP)
  else
    free_port etcd_client; free_port etcd_peer
    if [ -n "${PP_CP_PORT:-}" ]; then
      api_port="$PP_CP_PORT"
      port_in_use "$api_port" && die "port $api_port on 127.0.0.1 is already in use"
    else
      free_port api_port
    fi
  fi
  local server="https://${advertise}:${api_port}"
  printf 'ETCD_CLIENT_PORT=%s\nETCD_PEER_PORT=%s\nAPISERVER_PORT=%s\nSERVER=%s\n' \
    "$etcd_client" "$etcd_peer" "$api_port" "$server" > "$RUN_DIR/ports.env"
  write_kubeconfig "$ADMIN_KUBECONFIG" admin "$server"
  write_kubeconfig "$RUN_DIR/controller-manager.kubeconfig" controller-manager "$server"

  # etcd: loopback, plain HTTP (nothing but the apiserver on this host talks to it), no fsync
  # because a test cluster's data is thrown away anyway and fsync dominates on small disks.
  launch etcd --name=pp --data-dir="$RUN_DIR/etcd" \
    --listen-client-urls="http://127.0.0.1:${etcd_client}" --advertise-client-urls="http://127.0.0.1:${etcd_client}" \
    --listen-peer-urls="http://127.0.0.1:${etcd_peer}" --initial-advertise-peer-urls="http://127.0.0.1:${etcd_peer}" \
    --initial-cluster="pp=http://127.0.0.1:${etcd_peer}" --initial-cluster-state=new \
    --unsafe-no-fsync --log-level=warn

  # Endpoints validation refuses loopback addresses, so with --advertise-address=127.0.0.1 the
  # `kubernetes` Service's endpoints cannot be reconciled: reconciler off (nothing in-cluster
  # could reach them anyway; no kubelet runs Pods). In a node's namespace the apiserver
  # advertises the node address and the lease reconciler keeps the endpoint.
  launch kube-apiserver \
    --etcd-servers="http://127.0.0.1:${etcd_client}" \
    --bind-address="${bind}" --advertise-address="${advertise}" --secure-port="${api_port}" \
    --endpoint-reconciler-type="${reconciler}" "${node_flags[@]}" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,ResourceQuota,NodeRestriction \
    --cert-dir="$RUN_DIR/apiserver-certs" \
    --profiling=false --v=1

  # A single, non-leader-elected controller manager. --secure-port=0: it serves nothing, so it
  # needs no serving cert or port; readiness is judged by its effects below.
  launch kube-controller-manager \
    --kubeconfig="$RUN_DIR/controller-manager.kubeconfig" \
    --secure-port=0 --leader-elect=false \
    --controllers='*' --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --profiling=false --v=1

  if [ -n "${PP_CP_OWNER_PID:-}" ]; then
    kill -0 "$PP_CP_OWNER_PID" 2>/dev/null || fail_start "owner process $PP_CP_OWNER_PID does not exist"
    PP_CP_RUN_DIR="$RUN_DIR" setsid bash "$0" watchdog "$PP_CP_OWNER_PID" \
      </dev/null >>"$RUN_DIR/logs/watchdog.log" 2>&1 &
    echo $! > "$PID_DIR/watchdog.pid"
  fi

  wait_until "kube-apiserver /readyz" kctl get --raw /readyz
  # The service-account controller creating `default` proves the controller manager is up
  # and acting; Pods (for example of a Deployment) are refused by admission until it exists.
  wait_until "the default ServiceAccount (controller manager)" kctl -n default get serviceaccount default
  log "ready in $((SECONDS - t0)) s at $server"
  log "kubeconfig: $ADMIN_KUBECONFIG"
  echo "$ADMIN_KUBECONFIG"
}

cmd_stop() {
  local clean=0
  [ "${1:-}" = "--clean" ] && clean=1
  local c pid
  # The watchdog first (unless it is the one stopping), so it cannot race this stop; then in
  # reverse start order: controller manager, apiserver, etcd.
  if pid="$(live_pid watchdog)" && [ "$pid" != "$$" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  # One after the other: an apiserver with the lease reconciler removes its endpoint lease on
  # the way down and hangs in graceful termination if etcd is already gone.
  for c in kube-controller-manager kube-apiserver etcd; do
    pid="$(live_pid "$c")" || continue
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( SECONDS + 15 ))
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$PID_DIR"/*.pid 2>/dev/null || true
  if [ "$clean" = 1 ]; then rm -rf "$RUN_DIR"; log "stopped; removed $RUN_DIR"; else log "stopped"; fi
}

# An API outage for tests: the apiserver goes (SIGTERM, as a crashed or upgraded control plane
# node would drop it), etcd and the controller manager stay, and the same command line (kept
# from /proc) brings it back on the same port with the same certificates and data.
cmd_apiserver_stop() {
  local pid
  pid="$(live_pid kube-apiserver)" || die "kube-apiserver is not running"
  tr '\0' '\n' < "/proc/$pid/cmdline" | tail -n +2 > "$RUN_DIR/kube-apiserver.args"
  kill -TERM "$pid"
  local deadline=$(( SECONDS + 15 ))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_DIR/kube-apiserver.pid"
  log "kube-apiserver stopped (pid $pid)"
}

cmd_apiserver_start() {
  [ -f "$RUN_DIR/kube-apiserver.args" ] || die "no saved kube-apiserver flags: run apiserver-stop first"
  live_pid kube-apiserver >/dev/null && die "kube-apiserver is already running"
  local -a args
  mapfile -t args < "$RUN_DIR/kube-apiserver.args"
  launch kube-apiserver "${args[@]}"
  wait_until "kube-apiserver /readyz" kctl get --raw /readyz
  log "kube-apiserver started again (pid $(cat "$PID_DIR/kube-apiserver.pid"))"
}

# A slow API server for tests: suspended, it keeps its connections and answers nothing until
# resumed, then answers what it held, as an overloaded or paused control plane would.
cmd_apiserver_freeze() {
  local pid
  pid="$(live_pid kube-apiserver)" || die "kube-apiserver is not running"
  kill -STOP "$pid"
  log "kube-apiserver suspended (pid $pid)"
}

cmd_apiserver_thaw() {
  local pid
  pid="$(live_pid kube-apiserver)" || die "kube-apiserver is not running"
  kill -CONT "$pid"
  log "kube-apiserver resumed (pid $pid)"
}

# Polls (every 2 s; this is a janitor, not test synchronisation) until the owner exits, then
# tears the control plane down.
cmd_watchdog() {
  local owner="$1"
  while kill -0 "$owner" 2>/dev/null; do sleep 2; done
  if [ -d "$RUN_DIR" ]; then
    log "owner process $owner is gone; stopping the control plane"
    cmd_stop --clean
  fi
}

cmd_status() {
  local c pid rc=0
  for c in "${COMPONENTS[@]}"; do
    if pid="$(live_pid "$c")"; then echo "$c: running (pid $pid)"; else echo "$c: not running"; rc=3; fi
  done
  if [ -f "$ADMIN_KUBECONFIG" ] && [ -x "$BIN_DIR/kubectl" ] && kctl get --raw /readyz >/dev/null 2>&1; then
    echo "apiserver: ready at $(sed -n 's/^SERVER=//p' "$RUN_DIR/ports.env")"
  else
    echo "apiserver: not ready"; rc=3
  fi
  echo "kubeconfig: $ADMIN_KUBECONFIG"
  return $rc
}

cmd_env() {
  echo "export KUBECONFIG='$ADMIN_KUBECONFIG'"
  echo "export PATH='$BIN_DIR':\"\$PATH\""
  echo "export PP_CP_RUN_DIR='$RUN_DIR'"
  echo "export PP_K8S_VERSION='$K8S_VERSION'"
  echo "export PP_K8S_BIN_DIR='$BIN_DIR'"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  provision) cmd_provision ;;
  start)     cmd_start ;;
  stop)      shift; cmd_stop "${1:-}" ;;
  status)    cmd_status ;;
  apiserver-stop)  cmd_apiserver_stop ;;
  apiserver-start) cmd_apiserver_start ;;
  apiserver-freeze) cmd_apiserver_freeze ;;
  apiserver-thaw)  cmd_apiserver_thaw ;;
  env)       cmd_env ;;
  bin-dir)   echo "$BIN_DIR" ;;
  watchdog)  shift; cmd_watchdog "${1:?owner pid}" ;;
  *)         usage ;;
esac
