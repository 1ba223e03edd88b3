import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiClientError, request } from "@/lib/api/client/http";

// The browser's API client: a server that never starts answering becomes an ApiClientError the page shows
// (never a spinner forever); a slow body after a prompt answer is not cut; the caller's own abort stays its own.
const TIMEOUT_MS = 100;
let server: http.Server;
let base: string;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/silent") return; // never answers
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first ");
    setTimeout(() => res.end("second"), TIMEOUT_MS * 3);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the API client's answer deadline", () => {
  it("no answer within the deadline is an ApiClientError 'timeout' with a message for the page", async () => {
    const started = performance.now();
    await assert.rejects(request(`${base}/silent`, {}, TIMEOUT_MS), (error: unknown) => {
      assert.ok(error instanceof ApiClientError);
      assert.deepEqual([error.status, error.code, error.message], [0, "timeout", "The app's server did not answer within 0.1 s. Try again in a moment."]);
      return true;
    });
    assert.ok(performance.now() - started >= TIMEOUT_MS - 1);
  });

  it("a body that takes longer than the deadline, after a prompt answer, arrives whole", async () => {
    const response = await request(`${base}/slow-body`, {}, TIMEOUT_MS);
    assert.equal(await response.text(), "first second");
  });

  it("the caller's abort is passed on as the caller's, not as a timeout or a network failure", async () => {
    const controller = new AbortController();
    const pending = request(`${base}/silent`, { signal: controller.signal }, 10_000);
    controller.abort(new Error("the page was left"));
    await assert.rejects(pending, (error: unknown) => !(error instanceof ApiClientError));
  });
});
