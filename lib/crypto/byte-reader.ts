export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

// Pulls exact byte counts out of a source that delivers arbitrary slices (network reads,
// file streams). Always copies, so a source that reuses its buffers cannot corrupt us.
export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly pending: Uint8Array[] = [];
  private offset = 0; // consumed bytes of pending[0]
  private buffered = 0;
  private ended = false;

  constructor(source: ByteSource) {
    this.iterator = toAsyncIterable(source)[Symbol.asyncIterator]();
  }

  // Exactly `length` bytes, or fewer only when the source has ended.
  async read(length: number): Promise<Uint8Array> {
    await this.fill(length);
    const out = new Uint8Array(Math.min(length, this.buffered));
    let written = 0;
    let used = 0; // whole slices consumed; removed in one splice to stay linear for tiny slices
    while (written < out.length) {
      const head = this.pending[used]!;
      const take = Math.min(out.length - written, head.length - this.offset);
      out.set(head.subarray(this.offset, this.offset + take), written);
      written += take;
      this.offset += take;
      if (this.offset === head.length) {
        used++;
        this.offset = 0;
      }
    }
    this.pending.splice(0, used);
    this.buffered -= out.length;
    return out;
  }

  // Fills `into` from the front with the next bytes; fewer than its length only when the source has ended.
  // Returns how many were written. No buffer of its own: for reading a file into the places it is sealed.
  async readInto(into: Uint8Array): Promise<number> {
    let written = 0;
    while (written < into.length) {
      await this.fill(1);
      const head = this.pending[0];
      if (!head) break;
      const take = Math.min(into.length - written, head.length - this.offset);
      into.set(head.subarray(this.offset, this.offset + take), written);
      written += take;
      this.offset += take;
      this.buffered -= take;
      if (this.offset === head.length) {
        this.pending.shift();
        this.offset = 0;
      }
    }
    return written;
  }

  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.buffered === 0;
  }

  // Lets the source release its resources (e.g. a fetch body) when we stop early.
  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private async fill(length: number): Promise<void> {
    while (this.buffered < length && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
      } else if (next.value.length > 0) {
        this.pending.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }
}

async function* toAsyncIterable(source: ByteSource): AsyncIterable<Uint8Array> {
  yield* source;
}

export async function collectBytes(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of source) {
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
