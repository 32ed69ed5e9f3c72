/** The WebSocket close codes a ProxChat node uses. */
export declare const CloseCode: {
  /** Closed after Disconnect (or by the client). */
  readonly Normal: 1000;
  /** The node is shutting down: reconnect (the client does). */
  readonly GoingAway: 1001;
  /** No close frame: the connection dropped. */
  readonly Abnormal: 1006;
  /** Kept sending bad input past a limit: not reconnected. */
  readonly PolicyViolation: 1008;
  /** A message exceeded the node's MaxMessageBytes. */
  readonly MessageTooBig: 1009;
  readonly InternalError: 1011;
  /** A newer connection took the client_id over: not reconnected. */
  readonly Replaced: 4000;
  /** No UpdatePosition within the node's ClientTimeout. */
  readonly Timeout: 4001;
  /** The client did not read its messages. */
  readonly SendQueueFull: 4002;
  /** Removed by an operator: not reconnected. */
  readonly Kicked: 4003;
  /** Banned: not reconnected. */
  readonly Banned: 4004;
};

export type CloseCodeName = keyof typeof CloseCode | "Unknown";

/** The name of a close code ("Replaced", "Timeout", …), or "Unknown". */
export declare function closeCodeName(code: number): CloseCodeName;

/** Whether a client closed with this code reconnects on its own (all but 4000, 4003, 4004, 1008). */
export declare function shouldReconnect(code: number): boolean;
