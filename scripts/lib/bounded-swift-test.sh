# bounded_swift_test LIMIT ARGS... (sourced, not run): `swift test --skip-build ARGS`, its output
# streamed, stopped after LIMIT seconds. It runs in a session of its own, so that when it ends -
# passed, failed, crashed or stopped - every process a test started and left behind is stopped
# too: an orphan still holding the output pipe would keep whoever reads it (CI) waiting until
# its own time limit, with nothing to say why. On a timeout it names the tests that started and
# never ended. Returns swift test's status (124 on a timeout).
bounded_swift_test() {
    local limit=$1 log status=0 session
    shift
    log=$(mktemp /tmp/swift-test-XXXXXX.log)
    setsid timeout -k 30 "$limit" swift test --skip-build "$@" >"$log" 2>&1 &
    session=$!
    tail -n +1 -f --pid="$session" "$log" &
    local follower=$!
    wait "$session" || status=$?
    wait "$follower" 2>/dev/null || true
    pkill -KILL -s "$session" 2>/dev/null || true
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        echo "swift test $* did not end within ${limit}s; started and never ended:" >&2
        python3 - "$log" >&2 <<'PY'
import re, sys
started, ended = [], set()
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("◇ Test case "):  # a parameterized test's case: its test is named too
        continue
    if match := re.match(r"◇ Test (.+) started\.$", line.rstrip("\n")):
        started.append(match.group(1))
    elif match := re.search(r"Test (.+?)(?: with \d+ test cases?)? (?:passed|failed) after", line):
        ended.add(match.group(1))
    elif match := re.search(r"Test (.+?) skipped", line):
        ended.add(match.group(1))
print("\n".join("  " + name for name in started if name not in ended and name != "run")
      or "  (none reported)")
PY
    fi
    rm -f "$log"
    return "$status"
}
