#!/usr/bin/env bash
# The hostile and broken stack files of issue 7, each answered by the published llmctl (Release, ReadyToRun) as a
# fresh process: exit code, wall time and peak RSS (/usr/bin/time). Targets: exit 2 with file:line:column, under 1 s
# and 150 MiB each. Measured, never asserted; docs/benchmarks.md records a run.
#
#   bash bench/hostile.sh
#   LLMCTL_BIN=infra/bin/Release/net10.0/llmctl bash bench/hostile.sh   # an existing build, no publish
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -n "${LLMCTL_BIN:-}" ]]; then
  bin=$(realpath "$LLMCTL_BIN")
else
  echo "publishing llmctl (Release, ReadyToRun) ..." >&2
  dotnet publish "$root/infra" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$work/bin" >/dev/null
  bin="$work/bin/llmctl"
fi

# case <name>: a project folder with the repository's Pulumi.yaml, models.lock.yaml and the stack file on stdin.
case_dir() {
  local dir="$work/cases/$1"
  mkdir -p "$dir"
  cp "$root/Pulumi.yaml" "$root/models.lock.yaml" "$dir/"
  cat > "$dir/Pulumi.homelab.yaml"
}

{ printf 'config:\n  kubernetes:context: '; printf '[%.0s' $(seq 20000); printf '\n'; } | case_dir nested-brackets-20000
{
  printf 'config:\n  llm-platform:bomb:\n    a0: &a0 [x, x]\n'
  for i in $(seq 1 40); do printf '    a%d: &a%d [*a%d, *a%d]\n' "$i" "$i" $((i - 1)) $((i - 1)); done
} | case_dir alias-bomb-2^40
{
  printf 'config:\n  llm-platform:lol:\n    l0: &l0 "lol"\n'
  for i in $(seq 1 9); do
    p=$((i - 1)); printf '    l%d: &l%d [*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d,*l%d]\n' "$i" "$i" $p $p $p $p $p $p $p $p $p
  done
} | case_dir billion-laughs-9^9
{ printf 'config:\n  llm-platform:deep:\n    '; printf -- '- %.0s' $(seq 10000); printf 'x\n'; } | case_dir block-levels-10000
{ cat "$root/Pulumi.homelab.yaml"; printf '# '; head -c $((50 * 1024 * 1024)) /dev/zero | tr '\0' 'x'; printf '\n'; } | case_dir stack-file-50mb
sed '3i\  broken: [unclosed' "$root/Pulumi.homelab.yaml" | case_dir unclosed-flow-sequence
sed 's/alias: qwen36-27b-deep/alias: qwen36-27b-d\xe9ep/' "$root/Pulumi.homelab.yaml" | case_dir latin1-byte
sed 's/llm-platform:gpu:/llm_platform:gpu:/' "$root/Pulumi.homelab.yaml" | case_dir namespace-typo

echo "| file | exit | wall | CPU (user+sys) | peak RSS | first message (without its fix) |"
echo "|---|---|---|---|---|---|"
for dir in "$work"/cases/*; do
  name=$(basename "$dir")
  set +e
  ( cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$work/time" timeout 60 "$bin" preview -s homelab >/dev/null 2>"$work/err" )
  code=$?
  set -e
  read -r wall user sys rss < <(tail -1 "$work/time")
  message=$(grep -m1 '^error: ' "$work/err" | sed -e 's/^error: //' -e 's/ — .*//' -e 's/|/\\|/g')
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  printf '| %s | %s | %.2f s | %.2f s | %d MiB | `%s` |\n' "$name" "$code" "$wall" "$cpu" $((rss / 1024)) "$message"
done
