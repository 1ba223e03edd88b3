/** First step of `npm test`: fail at once, with the fix, when the browser tests could not run. */
import { CHROMIUM_HELP, findChromium } from "./chromium-path";

const chromium = findChromium();
if (!chromium) {
  console.error(CHROMIUM_HELP);
  process.exit(1);
}
console.log(`Browser tests will use ${chromium}`);
