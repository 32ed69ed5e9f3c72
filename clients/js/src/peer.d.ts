/** The DTLS fingerprint of an SDP, or null. */
export declare function fingerprintOf(sdp: string | null | undefined): string | null;

/** One peer of a PeerMesh: its RTCPeerConnection and negotiation state. Made by the mesh. */
export declare class MeshPeer {
  private constructor();
  /** The peer's client_id. */
  readonly id: string;
  /** This side makes the first offer (its client_id is the smaller one) and restarts ICE on failure. */
  readonly offerer: boolean;
  /** This side yields when both offer at once (perfect negotiation). */
  readonly polite: boolean;
  readonly connection: RTCPeerConnection;
  /** The connection's state, or "closed" once hung up. */
  readonly state: RTCPeerConnectionState;
  readonly closed: boolean;
  /** The remote stream once a track arrived. */
  readonly stream: MediaStream | null;
  /** The element playing the peer's audio, when the mesh plays audio. */
  readonly audio: HTMLAudioElement | null;
  /** Playback volume, 0 to 1. */
  volume: number;
  /** Asks for new ICE credentials (the mesh does this itself when ICE fails on the offering side). */
  restartIce(): void;
}
