/** A typed event emitter: `Events` maps each event name to its detail. */
export declare class Emitter<Events extends object> {
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): () => void;
  /** Adds a listener that runs once; returns a function that removes it. */
  once<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): () => void;
  off<K extends keyof Events>(type: K, listener: (event: Events[K]) => void): void;
  emit<K extends keyof Events>(type: K, event: Events[K]): void;
}
