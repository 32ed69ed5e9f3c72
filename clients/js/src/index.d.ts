export { SignalingClient } from "./signaling.js";
export type {
  SignalingClientOptions, SignalingEvents, SignalingState, PositionOptions, ReconnectOptions, WebSocketConstructor, WebSocketLike,
} from "./signaling.js";
export { PeerMesh, volumeForDistance } from "./mesh.js";
export type { PeerMeshOptions, PeerMeshEvents, MeshSignaling, DataChannelSpec } from "./mesh.js";
export { MeshPeer, fingerprintOf } from "./peer.js";
export { CloseCode, closeCodeName, shouldReconnect } from "./close-codes.js";
export type { CloseCodeName } from "./close-codes.js";
export { Emitter } from "./emitter.js";
export type { ClientMessage, ServerMessage, IceServer, UpdatePositionData } from "./messages.js";
