#!/usr/bin/env bash
# Cold `llmctl preview` of the native binary (Native AOT) next to a native AOT hello world and the JIT build: each
# command as a fresh process, RUNS times, the median wall time (with the fastest and slowest run) and peak RSS. Results
# go to stdout as a Markdown table; docs/benchmarks.md records a run. Measured, never asserted.
#
#   bash bench/native-startup.sh                                  # publishes all three, 9 runs each
#   LLMCTL_NATIVE_BINARY=artifacts/native/llmctl RUNS=7 nice bash bench/native-startup.sh
#
# Wall time is taken with a nanosecond clock around /usr/bin/time (whose own %e has 10 ms steps, too coarse for the
# hello world); peak RSS is /usr/bin/time's %M. The stacks: the repository's homelab (seed 002) and the generated
# 10,005-resource stack of bench/preview.sh, with the file backend and no checkpoint (everything is a create) and an
# empty chart cache (helm is not run: the time is llmctl's own).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/generated-stack.sh
source "$root/bench/generated-stack.sh"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Linux-aarch64) rid=linux-arm64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  *) echo "error: no runtime identifier for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

native=${LLMCTL_NATIVE_BINARY:-}
if [ -z "$native" ]; then
  echo "publishing llmctl (Native AOT, $rid) ..." >&2
  dotnet publish "$root/infra" -r "$rid" -c Release -o "$work/native" >/dev/null
  native="$work/native/llmctl"
fi
native=$(cd "$(dirname "$native")" && pwd)/$(basename "$native")
echo "publishing the native hello world (bench/HelloNative) ..." >&2
dotnet publish "$root/bench/HelloNative" -r "$rid" -c Release -o "$work/hello" >/dev/null
echo "building llmctl (JIT: Release, framework-dependent) ..." >&2
dotnet publish "$root/infra" -c Release --self-contained false -o "$work/jit" >/dev/null

generate_stack "$work/g10k" 3333 "$root"
mkdir -p "$work/home" "$work/charts"
export HOME="$work/home" LLMCTL_CHART_CACHE="$work/charts" LLMCTL_BACKEND_URL="file://$work/state" NO_COLOR=1 CI=true
unset LLMCTL_STACK PULUMI_CONFIG_PASSPHRASE PULUMI_CONFIG_PASSPHRASE_FILE LLMCTL_DEBUG LLMCTL_TIMINGS

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

# measure <label> <command...>: prints "<median wall µs> <median peak RSS KiB> <fastest µs> <slowest µs>"; every run
# must exit 0.
measure() {
  local label=$1 walls=() rss=() start end
  shift
  for ((r = 0; r < runs; r++)); do
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" \
      || { echo "$label failed:" >&2; cat "$work/err" >&2; exit 1; }
    end=$(date +%s%N)
    walls+=("$(((end - start) / 1000))")
    rss+=("$(tail -1 "$work/time")")
  done
  local w m lo hi
  w=$(printf '%s\n' "${walls[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  lo=$(printf '%s\n' "${walls[@]}" | sort -n | head -1)
  hi=$(printf '%s\n' "${walls[@]}" | sort -n | tail -1)
  echo "$w $m $lo $hi"
}

# Wall in seconds (µs in), its fastest and slowest run, RSS in MiB (KiB in), and ratios to the hello world.
row() {
  local what=$1 build=$2 w=$3 m=$4 lo=$5 hi=$6
  awk -v what="$what" -v build="$build" -v w="$w" -v m="$m" -v lo="$lo" -v hi="$hi" -v hw="$hello_w" -v hm="$hello_m" 'BEGIN {
    printf "| %s | %s | %.3f s | %.3f–%.3f s | %.0f MiB | %.1f× | %.1f× |\n", what, build, w / 1e6, lo / 1e6, hi / 1e6, m / 1024, w / hw, m / hm }'
}

read -r hello_w hello_m hello_lo hello_hi < <(measure "hello" "$work/hello/HelloNative")
read -r hn_w hn_m hn_lo hn_hi < <(measure "native preview homelab" "$native" preview -s homelab -C "$root")
read -r hj_w hj_m hj_lo hj_hi < <(measure "JIT preview homelab" "$work/jit/llmctl" preview -s homelab -C "$root")
read -r gn_w gn_m gn_lo gn_hi < <(measure "native preview 10k" "$native" preview -s bench -C "$work/g10k")
read -r gj_w gj_m gj_lo gj_hi < <(measure "JIT preview 10k" "$work/jit/llmctl" preview -s bench -C "$work/g10k")
resources=$("$native" preview -s bench -C "$work/g10k" | grep -Eo '[0-9]+ to create' | grep -Eo '[0-9]+' || echo "?")

echo "| command | build | wall (median of $runs) | fastest–slowest | peak RSS (median) | wall ÷ hello | RSS ÷ hello |"
echo "|---|---|---|---|---|---|---|"
row "hello world (bench/HelloNative)" "native AOT" "$hello_w" "$hello_m" "$hello_lo" "$hello_hi"
row "preview -s homelab" "native AOT" "$hn_w" "$hn_m" "$hn_lo" "$hn_hi"
row "preview -s homelab" "JIT" "$hj_w" "$hj_m" "$hj_lo" "$hj_hi"
row "preview, generated $resources resources" "native AOT" "$gn_w" "$gn_m" "$gn_lo" "$gn_hi"
row "preview, generated $resources resources" "JIT" "$gj_w" "$gj_m" "$gj_lo" "$gj_hi"
echo
echo "Stage timings of one native run (-v 9):"
echo
echo '```'
"$native" preview -s homelab -C "$root" -v 9 2>&1 >/dev/null | grep '^timing:' || true
echo '---'
"$native" preview -s bench -C "$work/g10k" -v 9 2>&1 >/dev/null | grep '^timing:' || true
echo '```'
echo "binary: $(du -h "$native" | cut -f1) ($native)"
