#!/usr/bin/env bash
# Soak bench, loopback only (issue 20 "Soak"). N field appliances (each its own identity, all
# authorized) run the deployed client's speed-test pattern (upload then download, 4 streams, no
# session_close, connection dropped) plus a UDP echo run, each on a schedule, against one real
# standalone reflector (reflector.jar serve -c, -Xmx256m as in the pod) for a chosen duration.
# Every SAMPLE_INTERVAL it records RSS, heap, direct memory, threads, file descriptors, iperf3
# children, open sessions and open connections into soak.csv, and draws soak.png with gnuplot.
# Pass criteria printed at the end (and asserted; exit status 1 when one fails): no crash, no
# failed cycle, no iperf3 process and no file descriptor left after the load (compared at two
# idle points, each after a full GC: after warm-up and at the end), live heap not grown, RSS
# growth after warm-up < 1 % (heap pre-touched: docs/testing/soak.md says why).
#
# It is e2e/tests' SoakTest with other durations; CI runs that test for 3 minutes.
# Env: APPLIANCES (default 50), DURATION (ISO-8601, default PT2H), WARM_UP (default: a fifth of
#      the duration, at most PT10M), SAMPLE_INTERVAL (default PT1M), PERIOD (each appliance's
#      cycle, default PT2M), TEST_SECONDS (each direction, default 10 as in the field),
#      STREAM_RATE (iperf3 -b per stream, default 5M: the machine is shared), OUT (directory for
#      soak.csv, soak.png and summary.txt; default bench/soak/out-<UTC time>).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=${OUT:-$PWD/out-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

command -v iperf3 >/dev/null || { echo "iperf3 is required (apt-get install -y iperf3)" >&2; exit 1; }
if ! command -v gnuplot >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gnuplot-nox >/dev/null; } || true
fi
if [ ! -f "$ROOT/reflector/target/reflector.jar" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl api,reflector -am package -DskipTests)
fi

props=(-Dsoak.appliances="${APPLIANCES:-50}" -Dsoak.duration="${DURATION:-PT2H}" -Dsoak.out="$OUT"
  -Dsoak.sampleInterval="${SAMPLE_INTERVAL:-PT1M}" -Dsoak.period="${PERIOD:-PT2M}"
  -Dsoak.testSeconds="${TEST_SECONDS:-10}" -Dsoak.streamRate="${STREAM_RATE:-5M}")
[ -n "${WARM_UP:-}" ] && props+=(-Dsoak.warmUp="$WARM_UP")
[ -n "${ASSERT_RSS:-}" ] && props+=(-Dsoak.assertRss="$ASSERT_RSS")

status=0
(cd "$ROOT" && ./mvnw -B -q -pl e2e/tests -am test -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -De2e.withoutOperator.skip=true \
  "${props[@]}") > "$OUT/maven.log" 2>&1 || status=$?

if command -v gnuplot >/dev/null && [ -s "$OUT/soak.csv" ]; then
  gnuplot <<GP
set datafile separator ","
set terminal pngcairo size 1200,900
set output "$OUT/soak.png"
set multiplot layout 2,1 title "Reflector soak: ${APPLIANCES:-50} appliances, ${DURATION:-PT2H}"
set key outside right
set xlabel "minutes"
set ylabel "MiB"
plot "$OUT/soak.csv" every ::1 using (\$2/60):(\$4/1024) with linespoints title "RSS", \
     "" every ::1 using (\$2/60):(\$5/1048576) with linespoints title "heap used", \
     "" every ::1 using (\$2/60):(\$6/1048576) with linespoints title "direct used"
set ylabel "count"
plot "$OUT/soak.csv" every ::1 using (\$2/60):7 with linespoints title "threads", \
     "" every ::1 using (\$2/60):8 with linespoints title "file descriptors", \
     "" every ::1 using (\$2/60):9 with linespoints title "iperf3 children", \
     "" every ::1 using (\$2/60):10 with linespoints title "open sessions", \
     "" every ::1 using (\$2/60):11 with linespoints title "connections"
unset multiplot
GP
  echo "chart: $OUT/soak.png"
else
  echo "chart: skipped (no gnuplot: apt-get install -y gnuplot-nox)"
fi
echo "samples: $OUT/soak.csv"
if [ -s "$OUT/summary.txt" ]; then cat "$OUT/summary.txt"; else tail -n 40 "$OUT/maven.log"; fi
exit "$status"
