#!/usr/bin/env bash
# Control-plane benchmark on loopback (prints figures; asserts nothing):
#   - time from launch of `reflector serve` to its control port accepting connections
#   - idle RSS of `reflector serve` after 30 s (VmRSS from /proc/<pid>/status)
#   - full mTLS handshakes + hello round trips per second at concurrency 1 and 50, with p50/p99
#     latency, and the hello round trip alone on open connections
#
# The server runs through the launcher reflector/target/reflector (the README's command), i.e.
# with its tuned JVM flags and its class-data-sharing archive; one start/stop before the timed
# start records that archive, as a user's first `serve` after a build does.
#
# Usage: bench/control-plane/run.sh            (builds first; SKIP_BUILD=1 to reuse the jar)
# Environment: JAVA_OPTS (extra server JVM flags, after the launcher's; a later flag wins),
#              REFLECTOR_CDS=off (no CDS archive), IDLE_SECONDS (30), LOAD_SECONDS (10),
#              PORT (14000), CONCURRENCY ("1 50").
#   e.g. JAVA_OPTS=-Dreflector.tls.jdk-curve25519=true   the JDK's own Ed25519/X25519 (SunEC)
#        JAVA_OPTS=-XX:TieredStopAtLevel=4               the C2 compiler too
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
JAR="$ROOT/reflector/target/reflector.jar"
LAUNCHER="$ROOT/reflector/target/reflector"
TEST_CLASSES="$ROOT/reflector/target/test-classes"
export REFLECTOR_JAVA_OPTS="${JAVA_OPTS:-}"
IDLE_SECONDS="${IDLE_SECONDS:-30}"
LOAD_SECONDS="${LOAD_SECONDS:-10}"
PORT="${PORT:-14000}"
CONCURRENCY="${CONCURRENCY:-1 50}"

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
# The load generator runs up to 50 handshakes at once, all from 127.0.0.1.
max_unauthenticated_per_source = 256
[access]
authorized_peers = ["$CLIENT_ID"]
[logging]
level = "warn"
audit_log_path = "$WORK/state/audit.jsonl"
TOML
# Create the server key outside the timed start.
SERVER_ID="$(java -jar "$JAR" -c "$WORK/reflector.toml" show-id 2>/dev/null)"


echo "== reflector control-plane bench ($(nproc) cores, $(java -version 2>&1 | head -1))"
echo "server: $LAUNCHER (flags: $(launcher_flags "$LAUNCHER")) extra: ${REFLECTOR_JAVA_OPTS:-none}"
echo "TLS: JDK SunJSSE on both sides; Ed25519/X25519 by $(
  [[ "$REFLECTOR_JAVA_OPTS" == *jdk-curve25519=true* ]] && echo "SunEC (server)" || echo "Curve25519Provider (server)"), Curve25519Provider (client)"

# Records the class-data-sharing archive (the launcher writes it when serve exits).
"$LAUNCHER" -c "$WORK/reflector.toml" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
until grep -q "^Audit log:" "$WORK/serve.out" 2>/dev/null; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/serve.err" >&2; exit 1; fi
  sleep 0.05
done
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

start_ns=$(date +%s%N)
"$LAUNCHER" -c "$WORK/reflector.toml" serve >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
until port_open; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/serve.err" >&2; exit 1; fi
  sleep 0.005
done
listen_ns=$(date +%s%N)
until grep -q "^Audit log:" "$WORK/serve.out"; do sleep 0.005; done
banner_ns=$(date +%s%N)
TICKS=$(getconf CLK_TCK)
# CPU the server process has used so far, in ms (utime + stime of /proc/<pid>/stat).
server_cpu_ms() { awk -v t="$TICKS" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$SERVER_PID/stat"; }
start_cpu_ms=$(server_cpu_ms)
printf 'start: launch -> control port accepting = %d ms; launch -> banner (all listeners up) = %d ms; server CPU until banner = %d ms\n' \
  $(((listen_ns - start_ns) / 1000000)) $(((banner_ns - start_ns) / 1000000)) "$start_cpu_ms"

sleep "$IDLE_SECONDS"
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
awk -v s="$IDLE_SECONDS" -v kb="$rss_kb" 'BEGIN { printf "idle RSS after %ss: %d KiB (%.1f MiB)\n", s, kb, kb / 1024 }'

CP="$JAR:$TEST_CLASSES"
bench() { java -XX:+UseParallelGC -cp "$CP" io.packetparamedic.reflector.bench.HandshakeBench \
  127.0.0.1 "$PORT" "$CLIENT_KEY" "$SERVER_ID" "$1" "$LOAD_SECONDS" "$2"; }

bench 8 warmup
for c in $CONCURRENCY; do
  for mode in full hello; do
    before=$(server_cpu_ms)
    line="$(bench "$c" "$mode")"
    after=$(server_cpu_ms)
    count=$(sed -n 's/.* count=\([0-9]*\).*/\1/p' <<<"$line")
    # Server CPU per operation, and what that allows on 2 dedicated cores: a figure that holds
    # even when the machine is shared and the client competes for the same cores.
    awk -v l="$line" -v cpu=$((after - before)) -v n="$count" 'BEGIN {
      per = n > 0 ? cpu / n : 0
      printf "%s server_cpu_ms_per_op=%.3f server_capacity_on_2_cores_per_sec=%.0f\n", l, per, (per > 0 ? 2000 / per : 0) }'
  done
done
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
awk -v kb="$rss_kb" 'BEGIN { printf "RSS after the load: %d KiB (%.1f MiB)\n", kb, kb / 1024 }'
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
