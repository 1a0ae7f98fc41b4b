/**
 * The choices the fuzz tests' generators make (test/fuzz-*.test.ts), all drawn from one seeded
 * mulberry32: the one that also makes the bench's large $metadata document, so that a seed names
 * the same inputs on every machine.
 */
import { random } from "../bench/metadata-document.js";

export class Random {
  readonly #next: () => number;
  constructor(readonly seed: number) {
    this.#next = random(seed);
  }
  /** A number in [0, 1). */
  float(): number {
    return this.#next();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#next() * n);
  }
  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  /** `low` to `high` characters of `alphabet`. */
  text(alphabet: string, low: number, high: number): string {
    let text = "";
    for (let n = this.between(low, high); n > 0; n--) text += alphabet[this.int(alphabet.length)];
    return text;
  }
  /** `low` to `high` decimal digits. */
  digits(low: number, high: number): string {
    let text = "";
    for (let n = this.between(low, high); n > 0; n--) text += String(this.int(10));
    return text;
  }
  /** A bigint in [low, high], from 128 random bits. */
  bigint(low: bigint, high: bigint): bigint {
    let value = 0n;
    for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(this.int(2 ** 32));
    return low + (value % (high - low + 1n));
  }
  /** The list shuffled in place (Fisher-Yates). */
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }
}
