// `s3-connector poll <trigger>`: what a runtime does with a trigger, on the command line. Polls,
// prints each event as one JSON line on stdout, and passes back what the next poll needs itself:
// the cursor of a polling trigger (new_object), the acks of the events it printed for an event
// trigger (object_events: an event is acknowledged once its line is written). Polls again at once
// while the trigger says there is more, otherwise every --every seconds, until Ctrl-C.
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Connector, InvokeResult } from '../runtime/connector.js';
import type { ConnectorErrorInfo, ErrorType } from '../runtime/errors.js';
import { afterPoll, pollContract, pollInput, type PollState } from '../triggers/pollContract.js';

export interface PollOptions {
  connector: Connector;
  operation: string;
  input: Record<string, unknown>;
  connection: unknown;
  /** Wait between polls when there is nothing more (ms). */
  everyMs: number;
  /** Deadline of each poll (ms). */
  timeoutMs?: number;
  /** Where the cursor is read from at start and written after each poll (polling triggers). */
  cursorFile?: string;
  /** Stop after this many polls (tests, scripts); until interrupted when absent. */
  polls?: number;
  signal: AbortSignal;
  exitCodes: Readonly<Record<ErrorType, number>>;
  describeError(error: ConnectorErrorInfo): string;
  out(line: string): void;
  err(line: string): void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** The exit status: 0 when stopped by --polls, the error's on a non-retryable error; the caller gives 130 on Ctrl-C. */
export async function runPoll(o: PollOptions): Promise<number> {
  const op = o.connector.operations().find((x) => x.name === o.operation);
  if (!op || op.kind !== 'trigger') {
    const triggers = o.connector
      .operations()
      .filter((x) => x.kind === 'trigger')
      .map((x) => x.name);
    o.err(
      `error (user_input, NotATrigger): ${JSON.stringify(o.operation)} is not a trigger. Triggers: ${triggers.join(', ')}.`,
    );
    return 1;
  }
  const contract = pollContract(op.inputSchema);
  let state: PollState = { cursor: o.input.cursor, acks: [] };
  if (contract.cursor && o.cursorFile) {
    const text = await readFile(o.cursorFile, 'utf8').catch((e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT' ? undefined : Promise.reject(e),
    );
    if (text !== undefined && text.trim() !== '') state = { ...state, cursor: JSON.parse(text) };
  }
  const call = (name: string, input: unknown): Promise<InvokeResult> =>
    o.connector.invokeDynamic(name, input, {
      connection: o.connection,
      signal: o.signal,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
  let count = 0;
  try {
    while (!o.signal.aborted) {
      const result = await call(o.operation, pollInput(o.input, contract, state));
      if (o.signal.aborted) break;
      count++;
      let more = false;
      if (result.ok) {
        const outcome = afterPoll(result.output as Record<string, unknown>, contract, state);
        state = outcome.state;
        for (const event of outcome.events) o.out(JSON.stringify(event));
        if (contract.cursor && state.cursor !== undefined && o.cursorFile) {
          // Replaced whole: a reader (or a crash) never sees half a cursor.
          await writeFile(`${o.cursorFile}.tmp`, `${JSON.stringify(state.cursor)}\n`);
          await rename(`${o.cursorFile}.tmp`, o.cursorFile);
        }
        more = outcome.more;
      } else {
        o.err(o.describeError(result.error));
        if (!result.error.retryable) return o.exitCodes[result.error.type] ?? 2;
        o.err(`(will poll again in ${o.everyMs / 1000} s)`);
      }
      if (o.polls !== undefined && count >= o.polls) break;
      if (!more) await sleep(o.everyMs, o.signal);
    }
    return 0;
  } finally {
    // Events printed but not yet acknowledged (stopped between polls): acknowledge them now,
    // past the interrupt, so they are not delivered again; if this fails they simply come back.
    if (state.acks.length > 0) {
      const done = await o.connector.invokeDynamic(
        'object_events_ack',
        { ack: state.acks },
        { connection: o.connection, timeoutMs: 10_000 },
      );
      if (!done.ok) o.err(o.describeError(done.error));
    }
  }
}
