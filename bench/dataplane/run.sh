#!/usr/bin/env bash
# Data-plane benchmark, loopback only. Prints figures; asserts nothing.
#  1. UDP echo packets per second (64 B and 1,200 B) through the reflector's UDP echo engine
#     versus a minimal C recvmmsg/sendmmsg echo loop, same load generator, same run; and the
#     round-trip latency p50/p99 of both (one datagram in flight), as ratios.
#  2. Throughput through a session granted by the real SessionManager (iperf3 on loopback behind
#     the pinning relay on the granted port, data streams spliced) versus raw iperf3, same run.
# Targets: >= 0.9x the C loop's packet rate, >= 0.97x raw iperf3 through the relay.
# The machine may be shared: each packet-rate figure is the median of ROUNDS runs, C loop and
# reflector alternating, and the CPU time each server spent per echoed packet (from
# /proc/PID/stat, which load on other cores disturbs far less than the rate) is printed beside it.
# Env: SECONDS_PER_RUN (default 5), ROUNDS (default 3), WINDOW (datagrams in flight, default 32),
#      WARM_SECONDS (JIT warm-up per size, default 5), RTT_COUNT (default 20000),
#      TPUT_SECONDS (default 5), TPUT_ROUNDS (default 3), TPUT_STREAMS (default "1 4": one series
#      per value), TPUT_RATE (iperf3 -b per stream for a paced series after the unpaced ones, e.g.
#      250M: 4 x 250M = a field appliance's 1 Gbit/s link; empty = no paced series),
#      ECHO_ONLY=1 skips the iperf3 part, THROUGHPUT_ONLY=1 skips the UDP echo part.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
SECS=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
WARM=${WARM_SECONDS:-5}
WINDOW=${WINDOW:-32}
RTT_COUNT=${RTT_COUNT:-20000}
TPUT_SECONDS=${TPUT_SECONDS:-5}
TPUT_ROUNDS=${TPUT_ROUNDS:-3}
TPUT_STREAMS=${TPUT_STREAMS:-1 4}
TPUT_RATE=${TPUT_RATE:-250M}
OUT=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$OUT"; }
trap cleanup EXIT

command -v iperf3 >/dev/null || { echo "iperf3 is required (apt-get install -y iperf3)" >&2; exit 1; }
JAR="$ROOT/reflector/target/reflector.jar"
if [ ! -f "$JAR" ]; then (cd "$ROOT" && ./mvnw -B -q -pl api,reflector -am package -DskipTests); fi
if [ "${THROUGHPUT_ONLY:-0}" != 1 ]; then
gcc -O2 -o "$OUT/echo_c" echo_c.c
gcc -O2 -o "$OUT/loadgen" loadgen.c

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() { # $1 = name, rest = command; waits for "ready" on its stdout
  local fifo="$OUT/$1.out"
  mkfifo "$OUT/$1.in"
  ( "${@:2}" < "$OUT/$1.in" > "$fifo" 2>"$OUT/$1.err" ) &
  PIDS+=($!)
  exec {fd}>"$OUT/$1.in"   # keep the server's stdin open until we close it
  eval "FD_$1=$fd"
  for _ in $(seq 1 200); do grep -q ready "$fifo" 2>/dev/null && return 0; sleep 0.05; done
  echo "$1 did not start" >&2; cat "$OUT/$1.err" >&2; exit 1
}

C_PORT=$(free_port)
J_PORT=$(free_port)
start_server cloop "$OUT/echo_c" "$C_PORT"
start_server java java -Dlogback.configurationFile=/dev/null -cp "$JAR" EchoBench.java "$J_PORT"
echo "Java engine transport: $(grep -o 'ready.*' "$OUT/java.out" | cut -d' ' -f2)"

# Warm the JIT so the Java figures are steady-state, as a long-running reflector is.
for size in 64 1200; do "$OUT/loadgen" rate "$J_PORT" "$size" "$WARM" "$WINDOW" >/dev/null 2>&1 || true; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
TCK=$(getconf CLK_TCK)
C_PID=$(pgrep -n -f "$OUT/echo_c $C_PORT")
J_PID=$(pgrep -n -f "EchoBench.java $J_PORT")
measure() { # $1 = name, $2 = port, $3 = pid, $4 = size, $5 = round: appends "name size pps us_per_packet"
  local t0 t1 pps
  t0=$(cpu_ticks "$3")
  pps=$("$OUT/loadgen" rate "$2" "$4" "$SECS" "$WINDOW" 2>>"$OUT/loadgen.err")
  t1=$(cpu_ticks "$3")
  echo "$1 $4 $pps $(python3 -c "print(f'{($t1-$t0)/$TCK*1e6/($pps*$SECS):.2f}')")" >> "$OUT/rates.txt"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for size in 64 1200; do
    measure c "$C_PORT" "$C_PID" "$size"
    measure j "$J_PORT" "$J_PID" "$size"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-22s %14s %14s %8s\n' "UDP echo (loopback)" "reflector" "C loop" "ratio"
python3 - "$OUT/rates.txt" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for size in ("64", "1200"):
    c = [r for r in rows if r[0] == "c" and r[1] == size]
    j = [r for r in rows if r[0] == "j" and r[1] == size]
    ratios = [float(b[2]) / float(a[2]) for a, b in zip(c, j)]
    cp, jp = st.median(float(r[2]) for r in c), st.median(float(r[2]) for r in j)
    cu, ju = st.median(float(r[3]) for r in c), st.median(float(r[3]) for r in j)
    print(f"{'pps ' + size + ' B':<22} {jp:>14.0f} {cp:>14.0f} {st.median(ratios):>8.3f}   (median of {len(ratios)}; per round: {' '.join(f'{x:.2f}' for x in ratios)})")
    print(f"{'CPU us/packet ' + size + ' B':<22} {ju:>14.2f} {cu:>14.2f} {cu / ju:>8.3f}   (C/reflector: the rate ratio if both were CPU-bound)")
PY
[ -s "$OUT/loadgen.err" ] && sed 's/^/  /' "$OUT/loadgen.err"
read -r c50 c99 < <("$OUT/loadgen" rtt "$C_PORT" 64 "$RTT_COUNT")
read -r j50 j99 < <("$OUT/loadgen" rtt "$J_PORT" 64 "$RTT_COUNT")
printf '%-22s %14s %14s %8s\n' "RTT p50 64 B (us)" "$j50" "$c50" "$(python3 -c "print(f'{$j50/$c50:.3f}')")"
printf '%-22s %14s %14s %8s\n' "RTT p99 64 B (us)" "$j99" "$c99" "$(python3 -c "print(f'{$j99/$c99:.3f}')")"
printf '%-22s %14s\n' "added RTT p50 (us)" "$(python3 -c "print(f'{$j50-$c50:.1f}')")"
printf '%-22s %14s\n' "added RTT p99 (us)" "$(python3 -c "print(f'{$j99-$c99:.1f}')")"
eval "exec ${FD_cloop}>&-"; eval "exec ${FD_java}>&-"
fi
[ "${ECHO_ONLY:-0}" = 1 ] && exit 0

tput_series() { # $1 = streams, $2 = per-stream rate or empty
printf '\n%-22s %14s %14s %8s %10s\n' "iperf3 -P $1${2:+ -b $2}" "via relay" "raw" "ratio" "relay CPU"
java -Dlogback.configurationFile=/dev/null -cp "$JAR" ThroughputBench.java "$TPUT_SECONDS" "$TPUT_ROUNDS" "$1" "$2" > "$OUT/tput.txt"
i=0
while read -r g r c; do
  i=$((i+1))
  printf '%-22s %14s %14s %8s %9ss\n' "round $i Gbit/s" "$g" "$r" "$(python3 -c "print(f'{$g/$r:.3f}')")" "$c"
done < "$OUT/tput.txt"
python3 - "$OUT/tput.txt" "$TPUT_SECONDS" <<'PY'
import sys, statistics
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
g = statistics.median(r[0] for r in rows); r = statistics.median(r[1] for r in rows)
c = statistics.median(r[2] for r in rows)
ratios = [a[0] / a[1] for a in rows]
print(f"{'median Gbit/s':<22} {g:>14.3f} {r:>14.3f} {statistics.median(ratios):>8.3f} {c:>9.2f}s  (relay CPU per GB: {c / (g * float(sys.argv[2]) / 8):.3f} s)")
PY
}
echo "load average before throughput: $(cut -d' ' -f1-3 /proc/loadavg)"
for streams in $TPUT_STREAMS; do tput_series "$streams" ""; done
[ -n "$TPUT_RATE" ] && tput_series 4 "$TPUT_RATE"
echo "load average after throughput:  $(cut -d' ' -f1-3 /proc/loadavg)"
