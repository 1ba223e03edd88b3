import { json } from "@/lib/api";
import { addressSchema } from "@/lib/api/schemas";
import { parseInput } from "@/lib/api/parse-input";
import { publicRoute } from "@/lib/auth/server/with-session";
import { getKey } from "@/lib/records/server/keys";

export const dynamic = "force-dynamic";

// GET /api/keys/:address - an account's encryption public key (public; check it against the chain)
export const GET = publicRoute<{ address: string }>(async ({ params }) =>
  json(await getKey(parseInput(addressSchema, params.address, "The address"))),
);
