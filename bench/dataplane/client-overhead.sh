#!/usr/bin/env bash
# The bundled client's overhead on the speed test, loopback only. Prints figures; asserts nothing.
# Through one real reflector, per direction and alternating, ROUNDS times: plain `iperf3 -c` in a
# bare session (what an appliance runs) versus `reflector client throughput` (the same iperf3
# plus the client's option checks, /proc sampling and JSON record). Target: client >= 0.98x plain.
# The figures are medians; the machine may be shared, so the spread of the ratios is printed too.
# Env: SECONDS_PER_RUN (default 5), ROUNDS (default 5), STREAMS (default 4).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
SECS=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-5}
STREAMS=${STREAMS:-4}
command -v iperf3 >/dev/null || { echo "iperf3 is required (apt-get install -y iperf3)" >&2; exit 1; }
JAR="$ROOT/reflector/target/reflector.jar"
if [ ! -f "$JAR" ]; then (cd "$ROOT" && ./mvnw -B -q -pl api,reflector -am package -DskipTests); fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dlogback.configurationFile=/dev/null -cp "$JAR" ClientOverheadBench.java "$SECS" "$ROUNDS" "$STREAMS" > "$OUT"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" "$STREAMS" "$SECS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith(("upload ", "download "))]
print(f"\niperf3 -P {sys.argv[2]} -t {sys.argv[3]}, Gbit/s (median of {len(rows)//2} rounds)")
print(f"{'direction':10} {'plain iperf3':>13} {'client':>10} {'ratio':>7} {'ratio min-max':>15}")
for d in ("upload", "download"):
    r = [(float(p), float(c)) for dd, p, c in rows if dd == d]
    r = [(p, c) for p, c in r if p == p and c == c]  # NaN: a failed run
    if not r:
        print(f"{d:10} no successful round"); continue
    ratios = [c / p for p, c in r]
    print(f"{d:10} {statistics.median(p for p, _ in r):13.2f} {statistics.median(c for _, c in r):10.2f} "
          f"{statistics.median(ratios):7.3f} {min(ratios):7.3f}-{max(ratios):.3f}")
PY
