import { Emitter } from "./emitter.js";
import type { CloseCodeName } from "./close-codes.js";
import type { IceServer } from "./messages.js";

/** The standard WebSocket constructor (browsers, Node 22+), or a compatible one such as ws's. */
export interface WebSocketConstructor {
  new (url: string): WebSocketLike;
}

/** What the client uses of a WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
}

export interface ReconnectOptions {
  /** The first retry's ceiling in ms (default 500); doubles per failed attempt. */
  initialDelayMs?: number;
  /** The longest ceiling in ms (default 30000). Each wait is half to all of its ceiling (jitter). */
  maxDelayMs?: number;
}

export interface SignalingClientOptions {
  /** The node's WebSocket URL: ws://host:8080/ or wss://…/ws. */
  url: string;
  /** This client's id: 1–128 characters, kept across reconnects. */
  clientId: string;
  /** A JWT sent as the access_token query parameter; a function is asked again for every connection. */
  token?: string | (() => string | Promise<string>);
  /** A WebSocket constructor; default globalThis.WebSocket (in Node < 22 pass ws's). */
  WebSocket?: WebSocketConstructor | (new (url: string) => unknown);
  /** At most one UpdatePosition per interval, the newest (default 100 ms). */
  positionIntervalMs?: number;
  /** Re-send the last position after this long without one, so the node's ClientTimeout never fires (default 5000 ms). */
  keepAliveMs?: number;
  /** Backoff for automatic reconnects, or false for none. */
  reconnect?: ReconnectOptions | false;
  /** A source of randomness in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

export type SignalingState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface PositionOptions {
  /** Voice channel (default 0): only clients on the same channel hear each other. */
  channel?: number;
  /** Game or server instance (default 0). */
  gameId?: number;
}

export interface SignalingEvents {
  /** The client's state changed. */
  state: { state: SignalingState };
  /** The socket opened; `reconnected` after the first time. The last position is re-sent at once. */
  open: { reconnected: boolean };
  /** The complete current nearby set (never this client). */
  nearbyPeers: { peers: string[] };
  /** A relayed offer: the raw SDP string. */
  offer: { senderId: string; offer: string };
  /** A relayed answer: the raw SDP string. */
  answer: { senderId: string; answer: string };
  /** A relayed ICE candidate: by convention JSON.stringify(RTCIceCandidate). */
  candidate: { senderId: string; candidate: string };
  /** ICE servers (TURN credentials) from the node: asked for, or pushed before they expire. */
  iceServers: { iceServers: IceServer[]; ttlSeconds: number | null };
  /**
   * "server": the node's Error message (e.g. a relay to an unknown client). "protocol": a frame
   * from the node that this client could not read. "client": the token function or the
   * WebSocket constructor failed (the client retries).
   */
  error: { message: string; source: "server" | "protocol" | "client" };
  /** The socket closed. `reconnecting` says whether the client retries, after `delayMs`. */
  close: { code: number; name: CloseCodeName; reason: string; reconnecting: boolean; delayMs?: number };
  /** Every message the node sent, including types this version does not know. */
  message: { type: string; data: unknown };
}

/**
 * One WebSocket to a ProxChat node: registers and moves the client, relays WebRTC signaling, and
 * heals by itself (reconnect with backoff and the same client_id, re-registration, keep-alive).
 */
export declare class SignalingClient extends Emitter<SignalingEvents> {
  constructor(options: SignalingClientOptions);
  readonly clientId: string;
  readonly state: SignalingState;
  /** Whether the node has answered this socket's first UpdatePosition. */
  readonly registered: boolean;
  /** The node's latest NearbyPeers list. */
  readonly nearbyPeers: string[];
  /**
   * Opens the socket; resolves when it first opens, rejects if the client closes for good before.
   * A closed client stays closed: make a new one to connect again.
   */
  connect(): Promise<void>;
  /** Sends Disconnect, closes with 1000 and stops reconnecting. */
  close(): void;
  /** Registers (first time) and moves the client; throttled, remembered for reconnects and keep-alive. Integers only. */
  updatePosition(mapId: number, x: number, y: number, options?: PositionOptions): void;
  /** Asks for the current NearbyPeers. False when the socket is not open. */
  requestPeerRefresh(): boolean;
  /** Asks for ICE servers now (once registered) and after every reconnect. */
  requestIceServers(): boolean;
  /** Relays an offer (raw SDP). False when the socket is not open. */
  sendOffer(targetId: string, sdp: string): boolean;
  /** Relays an answer (raw SDP). False when the socket is not open. */
  sendAnswer(targetId: string, sdp: string): boolean;
  /** Relays an ICE candidate; an object is sent as JSON.stringify(candidate). */
  sendIceCandidate(targetId: string, candidate: string | RTCIceCandidateInit | { toJSON(): RTCIceCandidateInit }): boolean;
}
