# Servers started in the background by a script (sourced, not run): add each PID to PIDS; on exit,
# a TERM (timeout(1)) or ^C they are stopped by PID and the scratch directory WORK is removed.
PIDS=()

cleanup() {
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
