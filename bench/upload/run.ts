// Item 3: a 10 MB PDF through the whole upload path, driven through the API as the browser does it
// (encrypt the file stream, encrypt the metadata and wrap the key, POST /api/uploads, PUT the content, which
// the server adds to IPFS and pins, addRecord mined, POST confirm), against adding the same 10 MB of
// plaintext straight to the IPFS store. Median of RUNS, interleaved, on a stack of its own.
//   node --import tsx bench/upload/run.ts            (also part of `npm run bench`)
import { randomFillSync } from "node:crypto";
import path from "node:path";
import {
  bytesToBase64,
  encodeWrappedKey,
  encryptJson,
  encryptStream,
  randomDataKey,
  wrapKey,
} from "@/lib/crypto";
import { openIpfsStore } from "@/lib/ipfs";
import { streamChunks } from "@/lib/records/client/streams";
import { collectBytes } from "@/lib/crypto/byte-reader";
import { signedInClient, type ApiClient } from "@/test/support/api/api-client";
import { addRecord, registerPatient } from "@/test/support/api/chain";
import { testKeys } from "@/test/support/api/fixtures";
import { startBenchStack } from "../lib/bench-stack";
import { fmt, median, printTable, timeMs, writeResults, type SummaryRow } from "../lib/stats";

const MB = 1024 * 1024;
const SIZE = 10 * MB;
const RUNS = Number(process.env.BENCH_UPLOAD_RUNS ?? 5);
const TARGET_RATIO = 2;
const OCTETS = { "content-type": "application/octet-stream" };

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

interface Steps {
  encrypt: number;
  create: number;
  put: number;
  addRecord: number;
  confirm: number;
}

async function uploadAsBrowser(client: ApiClient, patient: string, publicKey: Uint8Array, pdf: Uint8Array): Promise<Steps> {
  const steps: Partial<Steps> = {};
  const dataKey = randomDataKey();
  let ciphertext!: Uint8Array;
  let encryptedMetadata!: string;
  let wrappedKeys!: Array<{ recipient: string; wrappedKey: string }>;
  steps.encrypt = await timeMs(async () => {
    // As lib/records/client/upload.ts: the File's stream through encryptStream, then metadata and key.
    const file = new Blob([pdf as Uint8Array<ArrayBuffer>], { type: "application/pdf" });
    ciphertext = await collectBytes(encryptStream(dataKey, streamChunks(file.stream())));
    encryptedMetadata = bytesToBase64(
      encryptJson(dataKey, { title: "Scan", fileName: "scan.pdf", mimeType: "application/pdf", size: pdf.length }),
    );
    wrappedKeys = [{ recipient: patient, wrappedKey: encodeWrappedKey(wrapKey(dataKey, publicKey)) }];
  });
  let uploadId = "";
  steps.create = await timeMs(async () => {
    const created = await client.post("/api/uploads", {
      json: { patient, size: ciphertext.length, encryptedMetadata, wrappedKeys },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    uploadId = (created.body as { uploadId: string }).uploadId;
  });
  let content!: { cidDigest: string; codec: number };
  steps.put = await timeMs(async () => {
    const answer = await client.put(`/api/uploads/${uploadId}/content`, { body: ciphertext, headers: OCTETS });
    if (answer.status !== 200) throw new Error(`content: ${answer.status} ${JSON.stringify(answer.body)}`);
    content = answer.body as { cidDigest: string; codec: number };
  });
  let recordId = "";
  steps.addRecord = await timeMs(async () => {
    recordId = await addRecord(patient, patient, content.cidDigest, content.codec);
  });
  steps.confirm = await timeMs(async () => {
    const answer = await client.post(`/api/uploads/${uploadId}/confirm`, { json: { recordId } });
    if (answer.status !== 200) throw new Error(`confirm: ${answer.status} ${JSON.stringify(answer.body)}`);
  });
  dataKey.fill(0);
  return steps as Steps;
}

export async function main() {
  const bench = await startBenchStack({ env: { MAX_UPLOAD_BYTES: String(16 * MB) } });
  const store = await openIpfsStore({ repoPath: path.join(bench.dataDir, "ipfs-baseline") });
  try {
    const patient = bench.accounts[13]!.toLowerCase();
    const keys = testKeys();
    await registerPatient(patient, keys.publicKeyHex);
    const client = await signedInClient(patient);
    // Warm-up: the first request of each route compiles it in the server.
    await uploadAsBrowser(client, patient, keys.publicKey, scannedPdf(SIZE));
    await store.add(scannedPdf(SIZE));
    const uploads: Array<Steps & { total: number }> = [];
    const plainAdds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const pdf = scannedPdf(SIZE);
      const started = performance.now();
      const steps = await uploadAsBrowser(client, patient, keys.publicKey, pdf);
      uploads.push({ ...steps, total: performance.now() - started });
      const plain = scannedPdf(SIZE);
      plainAdds.push(await timeMs(() => store.add(plain)));
    }
    const uploadMs = median(uploads.map((u) => u.total));
    const plainMs = median(plainAdds);
    const stepMedians = Object.fromEntries(
      (["encrypt", "create", "put", "addRecord", "confirm"] as const).map((step) => [step, median(uploads.map((u) => u[step]))]),
    );
    const summary: SummaryRow[] = [
      {
        bench: "upload",
        what: "10 MB PDF, whole upload path via the API",
        measured: `${fmt(uploadMs / 1000, 2)} s`,
        baseline: `plain 10 MB add+pin to the IPFS store ${fmt(plainMs / 1000, 2)} s`,
        ratio: `${fmt(uploadMs / plainMs, 2)}x`,
        target: `<= ${TARGET_RATIO}x`,
        pass: uploadMs / plainMs <= TARGET_RATIO,
      },
      {
        bench: "upload",
        what: "  of which (median ms)",
        measured: Object.entries(stepMedians)
          .map(([step, ms]) => `${step} ${fmt(ms)}`)
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

await main();
