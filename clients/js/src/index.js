// @proxchat/client: a signaling client for ProxChat nodes, and a WebRTC mesh on top of it.
export { SignalingClient } from "./signaling.js";
export { PeerMesh, volumeForDistance } from "./mesh.js";
export { MeshPeer, fingerprintOf } from "./peer.js";
export { CloseCode, closeCodeName, shouldReconnect } from "./close-codes.js";
export { Emitter } from "./emitter.js";
