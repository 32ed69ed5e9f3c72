#!/usr/bin/env bash
# The JavaScript client's tests: unit tests (mesh on fake peer connections, signaling against a
# scripted server), integration tests against real nodes started from the built Host, the npm
# package's contents, and tsc over the type declarations. Needs node 18+, npm and the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
{ [ -d node_modules/typescript ] && [ -d node_modules/ws ]; } || npm ci --no-audit --no-fund --silent
export PROXCHAT_HOST_DLL="${PROXCHAT_HOST_DLL:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
[ -f "$PROXCHAT_HOST_DLL" ] || dotnet build "$root/src/Host" --configuration Release --nologo --verbosity quiet
node --test test/*.test.js
