#!/usr/bin/env bash
# The kill benchmark: the real `llmctl up` (homelab stack) against the fake Kubernetes API server in its own process,
# SIGKILLed after a random step began, TRIALS times (default 20), each followed by a plain `up` with no manual step.
# Every trial must converge to exactly the objects of an uninterrupted run (server-stamped fields aside) and leave
# `preview --expect-no-changes` clean. Writes the result to docs/kill-benchmark.md.
# It is the test Llmctl.Infra.Tests.Hosted.KillTests (3 kills in `dotnet test`) run with more trials.
# NO_BUILD=1 runs what is already built.
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS="${TRIALS:-20}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
started=$(date -u +%s)
LLMCTL_KILL_TRIALS="$TRIALS" LLMCTL_KILL_REPORT="$report" \
  dotnet test tests/Llmctl.Infra.Tests ${NO_BUILD:+--no-build} --filter "FullyQualifiedName~Hosted.KillTests" --logger "console;verbosity=minimal" || status=$?
elapsed=$(( $(date -u +%s) - started ))
{
  echo "# Kill benchmark"
  echo
  echo "\`bash bench/kill-convergence.sh\` (TRIALS=$TRIALS): the real \`llmctl up -s homelab\` as a child process against"
  echo "\`llmctl-fake-apiserver\` (the fake API server as its own process), killed with SIGKILL after a random step began"
  echo "(the kill lands between a pending operation being written and its step finishing), then one plain \`llmctl up\`"
  echo "with no \`stack unlock\` or other manual step. Converged means: exit 0, the dead run's lock taken over with a"
  echo "warning, every object equal to an uninterrupted run's (uid, times, versions, status and allocated cluster IPs"
  echo "aside; managedFields included), and \`preview --expect-no-changes\` exits 0."
  echo
  echo "Last run: $(date -u +%Y-%m-%d) on the shared 2-core CI machine, ${elapsed} s in all."
  echo
  if [ -s "$report" ]; then cat "$report"; else echo "(no report: the test did not get as far as writing one; see its output)"; fi
} > docs/kill-benchmark.md
cat docs/kill-benchmark.md
exit "${status:-0}"
