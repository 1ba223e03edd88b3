/**
 * Wraps add() input as a chunk stream that counts bytes and stops when the signal aborts,
 * so neither backend has to buffer the content to learn its size.
 */
export function meteredSource(content: Uint8Array | AsyncIterable<Uint8Array>, signal?: AbortSignal) {
  let bytes = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    const chunks = content instanceof Uint8Array ? [content] : content;
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      bytes += chunk.byteLength;
      yield chunk;
    }
    signal?.throwIfAborted();
  }
  return { source: source(), bytes: () => bytes };
}
