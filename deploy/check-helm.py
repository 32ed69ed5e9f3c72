"""Renders the Helm chart over its values files and several --set combinations and checks what comes
out; then starts a real node with the settings the chart renders and checks it acts on them.
Run by deploy/check-helm.sh, which finds helm: python3 deploy/check-helm.py <helm> [<ProxChat.Host.dll>]."""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

HELM = sys.argv[1]
HOST_DLL = sys.argv[2] if len(sys.argv) > 2 else None
CHART = "helm/proxchat"
failures = []


def helm(*args, release="proxchat", check=True):
    result = subprocess.run([HELM, "template", release, CHART, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"helm template {' '.join(args)} failed:\n{result.stderr}")
    return result


def render(*args, release="proxchat"):
    """The rendered objects, by (kind, name)."""
    objects = {}
    for document in yaml.safe_load_all(helm(*args, release=release).stdout):
        if document:
            objects[(document["kind"], document["metadata"]["name"])] = document
    return objects


def expect(condition, what):
    if not condition:
        failures.append(what)


def refused(args, message):
    """helm template refuses these values, saying message; so does helm lint where the schema does
    (lint only logs a template's own fail)."""
    template = helm(*args, check=False)
    errors = "\n".join(line for line in template.stderr.splitlines() if not line.startswith("level=INFO"))
    expect(template.returncode != 0 and message in errors, f"{' '.join(args)}: expected a refusal saying '{message}', got: {errors.strip()}")
    if "schema" in errors:
        lint = subprocess.run([HELM, "lint", "--strict", CHART, *args], capture_output=True, text=True)
        expect(lint.returncode != 0, f"{' '.join(args)}: helm lint passed")


def one(objects, kind):
    found = [o for (k, _), o in objects.items() if k == kind]
    if len(found) != 1:
        sys.exit(f"expected one {kind}, found {len(found)}")
    return found[0]


def server(objects):
    """The server's Deployment (the chart may also run coturn)."""
    servers = [o for (k, _), o in objects.items() if k == "Deployment" and o["metadata"]["labels"]["app.kubernetes.io/component"] == "server"]
    if len(servers) != 1:
        sys.exit(f"expected one server Deployment, found {len(servers)}")
    return servers[0]


def pod(objects):
    return server(objects)["spec"]["template"]


def container(objects):
    return pod(objects)["spec"]["containers"][0]


def settings(objects):
    """The server's settings: the ConfigMap the pods take their environment from."""
    return objects[("ConfigMap", container(objects)["envFrom"][0]["configMapRef"]["name"])]["data"]


def env(objects, name):
    return next((e for e in container(objects)["env"] if e["name"] == name), None)


# Lint over each values file.
for values in ("values.yaml", "values-production.yaml"):
    lint = subprocess.run([HELM, "lint", "--strict", CHART, "-f", f"{CHART}/{values}"], capture_output=True, text=True)
    expect(lint.returncode == 0, f"helm lint {values}:\n{lint.stdout}{lint.stderr}")

default = render()

# Metrics: the annotation, the container port and the server's settings follow metricsPort.
annotations = pod(default)["metadata"]["annotations"]
expect(annotations["prometheus.io/port"] == "9090" and settings(default)["ProxChat__Metrics__Port"] == "9090",
       "default: metrics on 9090")
moved = render("--set", "metricsPort=9400")
expect(pod(moved)["metadata"]["annotations"]["prometheus.io/port"] == "9400", "metricsPort=9400: annotation")
expect({"name": "metrics", "containerPort": 9400} in container(moved)["ports"], "metricsPort=9400: container port")
expect(settings(moved)["ASPNETCORE_HTTP_PORTS"] == "8080;9400" and settings(moved)["ProxChat__Metrics__Port"] == "9400",
       "metricsPort=9400: the server listens and serves /metrics there")
shared = render("--set", "metricsPort=0")
expect(pod(shared)["metadata"]["annotations"]["prometheus.io/port"] == "8080", "metricsPort=0: annotation on 8080")
expect("ProxChat__Metrics__Port" not in settings(shared) and settings(shared)["ASPNETCORE_HTTP_PORTS"] == "8080",
       "metricsPort=0: /metrics on the client port")
expect(len(container(shared)["ports"]) == 1, "metricsPort=0: no metrics port")
expect("prometheus.io/scrape" not in (pod(render("--set", "prometheusAnnotations=false"))["metadata"]["annotations"]),
       "prometheusAnnotations=false: no scrape annotations")

# config: every value a setting of its own, nested sections and lists included, numbers as numbers.
expect(settings(default)["ProxChat__SignalR__Enabled"] == "true", "default: hub on")
expect(settings(default)["ProxChat__MaxConnectionsPerIp"] == "50", "default: MaxConnectionsPerIp 50")
expect(not any("map[" in value for value in settings(default).values()), "default: no Go map rendered as a value")
hubless = render("--set", "config.SignalR.Enabled=false", "--set", "ingress.enabled=true")
expect(settings(hubless)["ProxChat__SignalR__Enabled"] == "false", "config.SignalR.Enabled=false renders ProxChat__SignalR__Enabled=false")
expect([k for k, _ in hubless if k == "Ingress"] == ["Ingress"], "hub off: no Ingress for /hub")
origins = render("--set", "config.AllowedOrigins={https://a.example,https://b.example}", "--set", "config.RelayPolicy=Any")
expect(settings(origins).get("ProxChat__AllowedOrigins__0") == "https://a.example"
       and settings(origins).get("ProxChat__AllowedOrigins__1") == "https://b.example"
       and "ProxChat__AllowedOrigins__2" not in settings(origins), "lists render as __0, __1")
expect(settings(origins)["ProxChat__RelayPolicy"] == "Any", "config.RelayPolicy=Any")
with tempfile.NamedTemporaryFile("w", suffix=".yaml") as big:
    big.write("config:\n  SendQueueByteLimit: 4194304\n  Auth:\n    Audience: voice\n")
    big.flush()
    from_file = settings(render("-f", big.name))
    expect(from_file["ProxChat__SendQueueByteLimit"] == "4194304", f"a large number from a values file: {from_file['ProxChat__SendQueueByteLimit']}")
    expect(from_file["ProxChat__Auth__Audience"] == "voice", "config.Auth.Audience")
expect(settings(render("--set", "config.SendQueueByteLimit=4194304"))["ProxChat__SendQueueByteLimit"] == "4194304",
       "a large number from --set")
expect("ProxChat__IntroductionRange" not in settings(render("--set", "config.IntroductionRange=null")),
       "null leaves the server's default")

# checksum/config changes with the settings and only with them.
checksum = annotations["checksum/config"]
expect(pod(render())["metadata"]["annotations"]["checksum/config"] == checksum, "checksum/config is stable")
expect(pod(render("--set", "config.IntroductionRange=10"))["metadata"]["annotations"]["checksum/config"] != checksum,
       "checksum/config follows config")
expect(pod(render("--set", "redis.bundled.enabled=false", "--set", "redis.url=a:6379"))["metadata"]["annotations"]["checksum/redis"]
       != pod(render("--set", "redis.bundled.enabled=false", "--set", "redis.url=b:6379"))["metadata"]["annotations"]["checksum/redis"],
       "checksum/redis follows redis.url")

# The schema covers every value.
refused(["--set", "replicaCount=notanumber"], "replicaCount")
refused(["--set", "config.IntroductonRange=5"], "IntroductonRange")
refused(["--set", "config.RelayPolicy=Sometimes"], "RelayPolicy")
refused(["--set", "config.MaxMessageBytes=10"], "MaxMessageBytes")
refused(["--set", "config.Auth.SigningKey=plain-text-key"], "SigningKey")
refused(["--set", "metricsPort=8080"], "metricsPort")
refused(["--set", "servce.port=80"], "servce")

# Security contexts: hardened by default, each overridable.
expect(pod(default)["spec"]["securityContext"]["runAsNonRoot"] is True
       and container(default)["securityContext"]["readOnlyRootFilesystem"] is True, "hardened by default")
custom = render("--set", "podSecurityContext.runAsUser=2000", "--set", "securityContext.readOnlyRootFilesystem=false")
expect(pod(custom)["spec"]["securityContext"]["runAsUser"] == 2000, "podSecurityContext overridable")
expect(container(custom)["securityContext"]["readOnlyRootFilesystem"] is False, "securityContext overridable")

# Service account, names, labels, extra environment.
expect(("ServiceAccount", "proxchat") in default and pod(default)["spec"]["serviceAccountName"] == "proxchat"
       and default[("ServiceAccount", "proxchat")]["automountServiceAccountToken"] is False, "a service account of its own")
existing = render("--set", "serviceAccount.create=false", "--set", "serviceAccount.name=game-servers")
expect(not any(k == "ServiceAccount" for k, _ in existing) and pod(existing)["spec"]["serviceAccountName"] == "game-servers",
       "an existing service account")
expect(("Deployment", "voice") in render("--set", "fullnameOverride=voice"), "fullnameOverride")
renamed = render("--set", "nameOverride=signaling", release="game")
expect(("Deployment", "game-signaling") in renamed
       and pod(renamed)["metadata"]["labels"]["app.kubernetes.io/name"] == "signaling", "nameOverride")
extras = render("--set", "podLabels.team=voice", "--set", "podAnnotations.note=x",
                "--set", "extraEnv[0].name=Logging__Console__FormatterName", "--set", "extraEnv[0].value=json",
                "--set", "extraEnvFrom[0].secretRef.name=proxchat-extra")
expect(pod(extras)["metadata"]["labels"]["team"] == "voice" and pod(extras)["metadata"]["annotations"]["note"] == "x", "podLabels, podAnnotations")
expect(env(extras, "Logging__Console__FormatterName") == {"name": "Logging__Console__FormatterName", "value": "json"}, "extraEnv")
expect({"secretRef": {"name": "proxchat-extra"}} in container(extras)["envFrom"], "extraEnvFrom")

# Redis: the dev-only bundled one has a generated password; an external one comes from a Secret.
bundled_secret = default[("Secret", "proxchat-redis")]["stringData"]
expect(len(bundled_secret["password"]) == 32 and f"password={bundled_secret['password']}" in bundled_secret["connection-string"],
       "the bundled Redis has a password, and the nodes use it")
expect("--requirepass" in default[("StatefulSet", "proxchat-redis")]["spec"]["template"]["spec"]["containers"][0]["args"],
       "the bundled Redis requires its password")
by_url = render("--set", "redis.bundled.enabled=false", "--set", "redis.url=redis.internal:6379\\,password=p")
expect(by_url[("Secret", "proxchat-redis")]["stringData"] == {"connection-string": "redis.internal:6379,password=p"}
       and not any(k == "StatefulSet" for k, _ in by_url), "redis.url: a Secret of its own, no bundled Redis")
by_secret = render("--set", "redis.bundled.enabled=false", "--set", "redis.existingSecret=shared-redis", "--set", "redis.existingSecretKey=url")
expect(not any(k in ("Secret", "StatefulSet") for k, _ in by_secret)
       and env(by_secret, "ConnectionStrings__Redis")["valueFrom"]["secretKeyRef"] == {"name": "shared-redis", "key": "url"},
       "redis.existingSecret")
refused(["--set", "redis.bundled.enabled=false"], "need a shared Redis")
refused(["--set", "redis.url=a:6379"], "turn the dev-only bundled one off")
refused(["--set", "redis.bundled.enabled=false", "--set", "redis.url=a:6379", "--set", "redis.existingSecret=s"], "not both")

# The JWT key only ever from a Secret.
expect(env(default, "ProxChat__Auth__SigningKey") is None, "no signing key by default")
keyed = render("--set", "auth.existingSecret=proxchat-jwt")
expect(env(keyed, "ProxChat__Auth__SigningKey")["valueFrom"]["secretKeyRef"] == {"name": "proxchat-jwt", "key": "signing-key"},
       "auth.existingSecret")

# TURN: off by default; the shared secret only ever from a Secret, for the nodes and coturn alike.
expect(env(default, "ProxChat__Turn__Secret") is None and not any(k.startswith("ProxChat__Turn__") for k in settings(default))
       and ("Deployment", "proxchat-turn") not in default, "no TURN by default")
TURN = ["--set", "turn.existingSecret=proxchat-turn", "--set", "turn.host=turn.example.com"]
turned = render("--set", "turn.enabled=true", *TURN)
coturn = turned[("Deployment", "proxchat-turn")]["spec"]["template"]
coturn_args = coturn["spec"]["containers"][0]["args"]
secret_ref = {"name": "proxchat-turn", "key": "secret"}
expect(env(turned, "ProxChat__Turn__Secret")["valueFrom"]["secretKeyRef"] == secret_ref
       and coturn["spec"]["containers"][0]["env"] == [{"name": "TURN_SECRET", "valueFrom": {"secretKeyRef": secret_ref}}],
       "turn.enabled: the nodes and coturn take the secret from turn.existingSecret")
expect(settings(turned).get("ProxChat__Turn__Urls__0") == "turn:turn.example.com:3478?transport=udp"
       and settings(turned).get("ProxChat__Turn__Urls__1") == "turn:turn.example.com:3478?transport=tcp"
       and "ProxChat__Turn__Urls__2" not in settings(turned), "turn.enabled: the nodes hand out coturn over UDP and TCP")
expect({"--use-auth-secret", "--realm=proxchat", "--listening-port=3478", "--min-port=49160", "--max-port=49259",
        "--denied-peer-ip=10.0.0.0-10.255.255.255"} <= set(coturn_args)
       and not any("static-auth-secret" in a for a in coturn_args), "coturn: use-auth-secret, realm, relay range, no private peers, no secret in args")
expect(coturn["spec"].get("hostNetwork") is True and not any(k == "Service" and "turn" in n for k, n in turned),
       "turn.exposure=hostNetwork: the node's ports, no Service")
expect(pod(turned)["metadata"]["annotations"]["checksum/turn-secret"] != pod(default)["metadata"]["annotations"]["checksum/turn-secret"],
       "checksum/turn-secret follows turn.existingSecret")
balanced = render("--set", "turn.enabled=true", *TURN, "--set", "turn.exposure=LoadBalancer", "--set", "turn.externalIp=203.0.113.7",
                  "--set", "turn.minPort=50000", "--set", "turn.maxPort=50009")
turn_service = balanced[("Service", "proxchat-turn")]
expect(turn_service["spec"]["type"] == "LoadBalancer"
       and sorted((p["port"], p["protocol"]) for p in turn_service["spec"]["ports"])
       == sorted([(3478, "UDP"), (3478, "TCP")] + [(p, "UDP") for p in range(50000, 50010)]),
       "turn.exposure=LoadBalancer: a Service with the listening port and every relay port")
expect("hostNetwork" not in balanced[("Deployment", "proxchat-turn")]["spec"]["template"]["spec"]
       and "--external-ip=203.0.113.7" in balanced[("Deployment", "proxchat-turn")]["spec"]["template"]["spec"]["containers"][0]["args"],
       "turn.exposure=LoadBalancer: no host network, announces the load balancer's address")
managed = render("--set", "externalTurn.urls={turns:turn.example.net:5349?transport=tcp}", "--set", "turn.existingSecret=proxchat-turn")
expect(settings(managed).get("ProxChat__Turn__Urls__0") == "turns:turn.example.net:5349?transport=tcp"
       and env(managed, "ProxChat__Turn__Secret")["valueFrom"]["secretKeyRef"] == secret_ref
       and ("Deployment", "proxchat-turn") not in managed, "externalTurn: its URLs and the secret, no coturn")
refused(["--set", "turn.enabled=true", "--set", "turn.host=turn.example.com"], "turn.existingSecret")
refused(["--set", "externalTurn.urls={turn:turn.example.net:3478}"], "turn.existingSecret")
refused(["--set", "turn.enabled=true", "--set", "turn.existingSecret=s"], "turn.host")
refused(["--set", "turn.enabled=true", *TURN, "--set", "externalTurn.urls={turn:turn.example.net:3478}"], "not both")
refused(["--set", "turn.enabled=true", *TURN, "--set", "turn.exposure=LoadBalancer"], "turn.externalIp")
refused(["--set", "turn.enabled=true", *TURN, "--set", "turn.exposure=LoadBalancer", "--set", "turn.externalIp=203.0.113.7",
         "--set", "turn.replicas=2"], "turn.replicas=1")
refused(["--set", "turn.secret=plain-text-secret"], "secret")
refused(["--set", "config.Turn.Secret=plain-text-secret"], "Turn")
refused(["--set", "externalTurn.urls={https://turn.example.net}"], "externalTurn")
refused(["--set", "turn.exposure=NodePort"], "exposure")
refused(["--set", "config.Turn.Urls={turn:elsewhere.example:3478}", "--set", "turn.enabled=true", *TURN], "Turn")

# Ingress: / for raw WebSockets, /hub with sticky sessions.
routed = render("--set", "ingress.enabled=true")
main, hub = routed[("Ingress", "proxchat")], routed[("Ingress", "proxchat-hub")]
expect(main["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/"
       and "nginx.ingress.kubernetes.io/affinity" not in main["metadata"]["annotations"], "the / Ingress is not sticky")
expect(hub["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/hub"
       and hub["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
       and hub["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600", "the /hub Ingress is sticky")

# Prometheus Operator and Grafana objects: off by default, the repository's rules and dashboard when on.
expect(not any(k in ("PodMonitor", "PrometheusRule") for k, _ in default) and ("ConfigMap", "proxchat-dashboard") not in default,
       "no monitoring objects by default")
monitored = render("--set", "podMonitor.enabled=true", "--set", "podMonitor.labels.release=monitoring",
                   "--set", "prometheusRule.enabled=true", "--set", "grafanaDashboard.enabled=true")
monitor = one(monitored, "PodMonitor")
expect(monitor["metadata"]["labels"]["release"] == "monitoring" and monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics",
       "PodMonitor on the metrics port")
expect(one(render("--set", "podMonitor.enabled=true", "--set", "metricsPort=0"), "PodMonitor")["spec"]["podMetricsEndpoints"][0]["port"] == "http",
       "PodMonitor on the client port when metricsPort is 0")
with open("deploy/observability/alerts.yml") as rules:
    expect(one(monitored, "PrometheusRule")["spec"] == yaml.safe_load(rules), "PrometheusRule: the alert rules")
dashboard = monitored[("ConfigMap", "proxchat-dashboard")]
with open("deploy/observability/proxchat-dashboard.json") as board:
    expect(dashboard["metadata"]["labels"]["grafana_dashboard"] == "1" and json.loads(dashboard["data"]["proxchat.json"]) == json.load(board),
           "dashboard ConfigMap: the dashboard, labelled for the sidecar")

# Production values: external Redis and JWT key from Secrets, nothing bundled, origins pinned.
production = render("-f", f"{CHART}/values-production.yaml")
expect(not any(k in ("Secret", "StatefulSet") for k, _ in production), "production: no Secret or Redis of the chart's")
expect(env(production, "ProxChat__Auth__SigningKey")["valueFrom"]["secretKeyRef"]["name"] == "proxchat-jwt", "production: JWT key from a Secret")
expect(settings(production)["ProxChat__AllowedOrigins__0"] == "https://play.example.com", "production: AllowedOrigins")
expect(env(production, "ProxChat__Turn__Secret")["valueFrom"]["secretKeyRef"] == {"name": "proxchat-turn", "key": "secret"}
       and settings(production)["ProxChat__Turn__Urls__0"] == "turn:turn.example.com:3478?transport=udp"
       and production[("Deployment", "proxchat-turn")]["spec"]["template"]["spec"]["hostNetwork"] is True,
       "production: coturn on the nodes' network, its secret from a Secret")
expect(any(k == "HorizontalPodAutoscaler" for k, _ in production) and "replicas" not in server(production)["spec"],
       "production: the autoscaler owns the replica count")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(method, url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get_json(url):
    """The status of a GET, and its JSON body when it is 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def run_node(objects, secrets=None):
    """A node started with the ConfigMap's settings and the given Secret-backed variables (its
    listening ports moved to free ones): the status of /hub/negotiate, of /metrics on the metrics
    port, and of /ice-servers with its body."""
    port, metrics_port = free_port(), free_port()
    node_env = {**os.environ, **settings(objects), **(secrets or {}), "ProxChat__Metrics__Port": str(metrics_port)}
    node_env.pop("ASPNETCORE_HTTP_PORTS")
    with tempfile.TemporaryFile() as log:
        node = subprocess.Popen(["dotnet", HOST_DLL, "--urls", f"http://127.0.0.1:{port};http://127.0.0.1:{metrics_port}"],
                                env=node_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if status("GET", f"http://127.0.0.1:{port}/readyz") == 200:
                        break
                except OSError:
                    pass
                if node.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.exit(f"a node with the chart's settings did not become ready:\n{log.read().decode()}")
                time.sleep(0.2)
            return (status("POST", f"http://127.0.0.1:{port}/hub/negotiate?negotiateVersion=1"),
                    status("GET", f"http://127.0.0.1:{metrics_port}/metrics"),
                    get_json(f"http://127.0.0.1:{port}/ice-servers?client_id=helm"))
        finally:
            node.terminate()
            node.wait(timeout=30)


@contextlib.contextmanager
def run_coturn(objects, secret):
    """The chart's coturn container (its command, args and TURN_SECRET) run with the local
    turnserver: on a free port on loopback, its files in a temporary directory, loopback peers
    allowed for turnutils_uclient. Yields the port."""
    spec = objects[("Deployment", "proxchat-turn")]["spec"]["template"]["spec"]["containers"][0]
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        command = [part.replace("/tmp/", f"{work}/") for part in spec["command"]]
        arguments = [f"--listening-port={port}" if a.startswith("--listening-port=") else a for a in spec["args"]]
        arguments += ["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--allow-loopback-peers",
                      f"--pidfile={work}/turnserver.pid", f"--userdb={work}/turndb"]
        with open(f"{work}/coturn.log", "w+") as log:
            coturn = subprocess.Popen(command + arguments, env={**os.environ, "TURN_SECRET": secret}, stdout=log, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 10
                while "Total General servers" not in open(f"{work}/coturn.log").read():
                    if coturn.poll() is not None or time.monotonic() > deadline:
                        sys.exit(f"the chart's coturn did not start:\n{open(f'{work}/coturn.log').read()}")
                    time.sleep(0.1)
                yield port
            finally:
                coturn.terminate()
                coturn.wait(timeout=10)


def allocates(port, username, credential):
    """Whether coturn on port grants a relay to these credentials."""
    client = subprocess.run(["turnutils_uclient", "-y", "-n", "1", "-m", "1", "-l", "100", "-p", str(port), "-u", username, "-w", credential, "127.0.0.1"],
                            capture_output=True, text=True, timeout=60)
    return "Total lost packets 0" in client.stdout + client.stderr


def credential(secret, username):
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


# The chart's coturn, as its pod would run it: relays for credentials made with the Secret's secret only.
TURN_SECRET = "check-helm-only"
with run_coturn(turned, TURN_SECRET) as turn_port:
    username = f"{int(time.time()) + 600}:check-helm"
    expect(allocates(turn_port, username, credential(TURN_SECRET, username)), "the chart's coturn relays for credentials made with its secret")
    expect(not allocates(turn_port, username, credential("another-secret", username)), "the chart's coturn refuses credentials made with another secret")
    if HOST_DLL:
        # A node with the chart's TURN settings and the same Secret: coturn's URLs, credentials coturn accepts.
        ice_status, ice = run_node(turned, {"ProxChat__Turn__Secret": TURN_SECRET})[2]
        if ice_status == 404:
            print("helm: NOT RUN: whether a node hands out the chart's TURN URLs and credentials (this node does not serve /ice-servers)")
        else:
            turn_entry = next((server for server in (ice or {}).get("ice_servers", []) if server.get("credential")), {})
            expect(ice_status == 200 and turn_entry.get("urls") == ["turn:turn.example.com:3478?transport=udp", "turn:turn.example.com:3478?transport=tcp"],
                   f"a node with the chart's turn settings hands out coturn's URLs: {ice_status} {ice}")
            expect(bool(turn_entry) and allocates(turn_port, turn_entry["username"], turn_entry["credential"]),
                   "the chart's coturn accepts the credentials a node with the chart's settings hands out")

if HOST_DLL:
    expect(run_node(default)[:2] == (200, 200), "a node with the chart's default settings: hub and metrics served")
    expect(run_node(hubless)[0] == 404, "a node with config.SignalR.Enabled=false: no hub")

if failures:
    sys.exit("helm chart:\n  " + "\n  ".join(failures))
print("helm: chart linted and rendered over both values files and the --set cases; its coturn ran; a node ran with its settings"
      if HOST_DLL else "helm: chart linted and rendered over both values files and the --set cases; its coturn ran")
