/**
 * One turn of the event loop (a message, not a timer: browsers clamp nested timers to 4 ms), so that a page
 * doing long work in steps still paints and takes in answers between them.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
