#!/usr/bin/env bash
# Footprint benchmark of `reflector serve` on loopback (prints figures; asserts nothing), the
# figures of issue 18, for every server variant that is built, side by side:
#   - start: launch -> control port accepting connections, and the server's CPU until then
#   - idle RSS after IDLE_SECONDS (30)
#   - server CPU per full mTLS handshake + hello (TLS 1.3, Ed25519 both ways, fresh client TLS
#     context per connection), the rate, p50/p99, at CONCURRENCY (20) for LOAD_SECONDS (10)
#   - RSS after the load (at least MIN_HANDSHAKES, 1000, handshakes since start)
# Each round starts a fresh server; the figures printed are medians over ROUNDS (5) rounds, each
# round's line is printed too. The client (the project's JDK client, HandshakeBench) is pinned to
# CLIENT_CPU (0) and the server to SERVER_CPU (1) with taskset. On a shared machine the per-op
# server CPU (utime+stime over the measured run / handshakes) is the figure that carries over;
# the load average is printed with every round.
#
# Variants: jvm = reflector/target/reflector (the launcher with its JVM flags and CDS archive);
#           native = reflector/target/reflector-native, when it exists (see README.md: blocked).
# Usage: bench/footprint/run.sh         (builds through ./mvnw first; SKIP_BUILD=1 reuses it)
# Environment: ROUNDS, IDLE_SECONDS, LOAD_SECONDS, WARMUP_SECONDS (10), CONCURRENCY, PORT (14600),
#              CLIENT_CPU, SERVER_CPU, MODE (full | resume: one client TLS context per worker,
#              which resumes only with JAVA_OPTS=-Dreflector.tls.session-tickets=true),
#              JAVA_OPTS (extra server JVM flags after the launcher's), VARIANTS ("jvm native"),
#              TLS_PROVIDER (jdk | bc: the server's network.tls_provider; the client stays the JDK's),
#              PERF=1: also samples the server with `perf record -g` during each round's load and
#              prints where its CPU went (perf_breakdown.py; needs perf, Debian's linux-perf; the
#              server then keeps frame pointers, which costs it a few per cent).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
JAR="$ROOT/reflector/target/reflector.jar"
TEST_CLASSES="$ROOT/reflector/target/test-classes"
ROUNDS="${ROUNDS:-5}"
IDLE_SECONDS="${IDLE_SECONDS:-30}"
LOAD_SECONDS="${LOAD_SECONDS:-10}"
WARMUP_SECONDS="${WARMUP_SECONDS:-10}"
CONCURRENCY="${CONCURRENCY:-20}"
MIN_HANDSHAKES="${MIN_HANDSHAKES:-1000}"
PORT="${PORT:-14600}"
CLIENT_CPU="${CLIENT_CPU:-0}"
SERVER_CPU="${SERVER_CPU:-1}"
MODE="${MODE:-full}"
VARIANTS="${VARIANTS:-jvm native}"
export REFLECTOR_JAVA_OPTS="${JAVA_OPTS:-}"
TLS_PROVIDER="${TLS_PROVIDER:-jdk}"
PERF="${PERF:-}"
if [[ -n "$PERF" ]]; then
  command -v perf >/dev/null || { echo "PERF=1 needs perf (Debian: linux-perf)" >&2; exit 2; }
  # Java frames named (perf map written at exit) and walkable (frame pointers).
  REFLECTOR_JAVA_OPTS="$REFLECTOR_JAVA_OPTS -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"
fi

# shellcheck source=../lib/server.sh
source bench/lib/server.sh

CLIENT_KEY="$WORK/client.ed25519"
CLIENT_ID="$(java -jar "$JAR" client --identity "$CLIENT_KEY" show-id 2>/dev/null)"
cat >"$WORK/reflector.toml" <<TOML
[identity]
private_key_path = "$WORK/state/identity.ed25519"
[network]
listen_address = "127.0.0.1:$PORT"
listen_address_health = "127.0.0.1:$((PORT + 1))"
max_connections = 4096
# The load generator runs CONCURRENCY handshakes at once, all from 127.0.0.1.
max_unauthenticated_per_source = 256
tls_provider = "$TLS_PROVIDER"
[access]
authorized_peers = ["$CLIENT_ID"]
[logging]
level = "warn"
audit_log_path = "$WORK/state/audit.jsonl"
TOML
SERVER_ID="$(java -jar "$JAR" -c "$WORK/reflector.toml" show-id 2>/dev/null)"

TICKS=$(getconf CLK_TCK)
server_cpu_ms() { awk -v t="$TICKS" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$SERVER_PID/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
# Authenticated connections so far: one audit line each.
handshakes() { cat "$WORK/state/audit.jsonl" 2>/dev/null | awk '/"event_type":"connection_accepted"/ { n++ } END { print n + 0 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
client() {
  taskset -c "$CLIENT_CPU" java -XX:+UseParallelGC -cp "$JAR:$TEST_CLASSES" io.packetparamedic.reflector.bench.HandshakeBench \
    127.0.0.1 "$PORT" "$CLIENT_KEY" "$SERVER_ID" "$CONCURRENCY" "$@"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# Starts the variant's server pinned to SERVER_CPU; sets SERVER_PID and START_MS.
start_server() {
  local cmd=$1 t0
  t0=$(date +%s%N)
  taskset -c "$SERVER_CPU" $cmd -c "$WORK/reflector.toml" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  until port_open; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/serve.err" >&2; exit 1; fi
    sleep 0.002
  done
  START_MS=$((($(date +%s%N) - t0) / 1000000))
}

echo "== reflector footprint bench: $(nproc) cores, client on CPU $CLIENT_CPU, server on CPU $SERVER_CPU," \
  "$ROUNDS rounds, concurrency $CONCURRENCY, mode $MODE, $(java -version 2>&1 | head -1)"
summary=()
for variant in $VARIANTS; do
  case "$variant" in
    jvm) cmd="$ROOT/reflector/target/reflector"
         echo "jvm: $cmd, launcher flags: $(launcher_flags "$cmd")extra: ${REFLECTOR_JAVA_OPTS:-none}"
         # Records the class-data-sharing archive, as a user's first serve after a build does.
         start_server "$cmd"; recorder=$SERVER_PID; stop_server
         rm -f "/tmp/perf-$recorder.map" ;;
    native) cmd="$ROOT/reflector/target/reflector-native"
         if [[ ! -x "$cmd" ]]; then echo "native: $cmd not built (bench/footprint/README.md)"; continue; fi
         echo "native: $cmd" ;;
    *) echo "unknown variant $variant" >&2; exit 2 ;;
  esac
  starts=(); start_cpus=(); idles=(); cpus=(); rates=(); p50s=(); p99s=(); loaded=()
  for round in $(seq "$ROUNDS"); do
    start_server "$cmd"
    start_cpu=$(server_cpu_ms)
    sleep "$IDLE_SECONDS"
    idle=$(rss_kib)
    client "$WARMUP_SECONDS" full >/dev/null   # the server's JIT compiler settles
    perf_pid=""
    if [[ -n "$PERF" ]]; then
      perf record -q -F 999 -g -p "$SERVER_PID" -o "$WORK/perf.data" -- sleep "$LOAD_SECONDS" 2>/dev/null &
      perf_pid=$!
    fi
    line="$(client "$LOAD_SECONDS" "$MODE" "$SERVER_PID")"
    [[ -z "$perf_pid" ]] || wait "$perf_pid" || true
    # At least MIN_HANDSHAKES handshakes before the loaded RSS, whatever rate the machine managed.
    while (( $(handshakes) < MIN_HANDSHAKES )); do client 2 warmup; done
    after=$(rss_kib)
    count=$(handshakes)
    profiled_pid=$SERVER_PID
    stop_server
    rm -f "$WORK/state/audit.jsonl"
    printf '%s round %d: start %d ms (server CPU %d ms), idle RSS %.1f MiB, %s, RSS after %d handshakes %.1f MiB, load %s\n' \
      "$variant" "$round" "$START_MS" "$start_cpu" "$(awk -v k="$idle" 'BEGIN{print k/1024}')" "$line" "$count" \
      "$(awk -v k="$after" 'BEGIN{print k/1024}')" "$(load)"
    if [[ -n "$PERF" ]]; then
      perf script -i "$WORK/perf.data" 2>/dev/null | python3 bench/footprint/perf_breakdown.py
      rm -f "$WORK/perf.data" "/tmp/perf-$profiled_pid.map"
    fi
    starts+=("$START_MS"); start_cpus+=("$start_cpu"); idles+=("$idle"); loaded+=("$after")
    cpus+=("$(field server_cpu_ms_per_op "$line")"); rates+=("$(field per_sec "$line")")
    p50s+=("$(field p50_ms "$line")"); p99s+=("$(field p99_ms "$line")")
  done
  med() { printf '%s\n' "$@" | median; }
  summary+=("$(printf '%-8s %10s %12s %12s %14s %14s %12s %10s %10s' "$variant" "$(med "${starts[@]}")" \
    "$(med "${start_cpus[@]}")" "$(awk -v k="$(med "${idles[@]}")" 'BEGIN{printf "%.1f", k/1024}')" \
    "$(awk -v k="$(med "${loaded[@]}")" 'BEGIN{printf "%.1f", k/1024}')" "$(med "${cpus[@]}")" \
    "$(med "${rates[@]}")" "$(med "${p50s[@]}")" "$(med "${p99s[@]}")")")
done

echo
echo "medians over $ROUNDS rounds (load average now: $(load)):"
printf '%-8s %10s %12s %12s %14s %14s %12s %10s %10s\n' variant start_ms start_cpu_ms idle_MiB after_load_MiB \
  cpu_ms_per_hs hs_per_sec p50_ms p99_ms
printf '%s\n' "${summary[@]}"
