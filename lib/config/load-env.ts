import { envSchema, type Env } from "./env-schema";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates an environment; the message names every wrong variable on its own line. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // `NAME=` in an .env file means "use the default", as .env.example shows.
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable.`);
}

let cached: Env | undefined;

/** The process environment, validated once. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
