// A small typed event emitter: EventTarget with CustomEvent is not global in Node 18, and a
// listener that throws must not break the client that emits.

export class Emitter {
  #listeners = new Map();

  /** Adds a listener; returns a function that removes it. */
  on(type, listener) {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Adds a listener that runs once. */
  once(type, listener) {
    const off = this.on(type, (event) => {
      off();
      listener(event);
    });
    return off;
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  emit(type, event) {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        // Reported, not rethrown: the socket or peer connection handler that emitted goes on.
        if (typeof globalThis.reportError === "function") globalThis.reportError(error);
        else queueMicrotask(() => { throw error; });
      }
    }
  }
}
