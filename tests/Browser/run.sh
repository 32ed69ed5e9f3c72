#!/usr/bin/env bash
# Runs the demo page's end-to-end test in Debian's Chromium against one node, then against two
# nodes sharing Redis (deploy/local-cluster.sh), then the relay-only test through the cluster's
# coturn and its negative control, a node whose TURN secret is not coturn's. Needs a built Host
# (./test.sh builds it), node, npm, chromium, redis-server, nginx, curl and coturn's turnserver;
# ./test.sh installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
dll="${PROXCHAT_HOST_DLL:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_ready() { for _ in $(seq 1 150); do curl -fs -o /dev/null "$1/readyz" && return 0; sleep 0.2; done; echo "$1 not ready" >&2; return 1; }

# One node, in memory; the test restarts it once to see the pages reconnect.
port="$(free_port)"
pidfile="$(mktemp)"
restart="$(mktemp)"
cat >"$restart" <<SCRIPT
#!/usr/bin/env bash
set -e
kill -9 "\$(cat "$pidfile")"
sleep 1
dotnet "$dll" --urls "http://127.0.0.1:$port" >>"${TMPDIR:-/tmp}/proxchat-browser-node.log" 2>&1 &
echo \$! >"$pidfile"
for _ in \$(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && exit 0; sleep 0.2; done
exit 1
SCRIPT
chmod +x "$restart"
dotnet "$dll" --urls "http://127.0.0.1:$port" >"${TMPDIR:-/tmp}/proxchat-browser-node.log" 2>&1 &
echo $! >"$pidfile"
disown
trap 'kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile" "$restart"' EXIT
wait_ready "http://127.0.0.1:$port"
PROXCHAT_RESTART_NODE="$restart" node demo.e2e.mjs "http://127.0.0.1:$port/" "ws://127.0.0.1:$port/" "ws://127.0.0.1:$port/" one-node
kill "$(cat "$pidfile")" 2>/dev/null || true

# Two nodes on one Redis: each page talks to its own node.
state="$(mktemp -d)"
node1="$(free_port)"; node2="$(free_port)"
export PROXCHAT_STATE_DIR="$state" PROXCHAT_HOST_DLL="$dll" PROXCHAT_NODE_PORTS="$node1 $node2" \
  PROXCHAT_LB_PORT="$(free_port)" PROXCHAT_REDIS_PORT="$(free_port)" PROXCHAT_TURN_PORT="$(free_port)"
# Short-lived TURN credentials, so that the relay test sees the nodes renew them mid-call.
export ProxChat__Turn__TtlSeconds=20
trap 'kill "$(cat "$state/wrong-secret-node.pid" 2>/dev/null)" 2>/dev/null || true; "$root/deploy/local-cluster.sh" stop; rm -rf "$state"' EXIT
"$root/deploy/local-cluster.sh" start >/dev/null
node demo.e2e.mjs "http://127.0.0.1:$node1/" "ws://127.0.0.1:$node1/" "ws://127.0.0.1:$node2/" two-nodes

# NAT traversal, relay only: the pages take TURN credentials from their nodes (one each), and
# local-cluster.sh's coturn shares the nodes' secret. It needs a node that hands out ICE servers;
# one that answers GET /ice-servers with 404 predates them, and the test is reported as not run.
ice_status="$(curl -s -o "$state/ice-servers.json" -w '%{http_code}' "http://127.0.0.1:$node1/ice-servers?client_id=probe" || true)"
if [ "$ice_status" = 404 ]; then
  echo "browser (relay): NOT RUN: this node does not serve /ice-servers (404), so there are no TURN credentials to test"
  exit 0
fi
if [ "$ice_status" != 200 ]; then
  echo "browser (relay): GET /ice-servers answered $ice_status: $(cat "$state/ice-servers.json")" >&2
  exit 1
fi
command -v turnserver >/dev/null || { echo "browser (relay): turnserver is missing (./test.sh installs it)" >&2; exit 1; }
PROXCHAT_TURN_TTL_SECONDS="$ProxChat__Turn__TtlSeconds" node relay.e2e.mjs "http://127.0.0.1:$node1/" "ws://127.0.0.1:$node1/" "ws://127.0.0.1:$node2/" relay

# The negative control: a node with the same coturn but another secret.
wrong="$(free_port)"
ProxChat__Turn__Secret="not-coturns-$RANDOM$RANDOM" ProxChat__Turn__Urls__0="turn:127.0.0.1:$PROXCHAT_TURN_PORT?transport=udp" \
  dotnet "$dll" --urls "http://127.0.0.1:$wrong" >"$state/wrong-secret-node.log" 2>&1 &
echo $! >"$state/wrong-secret-node.pid"
wait_ready "http://127.0.0.1:$wrong"
node relay.e2e.mjs "http://127.0.0.1:$wrong/" "ws://127.0.0.1:$wrong/" "ws://127.0.0.1:$wrong/" refused
