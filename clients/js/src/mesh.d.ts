import { Emitter } from "./emitter.js";
import type { MeshPeer } from "./peer.js";
import type { SignalingEvents } from "./signaling.js";
import type { IceServer } from "./messages.js";

/** What the mesh needs of a signaling client: SignalingClient, or your own with the same shape. */
export interface MeshSignaling {
  readonly clientId: string;
  on<K extends "nearbyPeers" | "offer" | "answer" | "candidate" | "iceServers" | "open">(type: K, listener: (event: SignalingEvents[K]) => void): () => void;
  sendOffer(targetId: string, sdp: string): boolean;
  sendAnswer(targetId: string, sdp: string): boolean;
  sendIceCandidate(targetId: string, candidate: string): boolean;
  requestIceServers(): boolean;
}

export interface DataChannelSpec extends RTCDataChannelInit {
  label: string;
}

export interface PeerMeshOptions {
  signaling: MeshSignaling;
  /** Default globalThis.RTCPeerConnection; pass another (or a fake) where there is none. */
  RTCPeerConnection?: new (configuration?: RTCConfiguration) => RTCPeerConnection;
  /** For every new connection; iceServers are replaced when the node sends new ones. */
  configuration?: RTCConfiguration;
  /** Local media sent to every peer (e.g. the microphone). */
  localStream?: MediaStream | null;
  /** Media kinds negotiated with each peer, sent and received (default { audio: true }). */
  media?: { audio?: boolean; video?: boolean };
  /**
   * Data channels on every connection: the offering side creates them, the other gets them
   * as dataChannel events; `negotiated: true` with an `id` makes both sides create them.
   */
  dataChannels?: Array<string | DataChannelSpec>;
  /** The distance at which setDistance reaches silence (default 25, the node's DisconnectionRange). */
  volumeRange?: number;
  /** Play each peer's audio in an audio element the mesh owns (browsers). */
  playAudio?: boolean;
  /** Makes the audio elements (default new Audio()). */
  createAudio?: (peerId: string) => HTMLAudioElement;
  /** Where the audio elements go in the document (optional). */
  audioContainer?: Element | null;
  /** Ask the node for ICE servers (TURN credentials) at start and after reconnects. */
  requestIceServers?: boolean;
}

export interface PeerMeshEvents {
  /** A connection was made for a peer. */
  peer: { peerId: string; peer: MeshPeer };
  connectionState: { peerId: string; state: RTCPeerConnectionState };
  /** A remote track; `stream` is its first stream (or a new one holding it). */
  track: { peerId: string; track: MediaStreamTrack; streams: MediaStream[]; stream: MediaStream | null };
  /** A data channel, made here (offering side, or negotiated) or by the peer. */
  dataChannel: { peerId: string; channel: RTCDataChannel };
  /**
   * A connection was hung up: the peer left the nearby list ("left"), its side started a new
   * connection ("replaced"), it was still negotiating after a signaling reconnect ("renewed"),
   * or the mesh was closed ("closed").
   */
  peerClosed: { peerId: string; reason: "left" | "replaced" | "renewed" | "closed" };
  /** Negotiation failed for a peer, or a relayed candidate could not be read. */
  error: { peerId: string; error: unknown };
}

/** Louder when closer: 1 at distance 0, falling linearly to 0 at `range` and beyond. */
export declare function volumeForDistance(distance: number, range: number): number;

/** One RTCPeerConnection per nearby peer, made when it comes near and hung up when it leaves. */
export declare class PeerMesh extends Emitter<PeerMeshEvents> {
  constructor(options: PeerMeshOptions);
  /** The current peers by client_id (a copy). */
  readonly peers: Map<string, MeshPeer>;
  peer(id: string): MeshPeer | undefined;
  /** The configuration new connections get. */
  readonly configuration: RTCConfiguration;
  /** Applies new ICE servers to every connection (setConfiguration) and to later ones. */
  setIceServers(iceServers: IceServer[]): void;
  /** A peer's playback volume, 0 to 1. */
  setVolume(peerId: string, volume: number): void;
  /** A peer's volume from its distance (volumeForDistance with volumeRange). */
  setDistance(peerId: string, distance: number): void;
  /** Hangs up on every peer and stops listening to the signaling client. */
  close(): void;
}
