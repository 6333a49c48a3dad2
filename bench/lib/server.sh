# Sourced by the bench scripts that run one `reflector serve` (or a stand-in) at a time, from the
# repository root: builds the reflector through ./mvnw unless SKIP_BUILD is set (package compiles
# the test classes too, where the load generators live; nothing is installed in ~/.m2), makes the
# scratch directory WORK, and stops the server in SERVER_PID and removes WORK on exit; and the
# helpers the scripts share (port_open, median, launcher_flags).
if [[ -z "${SKIP_BUILD:-}" ]]; then
  ./mvnw -q -B -pl reflector -am package -DskipTests
fi

WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

# Whether the server's port on loopback (PORT) accepts a TCP connection yet.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
# The median of the numbers on standard input, one per line ("-" for none).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The JVM flags a reflector launcher script (its flags=( ... ) array) passes, on one line.
launcher_flags() { sed -n '/^flags=(/,/^)/p' "$1" | grep -v '^flags=(\|^)' | tr -s ' \n' ' '; }
