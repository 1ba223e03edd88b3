import net from "node:net";
import { StartupError } from "./errors";

/** Fails with a one-line fix when another program already listens on the port. */
export async function assertPortFree(port: number, host: string, what: string, envVar: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new StartupError(`Port ${port} (${what}) is already in use: stop the program using it or set ${envVar} to a free port.`)
          : error,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A port the OS says is free right now; for tests that run beside a developer's `npm start`. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
