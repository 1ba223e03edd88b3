import { envSchema, type Env } from "./env-schema";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates an environment; the message names every wrong variable on its own line. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // `NAME=` in an .env file means "use the default", as .env.example shows.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(present);
  const lines = result.success ? [] : result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  // In production the server must never derive its own origin from the Host header (SIWE domain, CSRF
  // Origin check, cookie name): it is configured. Checked here, beside the schema, so it is named together
  // with every other wrong variable.
  if (present.NODE_ENV === "production" && present.PUBLIC_URL === undefined) {
    lines.push("  PUBLIC_URL: is required when NODE_ENV=production (the origin users open, e.g. https://ehr.example-hospital.org)");
  }
  if (result.success && lines.length === 0) return result.data;
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable.`);
}

let cached: Env | undefined;

/** The process environment, validated once. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
