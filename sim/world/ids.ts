// Deterministic ids: a seeded generator, so two runs of the same scenario produce the same ids and ETags.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

/** FNV-1a, to turn a scenario name into a seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class IdGenerator {
  private state: number;
  private counter = 0;

  constructor(seed = 1) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: small, fast, and good enough for unique-looking ids. */
  private nextUint(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  private draw(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.nextUint() % alphabet.length];
    return out;
  }

  /** e.g. alnum('E', 13) → 'E2K7Q0XJ3M9ZAB' (CloudFront ids and ETags). */
  alnum(prefix: string, length: number): string {
    this.counter++;
    return prefix + this.draw(ALNUM, length);
  }

  hex(length: number): string {
    this.counter++;
    return this.draw(HEX, length);
  }

  /** A v4-shaped UUID (request ids, WAF lock tokens, SNS message ids). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** how many ids were handed out (for tests and debugging) */
  get issued(): number {
    return this.counter;
  }
}
