#!/usr/bin/env bash
# The floor under the reflector's idle memory (issue 18; prints figures, asserts nothing): idle
# RSS after IDLE_SECONDS (30) of floor/Floor.java — a Netty epoll server taking mutual TLS 1.3 with
# Ed25519 keys and answering a length-prefixed frame, nothing else — run by the same JVM with the
# launcher's flags and a class-data-sharing archive recorded the way the launcher records its own
# (a first run that served one handshake), beside `reflector serve` measured the same way in the
# same run. The difference is what configuration, JSON, logging, metrics, the health endpoint,
# audit, sessions and the identity code add; the floor is what no change to them can take away.
# Netty is the reflector's own (taken from reflector.jar), so the versions match.
# Usage: bench/footprint/floor.sh   (builds through ./mvnw first; SKIP_BUILD=1 reuses the jar)
# Environment: ROUNDS (3), IDLE_SECONDS (30), PORT (14700), SERVER_CPU (1).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
JAR="$ROOT/reflector/target/reflector.jar"
LAUNCHER="$ROOT/reflector/target/reflector"
ROUNDS="${ROUNDS:-3}"
IDLE_SECONDS="${IDLE_SECONDS:-30}"
PORT="${PORT:-14700}"
SERVER_CPU="${SERVER_CPU:-1}"

# shellcheck source=../lib/server.sh
source bench/lib/server.sh

# The floor's jar: Floor.class and the reflector's Netty classes and native epoll library.
mkdir -p "$WORK/netty" "$WORK/classes"
(cd "$WORK/netty" && jar xf "$JAR" io/netty META-INF/native)
javac -nowarn -cp "$WORK/netty" -d "$WORK/classes" bench/footprint/floor/Floor.java
cp -r "$WORK/netty/." "$WORK/classes/"
printf 'Main-Class: Floor\n' >"$WORK/manifest.txt"
jar cfm "$WORK/floor.jar" "$WORK/manifest.txt" -C "$WORK/classes" .
for who in server client; do
  keytool -genkeypair -keyalg Ed25519 -alias "$who" -dname "CN=floor-$who" -validity 2 -storetype PKCS12 \
    -keystore "$WORK/$who.p12" -storepass floor-bench >/dev/null 2>&1
done
# The launcher's JVM flags, as it passes them (without its archive, recorded below for the floor).
read -r -a FLAGS <<<"$(launcher_flags "$LAUNCHER")"

cat >"$WORK/reflector.toml" <<TOML
[identity]
private_key_path = "$WORK/state/identity.ed25519"
[network]
listen_address = "127.0.0.1:$PORT"
listen_address_health = "127.0.0.1:$((PORT + 1))"
[logging]
level = "warn"
audit_log_path = "$WORK/state/audit.jsonl"
TOML

start_server() { # command...; returns once the port accepts connections
  taskset -c "$SERVER_CPU" "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  until port_open; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.err" >&2; exit 1; fi
    sleep 0.01
  done
}
rss() { awk '/^(VmRSS|RssAnon|RssFile):/ { v[$1] = $2 / 1024 } END { printf "%.1f %.1f %.1f\n", v["VmRSS:"], v["RssAnon:"], v["RssFile:"] }' "/proc/$SERVER_PID/status"; }

floor=(java "${FLAGS[@]}" -XX:SharedArchiveFile="$WORK/floor.jsa" -jar "$WORK/floor.jar" serve "$WORK/server.p12" "$PORT")
# Record the floor's archive as the launcher records the reflector's: one run that served a handshake.
start_server java "${FLAGS[@]}" -XX:ArchiveClassesAtExit="$WORK/floor.jsa" -jar "$WORK/floor.jar" serve "$WORK/server.p12" "$PORT"
java -jar "$WORK/floor.jar" hello "$WORK/client.p12" "$PORT" >/dev/null
stop_server
# The launcher records the reflector's archive at its first exit.
start_server "$LAUNCHER" -c "$WORK/reflector.toml" serve
stop_server

echo "== footprint floor: idle RSS after ${IDLE_SECONDS} s, $ROUNDS rounds, server on CPU $SERVER_CPU, $(java -version 2>&1 | head -1)"
echo "launcher flags: ${FLAGS[*]}"
declare -A totals
for round in $(seq "$ROUNDS"); do
  for variant in floor reflector; do
    if [[ $variant == floor ]]; then start_server "${floor[@]}"; else start_server "$LAUNCHER" -c "$WORK/reflector.toml" serve; fi
    sleep "$IDLE_SECONDS"
    read -r total anon file < <(rss)
    stop_server
    printf '%-9s round %d: idle RSS %5.1f MiB (anonymous %.1f, file-backed %.1f), load %s\n' \
      "$variant" "$round" "$total" "$anon" "$file" "$(cut -d' ' -f1-3 /proc/loadavg)"
    totals[$variant]+="$total "
  done
done
f=$(printf '%s\n' ${totals[floor]} | median)
r=$(printf '%s\n' ${totals[reflector]} | median)
echo
printf 'medians: floor %.1f MiB, reflector %.1f MiB, the reflector above the floor %.1f MiB\n' "$f" "$r" "$(awk -v a="$r" -v b="$f" 'BEGIN{print a-b}')"
