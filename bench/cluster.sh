# Sourced by the cluster benchmarks: builds the Release server and load client, and starts a
# private redis-server and nodes on loopback, all stopped when the script exits. Set root,
# redis_port and state (a scratch directory) before sourcing. PROXCHAT_BENCH_HOST names another
# build's ProxChat.Host.dll to run instead, to compare two builds on the same day.

# The GC budget the container image sets (docs/configuration.md, Runtime settings), for nodes and load client alike.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}"

cleanup() {
  for pid_file in "$state"/*.pid; do
    [ -e "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$state"
}
trap cleanup EXIT

for tool in redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || {
    echo "The cluster benchmarks need $tool: apt-get install redis-server redis-tools curl (./test.sh installs them)." >&2
    exit 1
  }
done

dotnet build "$root/src/Host" --configuration Release --nologo --verbosity quiet
dotnet build "$root/bench/Load" --configuration Release --nologo --verbosity quiet
host="${PROXCHAT_BENCH_HOST:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
load="$root/bench/Load/bin/Release/net10.0/ProxChat.Load.dll"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$state/redis.pid" --logfile "$state/redis.log"

# start_nodes "PORT..." [NAME=VALUE...]: a node on each port, with these settings on top; returns
# once every one is ready. Each node's pid is in $state/node-PORT.pid, its output in .log. Nodes
# run with the container image's inline socket I/O (docs/configuration.md, Runtime settings), the load client without.
start_nodes() {
  local ports="$1"
  shift
  for port in $ports; do
    env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}" "$@" \
      ConnectionStrings__Redis="127.0.0.1:$redis_port" Logging__LogLevel__Default=Warning \
      dotnet "$host" --urls "http://127.0.0.1:$port" >"$state/node-$port.log" 2>&1 &
    echo $! >"$state/node-$port.pid"
  done
  for port in $ports; do
    local deadline=$((SECONDS + 30))
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
      [ $SECONDS -lt $deadline ] || { echo "node on $port not ready; see $state/node-$port.log" >&2; exit 1; }
      sleep 0.2
    done
  done
}
