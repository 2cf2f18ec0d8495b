#!/bin/sh
# Runs a harness executable that must fail, and passes only if Check counted exactly the expected number of failed tests and every named layer was reported (exactly N times for LAYER=N).
# Usage: expect_failures.sh COUNT EXECUTABLE [LAYER | LAYER=N ...]
# A crash (e.g. an AddressSanitizer report) counts as a Check error; its layer
# is named on stderr by the harness, so stdout and stderr are searched together.
# Every failed test iteration names its layer once ("layer NAME {" opens the
# failure message, or the harness's "died inside" line for a crash), so the
# number of lines naming a layer is the number of its failed iterations.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 COUNT EXECUTABLE [LAYER...]" >&2
  exit 2
fi
want=$1
exe=$2
shift 2
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT

"$exe" >"$out" 2>&1
rc=$?
cat "$out"

summary=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+$' "$out" | tail -n 1)
if [ -z "$summary" ]; then
  echo "expect_failures: no Check summary line in the output" >&2
  exit 1
fi
failures=$(echo "$summary" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+)/\1/')
errors=$(echo "$summary" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+)/\2/')
got=$((failures + errors))

status=0
if [ "$rc" -eq 0 ]; then
  echo "expect_failures: $exe exited 0 but $want failures were expected" >&2
  status=1
fi
if [ "$got" -ne "$want" ]; then
  echo "expect_failures: $got failed tests ($failures failures, $errors errors), expected $want" >&2
  status=1
fi
for arg in "$@"; do
  layer=${arg%%=*}
  n=$(grep -c "layer $layer {" "$out")
  case "$arg" in
    *=*)
      if [ "$n" -ne "${arg#*=}" ]; then
        echo "expect_failures: layer $layer failed $n test(s), expected ${arg#*=}" >&2
        status=1
      fi
      ;;
    *)
      if [ "$n" -eq 0 ]; then
        echo "expect_failures: layer $layer was not reported" >&2
        status=1
      fi
      ;;
  esac
done
[ $status -eq 0 ] && echo "expect_failures: OK, $got failed tests as expected"
exit $status
