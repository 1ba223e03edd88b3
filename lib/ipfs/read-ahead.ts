/**
 * Pulls `source` ahead of its consumer, holding at most about `maxBytes` not yet taken, so that a slow
 * producer (a request body arriving over the network) and a bursty consumer (the UnixFS importer, which
 * collects ten 256 KiB chunks, then hashes and writes them before it asks for more) work at the same time
 * instead of in turns. Chunks and errors reach the consumer in order. When the consumer stops early (an
 * error, a return), no further chunk is pulled and the source's own return() runs before this one settles,
 * so nothing reads the source behind the caller's back afterwards.
 */
export function readAhead(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      const queue: Uint8Array[] = [];
      let queued = 0;
      let ended = false;
      let failure: { error: unknown } | undefined;
      let stopped = false;
      // Wakes the consumer when a chunk, the end or an error arrives; wakes the pump when room is made.
      let wakeConsumer: (() => void) | undefined;
      let wakePump: (() => void) | undefined;
      const notifyConsumer = () => {
        wakeConsumer?.();
        wakeConsumer = undefined;
      };

      const pump = (async () => {
        try {
          while (!stopped) {
            if (queued >= maxBytes) {
              await new Promise<void>((resolve) => (wakePump = resolve));
              continue;
            }
            const next = await iterator.next();
            if (next.done) break;
            if (stopped) break;
            queue.push(next.value);
            queued += next.value.byteLength;
            notifyConsumer();
          }
        } catch (error) {
          failure = { error };
        } finally {
          ended = true;
          notifyConsumer();
        }
      })();

      const stop = async () => {
        stopped = true;
        wakePump?.();
        await pump;
        queue.length = 0;
        queued = 0;
        // The pump finished its last pull: the source may now clean up (a generator's finally).
        if (!failure) await iterator.return?.();
      };

      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          for (;;) {
            const chunk = queue.shift();
            if (chunk) {
              queued -= chunk.byteLength;
              wakePump?.();
              wakePump = undefined;
              return { done: false, value: chunk };
            }
            if (failure) throw failure.error;
            if (ended || stopped) return { done: true, value: undefined };
            await new Promise<void>((resolve) => (wakeConsumer = resolve));
          }
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          await stop();
          return { done: true, value: undefined };
        },
        async throw(error: unknown): Promise<IteratorResult<Uint8Array>> {
          await stop();
          throw error;
        },
      };
    },
  };
}
