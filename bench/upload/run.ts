// Item 3: a 10 MB PDF through the whole upload path, driven as the browser drives it: the product's own
// uploadRecord (lib/records/client/upload.ts) runs here unchanged, its fetch calls sent to the app with the
// session cookie and the page's Origin, its XMLHttpRequest PUT sent by a minimal XMLHttpRequest on
// node:http, and its addRecord sent through the app's browser-side chain client (lib/chain/client: the
// transactor: gas estimate, the wallet's send, its own receipt wait) over an EIP-1193 provider that forwards to
// the chain, as the wallet does. Against adding the same 10 MB of plaintext straight to the IPFS store.
// Median of RUNS, interleaved, on a stack of its own.
//   node --import tsx bench/upload/run.ts            (also part of `npm run bench`)
import { randomFillSync } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { browserChain } from "@/lib/chain/client";
import type { ContractAddresses } from "@/lib/chain/deployment";
import { sha256Hex } from "@/lib/crypto";
import { warmEnvelopeThreads } from "@/lib/crypto/envelope-threads";
import { startNodeEnvelopeThreads } from "@/lib/crypto/node-envelope-threads";
import { openIpfsStore } from "@/lib/ipfs";
import { uploadRecord, type UploadProgress } from "@/lib/records/client/upload";
import { rpc, signedInClient } from "@/test/support/api/api-client";
import { registerPatient } from "@/test/support/api/chain";
import { testKeys } from "@/test/support/api/fixtures";
import { startBenchStack } from "../lib/bench-stack";
import { fmt, median, printTable, timeMs, writeResults, type SummaryRow } from "../lib/stats";

const MB = 1024 * 1024;
const SIZE = 10 * MB;
const RUNS = Number(process.env.BENCH_UPLOAD_RUNS ?? 5);
const TARGET_RATIO = 2;

// A 10 MB "scanned" PDF: one page whose content is an incompressible image stream (fresh bytes each run,
// so neither path gains from blocks already in the store).
function scannedPdf(size: number): Uint8Array {
  const head = Buffer.from(
    "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
      "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
      "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n" +
      `4 0 obj\n<< /Type /XObject /Subtype /Image /Length ${size} >>\nstream\n`,
    "latin1",
  );
  const tail = Buffer.from("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1");
  const pdf = new Uint8Array(size);
  pdf.set(head);
  randomFillSync(pdf, head.length, size - head.length - tail.length);
  pdf.set(tail, size - tail.length);
  return pdf;
}

/** Which API request a browser call is, for the per-request timings. */
function requestName(method: string, url: string): string {
  const { pathname } = new URL(url, "http://x");
  if (method === "POST" && pathname === "/api/uploads") return "create";
  if (method === "PUT" && pathname.endsWith("/content")) return "put";
  if (method === "POST" && pathname.endsWith("/confirm")) return "confirm";
  return `${method} ${pathname}`;
}

/**
 * The page's environment for lib/records/client: fetch of a relative URL goes to the app with the session
 * cookie and the page's Origin (as the browser sends them), and XMLHttpRequest sends its Blob with
 * node:http, streaming it like the browser's network stack (Node's fetch spends about 35 ms of CPU on a 10 MB
 * body, on the same two cores as the server: not what a browser costs). Every API request is timed.
 */
function browserEnvironment(appUrl: string, cookie: string, timings: Map<string, number>) {
  const nodeFetch = globalThis.fetch;
  const origin = new URL(appUrl).origin;
  const agent = new http.Agent({ keepAlive: true });
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings.set(name, performance.now() - started);
    }
  };
  globalThis.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
    if (typeof input === "string" && input.startsWith("/")) {
      const headers = new Headers(init.headers);
      headers.set("cookie", cookie);
      headers.set("origin", origin);
      return timed(requestName(init.method ?? "GET", input), () => nodeFetch(new URL(input, appUrl), { ...init, headers }));
    }
    return nodeFetch(input, init);
  }) as typeof fetch;

  class BrowserXhr {
    status = 0;
    responseText = "";
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    readonly upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
    private method = "GET";
    private url = "/";
    private readonly headers: Record<string, string> = {};
    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }
    setRequestHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    }
    send(body: Blob | Uint8Array) {
      const size = body instanceof Blob ? body.size : body.byteLength;
      const target = new URL(this.url, appUrl);
      const done = timed(
        requestName(this.method, this.url),
        () =>
          new Promise<void>((resolve, reject) => {
            const request = http.request(
              target,
              { method: this.method, agent, headers: { ...this.headers, cookie, origin, "content-length": String(size) } },
              (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                  this.status = response.statusCode ?? 0;
                  this.responseText = Buffer.concat(chunks).toString("utf8");
                  resolve();
                });
                response.on("error", reject);
              },
            );
            request.on("error", reject);
            let sent = 0;
            // A browser sends a byte array as it is; here in 64 KiB pieces, for the progress events.
            const source =
              body instanceof Blob
                ? Readable.fromWeb(body.stream() as import("node:stream/web").ReadableStream<Uint8Array>)
                : Readable.from(Array.from({ length: Math.ceil(size / 65536) }, (_, i) => Buffer.from(body.buffer, body.byteOffset + i * 65536, Math.min(65536, size - i * 65536))));
            source.on("data", (chunk: Buffer) => {
              sent += chunk.length;
              this.upload.onprogress?.({ loaded: sent, total: size, lengthComputable: true });
            });
            source.pipe(request);
          }),
      );
      done.then(
        () => this.onload?.(),
        () => this.onerror?.(),
      );
    }
  }
  (globalThis as unknown as { XMLHttpRequest: unknown }).XMLHttpRequest = BrowserXhr;
  return () => {
    globalThis.fetch = nodeFetch;
    agent.destroy();
  };
}

interface Steps {
  /** From the start to the ciphertext being ready (the upload's create runs meanwhile). */
  encrypt: number;
  /** Waiting for the create after the encryption (0 when it finished first). */
  create: number;
  put: number;
  addRecord: number;
  confirm: number;
  /** The requests themselves, whether or not the browser waited for them. */
  createRequest: number;
  putRequest: number;
  confirmRequest: number;
}

/** One uploadRecord as the upload form runs it; the steps are timed from its progress reports. */
async function uploadAsBrowser(chain: ReturnType<typeof browserChain>, key: ReturnType<typeof testKeys> & { address: string }, pdf: Uint8Array, timings: Map<string, number>): Promise<Steps & { total: number }> {
  const file = new File([pdf as Uint8Array<ArrayBuffer>], "scan.pdf", { type: "application/pdf" });
  // The form hashes the file before it starts (duplicate check); not part of the timed path.
  const metadata = {
    version: 1 as const,
    title: "Scan",
    hospital: "General Hospital",
    reason: "Follow-up",
    admissionDate: "2026-01-01",
    dischargeDate: "2026-01-02",
    category: "imaging" as const,
    fileName: "scan.pdf",
    size: pdf.length,
    sha256: sha256Hex(pdf),
    mimeType: "application/pdf" as const,
  };
  const firstSeen = new Map<string, number>();
  const onProgress = (progress: UploadProgress) => {
    if (!firstSeen.has(progress.step)) firstSeen.set(progress.step, performance.now());
  };
  timings.clear();
  const started = performance.now();
  await uploadRecord({ chain, key, file, metadata }, onProgress);
  const ended = performance.now();
  const at = (step: string) => firstSeen.get(step) ?? Number.NaN;
  const encrypted = firstSeen.get("create") ?? at("upload");
  return {
    encrypt: encrypted - started,
    create: at("upload") - encrypted,
    put: at("sign") - at("upload"),
    addRecord: at("confirm") - at("sign"),
    confirm: ended - at("confirm"),
    createRequest: timings.get("create") ?? Number.NaN,
    putRequest: timings.get("put") ?? Number.NaN,
    confirmRequest: timings.get("confirm") ?? Number.NaN,
    total: ended - started,
  };
}

const STEPS = ["encrypt", "create", "put", "addRecord", "confirm"] as const;
const REQUESTS = ["createRequest", "putRequest", "confirmRequest"] as const;

interface BrowserSetup {
  appUrl: string;
  cookie: string;
  addresses: ContractAddresses;
  address: string;
  publicKeyHex: string;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * The browser's side, in a worker thread of its own, as a browser is a program of its own: its encryption
 * never holds up what the bench's main thread runs for the stack meanwhile. Each upload is reported to the
 * main thread, which adds the plain baseline and then asks for the next one.
 */
async function browserWorker(setup: BrowserSetup) {
  // The envelope's threads, as the upload form starts Web Workers in a browser (lib/crypto/browser-envelope-threads.ts).
  startNodeEnvelopeThreads();
  await warmEnvelopeThreads();
  const timings = new Map<string, number>();
  const restore = browserEnvironment(setup.appUrl, setup.cookie, timings);
  // The wallet: an EIP-1193 provider whose requests go to the chain's node (accounts unlocked there).
  const provider = { request: ({ method, params }: { method: string; params?: unknown[] }) => rpc(method, params ?? []) };
  const chain = browserChain(provider as never, setup.addresses, setup.address);
  const key = { address: setup.address, publicKey: setup.publicKey, publicKeyHex: setup.publicKeyHex, secretKey: setup.secretKey };
  const port = parentPort!;
  try {
    // Warm-up (the first request of each route loads it in the server), then RUNS uploads.
    for (let run = 0; run <= RUNS; run++) {
      const steps = await uploadAsBrowser(chain, key, scannedPdf(SIZE), timings);
      const next = new Promise((resolve) => port.once("message", resolve));
      port.postMessage({ steps });
      await next;
    }
  } finally {
    restore();
  }
}

export async function main() {
  const bench = await startBenchStack({ env: { MAX_UPLOAD_BYTES: String(16 * MB) } });
  const store = await openIpfsStore({ repoPath: path.join(bench.dataDir, "ipfs-baseline") });
  try {
    const address = bench.accounts[13]!.toLowerCase();
    const keys = testKeys();
    await registerPatient(address, keys.publicKeyHex);
    const client = await signedInClient(address);
    const setup: BrowserSetup = { appUrl: bench.stack.app!.url, cookie: client.cookie!, addresses: bench.stack.addresses as ContractAddresses, address, ...keys };
    // The worker loads this file through tsx too (a worker does not inherit the main thread's loader hooks).
    const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const browser = new Worker(bootstrap, { eval: true, workerData: setup });
    const failed = new Promise<never>((_, reject) => browser.once("error", reject));
    const nextUpload = () => Promise.race([failed, new Promise<Steps & { total: number }>((resolve) => browser.once("message", (message: { steps: Steps & { total: number } }) => resolve(message.steps)))]);
    // Warm-up of both paths.
    await nextUpload();
    await store.add(scannedPdf(SIZE));
    const uploads: Array<Steps & { total: number }> = [];
    const plainAdds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      browser.postMessage("next");
      uploads.push(await nextUpload());
      const plain = scannedPdf(SIZE);
      plainAdds.push(await timeMs(() => store.add(plain)));
    }
    browser.postMessage("next");
    await browser.terminate();
    const uploadMs = median(uploads.map((u) => u.total));
    const plainMs = median(plainAdds);
    const stepMedians = Object.fromEntries(STEPS.map((step) => [step, median(uploads.map((u) => u[step]))]));
    const requestMedians = Object.fromEntries(REQUESTS.map((request) => [request, median(uploads.map((u) => u[request]))]));
    const summary: SummaryRow[] = [
      {
        bench: "upload",
        what: "10 MB PDF, whole upload path as the browser runs it",
        measured: `${fmt(uploadMs / 1000, 2)} s`,
        baseline: `plain 10 MB add+pin to the IPFS store ${fmt(plainMs / 1000, 2)} s`,
        ratio: `${fmt(uploadMs / plainMs, 2)}x`,
        target: `<= ${TARGET_RATIO}x`,
        pass: uploadMs / plainMs <= TARGET_RATIO,
      },
      {
        bench: "upload",
        what: "  of which waited for (median ms)",
        measured: Object.entries(stepMedians)
          .map(([step, ms]) => `${step} ${fmt(ms)}`)
          .join(", "),
        baseline: "",
        ratio: "",
        target: "",
        pass: null,
      },
      {
        bench: "upload",
        what: "  requests (median ms; create runs during encrypt)",
        measured: Object.entries(requestMedians)
          .map(([request, ms]) => `${request.replace("Request", "")} ${fmt(ms)}`)
          .join(", "),
        baseline: "",
        ratio: "",
        target: "",
        pass: null,
      },
    ];
    const file = writeResults("upload", {
      sizeBytes: SIZE,
      runs: RUNS,
      uploadMs,
      plainAddMs: plainMs,
      ratio: uploadMs / plainMs,
      stepMediansMs: stepMedians,
      requestMediansMs: requestMedians,
      uploads,
      plainAddsMs: plainAdds,
      summary,
    });
    printTable(summary);
    console.log(`Wrote ${file}`);
  } finally {
    await store.close();
    await bench.stop();
  }
}

if (isMainThread) await main();
else await browserWorker(workerData as BrowserSetup);
