#!/usr/bin/env bash
# Data-plane benchmark, loopback only. Prints figures; asserts nothing.
#  1. UDP echo packets per second (64 B and 1,200 B) through the reflector's data path versus a
#     minimal C recvmmsg/sendmmsg echo loop, same load generator, same run: the native path
#     (libppdata, what a reflector runs wherever the library loads), the Netty epoll path (the
#     fallback, network.data_path = "netty") and STAMP on the native path; the round-trip latency
#     p50/p99 (one datagram in flight) of each, as ratios; and STAMP's residence time (kernel
#     receive to send, the reflector.stamp.residence histogram) at half the C loop's 64 B rate,
#     datagrams spread evenly, beside the same figure of a C loop that keeps it (echo_c residence).
#  2. Throughput through a session granted by the real SessionManager (iperf3 on loopback behind
#     the pinning relay on the granted port, data streams spliced) versus raw iperf3, same run.
# Targets (issue 17): >= 0.9x the C loop's packet rate with <= 1.3x its CPU per packet, STAMP
# residence p99 <= 50 us at half the maximum rate; >= 0.97x raw iperf3 through the relay.
# The machine may be shared: each packet-rate figure is the median of ROUNDS runs, C loop and
# reflector paths alternating, and the CPU time each server spent per echoed packet (from
# /proc/PID/stat, which load on other cores disturbs far less than the rate) is printed beside it.
# Env: SECONDS_PER_RUN (default 5), ROUNDS (default 5), WINDOW (datagrams in flight, default 32),
#      WARM_SECONDS (JIT warm-up per size, default 5), RTT_COUNT (default 20000),
#      PATHS (reflector paths measured, default "echo-native echo-netty stamp-native"),
#      JAVA_OPTS (JVM flags of the reflector side, e.g. the launcher's "-XX:TieredStopAtLevel=1"),
#      TPUT_SECONDS (default 5), TPUT_ROUNDS (default 3), TPUT_STREAMS (default "1 4": one series
#      per value), TPUT_RATE (iperf3 -b per stream for a paced series after the unpaced ones, e.g.
#      250M: 4 x 250M = a field appliance's 1 Gbit/s link; empty = no paced series),
#      ECHO_ONLY=1 skips the iperf3 part, THROUGHPUT_ONLY=1 skips the UDP echo part,
#      BUSY_POLL_US (the reflector side's network.busy_poll_us; default the reflector's, 50).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
SECS=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-5}
PATHS=${PATHS:-echo-native echo-netty stamp-native}
JAVA_OPTS=${JAVA_OPTS:-}
WARM=${WARM_SECONDS:-5}
WINDOW=${WINDOW:-32}
RTT_COUNT=${RTT_COUNT:-20000}
TPUT_SECONDS=${TPUT_SECONDS:-5}
TPUT_ROUNDS=${TPUT_ROUNDS:-3}
TPUT_STREAMS=${TPUT_STREAMS:-1 4}
TPUT_RATE=${TPUT_RATE:-250M}
OUT=$(mktemp -d)
# Datagrams shaped as STAMP test packets (44-octet base, one Extra Padding TLV), for every server:
# the C loop and echo ignore the content, STAMP parses it as a real sender's.
export LOADGEN_STAMP=1
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
  for _ in $(seq 1 600); do grep -q '^ready' "$fifo" 2>/dev/null && return 0; sleep 0.05; done
  echo "$1 did not start" >&2; cat "$OUT/$1.err" >&2; exit 1
}

C_PORT=$(free_port)
start_server cloop "$OUT/echo_c" "$C_PORT"
# A second C loop that also keeps residence times as the reflector defines them (STAMP's T3 - T2),
# for the residence figures only: the timestamps it asks for cost it per datagram.
CRES_PORT=$(free_port)
start_server cres "$OUT/echo_c" "$CRES_PORT" residence
CRES_PID=$(pgrep -n -f "$OUT/echo_c $CRES_PORT")
declare -A PORT PID
PORT[c]=$C_PORT
PID[c]=$(pgrep -n -f "$OUT/echo_c $C_PORT")
# A third C loop that asks the kernel for STAMP's three control messages (receive timestamp, TTL,
# TOS) and reads them, doing none of STAMP's work: how much of the C loop's rate the kernel leaves
# for any STAMP reflector on this machine. Measured in every round beside the others.
BASELINES="c"
if [[ " $PATHS " == *" stamp"* ]]; then
  PORT[cstamp]=$(free_port)
  start_server cstamp "$OUT/echo_c" "${PORT[cstamp]}" stamp
  PID[cstamp]=$(pgrep -n -f "$OUT/echo_c ${PORT[cstamp]}")
  BASELINES="c cstamp"
fi
for path in $PATHS; do
  PORT[$path]=$(free_port)
  # shellcheck disable=SC2086
  start_server "${path//-/_}" java $JAVA_OPTS -Dlogback.configurationFile=/dev/null -cp "$JAR" EchoBench.java "${PORT[$path]}" "$path"
  PID[$path]=$(pgrep -n -f "EchoBench.java ${PORT[$path]}")
  echo "$path transport: $(grep -o '^ready .*' "$OUT/${path//-/_}.out" | cut -d' ' -f2)"
  # Warm the JIT so the Java figures are steady-state, as a long-running reflector is.
  for size in 64 1200; do "$OUT/loadgen" rate "${PORT[$path]}" "$size" "$WARM" "$WINDOW" >/dev/null 2>&1 || true; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, clock ticks
TCK=$(getconf CLK_TCK)
measure() { # $1 = name, $2 = size: appends "name size pps us_per_packet round"
  local t0 t1 pps
  t0=$(cpu_ticks "${PID[$1]}")
  pps=$("$OUT/loadgen" rate "${PORT[$1]}" "$2" "$SECS" "$WINDOW" 2>>"$OUT/loadgen.err")
  t1=$(cpu_ticks "${PID[$1]}")
  echo "$1 $2 $pps $(python3 -c "print(f'{($t1-$t0)/$TCK*1e6/max(1,$pps*$SECS):.3f}')") $3" >> "$OUT/rates.txt"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for size in 64 1200; do
    for b in $BASELINES; do measure "$b" "$size" "$round"; done
    for path in $PATHS; do measure "$path" "$size" "$round"; done
  done
  echo "  round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%-30s %12s %12s %8s\n' "UDP reflection (loopback)" "reflector" "C loop" "ratio"
python3 - "$OUT/rates.txt" $PATHS <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for path in sys.argv[2:]:
    for size in ("64", "1200"):
        c = {r[4]: r for r in rows if r[0] == "c" and r[1] == size}
        j = {r[4]: r for r in rows if r[0] == path and r[1] == size}
        rounds = sorted(set(c) & set(j), key=int)
        # Per-round ratios: the C loop and the path ran back to back, under the same load.
        pps = [float(j[k][2]) / float(c[k][2]) for k in rounds]
        cpu = [float(j[k][3]) / float(c[k][3]) for k in rounds]
        jp, cp = st.median(float(j[k][2]) for k in rounds), st.median(float(c[k][2]) for k in rounds)
        ju, cu = st.median(float(j[k][3]) for k in rounds), st.median(float(c[k][3]) for k in rounds)
        print(f"{path + ' pps ' + size + ' B':<30} {jp:>12.0f} {cp:>12.0f} {st.median(pps):>8.3f}   (median of {len(pps)}; per round: {' '.join(f'{x:.2f}' for x in pps)})")
        print(f"{path + ' CPU us/pkt ' + size + ' B':<30} {ju:>12.3f} {cu:>12.3f} {st.median(cpu):>8.3f}   (reflector/C, target <= 1.3; per round: {' '.join(f'{x:.2f}' for x in cpu)})")
        s = {r[4]: r for r in rows if r[0] == "cstamp" and r[1] == size}
        if path.startswith("stamp") and s:
            both = sorted(set(rounds) & set(s), key=int)
            ceiling = st.median(float(s[k][2]) / float(c[k][2]) for k in both)
            versus = st.median(float(j[k][2]) / float(s[k][2]) for k in both)
            sp = st.median(float(s[k][2]) for k in both)
            print(f"{'  C loop + STAMP cmsgs ' + size + ' B':<30} {sp:>12.0f} {cp:>12.0f} {ceiling:>8.3f}   (the kernel's ceiling for STAMP; {path} reaches {versus:.3f}x of it)")
PY
[ -s "$OUT/loadgen.err" ] && sed 's/^/  /' "$OUT/loadgen.err"
read -r c50 c99 < <("$OUT/loadgen" rtt "$C_PORT" 64 "$RTT_COUNT")
for path in $PATHS; do
  read -r j50 j99 < <("$OUT/loadgen" rtt "${PORT[$path]}" 64 "$RTT_COUNT")
  printf '%-30s %12s %12s %8s   added %s us\n' "$path RTT p50 64 B (us)" "$j50" "$c50" "$(python3 -c "print(f'{$j50/$c50:.3f}')")" "$(python3 -c "print(f'{$j50-$c50:.1f}')")"
  printf '%-30s %12s %12s %8s   added %s us\n' "$path RTT p99 64 B (us)" "$j99" "$c99" "$(python3 -c "print(f'{$j99/$c99:.3f}')")" "$(python3 -c "print(f'{$j99-$c99:.1f}')")"
done
# Residence at half the maximum rate: half the C loop's median 64 B rate, paced evenly (open loop),
# first against the C loop that keeps residence times, then against each STAMP path. The load
# generator runs on CPU 0 and the server (every thread) on CPU 1: unpinned, the scheduler now and
# then puts both on one CPU, and the 99th percentile becomes its time slice (ms) for both servers.
PIN=$(nproc)
pin_server() { [ "$PIN" -ge 2 ] && taskset -a -cp 1 "$1" >/dev/null || true; }
pinned_loadgen() { if [ "$PIN" -ge 2 ]; then taskset -c 0 "$OUT/loadgen" "$@"; else "$OUT/loadgen" "$@"; fi; }
half=$(python3 -c "import statistics as st; print(int(st.median(float(l.split()[2]) for l in open('$OUT/rates.txt') if l.split()[:2] == ['c', '64']) / 2))")
residence_lines() { grep -c '^residence' "$OUT/$1.out" || true; }
await_residence() { # $1 = server name, $2 = lines before; then prints the last line's fields
  for _ in $(seq 1 100); do [ "$(residence_lines "$1")" -gt "$2" ] && break; sleep 0.05; done
  grep '^residence' "$OUT/$1.out" | tail -1 | cut -d' ' -f2-
}
if printf '%s\n' $PATHS | grep -q '^stamp-'; then
  pin_server "$CRES_PID"
  before=$(residence_lines cres); kill -USR1 "$CRES_PID"; await_residence cres "$before" >/dev/null  # resets
  read -r sent got burst < <(pinned_loadgen paced "$CRES_PORT" 64 "$SECS" "$half")
  before=$(residence_lines cres); kill -USR1 "$CRES_PID"
  read -r r50 r99 rn < <(await_residence cres "$before")
  printf '%-30s %s pps offered (%s per sendmmsg), %s answered; residence p50 <= %s us, p99 <= %s us (%s answers)\n' \
    "C loop at half rate 64 B" "$sent" "$burst" "$got" "$r50" "$r99" "$rn"
fi
for path in $PATHS; do
  case "$path" in stamp-*) ;; *) continue ;; esac
  name=${path//-/_}
  fd_var="FD_$name"
  pin_server "${PID[$path]}"
  before=$(residence_lines "$name"); echo residence >&"${!fd_var}"; await_residence "$name" "$before" >/dev/null  # resets the window
  read -r sent got burst < <(pinned_loadgen paced "${PORT[$path]}" 64 "$SECS" "$half")
  before=$(residence_lines "$name"); echo residence >&"${!fd_var}"
  read -r r50 r99 rn < <(await_residence "$name" "$before")
  printf '%-30s %s pps offered (%s per sendmmsg), %s answered; residence p50 <= %s us, p99 <= %s us (%s answers; target p99 <= 50 us)\n' \
    "$path at half rate 64 B" "$sent" "$burst" "$got" "$r50" "$r99" "$rn"
done
for name in cloop cres $PATHS; do fd_var="FD_${name//-/_}"; eval "exec ${!fd_var}>&-"; done
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
