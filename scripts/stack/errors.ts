/** A start-up failure with a one-line message that tells the user what to do. */
export class StartupError extends Error {
  override name = "StartupError";
}
