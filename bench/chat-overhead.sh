#!/usr/bin/env bash
# The overhead of `llmctl bench`'s client: requests per second it drives against the in-test streaming server
# (tests/Llmctl.Testing/FakeChatServer.cs, every token at once, no delays) at several concurrency levels, in one
# process on this machine. Results go to stdout as a Markdown table; docs/benchmarks.md records a run. Not a test:
# timings are measured, never asserted.
#
#   bash bench/chat-overhead.sh                    # 2000 requests per level, concurrency 1,4,16, 16 tokens each
#   REQUESTS=5000 LEVELS=1,8,32 TOKENS=64 CONFIG=Release bash bench/chat-overhead.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dotnet run -c "${CONFIG:-Release}" --project "$root/bench/Llmctl.Bench" -- chat-overhead "${REQUESTS:-2000}" "${LEVELS:-1,4,16}" "${TOKENS:-16}"
