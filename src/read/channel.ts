/**
 * A bounded hand-over between one producer (reading pages off the network) and one consumer (the
 * caller's loop). The producer may run at most `capacity` items ahead; when it is that far ahead
 * it waits, and with it the network reading pauses (backpressure). Capacity 0 means the producer
 * only works while the consumer is waiting for an item.
 */
export class BoundedChannel<T> {
  readonly #capacity: number;
  readonly #items: T[] = [];
  #closed = false;
  #failure: { error: unknown } | undefined;
  #consumerWaiting: ((done: boolean) => void) | undefined;
  #producerWaiting: (() => void) | undefined;
  #consumerAsking = false;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Resolves once the consumer wants more: fewer than `capacity` items queued, or it is waiting. */
  room(): Promise<void> {
    if (this.#closed || this.#hasRoom()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#producerWaiting = resolve;
    });
  }

  /** Queues an item for the consumer. */
  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#wakeConsumer();
  }

  /** Ends the channel; the consumer gets the queued items, then the end (or the failure). */
  close(failure?: { error: unknown }): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = failure;
    this.#wakeConsumer();
    this.#wakeProducer();
  }

  /** Whether the channel was closed (by the producer's end or the consumer's leaving). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the consumer waits for an item and none is queued. */
  get starved(): boolean {
    return this.#consumerAsking && this.#items.length === 0;
  }

  /** The next item, or `undefined` at the end; rejects with the producer's failure. */
  async take(): Promise<T | undefined> {
    for (;;) {
      if (this.#items.length > 0) {
        const item = this.#items.shift() as T;
        this.#wakeProducer();
        return item;
      }
      if (this.#closed) {
        if (this.#failure) throw this.#failure.error;
        return undefined;
      }
      this.#consumerAsking = true;
      this.#wakeProducer();
      await new Promise<boolean>((resolve) => {
        this.#consumerWaiting = resolve;
      });
      this.#consumerAsking = false;
    }
  }

  #hasRoom(): boolean {
    return this.#items.length < this.#capacity || (this.#consumerAsking && this.#items.length === 0);
  }

  #wakeConsumer(): void {
    const wake = this.#consumerWaiting;
    this.#consumerWaiting = undefined;
    wake?.(this.#closed);
  }

  #wakeProducer(): void {
    if (!this.#producerWaiting || !(this.#closed || this.#hasRoom())) return;
    const wake = this.#producerWaiting;
    this.#producerWaiting = undefined;
    wake();
  }
}
