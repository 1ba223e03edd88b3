import { accessSync, constants } from "node:fs";

export const CHROMIUM_HELP = [
  "No Chromium found for the browser tests.",
  "Set CHROMIUM_PATH to a Chromium or Chrome binary, or install Debian's:",
  "  sudo apt-get update && sudo apt-get install -y chromium",
  "(Playwright's own browser download is not used.)",
].join("\n");

/** CHROMIUM_PATH if set, else Debian's /usr/bin/chromium; undefined when neither is executable. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].filter((p): p is string => Boolean(p));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
