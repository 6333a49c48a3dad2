#!/usr/bin/env bash
# Operator benchmark: time for the operator to converge N ReflectorInstances and M
# AuthorizedPeers from a cold start, and its RSS afterwards. Targets: <= 60 s, <= 300 MiB.
#
#   bench/operator/run.sh [instances=50] [peers=1000]
#
# A private control plane (e2e/hack/control-plane.sh, own run dir) gets the CRDs and the seeded
# objects; then the packaged Quarkus operator (operator/target/quarkus-app, prod profile, so
# leader election is on) is launched and the clock runs until every instance has its identity,
# a config Secret listing its peers, its Deployment, and every peer is Valid and Active.
set -euo pipefail

INSTANCES="${1:-50}"
PEERS="${2:-1000}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUN_DIR="${PP_BENCH_RUN_DIR:-${TMPDIR:-/tmp}/pp-bench-operator}"
CP="$ROOT/e2e/hack/control-plane.sh"
export PP_CP_RUN_DIR="$RUN_DIR/control-plane"

log() { printf '[bench] %s\n' "$*" >&2; }

cd "$ROOT"
log "building the operator and the bench driver"
./mvnw -B -q -f operator/pom.xml -DskipTests package test-compile \
  dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN_DIR/classpath.txt" >/dev/null
CLASSPATH_TEST="$ROOT/operator/target/test-classes:$ROOT/operator/target/classes:$(cat "$RUN_DIR/classpath.txt")"

cleanup() {
  [ -n "${OP_PID:-}" ] && kill "$OP_PID" 2>/dev/null && wait "$OP_PID" 2>/dev/null || true
  "$CP" stop --clean >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "starting a private control plane in $PP_CP_RUN_DIR"
mkdir -p "$RUN_DIR"
"$CP" start >/dev/null
eval "$("$CP" env)"
kubectl apply --server-side -f "$ROOT/crds" >/dev/null
kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null

log "seeding $INSTANCES instances and $PEERS peers"
java -cp "$CLASSPATH_TEST" io.packetparamedic.operator.bench.OperatorBench seed "$KUBECONFIG" "$INSTANCES" "$PEERS"

log "launching the operator (cold start)"
LAUNCHED_MS="$(date +%s%3N)"
QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT=0 PACKETPARAMEDIC_OPERATOR_LEASE_NAMESPACE=default \
  java -jar "$ROOT/operator/target/quarkus-app/quarkus-run.jar" >"$RUN_DIR/operator.log" 2>&1 &
OP_PID=$!
java -cp "$CLASSPATH_TEST" io.packetparamedic.operator.bench.OperatorBench await "$KUBECONFIG" "$INSTANCES" "$PEERS" "$LAUNCHED_MS"

RSS_KB="$(awk '/^VmRSS:/{print $2}' "/proc/$OP_PID/status")"
printf 'operator_rss_mib=%.1f\n' "$(echo "$RSS_KB / 1024" | bc -l)"
printf 'instances=%s peers=%s leader_election=%s\n' "$INSTANCES" "$PEERS" \
  "$(grep -q -i 'leader' "$RUN_DIR/operator.log" && echo on || echo unknown)"
