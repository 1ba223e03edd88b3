import { Alert } from "./Alert";
import { Button } from "./Button";

/** Something could not be read: what went wrong, and a "Try again" that reads it again. */
export function RetryAlert({ title, message, onRetry }: { title: string; message: string; onRetry: () => void }) {
  return (
    <Alert tone="error" title={title}>
      {message}{" "}
      <Button variant="link" onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
