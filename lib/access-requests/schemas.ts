/**
 * Request and response shapes of the access-request routes (app/api/access-requests), shared by the routes
 * (which validate with them) and the browser client (which parses answers with them). Strict objects: an
 * unknown field is a 422.
 */
import { z } from "zod";
import { addressSchema, encryptedBlobSchema, wrappedKeySchema } from "@/lib/api/schemas";
import { RECORD_CATEGORIES, type RecordCategory } from "@/lib/records/client/metadata";

const categoryValues = RECORD_CATEGORIES.map((category) => category.value) as [RecordCategory, ...RecordCategory[]];
export const requestCategorySchema = z.enum(categoryValues, { error: `must be one of ${categoryValues.join(", ")}` });

/** Unix seconds; 0 = no expiry (as on chain). Up to 2^40 (year 36812), well inside a JSON number and a bigint column. */
export const proposedExpirySchema = z
  .number({ error: "must be unix seconds" })
  .int("must be whole unix seconds")
  .min(0, "must be 0 (no expiry) or unix seconds")
  .max(2 ** 40, "is too far in the future");

export const accessRequestStatusSchema = z.enum(["pending", "approved", "declined", "withdrawn"]);

/** POST /api/access-requests: a doctor asks a patient; the reason is sealed in the doctor's browser. */
export const createAccessRequestSchema = z
  .strictObject({
    patient: addressSchema,
    /** All records, including future ones; else `categories` names which records (at least one). */
    allRecords: z.boolean({ error: "must be true or false" }),
    categories: z
      .array(requestCategorySchema)
      .max(categoryValues.length, `must hold at most ${categoryValues.length} categories`)
      .refine((values) => new Set(values).size === values.length, "must not repeat a category"),
    proposedExpiry: proposedExpirySchema,
    /** lib/crypto encryptJson({ reason }) under a fresh data key. */
    encryptedReason: encryptedBlobSchema,
    /** That data key wrapped (sealed box) for the patient's on-chain key and for the doctor's own. */
    reasonKeys: z.strictObject({ patient: wrappedKeySchema, doctor: wrappedKeySchema }),
  })
  .superRefine((value, context) => {
    if (value.allRecords && value.categories.length > 0) {
      context.addIssue({ code: "custom", path: ["categories"], message: "must be empty when all records are asked for" });
    }
    if (!value.allRecords && value.categories.length === 0) {
      context.addIssue({ code: "custom", path: ["categories"], message: "must name at least one category, or ask for all records" });
    }
  });

/** One request as its doctor or its patient sees it; `reasonKey` is the reason's data key wrapped for the caller. */
export const accessRequestSchema = z.strictObject({
  id: z.uuid(),
  doctor: addressSchema,
  patient: addressSchema,
  /** The doctor's registry entry on chain now. */
  doctorName: z.string(),
  doctorSpecialty: z.string(),
  allRecords: z.boolean(),
  categories: z.array(requestCategorySchema),
  proposedExpiry: proposedExpirySchema,
  encryptedReason: encryptedBlobSchema,
  reasonKey: wrappedKeySchema,
  status: accessRequestStatusSchema,
  /** ISO times. */
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
});

export const accessRequestsResponseSchema = z.strictObject({ requests: z.array(accessRequestSchema) });

export type AccessRequestStatus = z.infer<typeof accessRequestStatusSchema>;
export type CreateAccessRequest = z.infer<typeof createAccessRequestSchema>;
export type AccessRequest = z.infer<typeof accessRequestSchema>;
export type AccessRequestsResponse = z.infer<typeof accessRequestsResponseSchema>;
