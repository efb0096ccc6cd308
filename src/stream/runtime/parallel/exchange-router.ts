/**
 * The sending side of the keyed exchange, in a worker of a keyed operator followed directly by another
 * keyed operator: the operator's records are keyed with the next operator's key selector and posted,
 * one message per batch and target, straight to the next operator's worker that owns the key (packed,
 * `record-packing.ts`); watermarks and idleness go to every next worker and back to the main thread
 * (whose stand-ins keep the valves checkpoints hold); processing-time ticks and flush markers go to
 * every next worker; side outputs go to the main thread.
 */
import type { MessagePort } from "node:worker_threads";
import { UserFunctionError } from "../user-function-error.js";
import { KeyRouter } from "./key-router.js";
import { packInputs } from "./record-packing.js";
import type { InputEvent, OutputEvent } from "./worker-protocol.js";

/**
 * What a worker's operator produced, in order: output events, and (when its records go through the
 * exchange) the ticks and flush markers to pass on in their place.
 */
export type ProducedEvent = OutputEvent | readonly [kind: 4, now: number] | readonly [kind: 5, flush: number];

/** What routing left for the main thread, and what was sent. */
export interface Routed {
  readonly main: OutputEvent[];
  /** Records sent through the exchange. */
  readonly routed: number;
  /** Messages posted to each next worker. */
  readonly posted: number[];
}

/** Routes one worker's outputs to the next keyed operator's workers. */
export class ExchangeRouter {
  private readonly router: KeyRouter;

  constructor(
    private readonly ports: readonly MessagePort[],
    private readonly key: (value: unknown) => unknown,
    /** The next operator's name: a throwing key selector fails with it, as with parallelism 1. */
    private readonly operator: string,
  ) {
    this.router = new KeyRouter(ports.length);
  }

  /** Sends `events`' records, control events and markers on; returns what goes to the main thread. */
  route(events: readonly ProducedEvent[]): Routed {
    const n = this.ports.length;
    const queues: InputEvent[][] = Array.from({ length: n }, () => []);
    const main: OutputEvent[] = [];
    let routed = 0;
    const all = (event: InputEvent): void => {
      for (let j = 0; j < n; j++) queues[j]!.push(event);
    };
    for (const e of events) {
      switch (e[0]) {
        case 0: {
          const value = e[1];
          let key: unknown;
          let worker: number;
          try {
            key = this.key(value);
            worker = this.router.workerOf(key);
          } catch (error) {
            throw error instanceof UserFunctionError ? error : new UserFunctionError(this.operator, value, error);
          }
          queues[worker]!.push([0, key, value, e[2]]);
          routed++;
          break;
        }
        case 1:
          main.push(e);
          break;
        case 2:
          main.push(e);
          all([1, e[1]]);
          break;
        case 3:
          main.push(e);
          all([2, e[1]]);
          break;
        case 4:
          all([3, e[1]]);
          break;
        case 5:
          all([5, e[1]]);
          break;
      }
    }
    const posted = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      const queue = queues[j]!;
      if (queue.length === 0) continue;
      const { packed, transfer } = packInputs(queue);
      this.ports[j]!.postMessage(packed, transfer);
      posted[j] = 1;
    }
    return { main, routed, posted };
  }
}
