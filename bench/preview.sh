#!/usr/bin/env bash
# Benchmarks `llmctl preview`: cold wall time and peak memory (max RSS) of the published binary for the homelab
# stack, and for generated stacks of about 1,000 and 10,000 resources. Results go to stdout as a Markdown table;
# docs/benchmarks.md records a run. Not part of the tests: timings are measured, never asserted.
#
#   bash bench/preview.sh            # 5 runs each, median reported
#   RUNS=9 bash bench/preview.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "publishing llmctl (Release, ReadyToRun) ..." >&2
dotnet publish "$root/infra" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$work/bin" >/dev/null
bin="$work/bin/llmctl"

# The generated stacks (N parked llama.cpp lanes, 3 resources each).
# shellcheck source=bench/generated-stack.sh
source "$root/bench/generated-stack.sh"

# Median wall seconds and median peak RSS (MiB) over $runs runs; the exit code must be 0.
measure() {
  local dir=$1 stack=$2 walls=() rss=()
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f "%e %M" -o "$work/time" env LLMCTL_BACKEND_URL="file://$work/state" "$bin" preview -s "$stack" -C "$dir" >"$work/out" 2>"$work/err" \
      || { echo "preview failed:" >&2; cat "$work/err" >&2; exit 1; }
    read -r w m <"$work/time"
    walls+=("$w"); rss+=("$m")
  done
  local mw mr
  mw=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  mr=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  local resources
  resources=$(grep -Eo '[0-9]+ to create' "$work/out" | grep -Eo '[0-9]+' || echo "?")
  printf '| %s | %s | %s s | %s MiB |\n' "$3" "$resources" "$mw" "$((mr / 1024))"
}

generate_stack "$work/g1k" 333 "$root"
generate_stack "$work/g10k" 3333 "$root"
echo "| stack | resources | wall (median of $runs) | peak RSS (median) |"
echo "|---|---|---|---|"
measure "$root" homelab "homelab"
measure "$work/g1k" bench "generated 1k"
measure "$work/g10k" bench "generated 10k"
