// The watch panel: a trigger's form, Start / Stop, and its events as they arrive. It polls the
// way a runtime does (src/triggers/pollContract.ts, as `s3-connector poll`): one poll through the
// server's /api/poll, the cursor or acks it answers carried into the next, again at once while
// the trigger says there is more, otherwise after the interval. Nothing in it names a trigger.
// Stop aborts the poll on its way and clears the timer: no request after it.
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FieldProblem } from '../../../runtime/errors.js';
import {
  afterPoll,
  DEFAULT_POLL_EVERY_SECONDS,
  pollContract,
  pollInput,
  RUNTIME_FIELDS,
  type PollState,
} from '../../../triggers/pollContract.js';
import * as api from './api.js';
import { formKit, problemsToErrors } from './forms.js';
import { deriveUiSchema, forForm, type Schema } from './schema.js';
import type { PlaygroundContext } from './widgets.js';

/** Events the panel keeps on show, newest first; older ones drop off (the count says how many came). */
export const MAX_WATCH_EVENTS = 200;
/** The shortest interval the panel accepts between polls, in seconds. */
export const MIN_WATCH_EVERY_SECONDS = 1;

type Data = Record<string, unknown>;

interface Shown {
  seq: number;
  at: string;
  event: Data;
}

interface Watching {
  /** Aborts the poll on its way; once aborted, nothing is scheduled again. */
  controller: AbortController;
  timer?: number;
  state: PollState;
}

/** The trigger's input form without the fields the panel carries from poll to poll itself. */
function userSchema(schema: Schema): Schema {
  const properties = { ...(schema.properties ?? {}) } as Record<string, Schema>;
  for (const f of RUNTIME_FIELDS) delete properties[f];
  const required = ((schema.required ?? []) as string[]).filter(
    (f) => !(RUNTIME_FIELDS as readonly string[]).includes(f),
  );
  return { ...schema, properties, required };
}

/** A short label for an event: its first string fields (key, type, ...), whichever the trigger has. */
function labelOf(event: Data): string {
  return Object.values(event)
    .filter((v): v is string => typeof v === 'string' && v.length <= 200)
    .slice(0, 2)
    .join(' · ');
}

export function WatchPanel({
  triggers,
  connection,
  connectionKey,
  checkConnection,
}: {
  triggers: api.OperationInfo[];
  connection: Data;
  connectionKey: string;
  /** Validates the page's connection form (showing its errors); false stops Start. */
  checkConnection: () => boolean;
}) {
  const [name, setName] = useState(triggers[0]?.name ?? '');
  const op = triggers.find((t) => t.name === name) ?? triggers[0];
  const [input, setInput] = useState<Data>({});
  const [inputErrors, setInputErrors] = useState<ErrorSchema>();
  const [every, setEvery] = useState(DEFAULT_POLL_EVERY_SECONDS);
  const [running, setRunning] = useState(false);
  /** polling: a request on its way; waiting: the next poll is scheduled; stopped. */
  const [phase, setPhase] = useState<'polling' | 'waiting' | 'stopped'>('stopped');
  const [events, setEvents] = useState<Shown[]>([]);
  const [received, setReceived] = useState(0);
  const [polls, setPolls] = useState(0);
  const [cursor, setCursor] = useState<unknown>();
  const [error, setError] = useState<api.ErrorInfo>();
  const watching = useRef<Watching | undefined>(undefined);
  const seq = useRef(0);

  const schema = useMemo(() => (op ? forForm(userSchema(op.inputSchema)) : {}), [op]);
  const ui = useMemo(() => deriveUiSchema(schema, schema), [schema]);
  const contract = useMemo(() => pollContract(op?.inputSchema ?? {}), [op]);
  const context = useMemo<PlaygroundContext>(
    () => ({
      formData: input,
      connectionKey,
      invoke: (operation, lookupInput, signal) => api.invoke(operation, lookupInput, connection, signal),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [input, connectionKey],
  );

  const stop = () => {
    const w = watching.current;
    if (!w) return;
    watching.current = undefined;
    w.controller.abort();
    if (w.timer !== undefined) window.clearTimeout(w.timer);
    setRunning(false);
    setPhase('stopped');
  };
  // Leaving the page (or a remount) stops the watch too.
  useEffect(() => stop, []);

  if (!op) return null;

  const start = (data: Data) => {
    if (!checkConnection()) return;
    stop();
    const w: Watching = { controller: new AbortController(), state: { acks: [] } };
    watching.current = w;
    setRunning(true);
    setEvents([]);
    setReceived(0);
    setPolls(0);
    setCursor(undefined);
    setError(undefined);
    setInputErrors(undefined);
    const trigger = op.name;
    const everyMs = Math.max(MIN_WATCH_EVERY_SECONDS, every) * 1000;
    // The connection and input as they were at Start, for the whole watch.
    const conn = connection;
    const again = (ms: number) => {
      if (w.controller.signal.aborted) return;
      w.timer = window.setTimeout(() => void once(), ms);
      setPhase('waiting');
    };
    const once = async () => {
      w.timer = undefined;
      setPhase('polling');
      let result: api.Result;
      try {
        result = await api.poll(trigger, pollInput(data, contract, w.state), conn, w.controller.signal);
      } catch {
        return; // aborted by Stop
      }
      if (w.controller.signal.aborted) return;
      setPolls((n) => n + 1);
      if (result.ok) {
        const outcome = afterPoll(result.output, contract, w.state);
        w.state = outcome.state;
        setCursor(outcome.state.cursor);
        setError(undefined);
        if (outcome.events.length) {
          const at = new Date().toLocaleTimeString();
          // The trigger answers oldest first; the panel shows the newest on top.
          const fresh = outcome.events.map((event) => ({ seq: ++seq.current, at, event })).reverse();
          setEvents((old) => [...fresh, ...old].slice(0, MAX_WATCH_EVENTS));
          setReceived((n) => n + outcome.events.length);
        }
        again(outcome.more ? 0 : everyMs);
        return;
      }
      setError(result.error);
      if (result.error.retryable) return again(everyMs);
      // Not worth another try: the watch ends, and the problems land on their fields.
      stop();
      const problems = result.error.details?.problems as FieldProblem[] | undefined;
      if (problems?.length && result.error.code !== 'InvalidConnection') setInputErrors(problemsToErrors(problems));
    };
    void once();
  };

  return (
    <section
      className="card watch"
      id="watch-panel"
      data-state={running ? 'watching' : 'stopped'}
      data-phase={phase}
      data-polls={polls}
    >
      <h2>Watch a trigger</h2>
      <label htmlFor="watch-trigger" className="picker-label">
        Trigger
      </label>
      <select
        id="watch-trigger"
        className="form-control"
        value={op.name}
        disabled={running}
        onChange={(e) => {
          const next = triggers.find((t) => t.name === e.target.value);
          if (!next) return;
          setName(next.name);
          // Keep the bucket when the next trigger has one too.
          setInput(next.inputSchema.properties?.bucket && input.bucket ? { bucket: input.bucket } : {});
          setInputErrors(undefined);
          setEvents([]);
          setReceived(0);
          setCursor(undefined);
          setError(undefined);
        }}
      >
        {triggers.map((t) => (
          <option key={t.name} value={t.name}>
            {t.title} ({t.name})
          </option>
        ))}
      </select>
      <p className="op-description">{op.description}</p>
      <Form
        key={op.name}
        id="watch-form"
        idPrefix="watch"
        schema={schema as RJSFSchema}
        uiSchema={ui}
        formData={input}
        formContext={context}
        {...formKit}
        extraErrors={inputErrors}
        disabled={running}
        onChange={(e) => {
          setInput(e.formData as Data);
          setInputErrors(undefined);
        }}
        onSubmit={(e) => start(e.formData as Data)}
      >
        <p className="watch-controls">
          <label htmlFor="watch-every">Poll every</label>{' '}
          <input
            id="watch-every"
            type="number"
            min={MIN_WATCH_EVERY_SECONDS}
            value={every}
            disabled={running}
            onChange={(e) =>
              setEvery(Math.max(MIN_WATCH_EVERY_SECONDS, Number(e.target.value) || DEFAULT_POLL_EVERY_SECONDS))
            }
          />{' '}
          s (at once while the trigger has more){' '}
          <button type="submit" className="btn btn-primary" id="watch-start" disabled={running}>
            Start
          </button>{' '}
          <button type="button" className="btn" id="watch-stop" disabled={!running} onClick={stop}>
            Stop
          </button>
        </p>
      </Form>
      <p className="watch-status" id="watch-status">
        {running ? <span className="badge badge-ok">Watching</span> : <span className="badge">Stopped</span>}{' '}
        <span className="result-meta">
          {polls} poll{polls === 1 ? '' : 's'} · {received} event{received === 1 ? '' : 's'}
          {received > events.length ? ` (the newest ${events.length} shown)` : ''}
        </span>
      </p>
      {contract.ack && (
        <p className="hint">
          Each poll acknowledges the events the previous one showed; after Stop, the last poll's events are not
          acknowledged and are delivered again once their lease ends.
        </p>
      )}
      {error && (
        <div className="watch-error" id="watch-error" data-type={error.type}>
          <span className="badge badge-error">
            Error: {error.type}
            {error.code ? ` (${error.code})` : ''}
          </span>{' '}
          {error.retryable && running ? 'will poll again' : ''}
          <p className="result-message">{error.message}</p>
          <pre>{JSON.stringify(error, null, 2)}</pre>
        </div>
      )}
      <ol className="watch-events" id="watch-events">
        {events.map((e) => (
          <li key={e.seq} className="watch-event" data-seq={e.seq}>
            <span className="result-meta">
              #{e.seq} · {e.at}
            </span>{' '}
            <strong>{labelOf(e.event)}</strong>
            <pre>{JSON.stringify(e.event, null, 2)}</pre>
          </li>
        ))}
      </ol>
      {contract.cursor && cursor !== undefined && (
        <details className="watch-cursor">
          <summary>Cursor (carried into the next poll)</summary>
          <pre id="watch-cursor">{JSON.stringify(cursor, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}
