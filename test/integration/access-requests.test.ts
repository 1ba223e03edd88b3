/**
 * Access requests over HTTP against the running app, the test chain and PostgreSQL: every route, every
 * refusal (validation, roles, one open request per doctor and patient, wrong party = unknown id, approval
 * without a live grant on chain, a deactivated doctor's request disappearing), and the sealed reason.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { openReason, sealReason } from "@/lib/access-requests/client/reason";
import { stackUnderTest } from "../support/stack-env";
import { ApiClient, signedInClient } from "../support/api/api-client";
import { freshAccount } from "../support/api/chain-identities";
import { deactivateDoctor, grantAllAccess, registerDoctor, registerPatient, revokeAllAccess } from "../support/api/chain";
import { testKeys, withDatabase } from "../support/api/fixtures";

// Account 47 belongs to this file (45 and 46 to test/e2e/access-requests.test.ts); 0 is the admin. The other
// parties are accounts made for this run (imported into Ganache, funded by 47), so no other file's are touched.
const stack = stackUnderTest();
const adminAccount = stack.accounts[0]!;
const ownAccount = stack.accounts[47]!;
const SUITE = "access requests suite";
const lower = (account: string) => account.toLowerCase() as `0x${string}`;

type Party = "pat" | "pam" | "dan" | "eve" | "fay";
const keys = { pat: testKeys(), pam: testKeys(), dan: testKeys(), eve: testKeys(), fay: testKeys() };
const address = {} as Record<Party, `0x${string}`>;
const clients = {} as Record<Party, ApiClient>;

const error = (code: string, message: string, details?: unknown) => ({ error: details === undefined ? { code, message } : { code, message, details } });
const NOT_YOURS = error("forbidden", "There is no such access request for you.");
const OPEN_ALREADY = error("conflict", "You already have an open request to this patient. Wait for their answer or withdraw it before asking again.");
const nowSeconds = () => Math.floor(Date.now() / 1000);
const WEEK = 7 * 86_400;

/** A request body as the doctor's browser builds it: the reason sealed for the patient's key and the doctor's own. */
function ask(doctor: "dan" | "eve" | "fay", patient: "pat" | "pam", reason: string, overrides: Record<string, unknown> = {}) {
  return {
    patient: address[patient],
    allRecords: false,
    categories: ["lab-result", "imaging"],
    proposedExpiry: nowSeconds() + WEEK,
    ...sealReason(reason, keys[patient].publicKey, keys[doctor].publicKey),
    ...overrides,
  };
}

interface RequestBody {
  id: string;
  doctor: string;
  patient: string;
  doctorName: string;
  doctorSpecialty: string;
  allRecords: boolean;
  categories: string[];
  proposedExpiry: number;
  encryptedReason: string;
  reasonKey: string;
  status: string;
  createdAt: string;
  decidedAt: string | null;
}
const requestsOf = (body: unknown) => (body as { requests: RequestBody[] }).requests;

async function create(doctor: "dan" | "eve" | "fay", patient: "pat" | "pam", reason: string, overrides: Record<string, unknown> = {}): Promise<RequestBody> {
  const answer = await clients[doctor].post("/api/access-requests", { json: ask(doctor, patient, reason, overrides) });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as RequestBody;
}

before(async () => {
  address.pat = lower(ownAccount);
  for (const party of ["pam", "dan", "eve", "fay"] as const) address[party] = lower(await freshAccount(ownAccount));
  await registerPatient(address.pat, keys.pat.publicKeyHex);
  await registerPatient(address.pam, keys.pam.publicKeyHex);
  await registerDoctor(adminAccount, address.dan, keys.dan.publicKeyHex, { name: "Dr Dana Request", specialty: `Cardiology (${SUITE})` });
  await registerDoctor(adminAccount, address.eve, keys.eve.publicKeyHex, { name: "Dr Eve Leaving", specialty: `Neurology (${SUITE})` });
  await registerDoctor(adminAccount, address.fay, keys.fay.publicKeyHex, { name: "Dr Fay Stranger", specialty: `Dermatology (${SUITE})` });
  for (const party of ["pat", "pam", "dan", "eve", "fay"] as const) clients[party] = await signedInClient(address[party]);
});

describe("POST /api/access-requests", () => {
  const invalid = (details: unknown) => error("invalid_input", "The request body is invalid.", details);
  const cases: Array<{ name: string; body: () => unknown; status: number; expected: () => unknown }> = [
    { name: "an unknown field", body: () => ({ ...ask("dan", "pat", "x"), note: "hi" }), status: 422, expected: () => invalid([{ path: "", message: 'Unrecognized key: "note"' }]) },
    {
      name: "no category and not all records",
      body: () => ask("dan", "pat", "x", { categories: [] }),
      status: 422,
      expected: () => invalid([{ path: "categories", message: "must name at least one category, or ask for all records" }]),
    },
    {
      name: "categories beside all records",
      body: () => ask("dan", "pat", "x", { allRecords: true }),
      status: 422,
      expected: () => invalid([{ path: "categories", message: "must be empty when all records are asked for" }]),
    },
    {
      name: "an unknown category",
      body: () => ask("dan", "pat", "x", { categories: ["genome"] }),
      status: 422,
      expected: () => invalid([{ path: "categories.0", message: "must be one of lab-result, prescription, imaging, discharge-summary, other" }]),
    },
    { name: "a repeated category", body: () => ask("dan", "pat", "x", { categories: ["other", "other"] }), status: 422, expected: () => invalid([{ path: "categories", message: "must not repeat a category" }]) },
    { name: "a fractional expiry", body: () => ask("dan", "pat", "x", { proposedExpiry: 1.5 }), status: 422, expected: () => invalid([{ path: "proposedExpiry", message: "must be whole unix seconds" }]) },
    {
      name: "a past expiry",
      body: () => ask("dan", "pat", "x", { proposedExpiry: nowSeconds() - 60 }),
      status: 422,
      expected: () => error("invalid_input", "The proposed expiry has already passed.", [{ path: "proposedExpiry", message: "must be 0 (no expiry) or in the future" }]),
    },
    {
      name: "a wrapped key of the wrong size",
      body: () => ({ ...ask("dan", "pat", "x"), reasonKeys: { patient: "AAAA", doctor: ask("dan", "pat", "x").reasonKeys.doctor } }),
      status: 422,
      expected: () => invalid([{ path: "reasonKeys.patient", message: "must be an 81-byte wrapped key" }]),
    },
    {
      name: "an address that is no patient",
      body: () => ask("dan", "pat", "x", { patient: address.fay }),
      status: 422,
      expected: () => error("invalid_input", `${address.fay} is not a registered patient.`, [{ path: "patient", message: "is not a registered patient" }]),
    },
    {
      name: "asking oneself",
      body: () => ask("dan", "pat", "x", { patient: address.dan }),
      status: 422,
      expected: () => error("invalid_input", "You cannot ask yourself for access.", [{ path: "patient", message: "is the caller" }]),
    },
  ];
  for (const row of cases) {
    it(`answers ${row.status} for ${row.name}`, async () => {
      const answer = await clients.dan.post("/api/access-requests", { json: row.body() });
      assert.deepEqual([answer.status, answer.body], [row.status, row.expected()]);
    });
  }

  it("answers 415 for a body that is not JSON, 401 without a session and 403 to a patient", async () => {
    const text = await clients.dan.post("/api/access-requests", { body: JSON.stringify(ask("dan", "pat", "x")), headers: { "content-type": "text/plain" } });
    assert.deepEqual([text.status, text.body], [415, error("unsupported_media_type", "Send the request body as application/json.")]);
    const anonymous = await new ApiClient().post("/api/access-requests", { json: ask("dan", "pat", "x") });
    assert.deepEqual([anonymous.status, anonymous.body], [401, error("unauthenticated", "Sign in with your wallet first.")]);
    const patient = await clients.pam.post("/api/access-requests", { json: ask("dan", "pat", "x") });
    assert.deepEqual([patient.status, patient.body], [403, error("forbidden", "This account is not registered as a doctor.")]);
  });
});

describe("a request from ask to answer", () => {
  const REASON = "Follow-up of the arrhythmia seen on 3 March: I need the recent ECG and blood panels.";
  let first: RequestBody;

  it("stores a pending request whose reason only the patient and the doctor can open", async () => {
    const proposedExpiry = nowSeconds() + WEEK;
    first = await create("dan", "pat", REASON, { proposedExpiry });
    assert.match(first.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...first, id: undefined, encryptedReason: undefined, reasonKey: undefined, createdAt: undefined },
      {
        id: undefined,
        doctor: address.dan,
        patient: address.pat,
        doctorName: "Dr Dana Request",
        doctorSpecialty: `Cardiology (${SUITE})`,
        allRecords: false,
        categories: ["lab-result", "imaging"],
        proposedExpiry,
        encryptedReason: undefined,
        reasonKey: undefined,
        status: "pending",
        createdAt: undefined,
        decidedAt: null,
      },
    );
    assert.equal(openReason(first, keys.dan.secretKey), REASON, "the doctor's answer carries the key wrapped for the doctor");
    assert.equal(openReason(first, keys.pat.secretKey), undefined);

    const received = await clients.pat.get("/api/access-requests/received");
    assert.equal(received.status, 200);
    const [mine, ...others] = requestsOf(received.body);
    assert.equal(others.length, 0);
    assert.deepEqual({ ...mine, reasonKey: undefined }, { ...first, reasonKey: undefined });
    assert.equal(openReason(mine!, keys.pat.secretKey), REASON, "the patient opens the reason with their own key");
    assert.equal(openReason(mine!, keys.dan.secretKey), undefined);

    const stored = await withDatabase(async (db) => (await db.query<{ row: string }>("SELECT row_to_json(r)::text AS row FROM access_requests r WHERE id = $1", [first.id])).rows[0]!.row);
    assert.ok(!stored.includes("arrhythmia") && !stored.includes(Buffer.from("arrhythmia").toString("hex")), "the database never holds the reason in the clear");
  });

  it("refuses a second open request of the same doctor to the same patient with 409, but not to another patient", async () => {
    const again = await clients.dan.post("/api/access-requests", { json: ask("dan", "pat", "Once more", { allRecords: true, categories: [] }) });
    assert.deepEqual([again.status, again.body], [409, OPEN_ALREADY]);
    const other = await create("dan", "pam", "Another patient");
    assert.equal(other.status, "pending");
    const sent = await clients.dan.get("/api/access-requests/sent");
    assert.equal(sent.status, 200);
    assert.deepEqual(requestsOf(sent.body).map((request) => [request.patient, request.status]), [
      [address.pam, "pending"],
      [address.pat, "pending"],
    ]);
  });

  it("answers a wrong party exactly as an unknown or malformed id: 403", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const rows: Array<{ who: Party; action: string; id: string }> = [
      { who: "pam", action: "approve", id: first.id },
      { who: "pam", action: "decline", id: first.id },
      { who: "fay", action: "withdraw", id: first.id },
      { who: "pat", action: "decline", id: unknown },
      { who: "pat", action: "approve", id: unknown },
      { who: "dan", action: "withdraw", id: unknown },
      { who: "pat", action: "decline", id: "not-a-uuid" },
      { who: "dan", action: "withdraw", id: "not-a-uuid" },
    ];
    for (const row of rows) {
      const answer = await clients[row.who].post(`/api/access-requests/${row.id}/${row.action}`);
      assert.deepEqual([answer.status, answer.body], [403, NOT_YOURS], `${row.who} ${row.action} ${row.id}`);
    }
    const wrongRole: Array<{ who: Party; path: string; message: string }> = [
      { who: "dan", path: `/api/access-requests/${first.id}/decline`, message: "Only a registered patient may do this." },
      { who: "dan", path: `/api/access-requests/${first.id}/approve`, message: "Only a registered patient may do this." },
      { who: "pat", path: `/api/access-requests/${first.id}/withdraw`, message: "This account is not registered as a doctor." },
    ];
    for (const row of wrongRole) {
      const answer = await clients[row.who].post(row.path);
      assert.deepEqual([answer.status, answer.body], [403, error("forbidden", row.message)], row.path);
    }
    assert.deepEqual((await clients.dan.get("/api/access-requests/received")).status, 403);
    assert.deepEqual((await clients.pat.get("/api/access-requests/sent")).status, 403);
    assert.equal((await new ApiClient().get("/api/access-requests/received")).status, 401);
    assert.equal(requestsOf((await clients.pat.get("/api/access-requests/received")).body)[0]?.status, "pending", "nothing changed");
  });

  it("refuses to mark a request approved until the chain holds a live grant to that doctor", async () => {
    const early = await clients.pat.post(`/api/access-requests/${first.id}/approve`);
    assert.deepEqual(
      [early.status, early.body],
      [409, error("conflict", "Dr Dana Request holds no live grant from you on chain yet. Sign the grant first; the request is marked approved once it is mined.")],
    );
    assert.equal(requestsOf((await clients.pat.get("/api/access-requests/received")).body).length, 1, "still pending");

    await grantAllAccess(address.pat, address.dan, nowSeconds() + WEEK);
    const approved = await clients.pat.post(`/api/access-requests/${first.id}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal((approved.body as RequestBody).status, "approved");
    assert.match((approved.body as RequestBody).decidedAt ?? "", /^\d{4}-\d{2}-\d{2}T/);
    assert.deepEqual(requestsOf((await clients.pat.get("/api/access-requests/received")).body), [], "no longer pending");
    const sent = requestsOf((await clients.dan.get("/api/access-requests/sent")).body);
    assert.equal(sent.find((request) => request.id === first.id)?.status, "approved", "the doctor sees the outcome");

    for (const action of ["approve", "decline"]) {
      const again = await clients.pat.post(`/api/access-requests/${first.id}/${action}`);
      assert.deepEqual([again.status, again.body], [409, error("conflict", "This request was already approved.")], action);
    }
    const withdraw = await clients.dan.post(`/api/access-requests/${first.id}/withdraw`);
    assert.deepEqual([withdraw.status, withdraw.body], [409, error("conflict", "This request was already approved.")]);
    await revokeAllAccess(address.pat, address.dan);
  });

  it("lets the doctor ask again once answered; the patient declines with one call and the doctor sees it", async () => {
    const second = await create("dan", "pat", "Second opinion on imaging", { allRecords: true, categories: [], proposedExpiry: 0 });
    assert.deepEqual([second.allRecords, second.categories, second.proposedExpiry], [true, [], 0]);
    const declined = await clients.pat.post(`/api/access-requests/${second.id}/decline`);
    assert.equal(declined.status, 200);
    assert.equal((declined.body as RequestBody).status, "declined");
    assert.equal(requestsOf((await clients.dan.get("/api/access-requests/sent")).body).find((request) => request.id === second.id)?.status, "declined");
    const again = await clients.pat.post(`/api/access-requests/${second.id}/decline`);
    assert.deepEqual([again.status, again.body], [409, error("conflict", "This request was already declined.")]);
  });

  it("lets the doctor withdraw a pending request, which leaves the patient's list", async () => {
    const third = await create("dan", "pat", "Withdrawn soon");
    const withdrawn = await clients.dan.post(`/api/access-requests/${third.id}/withdraw`);
    assert.equal(withdrawn.status, 200);
    assert.equal((withdrawn.body as RequestBody).status, "withdrawn");
    assert.deepEqual(requestsOf((await clients.pat.get("/api/access-requests/received")).body), []);
    const approve = await clients.pat.post(`/api/access-requests/${third.id}/approve`);
    assert.deepEqual([approve.status, approve.body], [409, error("conflict", "This request was already withdrawn.")]);
  });

  it("makes a deactivated doctor's request disappear: gone from the list, 403 like an unknown id", async () => {
    const eves = await create("eve", "pat", "Before I leave");
    assert.deepEqual(requestsOf((await clients.pat.get("/api/access-requests/received")).body).map((request) => request.id), [eves.id]);
    await deactivateDoctor(adminAccount, address.eve);
    assert.deepEqual(requestsOf((await clients.pat.get("/api/access-requests/received")).body), []);
    for (const action of ["approve", "decline"]) {
      const answer = await clients.pat.post(`/api/access-requests/${eves.id}/${action}`);
      assert.deepEqual([answer.status, answer.body], [403, NOT_YOURS], action);
    }
    const list = await clients.eve.get("/api/access-requests/sent");
    assert.deepEqual([list.status, list.body], [403, error("forbidden", "Your doctor account is deactivated.")]);
    const asking = await clients.eve.post("/api/access-requests", { json: ask("eve", "pam", "Still here?") });
    assert.deepEqual([asking.status, asking.body], [403, error("forbidden", "Your doctor account is deactivated.")]);
  });
});
