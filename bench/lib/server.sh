# Sourced by the bench scripts that run one `reflector serve` (or a stand-in) at a time, from the
# repository root: builds the reflector through ./mvnw unless SKIP_BUILD is set (package compiles
# the test classes too, where the load generators live; nothing is installed in ~/.m2), makes the
# scratch directory WORK, and stops the server in SERVER_PID and removes WORK on exit.
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
