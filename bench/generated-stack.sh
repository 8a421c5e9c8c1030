# Sourced by the preview benchmarks (bench/preview.sh, bench/native-startup.sh): writes a generated stack.
#   generate_stack <dir> <lanes> <root>
# <dir> gets a copy of <root>/Pulumi.yaml and Pulumi.bench.yaml with <lanes> llama.cpp lanes (3 resources each: the
# lane, its Deployment and Service), all parked, on one GPU node: 3,333 lanes make the 10,005-resource stack. Each
# lane's model is locked in a generated models.lock.yaml (made-up sha256 and size, well formed) and prefetched (one
# Job on the node, its image pinned to a made-up digest), as the model-locks policy requires of a real stack: without
# them every preview stops at exit 5. The lock has no GGUF facts, so vram-fit reports each lane as advisory.
generate_stack() {
  local dir=$1 lanes=$2 root=$3
  mkdir -p "$dir"
  cp "$root/Pulumi.yaml" "$dir/"
  {
    echo "config:"
    echo "  llm-platform:cluster:"
    echo "    name: bench"
    echo "  llm-platform:gpuNodes:"
    echo "    - name: gpu-worker"
    echo "      hardware: rtx-pro-4000-blackwell-sff"
    echo "  llm-platform:lanes:"
    echo "    namespace: llm"
    echo "    prefetch:"
    echo "      image: docker.io/curlimages/curl:8.11.1@sha256:$(printf '%064x' 1)"
    echo "    items:"
    for ((i = 0; i < lanes; i++)); do
      echo "      - name: lane-$i"
      echo "        runtime: llamacpp"
      echo "        node: gpu-worker"
      echo "        image: ghcr.io/ggml-org/llama.cpp:server-cuda@sha256:5268283a8d6510d167364f19aee93e98180d8eb0cac4b7edb20af7e3edf40c17"
      echo "        model: model-$i.gguf"
      echo "        modelRef: model-$i"
      echo "        ctxSize: 8192"
    done
  } >"$dir/Pulumi.bench.yaml"
  {
    echo "version: 1"
    echo "models:"
    for ((i = 0; i < lanes; i++)); do
      echo "  - ref: model-$i"
      echo "    file: model-$i.gguf"
      echo "    source: https://models.example/bench/model-$i.gguf"
      printf '    sha256: %064x\n' "$((i + 1))"
      echo "    sizeBytes: 4000000000"
    done
  } >"$dir/models.lock.yaml"
}
