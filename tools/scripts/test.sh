#!/usr/bin/env bash
# `npm test` (and CI): lint + jest (unit and integration) for every project, then the type check and
# the Prettier check.
# Ends with the line "N passed, N failed" (jest tests summed over all projects); exits non-zero when
# anything failed. Jest's per-run counts come from tools/scripts/jest-summary-reporter.cjs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
export KIRIM_NEED_CHROMIUM=1  # the onboarding end-to-end test drives /usr/bin/chromium (Playwright)
# Integration tests create their databases through DATABASE_ADMIN_URL and share Redis (key prefixes).
export DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

bash tools/scripts/ensure-deps.sh
bash tools/scripts/ensure-services.sh

log_dir="$root/tmp/test"
mkdir -p "$log_dir"
log="$log_dir/nx.log"
failures=()

# A hung test (e.g. a client retrying forever) must fail the run, not stall CI.
limit="${KIRIM_TEST_TIMEOUT_SECONDS:-1500}"
set +e
timeout -k 20 "$limit" node_modules/.bin/nx run-many -t lint test --parallel=2 --outputStyle=static 2>&1 | tee "$log"
nx_status=${PIPESTATUS[0]}
set -e
if [[ $nx_status == 124 ]]; then failures+=("lint/test timed out after ${limit}s");
elif [[ $nx_status != 0 ]]; then failures+=("lint/test (see the failed tasks above)"); fi

# The benchmark harness must not rot: a few seconds of every scenario against the built stack (Nx-cached
# build), checking only that everything ran and answered 2xx (tools/bench/README.md).
echo "> npm run bench -- --smoke"
timeout -k 10 "${KIRIM_BENCH_SMOKE_TIMEOUT_SECONDS:-240}" node tools/bench/run.mjs --smoke || failures+=("benchmark smoke run (tools/bench/results/local/*.log)")

echo "> npm run typecheck"
npm run --silent typecheck || failures+=("typecheck")

echo "> npm run format:check"
npm run --silent format:check || failures+=("format (npm run format fixes it)")

# Sum the reporter lines (one per jest run, cached runs included).
read -r passed failed < <(grep -ao 'KIRIM_JEST_SUMMARY {[^}]*}' "$log" | sed 's/^KIRIM_JEST_SUMMARY //' |
  node -e 'let p = 0, f = 0;
    for (const l of require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)) {
      const s = JSON.parse(l); p += s.passed; f += s.failed; }
    console.log(p, f)')

echo
if ! grep -aq 'KIRIM_JEST_SUMMARY' "$log" && grep -aq 'Tests:' "$log"; then
  echo "WARNING: jest ran but printed no KIRIM_JEST_SUMMARY line: is tools/scripts/jest-summary-reporter.cjs in the reporters of jest.preset.js?"
fi
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[[ ${#failures[@]} == 0 && $failed == 0 ]]
