// Compiled by `tsc --noEmit` in the tests: the declarations describe what the README shows, and
// misuse fails to compile (each @ts-expect-error must stay an error).
import { SignalingClient, PeerMesh, CloseCode, closeCodeName, volumeForDistance } from "@proxchat/client";
import type { CloseCodeName, MeshPeer, ServerMessage, SignalingEvents, MeshSignaling } from "@proxchat/client";
import { SignalingClient as FromSubpath } from "@proxchat/client/signaling";
import { PeerMesh as MeshFromSubpath } from "@proxchat/client/mesh";

const signaling = new SignalingClient({
  url: "wss://voice.example/ws",
  clientId: "alice",
  token: async () => "jwt",
  positionIntervalMs: 50,
  reconnect: { initialDelayMs: 250, maxDelayMs: 10_000 },
});
const connected: Promise<void> = signaling.connect();
signaling.updatePosition(1, 10, -4, { channel: 2, gameId: 7 });
const sent: boolean = signaling.sendOffer("bob", "v=0");
signaling.sendIceCandidate("bob", { candidate: "candidate:1", sdpMid: "0", sdpMLineIndex: 0 });

const offNearby: () => void = signaling.on("nearbyPeers", ({ peers }) => peers.forEach((id: string) => id.toUpperCase()));
offNearby();
signaling.on("offer", ({ senderId, offer }) => signaling.sendAnswer(senderId, offer));
signaling.on("close", ({ code, name, reconnecting, delayMs }) => {
  const known: CloseCodeName = name;
  if (code === CloseCode.Replaced && !reconnecting) console.log(known, delayMs ?? 0);
});
signaling.on("error", ({ message, source }) => console.warn(source === "server" ? message : `protocol: ${message}`));
signaling.on("iceServers", ({ iceServers, ttlSeconds }) => console.log(iceServers[0]?.urls, ttlSeconds));
signaling.on("message", ({ type, data }) => console.log(type, data));
const name: CloseCodeName = closeCodeName(4004);

const microphone = new MediaStream();
const mesh = new PeerMesh({
  signaling,
  localStream: microphone,
  configuration: { iceServers: [{ urls: "stun:stun.example:3478" }] },
  dataChannels: ["positions", { label: "state", negotiated: true, id: 5 }],
  playAudio: true,
  requestIceServers: true,
});
mesh.on("track", ({ peerId, stream }) => console.log(peerId, stream?.id));
mesh.on("dataChannel", ({ channel }) => channel.send("hi"));
mesh.on("peerClosed", ({ peerId, reason }) => console.log(peerId, reason === "left"));
mesh.on("connectionState", ({ state }) => state === "failed");
const peer: MeshPeer | undefined = mesh.peer("bob");
if (peer) {
  const pc: RTCPeerConnection = peer.connection;
  peer.volume = volumeForDistance(12, 25);
  console.log(pc.connectionState, peer.offerer, peer.polite, peer.stream);
}
mesh.setDistance("bob", 12);
mesh.setIceServers([{ urls: ["turn:turn.example:3478"], username: "1:alice", credential: "c" }]);

// Bring-your-own signaling: anything shaped like the client drives a mesh.
const own: MeshSignaling = signaling;
new MeshFromSubpath({ signaling: own });
new FromSubpath({ url: "ws://localhost:8080", clientId: "bob" }).close();

const fromWire = (message: ServerMessage): string => {
  switch (message.type) {
    case "NearbyPeers": return message.data.join(",");
    case "ReceiveOffer": return message.data.offer;
    case "IceServers": return String(message.data.ttl_seconds);
    default: return message.type;
  }
};
const detail: SignalingEvents["candidate"] = { senderId: "bob", candidate: "{}" };

// @ts-expect-error: positions are integers given as numbers, not strings
signaling.updatePosition("1", 0, 0);
// @ts-expect-error: there is no such event
signaling.on("nearby", () => {});
// @ts-expect-error: the offer event carries senderId, not sender_id
signaling.on("offer", ({ sender_id }) => sender_id);
// @ts-expect-error: clientId is required
new SignalingClient({ url: "ws://x" });
// @ts-expect-error: peerClosed reasons are a closed set
mesh.on("peerClosed", ({ reason }) => reason === "gone");

export { connected, sent, name, fromWire, detail };
