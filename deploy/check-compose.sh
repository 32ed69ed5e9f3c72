#!/usr/bin/env bash
# Checks docker-compose.yml and what it mounts, without a Docker engine:
#  - yamllint, and `docker compose config` (or docker-compose 1.x, which validates offline) where
#    either is installed: a printed skip otherwise;
#  - every service restarts unless stopped, nginx waits for ready nodes, each mounted file exists,
#    Prometheus scrapes the port the nodes serve /metrics on, and its config and rules pass promtool;
#  - the compose nginx.conf passes `nginx -t` (with the compose host names made local);
#  - the nodes' health check, the server's own `healthcheck <url>/readyz`, passes on a ready node
#    and fails once its Redis is gone, which is what holds nginx back from unready nodes.
# Needs yamllint, python3 with PyYAML, promtool, nginx, redis-server, curl, node and a built Host
# (PROXCHAT_HOST_DLL, or it is built here); ./test.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

for tool in yamllint python3 promtool nginx redis-server curl node; do
  command -v "$tool" >/dev/null || { echo "check-compose: $tool is missing (./test.sh installs it)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

yamllint -d '{extends: relaxed, rules: {line-length: {max: 160}, indentation: {indent-sequences: whatever}}}' \
  docker-compose.yml deploy/observability/prometheus.yml deploy/observability/grafana

if docker compose version >/dev/null 2>&1; then
  docker compose config --quiet
  echo "compose: docker compose config passed"
elif command -v docker-compose >/dev/null; then
  docker-compose config --quiet
  echo "compose: docker-compose $(docker-compose version --short) config passed"
else
  echo "compose: 'docker compose config' skipped: neither docker compose nor docker-compose is installed here"
fi

python3 - <<'PY'
import os, sys
import yaml

compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
problems = []
for name, service in services.items():
    if service.get("restart") != "unless-stopped":
        problems.append(f"{name}: no restart policy")
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith(".") and not os.path.exists(source):
            problems.append(f"{name}: mounts {source}, which does not exist")

node = services["proxchat"]
if "/readyz" not in " ".join(node["healthcheck"]["test"]):
    problems.append("proxchat: its health check must be its readiness, /readyz")
if services["nginx"]["depends_on"].get("proxchat", {}).get("condition") != "service_healthy":
    problems.append("nginx must wait for healthy (ready) proxchat nodes")
metrics_port = int(node["environment"]["ProxChat__Metrics__Port"])
if f"{metrics_port}" not in node["environment"]["ASPNETCORE_HTTP_PORTS"].split(";") or "8080" not in node["environment"]["ASPNETCORE_HTTP_PORTS"].split(";"):
    problems.append("proxchat must listen on 8080 and on its metrics port")

prometheus = yaml.safe_load(open("deploy/observability/prometheus.yml"))
targets = [(sd["names"], sd["port"]) for job in prometheus["scrape_configs"] for sd in job.get("dns_sd_configs", [])]
if (["proxchat"], metrics_port) not in targets:
    problems.append(f"Prometheus must scrape every proxchat replica on {metrics_port}: {targets}")

if problems:
    sys.exit("docker-compose.yml:\n  " + "\n  ".join(problems))
PY
promtool check config deploy/observability/prometheus.yml >/dev/null

# The compose nginx.conf with its paths and host made local; `resolve` needs nginx 1.27.3, which
# Debian 12 does not have, so it is dropped for an older nginx.
mkdir -p "$work/nginx"
sed -e "s#/etc/nginx/conf.d/#$root/deploy/nginx/#g" -e "s#server proxchat:8080#server 127.0.0.1:8080#" \
  -e "s#^\(\s*\)worker_processes auto;#\1worker_processes auto; pid $work/nginx/nginx.pid;#" \
  deploy/nginx/nginx.conf >"$work/nginx/nginx.conf"
nginx_version="$(nginx -v 2>&1 | sed -n 's#.*nginx/\([0-9.]*\).*#\1#p')"
if [ "$(printf '%s\n' "$nginx_version" 1.27.3 | sort -V | head -n1)" != 1.27.3 ]; then
  sed -i 's# resolve max_fails# max_fails#' "$work/nginx/nginx.conf"
  echo "compose: nginx $nginx_version predates 'resolve': nginx.conf tested without it"
fi
nginx -t -q -e stderr -p "$work/nginx" -c "$work/nginx/nginx.conf"

# The health check that gates nginx, on a real node: healthy while ready, not once Redis is gone.
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
dll="${PROXCHAT_HOST_DLL:-$root/src/Host/bin/Release/net10.0/ProxChat.Host.dll}"
if [ ! -f "$dll" ]; then
  dotnet build src/Host --configuration Release --nologo --verbosity quiet
fi
redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
port="$(free_port)"
ConnectionStrings__Redis="127.0.0.1:$redis_port" dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/node.log" 2>&1 &
pids+=($!)
# The compose health check's own command, on this node's port.
probe() { dotnet "$dll" healthcheck "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; }
wait_for() { # what, command...
  local what="$1"; shift
  for _ in $(seq 1 150); do "$@" && return 0; sleep 0.2; done
  echo "check-compose: $what did not happen within 30 s; node log:" >&2
  cat "$work/node.log" >&2
  exit 1
}
wait_for "the node passing its compose health check" probe
kill "$redis_pid"
wait_for "the node failing its compose health check without Redis" eval '! probe'
echo "compose: restart policies, readiness-gated nginx, metrics scraping, nginx.conf and the nodes' health check checked"
