// The WebSocket close codes a ProxChat node uses, and what a client should do about each.

export const CloseCode = Object.freeze({
  Normal: 1000,
  GoingAway: 1001,
  Abnormal: 1006,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  Replaced: 4000,
  Timeout: 4001,
  SendQueueFull: 4002,
  Kicked: 4003,
  Banned: 4004,
});

const names = new Map(Object.entries(CloseCode).map(([name, code]) => [code, name]));

/** The name of a close code ("Replaced", "Timeout", …), or "Unknown". */
export function closeCodeName(code) {
  return names.get(code) ?? "Unknown";
}

// Another connection owns the id now, an operator removed the client, or the client keeps
// breaking the rules: reconnecting on its own would fight the server.
const final = new Set([CloseCode.Replaced, CloseCode.Kicked, CloseCode.Banned, CloseCode.PolicyViolation]);

/** Whether a client closed with this code should reconnect on its own. */
export function shouldReconnect(code) {
  return !final.has(code);
}
