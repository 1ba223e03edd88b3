import { json } from "@/lib/api";
import { addressSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { withSession } from "@/lib/auth/server/with-session";
import { emergencyAccess } from "@/lib/emergency/server/doctor-access";

export const dynamic = "force-dynamic";

// GET /api/emergency/patients/:patient - the caller's live emergency access: released shares and records in scope (403 without)
export const GET = withSession<{ patient: string }>(async ({ address, params }) => json(await emergencyAccess(address, parseInput(addressSchema, params.patient, "The patient"))), {
  role: "doctor",
});
