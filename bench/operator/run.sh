#!/usr/bin/env bash
# Operator benchmark: time for the operator to converge N ReflectorInstances and M
# AuthorizedPeers from a cold start, and its RSS afterwards. Targets: <= 60 s, <= 300 MiB.
#
#   bench/operator/run.sh [instances=50] [peers=1000]
#   FLEETS=20 NODES=10 PEERS_PER_FLEET=500 bench/operator/run.sh     (fleet mode, issue 19 item 6)
#
# A private control plane (e2e/hack/control-plane.sh, own run dir) gets the CRDs and the seeded
# objects; then the packaged Quarkus operator (operator/target/quarkus-app, prod profile, so
# leader election is on) is launched and the clock runs until every instance has its identity,
# a config Secret listing its peers, its Deployment, and every peer is Valid and Active.
#
# Fleet mode (FLEETS set): NODES Node objects without kubelets (Ready, an InternalIP, a label;
# a background process renews their kube-node-lease Leases as kubelets would, so the node
# lifecycle controller keeps them Ready), FLEETS PerNode instances selecting all of them, each
# with its own host ports, and PEERS_PER_FLEET peers per fleet. Converged: every fleet has a
# Deployment and an identity Secret per node, status.nodes lists every node with its Endpoint ID,
# its config Secret lists all its peers, and every peer is Valid and Active.
#
# Both modes print the operator's RSS at convergence and again after IDLE_SECONDS (default 30)
# with nothing to do, the reconciliation counters of its /q/metrics, and the CPU seconds of the
# operator, kube-apiserver and etcd and the API requests served from the operator's launch to
# convergence, and again over the idle period (idle_ lines).
set -euo pipefail

INSTANCES="${1:-50}"
PEERS="${2:-1000}"
FLEETS="${FLEETS:-}"
NODES="${NODES:-10}"
PEERS_PER_FLEET="${PEERS_PER_FLEET:-500}"
IDLE_SECONDS="${IDLE_SECONDS:-30}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUN_DIR="${PP_BENCH_RUN_DIR:-${TMPDIR:-/tmp}/pp-bench-operator}"
CP="$ROOT/e2e/hack/control-plane.sh"
export PP_CP_RUN_DIR="$RUN_DIR/control-plane"

log() { printf '[bench] %s\n' "$*" >&2; }

cd "$ROOT"
log "building the operator and the bench driver"
mkdir -p "$RUN_DIR"
# One reactor build (nothing is installed into ~/.m2: the operator's test classpath, where the
# bench driver lives, needs api and kube-harness, which a fresh clone has only as reactor modules).
# Each module writes its classpath file; the operator, last in the reactor, writes the one used.
./mvnw -B -q -pl api,e2e/harness,operator -am -DskipTests package \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN_DIR/classpath.txt" >/dev/null
CLASSPATH_TEST="$ROOT/operator/target/test-classes:$ROOT/operator/target/classes:$(cat "$RUN_DIR/classpath.txt")"

# The drivers share the 2 cores with the operator and the API server they measure: C1 only and
# the serial collector keep their own JIT and GC work small.
DRIVER_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx512m"
# shellcheck disable=SC2086
bench() { java $DRIVER_JAVA_OPTS -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CLASSPATH_TEST" io.packetparamedic.operator.bench.OperatorBench "$@"; }

cleanup() {
  if [ -n "${ALIVE_PID:-}" ]; then kill "$ALIVE_PID" 2>/dev/null || true; fi
  if [ -n "${OP_PID:-}" ] && kill "$OP_PID" 2>/dev/null; then
    if ! timeout 20 tail --pid="$OP_PID" -f /dev/null; then
      log "operator did not stop within 20 s of SIGTERM"; kill -9 "$OP_PID" 2>/dev/null || true
    fi
  fi
  "$CP" stop --clean >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "starting a private control plane in $PP_CP_RUN_DIR (cold: leftovers of an earlier run removed)"
mkdir -p "$RUN_DIR"
"$CP" stop --clean >/dev/null 2>&1 || true
"$CP" start >/dev/null
eval "$("$CP" env)"
kubectl apply --server-side -f "$ROOT/crds" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null

if [ -n "$FLEETS" ]; then
  log "keeping $NODES kubelet-less nodes Ready (Lease renewals in the background)"
  # exec: the background subshell becomes the JVM, so that $! is the JVM's pid and the cleanup
  # stops it (killing the subshell alone would leave the JVM running).
  # shellcheck disable=SC2086
  (exec java $DRIVER_JAVA_OPTS -cp "$CLASSPATH_TEST" io.packetparamedic.operator.bench.OperatorBench nodes-alive "$KUBECONFIG" "$NODES") \
    >"$RUN_DIR/nodes-alive.log" 2>&1 &
  ALIVE_PID=$!
  log "seeding $NODES nodes, $FLEETS PerNode fleets and $PEERS_PER_FLEET peers per fleet"
  bench fleet-seed "$KUBECONFIG" "$FLEETS" "$NODES" "$PEERS_PER_FLEET"
else
  log "seeding $INSTANCES instances and $PEERS peers"
  bench seed "$KUBECONFIG" "$INSTANCES" "$PEERS"
fi

# What converging costs besides the operator's own time: CPU seconds (user + system, from
# /proc/PID/stat) of the operator, kube-apiserver and etcd, and the API server's request
# counters, each as the difference from just before the operator was launched (seeding and
# start-up are not counted). The counters include the bench's own requests (its watches, the
# nodes' Lease renewals: a few per second), listed per verb and resource so they can be told apart.
CLK_TCK="$(getconf CLK_TCK)"
cpu_seconds() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo 0; return; }
  # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
  sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$CLK_TCK" '{printf "%.1f", ($12 + $13) / hz}'
}
cp_pid() { cat "$PP_CP_RUN_DIR/pids/$1.pid" 2>/dev/null || true; }
APISERVER_PID="$(cp_pid kube-apiserver)"
ETCD_PID="$(cp_pid etcd)"
# apiserver_request_total summed per "VERB resource[/subresource]" (over codes, scopes, groups).
request_counts() {
  kubectl get --raw /metrics 2>/dev/null | awk '
    /^apiserver_request_total\{/ {
      verb = $1; sub(/.*[{,]verb="/, "", verb); sub(/".*/, "", verb)
      res = $1; if (res ~ /[{,]resource="/) { sub(/.*[{,]resource="/, "", res); sub(/".*/, "", res) } else res = "-"
      sr = $1; if (sr ~ /[{,]subresource="[^"]/) { sub(/.*[{,]subresource="/, "", sr); sub(/".*/, "", sr); res = res "/" sr }
      n[verb " " res] += $NF
    }
    END { for (k in n) printf "%s %d\n", k, n[k] }' | sort || true
}
# The costs since the last snapshot (the first one is taken just before the operator's launch):
# CPU seconds, API requests in total and the 12 largest per verb and resource; lines prefixed $1.
snapshot() {
  SNAP_OP="$(cpu_seconds "${OP_PID:-}")"
  SNAP_API="$(cpu_seconds "$APISERVER_PID")"
  SNAP_ETCD="$(cpu_seconds "$ETCD_PID")"
  SNAP_REQUESTS="$(request_counts)"
}
report_costs() {
  local prefix="$1" deltas
  printf '%scpu_seconds operator=%s kube_apiserver=%s etcd=%s\n' "$prefix" \
    "$(awk -v a="$(cpu_seconds "$OP_PID")" -v b="$SNAP_OP" 'BEGIN{printf "%.1f", a - b}')" \
    "$(awk -v a="$(cpu_seconds "$APISERVER_PID")" -v b="$SNAP_API" 'BEGIN{printf "%.1f", a - b}')" \
    "$(awk -v a="$(cpu_seconds "$ETCD_PID")" -v b="$SNAP_ETCD" 'BEGIN{printf "%.1f", a - b}')"
  deltas="$(awk 'NR == FNR { before[$1 " " $2] = $3; next }
                 { d = $3 - before[$1 " " $2]; if (d > 0) print d, $1, $2 }' \
              <(printf '%s\n' "$SNAP_REQUESTS") <(request_counts) | sort -rn)"
  printf '%sapi_requests_total=%s\n' "$prefix" "$(awk '{ t += $1 } END { print t + 0 }' <<<"$deltas")"
  head -12 <<<"$deltas" | awk -v p="$prefix" 'NF { printf "%sapi_requests %s %s=%d\n", p, $2, $3, $1 }'
}
snapshot

# JVM sizing as the operator's Deployment would run it: a bounded heap, the serial collector and
# C1 only (an I/O-bound reconciler gains little from C2, and C2 compiles cost CPU at start-up);
# override with OPERATOR_JAVA_OPTS.
OPERATOR_JAVA_OPTS="${OPERATOR_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=48m}"
log "launching the operator (cold start): java $OPERATOR_JAVA_OPTS"
LAUNCHED_MS="$(date +%s%3N)"
# shellcheck disable=SC2086
MGMT_PORT="${PP_BENCH_MANAGEMENT_PORT:-19377}"
QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" PACKETPARAMEDIC_OPERATOR_LEASE_NAMESPACE=default \
  java $OPERATOR_JAVA_OPTS -jar "$ROOT/operator/target/quarkus-app/quarkus-run.jar" >"$RUN_DIR/operator.log" 2>&1 &
OP_PID=$!
if [ -n "$FLEETS" ]; then
  bench fleet-await "$KUBECONFIG" "$FLEETS" "$NODES" "$PEERS_PER_FLEET" "$LAUNCHED_MS"
else
  bench await "$KUBECONFIG" "$INSTANCES" "$PEERS" "$LAUNCHED_MS"
fi

rss_mib() { awk '/^VmRSS:/{printf "%.1f", $2 / 1024}' "/proc/$OP_PID/status"; }
RSS_CONVERGED="$(rss_mib)"
curl -s --max-time 10 "http://127.0.0.1:$MGMT_PORT/q/metrics" >"$RUN_DIR/metrics.txt" || true
printf 'health_ready=%s metrics_series=%s reconciliation_series=%s\n' \
  "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MGMT_PORT/q/health/ready")" \
  "$(grep -vc '^#' "$RUN_DIR/metrics.txt" || true)" \
  "$(grep -v '^#' "$RUN_DIR/metrics.txt" | grep -ci 'reconcil' || true)"
# JOSDK's counters per kind: reconciles started and failed, and seconds spent reconciling.
reconcile_counts() {
  grep -v '^#' "$1" | awk '
    /^operator_sdk_reconciliations_(started|failed)_total\{/ || /^operator_sdk_controllers_execution_reconcile_seconds_sum\{/ {
      what = $1; sub(/\{.*/, "", what); sub(/^operator_sdk_(reconciliations_|controllers_execution_)/, "", what)
      kind = $1; sub(/.*kind="/, "", kind); sub(/".*/, "", kind)
      sum[what "_" tolower(kind)] += $NF
    }
    END { for (k in sum) printf "%s=%.0f\n", k, sum[k] }' | sort || true
}
reconcile_counts "$RUN_DIR/metrics.txt"
report_costs ""
snapshot
printf 'operator_rss_mib=%s\n' "$RSS_CONVERGED"
log "idle for $IDLE_SECONDS s (nothing changes; the operator should settle)"
sleep "$IDLE_SECONDS"
curl -s --max-time 10 "http://127.0.0.1:$MGMT_PORT/q/metrics" >"$RUN_DIR/metrics-idle.txt" || true
printf 'operator_rss_mib_after_%ss_idle=%s\n' "$IDLE_SECONDS" "$(rss_mib)"
reconcile_counts "$RUN_DIR/metrics-idle.txt" | sed 's/^/after_idle_/'
report_costs "idle_"
if [ -n "$FLEETS" ]; then
  printf 'fleets=%s nodes=%s peers_per_fleet=%s' "$FLEETS" "$NODES" "$PEERS_PER_FLEET"
else
  printf 'instances=%s peers=%s' "$INSTANCES" "$PEERS"
fi
printf ' leader_election=%s load_average=%s\n' \
  "$(grep -q 'New leader' "$RUN_DIR/operator.log" && echo on || echo unknown)" "$(cut -d' ' -f1-3 /proc/loadavg)"
