// The trigger contract as a runtime sees it, once for every face that polls (the CLI's `poll`,
// the playground's watch panel, the MCP tool description): what goes from one poll's output into
// the next poll's input. A polling trigger (new_object) has a `cursor` in its input and output; an
// event trigger (object_events) has `ack` in its input and an `ack` token on each event. Read
// from the trigger's input schema, never from its name. Pure data in and out: no I/O, no clock, so
// the playground's page bundles it as it is.

/** Wait between polls when a trigger says there is nothing more (seconds): the CLI's `--every` and the playground's default. */
export const DEFAULT_POLL_EVERY_SECONDS = 10;

/** Which of the contract's fields a trigger's input has. */
export interface PollContract {
  /** The input takes the previous poll's `cursor` (a polling trigger). */
  cursor: boolean;
  /** The input takes the `ack` tokens of the events handled since (an event trigger). */
  ack: boolean;
}

/** What a runtime carries from one poll to the next. */
export interface PollState {
  cursor?: unknown;
  acks: string[];
}

/** One poll's answer, read the way the contract says. */
export interface PollOutcome {
  events: Record<string, unknown>[];
  /** The state the next poll starts from. */
  state: PollState;
  /** Poll again at once rather than after the interval: hasMore, or acks to hand in. */
  more: boolean;
}

/** The input fields the runtime fills in from the previous poll: not the user's to type. */
export const RUNTIME_FIELDS = ['cursor', 'ack'] as const satisfies readonly (keyof PollContract)[];

export function pollContract(inputSchema: object): PollContract {
  const props = ((inputSchema as { properties?: unknown }).properties ?? {}) as object;
  return { cursor: Object.hasOwn(props, 'cursor'), ack: Object.hasOwn(props, 'ack') };
}

/** The next poll's input: the user's input with the state the previous poll left. */
export function pollInput(
  input: Record<string, unknown>,
  contract: PollContract,
  state: PollState,
): Record<string, unknown> {
  return {
    ...input,
    ...(contract.cursor && state.cursor !== undefined ? { cursor: state.cursor } : {}),
    ...(contract.ack && state.acks.length ? { ack: state.acks } : {}),
  };
}

/**
 * A successful poll's output read by the contract. The events' ack tokens are the next poll's
 * `ack` (acknowledged once the caller has handed the events on); the cursor replaces the old one.
 */
export function afterPoll(output: Record<string, unknown>, contract: PollContract, state: PollState): PollOutcome {
  const events = Array.isArray(output.events) ? (output.events as Record<string, unknown>[]) : [];
  const acks = contract.ack ? events.flatMap((e) => (typeof e.ack === 'string' ? [e.ack] : [])) : [];
  const cursor = contract.cursor && output.cursor !== undefined ? output.cursor : state.cursor;
  return {
    events,
    state: { ...(cursor !== undefined ? { cursor } : {}), acks },
    more: output.hasMore === true || acks.length > 0,
  };
}
