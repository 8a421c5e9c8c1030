#!/usr/bin/env bash
# Fuzzes the GGUF reader with mutants of the real upstream files in ../shared/upstream/gguf (byte flips, truncations,
# corrupted length/count/type fields, insertions, deletions): every read must give a file or a clear GgufFormatException
# — no other exception, no hang, bounded allocation. The test suite runs 150 mutants; this runs 10,000 or more.
# Prints a Markdown table; docs/gguf-fuzz.md records a run. Exit 1 if any mutant failed.
#
#   bash bench/gguf-fuzz.sh              # 10,000 mutants, seed 20261201
#   bash bench/gguf-fuzz.sh 50000 7      # iterations, seed
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet run -c Release --project "$root/bench/Llmctl.Bench" -- gguf-fuzz "${1:-10000}" "${2:-20261201}"
