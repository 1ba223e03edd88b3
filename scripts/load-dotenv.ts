import { existsSync } from "node:fs";

/** Reads ./.env like Next.js does, so `npm start` and the app see the same settings. Real env wins. */
export function loadDotenv(file = ".env"): void {
  if (!existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before);
}
