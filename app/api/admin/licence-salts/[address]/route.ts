import { json } from "@/lib/api";
import { addressSchema, licenceSaltRequestSchema } from "@/lib/api/schemas";
import { parseInput, parseJsonBody } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { getLicenceSalt, putLicenceSalt } from "@/lib/admin/server/licence-salts";

export const dynamic = "force-dynamic";

// PUT /api/admin/licence-salts/:address - stores the salt of a doctor's licence hash (before registerDoctor is signed)
export const PUT = withSession<{ address: string }>(
  async ({ request, address, params }) =>
    json(await putLicenceSalt(address, parseInput(addressSchema, params.address, "The address"), (await parseJsonBody(request, licenceSaltRequestSchema)).salt)),
  { role: "admin" },
);

// GET /api/admin/licence-salts/:address - the stored salt of a doctor's licence hash; 404 when none
export const GET = withSession<{ address: string }>(async ({ params }) => json(await getLicenceSalt(parseInput(addressSchema, params.address, "The address"))), {
  role: "admin",
});
