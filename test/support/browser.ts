import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_HELP, findChromium } from "@/scripts/chromium-path";

/** Debian's Chromium (never a downloaded browser), with the flags this closed network needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_HELP);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}
