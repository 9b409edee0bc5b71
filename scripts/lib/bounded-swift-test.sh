# bounded_swift_test LIMIT ARGS... (sourced, not run): `swift test --skip-build ARGS`, its output
# streamed, stopped after LIMIT seconds. It runs in a session of its own, so that when it ends -
# passed, failed, crashed or stopped - every process a test started and left behind is stopped
# too: an orphan still holding the output pipe would keep whoever reads it (CI) waiting until
# its own time limit, with nothing to say why. Output is line-buffered (stdio buffers a file in
# 4 KB blocks, which would hide the last tests' lines). On a timeout it names the tests that
# started and never ended, the processes still running, and the test process's thread stacks,
# before it stops them. Returns swift test's status (124 on a timeout).
bounded_swift_test() {
    local limit=$1 log status=0 session deadline
    shift
    log=$(mktemp /tmp/swift-test-XXXXXX.log)
    setsid stdbuf -oL -eL swift test --skip-build "$@" >"$log" 2>&1 &
    session=$!
    tail -n +1 -f --pid="$session" "$log" &
    local follower=$!
    deadline=$((SECONDS + limit))
    while kill -0 "$session" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 2; done
    if kill -0 "$session" 2>/dev/null; then
        status=124
        sleep 1  # the follower prints what the log holds so far
        echo "swift test $* did not end within ${limit}s; started and never ended:" >&2
        _unended_tests "$log" >&2
        _describe_session "$session" >&2
        pkill -KILL -s "$session" 2>/dev/null || true
        wait "$session" 2>/dev/null || true
    else
        wait "$session" || status=$?
    fi
    wait "$follower" 2>/dev/null || true
    pkill -KILL -s "$session" 2>/dev/null || true
    rm -f "$log"
    return "$status"
}

# The tests a log shows started and not ended.
_unended_tests() {
    python3 - "$1" <<'PY'
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
}

# What a hung run is doing: every process of its session, and the test process's threads.
_describe_session() {
    local session=$1 tests
    echo "processes still running:"
    ps -s "$session" -o pid=,ppid=,etime=,stat=,args= | cut -c1-240 | sed 's/^/  /'
    tests=$(ps -s "$session" -o pid=,args= | awk '$2 ~ /\.xctest$/ {print $1; exit}')
    if [ -n "$tests" ] && command -v gdb >/dev/null; then
        echo "threads of the test process $tests (innermost frames):"
        timeout 60 gdb -p "$tests" -batch -ex "thread apply all bt 14" 2>/dev/null \
            | grep -E '^(Thread|#)' | cut -c1-200 | head -600 | sed 's/^/  /'
    fi
}
