#!/usr/bin/env bash
# The mutation fuzzer (tests/Llmctl.Infra.Tests/StackFileFuzzTests.cs) at full size: 10,000 mutants of the two sample
# stacks and the project file, each run through `llmctl preview` in-process. Prints the exit-code counts, the slowest
# mutant and the total time; docs/benchmarks.md records a run. A crash, a hang (60 s) or an exit code other than 0, 2
# or 5 fails the run with the shrunk mutant.
#
#   bash bench/fuzz.sh              # 10,000 mutants
#   MUTANTS=50000 bash bench/fuzz.sh
#   ACCEPTED=/tmp/accepted.txt MUTANTS=300 bash bench/fuzz.sh   # also writes every exit-0 mutant's changed lines there
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
result=$(mktemp)
trap 'rm -f "$result"' EXIT
LLMCTL_FUZZ_MUTANTS=${MUTANTS:-10000} LLMCTL_FUZZ_RESULT=$result LLMCTL_FUZZ_ACCEPTED=${ACCEPTED:-} \
  dotnet test "$root/tests/Llmctl.Infra.Tests" -c Release --filter "FullyQualifiedName~StackFileFuzzTests" >&2
cat "$result"
