# Daemon bookkeeping shared by control-plane.sh and node.sh (sourced, not run). The sourcing
# script sets PID_DIR (one NAME.pid per daemon), START_TIMEOUT (seconds) and DAEMONS (the names
# to watch while waiting), and defines fail_start MESSAGE (report, clean up, exit).

# alive PID: the process exists and is not a zombie (kill -0 succeeds on a zombie, and PID 1
# reaps orphans a few seconds late).
alive() {
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# live_pid NAME: prints the pid of daemon NAME when its pid file names a live process that is
# still NAME (a recycled pid is not). No grep -q: under pipefail it can fail the pipeline with
# SIGPIPE.
live_pid() {
  local f="$PID_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null)" || return 1
  [ -n "$pid" ] && alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -- "$1" >/dev/null || return 1
  echo "$pid"
}

# wait_until DESCRIPTION COMMAND...: polls (0.25 s) until COMMAND succeeds; fails the start when
# a watched daemon dies or START_TIMEOUT runs out.
wait_until() {
  local what="$1"; shift
  local deadline=$(( SECONDS + START_TIMEOUT )) c
  until "$@" >/dev/null 2>&1; do
    for c in "${DAEMONS[@]}"; do
      [ -f "$PID_DIR/$c.pid" ] && ! live_pid "$c" >/dev/null && fail_start "$c exited while waiting for $what"
    done
    [ $SECONDS -lt $deadline ] || fail_start "timed out after ${START_TIMEOUT}s waiting for $what"
    sleep 0.25
  done
}
