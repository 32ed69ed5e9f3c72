#!/usr/bin/env bash
# The docker-compose topology from plain processes on loopback, for machines without Docker:
# redis-server, three ProxChat nodes and nginx in front, with the same nginx proxy settings, and a
# TURN server (coturn's turnserver) when it is installed, sharing a secret made here with the nodes.
#
#   deploy/local-cluster.sh start     # ws://127.0.0.1:8080 → nodes on 8081, 8082, 8083
#   deploy/local-cluster.sh stop
#
# Environment: PROXCHAT_LB_PORT (8080), PROXCHAT_NODE_PORTS ("8081 8082 8083"),
# PROXCHAT_REDIS_PORT (6390), PROXCHAT_TURN_PORT (3479, beside a system coturn's 3478),
# PROXCHAT_STATE_DIR (/tmp/proxchat-local-cluster), PROXCHAT_HOST_DLL (a built ProxChat.Host.dll;
# otherwise it is built here), and any ProxChat__* setting, passed to every node. Needs redis-server
# and nginx (apt-get install redis-server nginx-light); coturn (apt-get install coturn, whose own
# service this leaves alone) is optional: without it, the nodes hand out no TURN server.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
lb_port="${PROXCHAT_LB_PORT:-8080}"
node_ports="${PROXCHAT_NODE_PORTS:-8081 8082 8083}"
redis_port="${PROXCHAT_REDIS_PORT:-6390}"
turn_port="${PROXCHAT_TURN_PORT:-3479}"
state="${PROXCHAT_STATE_DIR:-/tmp/proxchat-local-cluster}"

stop() {
  if [ -d "$state" ]; then
    # Nodes first (SIGTERM: they drain and leave Redis), then the balancer, Redis and coturn.
    for pidfile in "$state"/node-*.pid "$state"/nginx.pid "$state"/redis.pid "$state"/turnserver.pid; do
      [ -f "$pidfile" ] || continue
      pid="$(cat "$pidfile")"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$pidfile"
    done
  fi
}

wait_for() { # url, what
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not come up ($1); logs in $state" >&2
  return 1
}

start() {
  for tool in redis-server nginx curl; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y redis-server nginx-light curl" >&2; exit 1; }
  done
  stop
  mkdir -p "$state"

  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis.log"

  dll="${PROXCHAT_HOST_DLL:-}"
  if [ -z "$dll" ]; then
    dotnet build "$root/src/Host" --configuration Release --nologo --verbosity quiet
    dll="$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll"
  fi

  # A private coturn on loopback (TURN over UDP and TCP, no TLS) that grants relays to the nodes'
  # credentials: the secret is made anew for each start, and sits in a file only this user reads
  # rather than on a command line. Its pid file and user database stay in the state directory too.
  turn_env=()
  turn="no TURN: turnserver is not installed"
  # coturn shares its port with another coturn already on it (SO_REUSEPORT), which would then
  # answer some players with another secret: a taken port means no TURN here instead.
  if command -v turnserver >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$turn_port") 2>/dev/null; then
    turn="no TURN: 127.0.0.1:$turn_port is taken (PROXCHAT_TURN_PORT)"
  elif command -v turnserver >/dev/null; then
    (umask 077 && printf 'static-auth-secret=%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '/+=')" >"$state/turnserver.conf")
    nohup turnserver -c "$state/turnserver.conf" --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 \
      --listening-port="$turn_port" --use-auth-secret --realm=proxchat --no-tls --no-dtls --no-cli \
      --allow-loopback-peers --pidfile="$state/turnserver.pid" --userdb="$state/turndb" --log-file=stdout \
      >"$state/turnserver.log" 2>&1 &
    echo $! >"$state/turnserver.pid"
    turn_env=("ProxChat__Turn__Secret=$(sed -n 's/^static-auth-secret=//p' "$state/turnserver.conf")"
      "ProxChat__Turn__Urls__0=turn:127.0.0.1:$turn_port?transport=udp"
      "ProxChat__Turn__Urls__1=turn:127.0.0.1:$turn_port?transport=tcp")
  fi

  upstreams=""
  for port in $node_ports; do
    # The GC budget and inline socket I/O the container image sets.
    env "${turn_env[@]}" ConnectionStrings__Redis="127.0.0.1:$redis_port" DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x2000000}" \
      DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS="${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}" \
      nohup dotnet "$dll" --urls "http://127.0.0.1:$port" >"$state/node-$port.log" 2>&1 &
    echo $! >"$state/node-$port.pid"
    upstreams="$upstreams        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
  done

  # The compose file's nginx.conf with the upstream list for loopback.
  cat >"$state/nginx.conf" <<CONF
worker_processes 1;
pid $state/nginx.pid;
error_log $state/nginx-error.log;
events { worker_connections 16384; }
http {
    access_log off;
    # Every temporary path nginx makes at start, so it needs no directory of a system install.
    client_body_temp_path $state/client_body;
    proxy_temp_path $state/proxy;
    fastcgi_temp_path $state/fastcgi;
    uwsgi_temp_path $state/uwsgi;
    scgi_temp_path $state/scgi;
    include $root/deploy/nginx/connection-upgrade.conf;
    upstream proxchat {
        least_conn;
$upstreams    }
    server {
        listen 127.0.0.1:$lb_port;
        include $root/deploy/nginx/proxchat-proxy.conf;
    }
}
CONF

  for port in $node_ports; do wait_for "http://127.0.0.1:$port/readyz" "node $port"; done
  nginx -c "$state/nginx.conf" -p "$state"
  wait_for "http://127.0.0.1:$lb_port/nginx-health" "nginx"
  if [ ${#turn_env[@]} -gt 0 ]; then
    for _ in $(seq 1 50); do grep -q "Total General servers" "$state/turnserver.log" && break; sleep 0.1; done
    turn="TURN on 127.0.0.1:$turn_port"
  fi
  echo "ProxChat cluster: ws://127.0.0.1:$lb_port (nodes on $node_ports, Redis on $redis_port, $turn; logs in $state)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
