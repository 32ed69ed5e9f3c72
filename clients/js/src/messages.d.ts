// The ProxChat wire messages: every frame is one JSON object {"type", "data"}.

export interface UpdatePositionData {
  client_id: string;
  map_id: number;
  x: number;
  y: number;
  channel?: number;
  game_id?: number;
}

export type ClientMessage =
  | { type: "UpdatePosition"; data: UpdatePositionData }
  | { type: "SendOffer"; data: { target_id: string; offer: string } }
  | { type: "SendAnswer"; data: { target_id: string; answer: string } }
  | { type: "SendIceCandidate"; data: { target_id: string; candidate: string } }
  | { type: "RequestPeerRefresh"; data?: null }
  | { type: "RequestIceServers"; data?: null }
  | { type: "Disconnect"; data?: null };

/** A TURN/STUN server as the node hands it out (TURN REST credentials). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type ServerMessage =
  | { type: "NearbyPeers"; data: string[] }
  | { type: "ReceiveOffer"; data: { sender_id: string; offer: string } }
  | { type: "ReceiveAnswer"; data: { sender_id: string; answer: string } }
  | { type: "ReceiveIceCandidate"; data: { sender_id: string; candidate: string } }
  | { type: "IceServers"; data: { ice_servers: IceServer[]; ttl_seconds: number } }
  | { type: "Error"; data: string };
