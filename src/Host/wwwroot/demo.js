// The ProxChat demo client: walk a 2D map, and hear whoever walks close.
// Query parameters: name, map, channel, x, y, id (client_id), ice (comma-separated STUN/TURN
// URLs, or "none"), server (a ws:// or wss:// URL; default this page's host).
import { Signaling } from "./signaling.js";
import { Peer } from "./peers.js";

const DISCONNECTION_RANGE = 25;  // the server's default; audio fades to silence at this distance
const SCALE = 8;                 // canvas pixels per map unit
const STEP = 1;

const params = new URLSearchParams(location.search);
const integer = (name, fallback) => Number.parseInt(params.get(name) ?? "", 10) || fallback;
const clientId = params.get("id") ?? (localStorage.proxchatId ??= `web-${crypto.randomUUID().slice(0, 8)}`);
const iceServers = params.get("ice") === "none" ? []
  : (params.get("ice") ?? "stun:stun.l.google.com:19302").split(",").map((urls) => ({ urls }));
const serverUrl = params.get("server") ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;

const me = {
  name: params.get("name") ?? clientId,
  map_id: integer("map", 1),
  channel: integer("channel", 0),
  x: integer("x", 0),
  y: integer("y", 0),
};
const peers = new Map();   // id → Peer
let nearby = [];           // the server's latest NearbyPeers
let microphone = null;

const canvas = document.getElementById("map-canvas");
const context = canvas.getContext("2d");
const signaling = new Signaling(serverUrl, clientId);

// What the end-to-end tests read; also handy in the console.
window.proxchat = {
  clientId,
  me,
  moveTo: (x, y) => move(x - me.x, y - me.y),
  snapshot: () => Object.fromEntries([...peers].map(([id, p]) => [id, {
    state: p.state, channelOpen: p.channel?.readyState === "open", position: p.position, hasRemoteAudio: p.hasRemoteAudio, closed: p.closed,
  }])),
  nearby: () => [...nearby],
  closedPeers: [],         // ids whose connection was closed, in order
};

signaling.addEventListener("status", ({ detail }) => { document.getElementById("status").textContent = `${clientId}: ${detail}`; });
signaling.addEventListener("NearbyPeers", ({ detail }) => onNearby(detail));
signaling.addEventListener("ReceiveOffer", ({ detail }) => peerFor(detail.sender_id)?.acceptOffer(detail.offer).catch(fail(detail.sender_id)));
signaling.addEventListener("ReceiveAnswer", ({ detail }) => peers.get(detail.sender_id)?.acceptAnswer(detail.answer).catch(fail(detail.sender_id)));
signaling.addEventListener("ReceiveIceCandidate", ({ detail }) => peers.get(detail.sender_id)?.addCandidate(detail.candidate).catch(() => {}));
signaling.addEventListener("Error", ({ detail }) => console.warn("server:", detail));

function onNearby(ids) {
  nearby = ids;
  for (const [id, peer] of peers) {
    if (!ids.includes(id)) {
      peer.close();
      peers.delete(id);
      window.proxchat.closedPeers.push(id);
    }
  }
  for (const id of ids) {
    // The smaller client_id offers; the other waits for its offer.
    if (clientId < id && !peers.has(id)) peerFor(id).start().catch(fail(id));
  }
  render();
}

function peerFor(id) {
  // An offer may overtake the NearbyPeers that lists its sender; the server only relays it
  // between peers it introduced, and a later list without the sender closes the connection.
  let peer = peers.get(id);
  if (!peer || peer.closed) {
    peer = new Peer({ id, polite: clientId > id, signaling, iceServers, microphone, onChange: onPeerChange });
    peers.set(id, peer);
  }
  return peer;
}

function onPeerChange(peer) {
  if (peer.state === "connected") peer.sendPosition(positionMessage());
  if (peer.state === "failed") {
    // Start over: drop the connection and ask the server for the list, which re-offers.
    peer.close();
    peers.delete(peer.id);
    signaling.requestPeerRefresh();
  }
  peer.setVolumeFrom(me, DISCONNECTION_RANGE);
  render();
}

const fail = (id) => (error) => {
  console.warn(`peer ${id}:`, error);
  peers.get(id)?.close();
  peers.delete(id);
  signaling.requestPeerRefresh();
};

function positionMessage() {
  return { map_id: me.map_id, x: me.x, y: me.y, character_name: me.name };
}

function move(dx, dy) {
  me.x += dx;
  me.y += dy;
  announce();
}

function announce() {
  signaling.updatePosition({ map_id: me.map_id, x: me.x, y: me.y, channel: me.channel, game_id: 0 });
  const position = positionMessage();
  for (const peer of peers.values()) {
    peer.sendPosition(position);
    peer.setVolumeFrom(me, DISCONNECTION_RANGE);
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
  const x = Math.round(me.x + (event.clientX - box.left - canvas.width / 2) / SCALE);
  const y = Math.round(me.y + (event.clientY - box.top - canvas.height / 2) / SCALE);
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

const muteButton = document.getElementById("mute");
muteButton.addEventListener("click", () => {
  if (!microphone) return;
  microphone.enabled = !microphone.enabled;
  muteButton.setAttribute("aria-pressed", String(!microphone.enabled));
  muteButton.textContent = microphone.enabled ? "Mute" : "Unmute";
});

// --- Drawing --------------------------------------------------------------------------------

function render() {
  const { width, height } = canvas;
  const toScreen = (x, y) => [width / 2 + (x - me.x) * SCALE, height / 2 + (y - me.y) * SCALE];
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#eef0f5";
  for (let gx = ((-me.x * SCALE) % 40 + width / 2) % 40; gx < width; gx += 40) line(gx, 0, gx, height);
  for (let gy = ((-me.y * SCALE) % 40 + height / 2) % 40; gy < height; gy += 40) line(0, gy, width, gy);
  context.strokeStyle = "#c5d0ff";
  context.beginPath();
  context.arc(width / 2, height / 2, 20 * SCALE, 0, 2 * Math.PI);
  context.stroke();
  for (const peer of peers.values()) {
    if (!peer.position || peer.position.map_id !== me.map_id) continue;
    avatar(...toScreen(peer.position.x, peer.position.y), peer.position.character_name ?? peer.id, peer.state === "connected" ? "#2f9e5b" : "#b0b6c4");
  }
  avatar(width / 2, height / 2, `${me.name} (you)`, "#4b6bfb");

  const list = document.getElementById("peers");
  list.replaceChildren(...nearby.map((id) => {
    const peer = peers.get(id);
    const item = document.createElement("li");
    const state = document.createElement("span");
    state.className = `state ${peer?.state ?? "new"}`;
    state.textContent = peer?.state ?? "waiting for offer";
    item.append(`${peer?.position?.character_name ?? id} `, state);
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
    microphone = stream.getAudioTracks()[0];
    const audioContext = new AudioContext();
    // Browsers start an AudioContext suspended until the page is used.
    for (const type of ["pointerdown", "keydown"]) addEventListener(type, () => audioContext.resume(), { once: true });
    const analyser = audioContext.createAnalyser();
    audioContext.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const meter = document.getElementById("level");
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      meter.value = microphone.enabled ? Math.min(1, Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length) * 4) : 0;
      requestAnimationFrame(tick);
    };
    tick();
  } catch (error) {
    console.warn("no microphone; listening only:", error);
    muteButton.disabled = true;
  }
}

await openMicrophone();
signaling.start();
announce();
canvas.focus();
window.addEventListener("beforeunload", () => signaling.stop());
