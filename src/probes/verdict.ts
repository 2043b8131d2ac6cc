// What every probe answers, and which store answers count as an answer.

/** true: it can (or is allowed); false: it cannot (or is denied); null: could not be told without risk. */
export type Verdict = boolean | null;

/** The HTTP status of a failed SDK request, when it got one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** A store's own verdict on a probe, not a passing failure (network, 5xx, throttling). */
export function settled(err: unknown): boolean {
  const status = statusOf(err);
  return status !== undefined && (status < 500 || status === 501) && status !== 429;
}
