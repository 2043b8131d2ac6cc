// The playground page: a connection form, an operation picker, the operation's form (all
// rendered by react-jsonschema-form from the connector's schemas) and the result; and the watch
// panel, which polls a trigger (watch.tsx).
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import { StrictMode, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { FieldProblem } from '../../../runtime/errors.js';
import * as api from './api.js';
import { ConnectionReport } from './report.js';
import { deriveUiSchema, forForm, isFileReference, type Schema } from './schema.js';
import { formKit, problemsToErrors } from './forms.js';
import { WatchPanel } from './watch.js';
import type { PlaygroundContext } from './widgets.js';

type Data = Record<string, unknown>;

interface Shown {
  /** Counts results, so a repeated run of the same operation is a new result. */
  stamp: number;
  operation: string;
  ms: number;
  result: api.Result;
}

/** The output's file references (per the output schema), for download links. */
function fileOutputs(op: api.OperationInfo, output: Data): api.FileReference[] {
  const props = (op.outputSchema.properties ?? {}) as Record<string, Schema>;
  return Object.entries(props)
    .filter(
      ([name, s]) => isFileReference(s) && typeof (output[name] as api.FileReference | undefined)?.url === 'string',
    )
    .map(([name]) => output[name] as api.FileReference)
    .filter((ref) => ref.url.startsWith('file:'));
}

function ResultPanel({
  shown,
  op,
  operations,
  connectionSchema,
}: {
  shown?: Shown;
  op?: api.OperationInfo;
  operations: api.OperationInfo[];
  connectionSchema: Schema;
}) {
  if (!shown) {
    return (
      <section className="result empty" id="result">
        <h2>Result</h2>
        <p>Pick an operation, fill its form and press Run. The output, or the structured error, shows up here.</p>
      </section>
    );
  }
  const { result } = shown;
  const files = result.ok && op ? fileOutputs(op, result.output) : [];
  return (
    <section
      className={`result ${result.ok ? 'ok' : 'failed'}`}
      id="result"
      data-operation={shown.operation}
      data-stamp={shown.stamp}
    >
      <h2>Result</h2>
      <p className="result-status" id="result-status">
        {result.ok ? (
          <span className="badge badge-ok">Success</span>
        ) : (
          <span className="badge badge-error">
            Error: {result.error.type}
            {result.error.code ? ` (${result.error.code})` : ''}
          </span>
        )}
        <span className="result-meta">
          {shown.operation} · {shown.ms} ms
        </span>
      </p>
      {!result.ok && <p className="result-message">{result.error.message}</p>}
      {result.ok && shown.operation === 'testConnection' && (
        <ConnectionReport output={result.output} operations={operations} connectionSchema={connectionSchema} />
      )}
      {files.map((f) => (
        <p key={f.url} className="download">
          <a href={api.downloadUrl(f)} download={f.name} id="download-link">
            ⬇ Download {f.name}
          </a>{' '}
          ({f.size} bytes, {f.mimeType})
        </p>
      ))}
      <pre id="result-json">{JSON.stringify(result.ok ? result.output : result.error, null, 2)}</pre>
    </section>
  );
}

function App() {
  const [manifest, setManifest] = useState<api.Manifest>();
  const [loadError, setLoadError] = useState<string>();
  const [connection, setConnection] = useState<Data>({});
  const [connectionErrors, setConnectionErrors] = useState<ErrorSchema>();
  const [opName, setOpName] = useState(() => decodeURIComponent(location.hash.slice(1)) || 'list_buckets');
  const [input, setInput] = useState<Data>({});
  const [inputErrors, setInputErrors] = useState<ErrorSchema>();
  const [shown, setShown] = useState<Shown>();
  const [running, setRunning] = useState(false);
  const [showConnection, setShowConnection] = useState(true);
  const [testInput, setTestInput] = useState<Data>({});
  const connectionForm = useRef<Form>(null);
  /** Counts results (a repeated run is a new result) and operation switches (a late answer to an earlier operation is dropped). */
  const stamps = useRef(0);
  const generation = useRef(0);

  useEffect(() => {
    api.getManifest().then(
      (m) => {
        setManifest(m);
        setConnection(m.connection.initial);
      },
      (err: Error) => setLoadError(err.message),
    );
  }, []);

  const actions = useMemo(() => manifest?.operations.filter((o) => o.kind === 'action') ?? [], [manifest]);
  const triggers = useMemo(() => manifest?.operations.filter((o) => o.kind === 'trigger') ?? [], [manifest]);
  const op = actions.find((o) => o.name === opName) ?? actions[0];
  const connectionSchema = useMemo(() => (manifest ? forForm(manifest.connection.schema) : {}), [manifest]);
  const inputSchema = useMemo(() => (op ? forForm(op.inputSchema) : {}), [op]);
  const connectionUi = useMemo(() => deriveUiSchema(connectionSchema, connectionSchema), [connectionSchema]);
  const inputUi = useMemo(() => deriveUiSchema(inputSchema, inputSchema), [inputSchema]);
  const testSchema = useMemo(() => (manifest ? forForm(manifest.connection.test.schema) : {}), [manifest]);
  const testUi = useMemo(() => deriveUiSchema(testSchema, testSchema), [testSchema]);
  const connectionKey = JSON.stringify(connection);
  const context = useMemo<PlaygroundContext>(
    () => ({
      formData: input,
      connectionKey,
      invoke: (operation, lookupInput, signal) => api.invoke(operation, lookupInput, connection, signal),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [input, connectionKey],
  );
  const testContext = useMemo<PlaygroundContext>(
    () => ({ ...context, formData: testInput }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [context, testInput],
  );

  if (loadError) return <p className="load-error">Could not load the connector: {loadError}</p>;
  if (!manifest || !op) return <p className="loading">Loading…</p>;

  const choose = (name: string) => {
    const next = actions.find((o) => o.name === name);
    if (!next) return;
    // Keep the bucket when the next operation has one too.
    const keep = next.inputSchema.properties?.bucket && input.bucket ? { bucket: input.bucket } : {};
    setOpName(name);
    setInput(keep);
    setInputErrors(undefined);
    // The result shown was the previous operation's: it goes, and so does any answer still on its way.
    generation.current++;
    setShown(undefined);
    setRunning(false);
    history.replaceState(null, '', `#${name}`);
  };

  const show = (operation: string, started: number, result: api.Result) =>
    setShown({ stamp: ++stamps.current, operation, ms: Math.round(performance.now() - started), result });

  const run = async (data: Data) => {
    if (connectionForm.current && !connectionForm.current.validateForm()) {
      setShowConnection(true);
      return;
    }
    setRunning(true);
    const started = performance.now();
    const asked = generation.current;
    const result = await api.invoke(op.name, data, connection);
    if (asked !== generation.current) return; // another operation was chosen meanwhile
    show(op.name, started, result);
    setRunning(false);
    // The server's own checks, shown on the fields they concern.
    const problems = !result.ok ? (result.error.details?.problems as FieldProblem[] | undefined) : undefined;
    if (!result.ok && problems?.length) {
      if (result.error.code === 'InvalidConnection') {
        setConnectionErrors(problemsToErrors(problems));
        setShowConnection(true);
      } else {
        setInputErrors(problemsToErrors(problems));
      }
    }
  };

  const check = async () => {
    if (connectionForm.current && !connectionForm.current.validateForm()) return;
    const started = performance.now();
    const asked = generation.current;
    const bucket = typeof testInput.bucket === 'string' && testInput.bucket ? testInput.bucket : undefined;
    const result = await api.testConnection(connection, bucket);
    if (asked !== generation.current) return;
    show('testConnection', started, result);
  };

  const credentials = (connection.credentials ?? {}) as Data;
  return (
    <>
      <header>
        <h1>
          {manifest.title} connector <span className="version">v{manifest.version}</span>
        </h1>
        <p>Every form on this page is rendered from the connector's JSON Schemas; Run calls the connector's invoke.</p>
      </header>
      <main>
        <div className="forms">
          <section className="card connection" id="connection">
            <h2>
              <button
                type="button"
                className="section-toggle"
                aria-expanded={showConnection}
                onClick={() => setShowConnection(!showConnection)}
              >
                {showConnection ? '▾' : '▸'} Connection
              </button>
              <span className="summary">
                {String(connection.region ?? '')} · {String(connection.endpoint ?? 'Amazon S3')} ·{' '}
                {String(credentials.type ?? 'default chain')}
              </span>
            </h2>
            <div hidden={!showConnection}>
              <Form
                ref={connectionForm}
                idPrefix="conn"
                schema={connectionSchema as RJSFSchema}
                uiSchema={connectionUi}
                formData={connection}
                {...formKit}
                extraErrors={connectionErrors}
                onChange={(e) => {
                  setConnection(e.formData as Data);
                  setConnectionErrors(undefined);
                }}
              >
                {/* biome-ignore lint/complexity/noUselessFragments: an empty child replaces rjsf's own submit button */}
                <></>
              </Form>
              <div className="test-connection">
                <Form
                  idPrefix="test"
                  schema={testSchema as RJSFSchema}
                  uiSchema={testUi}
                  formData={testInput}
                  formContext={testContext}
                  {...formKit}
                  onChange={(e) => setTestInput(e.formData as Data)}
                  onSubmit={() => void check()}
                >
                  <button type="submit" className="btn" id="test-connection">
                    Test connection
                  </button>
                </Form>
              </div>
            </div>
          </section>

          <section className="card operation">
            <label htmlFor="operation" className="picker-label">
              Operation
            </label>
            <select id="operation" className="form-control" value={op.name} onChange={(e) => choose(e.target.value)}>
              {actions.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.title} ({o.name})
                </option>
              ))}
            </select>
            <p className="op-description">{op.description}</p>
            <p className="chips">
              {op.permissions.map((p) => (
                <span key={p} className="chip" title="IAM action this operation needs">
                  {p}
                </span>
              ))}
              {op.annotations.readOnly && <span className="chip chip-safe">read-only</span>}
              {op.annotations.destructive && <span className="chip chip-warn">overwrites / deletes</span>}
              {!op.annotations.readOnly && !op.annotations.destructive && (
                <span
                  className="chip chip-warn"
                  title="Not read-only: the operation's description says what it can change"
                >
                  may change data
                </span>
              )}
            </p>
            <Form
              key={op.name}
              id="operation-form"
              idPrefix="input"
              schema={inputSchema as RJSFSchema}
              uiSchema={inputUi}
              formData={input}
              formContext={context}
              {...formKit}
              extraErrors={inputErrors}
              onChange={(e) => {
                setInput(e.formData as Data);
                setInputErrors(undefined);
              }}
              onSubmit={(e) => void run(e.formData as Data)}
            >
              <button type="submit" className="btn btn-primary" id="run" disabled={running}>
                {running ? 'Running…' : `Run ${op.name}`}
              </button>
            </Form>
          </section>
          <WatchPanel
            triggers={triggers}
            connection={connection}
            connectionKey={connectionKey}
            checkConnection={() => {
              if (!connectionForm.current || connectionForm.current.validateForm()) return true;
              setShowConnection(true);
              return false;
            }}
          />
        </div>
        <ResultPanel
          shown={shown}
          op={actions.find((o) => o.name === shown?.operation)}
          operations={actions}
          connectionSchema={connectionSchema}
        />
      </main>
    </>
  );
}

createRoot(document.getElementById('app')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
