#!/usr/bin/env bash
# Runs the whole suite (the vitest run of `npm test`: every project, as CI runs it) N times in a
# row and prints each run's result and the first lines of its failures. With --load, a busy loop
# pinned to one core competes with every run (what a busy CI machine looks like).
#
#   scripts/soak-tests.sh 5            # 5 runs on a quiet machine
#   scripts/soak-tests.sh 5 --load     # 5 runs with core 1 kept busy
#
# Needs what the suite needs (root, the lab's tools, terraform); run `npm ci` first. Builds,
# type-checks and lints once, then only vitest repeats. Logs: $SOAK_LOG_DIR (default a new
# directory under /tmp), one file per run. Exit 0 only when every run passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

usage() { echo "usage: scripts/soak-tests.sh RUNS [--load]" >&2; exit 2; }
[ $# -ge 1 ] || usage
runs=$1
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
load=false
case "${2:-}" in
  "") ;;
  --load) load=true ;;
  *) usage ;;
esac

logs=${SOAK_LOG_DIR:-$(mktemp -d /tmp/havip-soak-XXXXXX)}
mkdir -p "$logs"
echo "soak: $runs run(s)$($load && echo ', core 1 kept busy by a pinned loop'); logs in $logs"

if ! { npm run build && npm run typecheck && npm run lint; } >"$logs/build.log" 2>&1; then
  echo "soak: build, typecheck or lint failed (see $logs/build.log)"
  exit 1
fi

loader=""
stop_load() { [ -n "$loader" ] && kill "$loader" 2>/dev/null; loader=""; }
trap stop_load EXIT INT TERM

green=0
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  if $load; then
    taskset -c 1 sh -c 'while :; do :; done' &
    loader=$!
  fi
  started=$(date +%s)
  CI=true npx vitest run >"$log" 2>&1
  code=$?
  stop_load
  seconds=$(($(date +%s) - started))
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$clean" | tail -1)
  if [ "$code" -eq 0 ]; then
    green=$((green + 1))
    echo "run $run: PASS in ${seconds} s (${summary:-no summary line})"
  else
    echo "run $run: FAIL (exit $code) in ${seconds} s (${summary:-no summary line})"
    # Each failed test's header and the first lines of its error.
    grep -E -A4 '^ *FAIL ' <<<"$clean" | head -40 | sed 's/^/    /'
  fi
done
echo "soak: $green/$runs green$($load && echo ' (loaded)')"
[ "$green" -eq "$runs" ]
