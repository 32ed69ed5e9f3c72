// The ProxChat demo client: walk a 2D map, and hear whoever walks close. Built on the JavaScript
// client (clients/js, served at lib/proxchat/): SignalingClient talks to the node, PeerMesh
// keeps one RTCPeerConnection per nearby peer. This page adds the map, the positions data
// channel, volume by distance, mute and the input meter.
// Query parameters: name, map, channel, x, y, id (client_id), ice (comma-separated STUN/TURN
// URLs, or "none"; without it the node is asked for ICE servers, TURN credentials included),
// relay=1 (relay only: every connection goes through TURN, as the "Relay only" switch sets),
// server (a ws:// or wss:// URL; default this page's host), token (a JWT, sent as access_token).
import { SignalingClient, PeerMesh } from "./lib/proxchat/index.js";

const DISCONNECTION_RANGE = 25;  // the server's default; audio fades to silence at this distance
const SCALE = 8;                 // CSS pixels per map unit, less where the map would not show the range
const STEP = 1;

const params = new URLSearchParams(location.search);
const integer = (name, fallback) => Number.parseInt(params.get(name) ?? "", 10) || fallback;
const clientId = params.get("id") ?? (localStorage.proxchatId ??= `web-${crypto.randomUUID().slice(0, 8)}`);
const serverUrl = params.get("server") ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
const token = params.get("token") ?? undefined;
const askNode = !params.has("ice");
const relayOnly = params.get("relay") === "1";
const iceServers = params.get("ice") === "none" ? []
  : askNode ? await fetchIceServers() ?? [{ urls: "stun:stun.l.google.com:19302" }]
  : params.get("ice").split(",").map((urls) => ({ urls }));

const me = {
  name: params.get("name") ?? clientId,
  map_id: integer("map", 1),
  channel: integer("channel", 0),
  x: integer("x", 0),
  y: integer("y", 0),
};
const positions = new Map();   // peer id → {map_id, x, y, character_name}, from its data channel
const channels = new Map();    // peer id → its "positions" RTCDataChannel
const closedPeers = [];        // ids whose connection was closed, in order
const routes = new Map();      // peer id → "relay" (through TURN) or "direct", once connected

const statusLine = document.getElementById("status");
const muteButton = document.getElementById("mute");
const canvas = document.getElementById("map-canvas");
const context = canvas.getContext("2d");
const microphone = await openMicrophone();

const signaling = new SignalingClient({ url: serverUrl, clientId, token });
const mesh = new PeerMesh({
  signaling,
  localStream: microphone,
  configuration: { iceServers, iceTransportPolicy: relayOnly ? "relay" : "all" },
  // Over the socket too: the node sends fresh credentials before these expire, and the mesh
  // applies them to every connection (setConfiguration).
  requestIceServers: askNode,
  dataChannels: ["positions"],
  playAudio: true,
  audioContainer: document.getElementById("audio"),
  volumeRange: DISCONNECTION_RANGE,
});

// What the end-to-end tests read; also handy in the console.
window.proxchat = {
  clientId,
  me,
  signaling,
  mesh,
  moveTo: (x, y) => move(x - me.x, y - me.y),
  snapshot: () => Object.fromEntries([...mesh.peers].map(([id, peer]) => [id, {
    state: peer.state, channelOpen: channels.get(id)?.readyState === "open", position: positions.get(id) ?? null,
    hasRemoteAudio: peer.stream !== null, closed: peer.closed, route: routes.get(id) ?? null,
  }])),
  iceServersReceived: 0,
  nearby: () => signaling.nearbyPeers,
  closedPeers,
};

const status = (text) => { statusLine.textContent = `${clientId}: ${text}`; };
signaling.on("state", ({ state }) => {
  if (state === "open") status("connected");
  if (state === "connecting") status("connecting");
});
signaling.on("close", ({ name, reconnecting, delayMs }) => {
  status(reconnecting ? `disconnected (${name}); retrying in ${Math.round(delayMs / 1000)} s`
    : name === "Replaced" ? "replaced by another tab" : `disconnected (${name})`);
});
signaling.on("nearbyPeers", render);
signaling.on("error", ({ message }) => console.warn("server:", message));
// Connections begun before the node's ICE servers arrived gathered without them (and, relay only,
// found no route at all): the offering side restarts ICE on them with the new servers.
signaling.on("iceServers", () => {
  window.proxchat.iceServersReceived++;
  for (const peer of mesh.peers.values()) {
    if (peer.offerer && peer.state !== "connected") peer.restartIce();
  }
});

mesh.on("dataChannel", ({ peerId, channel }) => {
  channels.set(peerId, channel);
  channel.addEventListener("open", () => {
    channel.send(JSON.stringify(positionMessage()));
    render();
  });
  channel.addEventListener("message", ({ data }) => {
    positions.set(peerId, JSON.parse(data));
    updateVolume(peerId);
    render();
  });
});
mesh.on("connectionState", ({ peerId, state }) => {
  if (state === "connected") showRoute(peerId);
  render();
});
mesh.on("track", render);
mesh.on("peerClosed", ({ peerId }) => {
  positions.delete(peerId);
  channels.delete(peerId);
  routes.delete(peerId);
  closedPeers.push(peerId);
  render();
});
mesh.on("error", ({ peerId, error }) => console.warn(`peer ${peerId}:`, error));

/** The node's ICE servers (TURN with fresh credentials, STUN) over HTTP, so that the first
 * connections already have them; null when the node does not serve them there. */
async function fetchIceServers() {
  const url = new URL("ice-servers", serverUrl.replace(/^ws/, "http"));
  url.searchParams.set("client_id", clientId);
  try {
    const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()).ice_servers;
  } catch (error) {
    console.warn("no ICE servers from the node over HTTP; asking over the socket:", error.message);
    return null;
  }
}

/** Whether a peer's audio goes through TURN: the candidate pair ICE chose. */
async function showRoute(id) {
  const connection = mesh.peer(id)?.connection;
  if (!connection) return;
  const stats = await connection.getStats();
  for (const report of stats.values()) {
    const pair = report.type === "transport" && stats.get(report.selectedCandidatePairId);
    if (!pair) continue;
    const relayed = [pair.localCandidateId, pair.remoteCandidateId].some((candidate) => stats.get(candidate)?.candidateType === "relay");
    routes.set(id, relayed ? "relay" : "direct");
    render();
  }
}

function positionMessage() {
  return { map_id: me.map_id, x: me.x, y: me.y, character_name: me.name };
}

function updateVolume(id) {
  const position = positions.get(id);
  if (position?.map_id === me.map_id) mesh.setDistance(id, Math.hypot(position.x - me.x, position.y - me.y));
}

function move(dx, dy) {
  me.x += dx;
  me.y += dy;
  announce();
}

function announce() {
  signaling.updatePosition(me.map_id, me.x, me.y, { channel: me.channel });
  const message = JSON.stringify(positionMessage());
  for (const [id, channel] of channels) {
    if (channel.readyState === "open") channel.send(message);
    updateVolume(id);
  }
  render();
}

// --- Input ----------------------------------------------------------------------------------

const keys = { ArrowUp: [0, -STEP], ArrowDown: [0, STEP], ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], w: [0, -STEP], s: [0, STEP], a: [-STEP, 0], d: [STEP, 0] };
canvas.addEventListener("keydown", (event) => {
  const delta = keys[event.key];
  if (delta) {
    event.preventDefault();
    move(...delta);
  }
});
canvas.addEventListener("click", (event) => {
  const box = canvas.getBoundingClientRect();
  const scale = mapScale();
  const x = Math.round(me.x + (event.clientX - box.left - box.width / 2) / scale);
  const y = Math.round(me.y + (event.clientY - box.top - box.height / 2) / scale);
  move(x - me.x, y - me.y);
  canvas.focus();
});

const form = document.getElementById("settings");
form.name.value = me.name;
form.map.value = me.map_id;
form.channel.value = me.channel;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  me.name = form.name.value || clientId;
  me.map_id = Number.parseInt(form.map.value, 10) || 0;
  me.channel = Number.parseInt(form.channel.value, 10) || 0;
  announce();
  canvas.focus();
});

// Relay only: every connection through TURN, as for players whose networks allow nothing else.
// A new policy applies to new connections, so the page starts over with it.
const relaySwitch = document.getElementById("relay-only");
relaySwitch.checked = relayOnly;
relaySwitch.addEventListener("change", () => {
  const query = new URLSearchParams(location.search);
  if (relaySwitch.checked) query.set("relay", "1");
  else query.delete("relay");
  location.search = query.toString();
});

muteButton.addEventListener("click", () => {
  const track = microphone?.getAudioTracks()[0];
  if (!track) return;
  track.enabled = !track.enabled;
  muteButton.setAttribute("aria-pressed", String(!track.enabled));
  muteButton.textContent = track.enabled ? "Mute" : "Unmute";
});

// --- Drawing --------------------------------------------------------------------------------

// The canvas's pixels follow its laid-out size, so the map is sharp and undistorted at any width.
new ResizeObserver(() => {
  const ratio = devicePixelRatio || 1;
  canvas.width = Math.round(canvas.clientWidth * ratio);
  canvas.height = Math.round(canvas.clientHeight * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  render();
}).observe(canvas);

/** Pixels per map unit: SCALE, or less on a small screen, so the hang-up range stays in view. */
function mapScale() {
  return Math.min(SCALE, Math.min(canvas.clientWidth, canvas.clientHeight) / 2 / (DISCONNECTION_RANGE - 1));
}

function render() {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const scale = mapScale();
  const grid = 5 * scale;
  const toScreen = (x, y) => [width / 2 + (x - me.x) * scale, height / 2 + (y - me.y) * scale];
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#eef0f5";
  for (let gx = ((-me.x * scale) % grid + width / 2) % grid; gx < width; gx += grid) line(gx, 0, gx, height);
  for (let gy = ((-me.y * scale) % grid + height / 2) % grid; gy < height; gy += grid) line(0, gy, width, gy);
  context.strokeStyle = "#c5d0ff";
  context.beginPath();
  context.arc(width / 2, height / 2, 20 * scale, 0, 2 * Math.PI);
  context.stroke();
  for (const [id, peer] of mesh.peers) {
    const position = positions.get(id);
    if (position?.map_id !== me.map_id) continue;
    avatar(...toScreen(position.x, position.y), position.character_name ?? id, peer.state === "connected" ? "#2f9e5b" : "#b0b6c4");
  }
  avatar(width / 2, height / 2, `${me.name} (you)`, "#4b6bfb");

  document.getElementById("peers").replaceChildren(...signaling.nearbyPeers.map((id) => {
    const peer = mesh.peer(id);
    const item = document.createElement("li");
    const state = document.createElement("span");
    state.className = `state ${peer?.state ?? "new"}`;
    state.textContent = peer?.state === "connected" && routes.has(id) ? `connected, ${routes.get(id)}` : peer?.state ?? "waiting for offer";
    item.append(`${positions.get(id)?.character_name ?? id} `, state);
    return item;
  }));
}

function line(x1, y1, x2, y2) {
  context.beginPath();
  context.moveTo(x1, y1);
  context.lineTo(x2, y2);
  context.stroke();
}

function avatar(x, y, label, color) {
  context.fillStyle = color;
  context.beginPath();
  context.arc(x, y, 10, 0, 2 * Math.PI);
  context.fill();
  context.fillStyle = "#1d2330";
  context.font = "13px system-ui";
  context.textAlign = "center";
  context.fillText(label, x, y - 16);
}

// --- Start ----------------------------------------------------------------------------------

async function openMicrophone() {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const track = stream.getAudioTracks()[0];
    const audioContext = new AudioContext();
    // Browsers start an AudioContext suspended until the page is used.
    for (const type of ["pointerdown", "keydown"]) addEventListener(type, () => audioContext.resume(), { once: true });
    const analyser = audioContext.createAnalyser();
    audioContext.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const meter = document.getElementById("level");
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      meter.value = track.enabled ? Math.min(1, Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length) * 4) : 0;
      requestAnimationFrame(tick);
    };
    tick();
    return stream;
  } catch (error) {
    console.warn("no microphone; listening only:", error);
    muteButton.disabled = true;
    return null;
  }
}

announce();
signaling.connect();
canvas.focus();
addEventListener("beforeunload", () => signaling.close());
