#!/usr/bin/env node
// The package's command line: list operations, describe one, invoke one. It only parses
// arguments, calls loadConnector()/invoke, prints, and maps the error type to an exit status:
// validation, clients and error mapping are the runtime's.
import { readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  loadConnector,
  type Connector,
  type InvokeResult,
  type LoadOptions,
  type OperationInfo,
} from '../runtime/connector.js';
import { transferBar, type TransferBar } from './progress.js';
import type { ConnectorErrorInfo, ErrorType, FieldProblem } from '../runtime/errors.js';
import { LocalFileStore } from '../io/files.js';
import { packageRoot, type JsonSchema } from '../runtime/manifest.js';
import { DEFAULT_POLL_EVERY_SECONDS } from '../triggers/pollContract.js';

/**
 * Exit status per error type. 1: the request as given cannot succeed — fix the input, the
 * connection's credentials or region, or the permissions (retrying the same call will not help).
 * 2: everything else — the store, the network or the connector failed (some are worth a retry;
 * the result's `error.retryable` says which).
 */
export const EXIT_CODES: Readonly<Record<ErrorType, 1 | 2>> = {
  user_input: 1,
  not_found: 1,
  forbidden: 1,
  auth: 1,
  precondition_failed: 1,
  region_mismatch: 1,
  conflict: 2,
  throttled: 2,
  timeout: 2,
  network: 2,
  unsupported: 2,
  api: 2,
  internal: 2,
};
/** Exit status when the user interrupts a call with Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Operations whose transfers get a progress bar. */
const TRANSFERS = new Set(['put_object_file', 'get_object']);

/** A mistake in the command line itself: exit 1, message on stderr, an error result on stdout. */
class CliInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22:
// noise on a command line's stderr, which is kept for error messages (set the variable to
// anything else to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`| head`) closes the pipe: not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Where a parse error is, without quoting the text (a connection holds secrets). */
function jsonErrorPlace(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return text.trim() === '' ? ' (it is empty)' : '';
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1]!.length + 1})`;
}

/**
 * An option's JSON: `-` is stdin (where allowed), text starting with `{` is inline JSON,
 * anything else a file path.
 */
async function readJsonOption(option: '--input' | '--connection', value: string, secret: boolean): Promise<unknown> {
  let text: string;
  let from: string;
  if (value === '-' && option === '--input') {
    if (process.stdin.isTTY) fail('Reading the input JSON from stdin (end with Ctrl-D)…');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
    from = `${option} - (stdin)`;
  } else if (value.trimStart().startsWith('{')) {
    text = value;
    from = option;
  } else {
    try {
      text = await readFile(value, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliInputError(
        'InvalidCliArgument',
        code === 'ENOENT'
          ? `${option}: there is no file ${JSON.stringify(value)}. Give a file path or inline JSON starting with {${option === '--input' ? ', or - to read stdin' : ''}.`
          : `${option}: cannot read ${JSON.stringify(value)} (${code ?? 'error'}).`,
      );
    }
    from = `${option} file ${JSON.stringify(value)}`;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // The parser quotes the text it choked on; a connection's text holds secrets, so only say where.
    const why = secret ? jsonErrorPlace(text, err) : `: ${(err as Error).message}`;
    throw new CliInputError('InvalidJson', `${from} is not valid JSON${why}.`);
  }
}

/** The connection from the standard AWS environment variables, credentials from the default chain. */
function connectionFromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new CliInputError(
      'NoConnection',
      'No connection: pass --connection <file | JSON>, or set AWS_REGION (or AWS_DEFAULT_REGION) to use the AWS environment ' +
        '(credentials from the default provider chain, endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL).',
    );
  }
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return { region, ...(endpoint ? { endpoint } : {}), credentials: { type: 'defaultChain' } };
}

/** Shared definitions an operation's schemas use (`defs.json#/$defs/<name>`), transitively. */
function referencedDefs(schemas: unknown[], defs: JsonSchema): Record<string, unknown> {
  const all = (defs.$defs ?? {}) as Record<string, unknown>;
  const found: Record<string, unknown> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const m = /^(?:defs\.json)?#\/\$defs\/(.+)$/.exec(v);
        if (m && !(m[1]! in found) && m[1]! in all) {
          found[m[1]!] = all[m[1]!];
          walk(all[m[1]!]);
        }
      } else walk(v);
    }
  };
  schemas.forEach(walk);
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}

function findOperation(connector: Connector, name: string): OperationInfo {
  const op = connector.operations().find((o) => o.name === name);
  if (!op) {
    throw new CliInputError(
      'UnknownOperation',
      `There is no operation named ${JSON.stringify(name)}. Known operations: ${connector
        .operations()
        .map((o) => o.name)
        .join(', ')}.`,
    );
  }
  return op;
}

function describeError(error: ConnectorErrorInfo): string {
  const lines = [`error (${error.type}${error.code ? `, ${error.code}` : ''}): ${error.message}`];
  const problems = (error.details?.problems ?? []) as FieldProblem[];
  if (problems.length > 1) for (const p of problems) lines.push(`  - ${p.message}`);
  return lines.join('\n');
}

interface InvokeOptions {
  connection?: string;
  input?: string;
  inputFile?: string;
  filesRoot?: string;
  timeout?: number;
  allowHost?: string[];
  allowPrivateNetworks?: boolean;
  progress?: boolean;
}

async function invokeCommand(name: string, opts: InvokeOptions): Promise<number> {
  let bar: TransferBar | undefined;
  const controller = new AbortController();
  let interrupted = false;
  let connector: Connector | undefined;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    bar?.stop();
    fail('Interrupted: cancelling (anything half-written is cleaned up). Ctrl-C again to quit at once.');
    controller.abort();
  };
  try {
    const input = (opts.input === undefined ? {} : await readJsonOption('--input', opts.input, false)) as Record<
      string,
      unknown
    >;
    const connection =
      opts.connection === undefined
        ? connectionFromEnvironment(process.env)
        : await readJsonOption('--connection', opts.connection, true);

    let filesRoot = opts.filesRoot === undefined ? undefined : resolve(opts.filesRoot);
    const loadOptions: LoadOptions = {
      allowedHttpsHosts: opts.allowHost ?? [],
      ...(opts.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
    };
    if (opts.inputFile !== undefined) {
      // A local path becomes a file reference of a store rooted at the file's folder (or at
      // --files-root, which must then hold the file: the store's confinement still applies).
      if (name !== 'put_object_file') {
        throw new CliInputError('InvalidCliArgument', `--input-file only applies to put_object_file, not ${name}.`);
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw new CliInputError(
          'InvalidCliArgument',
          '--input-file needs the --input to be a JSON object (or no --input).',
        );
      }
      if (input.file !== undefined) {
        throw new CliInputError(
          'InvalidCliArgument',
          'Give the file either as "file" in --input or with --input-file, not both.',
        );
      }
      const real = await realpath(opts.inputFile).catch(() => undefined);
      const kind =
        real === undefined
          ? undefined
          : await stat(real).then((s) => (s.isFile() ? 'file' : s.isDirectory() ? 'folder' : 'other'));
      if (real === undefined || kind !== 'file') {
        const what =
          kind === 'folder'
            ? 'is a folder, not a file: give the path of one file'
            : kind === 'other'
              ? 'is not a regular file'
              : 'does not exist';
        throw new CliInputError('InvalidCliArgument', `--input-file: ${JSON.stringify(opts.inputFile)} ${what}.`);
      }
      filesRoot ??= dirname(real);
      input.file = { url: pathToFileURL(real).href, name: basename(real) };
      // Without a key, the object is named after the file, as `aws s3 cp file s3://bucket/` does.
      if (input.key === undefined) input.key = basename(real);
    }
    if (filesRoot !== undefined) loadOptions.files = new LocalFileStore(filesRoot);

    connector = await loadConnector(loadOptions);
    // Progress is drawn on stderr, by default only when both stdout and stderr are terminals;
    // --progress draws it whenever stderr is a terminal, --no-progress never.
    const wantBar =
      TRANSFERS.has(name) && process.stderr.isTTY === true && (opts.progress ?? process.stdout.isTTY === true);
    if (wantBar) bar = transferBar(name);
    process.on('SIGINT', onSigint);
    const result: InvokeResult = await connector.invokeDynamic(name, input, {
      connection,
      signal: controller.signal,
      ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
      ...(bar ? { onProgress: bar.onProgress } : {}),
    });
    bar?.stop();
    printJson(result);
    // A connection's warnings (TLS not verified) are said on stderr too, where a person sees them.
    for (const note of result.notes ?? []) fail(note);
    if (result.ok) return 0;
    fail(describeError(result.error));
    return interrupted ? EXIT_INTERRUPTED : (EXIT_CODES[result.error.type] ?? 2);
  } catch (err) {
    bar?.stop();
    if (!(err instanceof CliInputError)) throw err;
    const error: ConnectorErrorInfo = { type: 'user_input', code: err.code, message: err.message, retryable: false };
    printJson({ ok: false, error });
    fail(describeError(error));
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    connector?.close();
  }
}

interface PollCommandOptions {
  connection?: string;
  input?: string;
  every: number;
  cursorFile?: string;
  polls?: number;
  timeout?: number;
}

/** `poll`: the trigger's events as JSON lines until Ctrl-C (src/cli/poll.ts); exit 130 when interrupted. */
async function pollCommand(name: string, opts: PollCommandOptions): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    fail('Interrupted: stopping (Ctrl-C again to quit at once).');
    controller.abort();
  };
  let connector: Connector | undefined;
  try {
    const input = (opts.input === undefined ? {} : await readJsonOption('--input', opts.input, false)) as Record<
      string,
      unknown
    >;
    const connection =
      opts.connection === undefined
        ? connectionFromEnvironment(process.env)
        : await readJsonOption('--connection', opts.connection, true);
    connector = await loadConnector();
    process.on('SIGINT', onSigint);
    const { runPoll } = await import('./poll.js');
    const code = await runPoll({
      connector,
      operation: name,
      input,
      connection,
      everyMs: opts.every * 1000,
      signal: controller.signal,
      ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
      ...(opts.cursorFile !== undefined ? { cursorFile: opts.cursorFile } : {}),
      ...(opts.polls !== undefined ? { polls: opts.polls } : {}),
      exitCodes: EXIT_CODES,
      describeError,
      out: (line) => process.stdout.write(`${line}\n`),
      err: fail,
    });
    return controller.signal.aborted ? EXIT_INTERRUPTED : code;
  } catch (err) {
    if (!(err instanceof CliInputError)) throw err;
    fail(describeError({ type: 'user_input', code: err.code, message: err.message, retryable: false }));
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    connector?.close();
  }
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('give a number greater than 0.');
  return n;
}

interface McpCommandOptions {
  connection?: string;
  filesRoot?: string;
  http?: number;
  timeout?: number;
  allowHost?: string[];
  allowPrivateNetworks?: boolean;
}

/** `mcp`: the connection and file store as `invoke` takes them, then the MCP server (src/adapters/mcp.ts) until it is closed. */
async function mcpCommand(opts: McpCommandOptions): Promise<number> {
  let connection: unknown;
  try {
    connection =
      opts.connection === undefined
        ? connectionFromEnvironment(process.env)
        : await readJsonOption('--connection', opts.connection, true);
  } catch (err) {
    if (!(err instanceof CliInputError)) throw err;
    fail(`error: ${err.message}`); // stdout belongs to the protocol
    return 1;
  }
  const files = opts.filesRoot === undefined ? undefined : new LocalFileStore(resolve(opts.filesRoot));
  // Outputs are checked against their schemas, as MCP clients check structuredContent.
  const connector = await loadConnector({
    validateOutput: true,
    allowedHttpsHosts: opts.allowHost ?? [],
    ...(opts.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
    ...(files ? { files } : {}),
  });
  const { serveMcpHttp, serveMcpStdio } = await import('../adapters/mcp.js');
  const serverOptions = { connection, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}) };
  try {
    if (opts.http === undefined) {
      await serveMcpStdio(connector, serverOptions);
      return 0;
    }
    let http: Awaited<ReturnType<typeof serveMcpHttp>>;
    try {
      http = await serveMcpHttp(connector, { ...serverOptions, port: opts.http });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw err;
      fail(`error: cannot listen on 127.0.0.1:${opts.http} (${code}).`);
      return 1;
    }
    fail(`MCP server (Streamable HTTP) on ${http.url}`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await http.close();
    return 0;
  } finally {
    connector.close();
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('give a port number, 0 to 65535 (0: a free port).');
  return port;
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    throw new InvalidArgumentError('give a whole number of milliseconds, at least 1.');
  return ms;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const program = new Command()
  .name('s3-connector')
  .description(
    'Amazon S3 and S3-compatible stores from the command line: list the operations, describe one, invoke one, or serve them all as MCP tools.',
  )
  .version(version)
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Exit status: 0 success; 1 the request cannot succeed as given (user_input, not_found, forbidden,
auth, precondition_failed, region_mismatch, or a bad command line); 2 anything else (network,
timeout, throttled, conflict, unsupported, api, internal); 130 interrupted with Ctrl-C.

Examples:
  $ s3-connector operations
  $ s3-connector describe get_object
  $ AWS_REGION=eu-west-1 s3-connector invoke list_buckets
  $ s3-connector invoke head_object --connection conn.json --input '{"bucket": "my-bucket", "key": "a.txt"}'`,
  );

program
  .command('operations')
  .description('List the operations: name, kind (action, lookup for dropdowns, or trigger: see poll) and title.')
  .option('--json', 'print a JSON array (name, title, kind, description) instead of a table')
  .addHelpText(
    'after',
    `
Examples:
  $ s3-connector operations
  $ s3-connector operations --json | jq -r '.[] | select(.kind == "action") | .name'`,
  )
  .action(async (opts: { json?: boolean }) => {
    const connector = await loadConnector();
    const ops = connector.operations();
    if (opts.json) {
      printJson(ops.map(({ name, title, kind, description }) => ({ name, title, kind, description })));
      return;
    }
    const rows = [['NAME', 'KIND', 'TITLE'], ...ops.map((o) => [o.name, o.kind, o.title])];
    const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}\n`);
  });

program
  .command('describe')
  .description(
    'Print an operation as JSON: title, description, kind, IAM actions, annotations, input and output schemas, and the shared definitions they reference.',
  )
  .argument('<operation>', 'operation name, e.g. get_object (see: s3-connector operations)')
  .addHelpText(
    'after',
    `
The schemas refer to shared definitions as "defs.json#/$defs/<name>"; those used are under "defs".

Examples:
  $ s3-connector describe put_object_text
  $ s3-connector describe get_object | jq '.input.properties | keys'
  $ s3-connector describe delete_objects | jq -r '.permissions[]'`,
  )
  .action(async (name: string) => {
    const connector = await loadConnector();
    try {
      const op = findOperation(connector, name);
      printJson({
        name: op.name,
        title: op.title,
        description: op.description,
        kind: op.kind,
        permissions: op.permissions,
        annotations: op.annotations,
        input: op.inputSchema,
        output: op.outputSchema,
        defs: referencedDefs([op.inputSchema, op.outputSchema], connector.defsSchema),
      });
    } catch (err) {
      if (!(err instanceof CliInputError)) throw err;
      fail(`error: ${err.message}`);
      process.exitCode = 1;
    }
  });

program
  .command('invoke')
  .description(
    'Invoke an operation and print its result JSON ({"ok": true, "output": …} or {"ok": false, "error": …}) on stdout; on an error, its message goes to stderr.',
  )
  .argument('<operation>', 'operation name, e.g. list_objects (see: s3-connector operations)')
  .option(
    '-c, --connection <file | JSON>',
    'the connection (schemas/connection.json): a JSON file, or inline JSON starting with {. Without it: the AWS environment (see below)',
  )
  .option(
    '-i, --input <file | JSON | ->',
    "the operation's input: a JSON file, inline JSON starting with {, or - to read it from stdin (default: {})",
  )
  .option(
    '--input-file <path>',
    'put_object_file only: upload this local file (its folder becomes the file store, unless --files-root is given and holds it)',
  )
  .option(
    '--files-root <dir>',
    "folder of the local file store: where get_object writes files, and the only place file:// references may point into (default: the connector's, under the OS temp folder)",
  )
  .option('--timeout <ms>', 'deadline for the whole call in milliseconds (default: 15 minutes)', parseTimeout)
  .option('--allow-host <host>', 'allow https:// file references from this host (repeatable; none by default)', collect)
  .option(
    '--allow-private-networks',
    'let the --allow-host hosts be (or resolve to) loopback, link-local or private addresses (refused by default)',
  )
  .addOption(
    new Option(
      '--progress',
      'draw the transfer progress bar on stderr whenever stderr is a terminal (default: only when stdout is one too)',
    ),
  )
  .addOption(new Option('--no-progress', 'never draw a progress bar'))
  .addHelpText(
    'after',
    `
Without --connection, the connection comes from the standard AWS environment: region from
AWS_REGION (or AWS_DEFAULT_REGION), endpoint from AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL),
credentials from the default provider chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
AWS_PROFILE and the shared config files, web identity, container or instance role).
The connection is never printed.

Transfers (put_object_file, get_object to a file) show a progress bar with bytes, rate and ETA
on stderr when run in a terminal.

Exit status: 0 success; 1 user_input, not_found, forbidden, auth, precondition_failed,
region_mismatch or a bad command line; 2 network, timeout, throttled, conflict, unsupported,
api, internal; 130 interrupted with Ctrl-C (the call is cancelled and cleaned up first).

Examples:
  $ AWS_REGION=us-east-1 s3-connector invoke list_buckets
  $ s3-connector invoke list_objects -c conn.json -i '{"bucket": "my-bucket", "prefix": "reports/"}'
  $ echo '{"bucket": "my-bucket", "key": "a.txt", "content": "hi"}' | s3-connector invoke put_object_text -c conn.json -i -
  $ s3-connector invoke put_object_file -c conn.json -i '{"bucket": "my-bucket", "key": "backup.tar"}' --input-file ./backup.tar
  $ s3-connector invoke get_object -c conn.json -i '{"bucket": "my-bucket", "key": "backup.tar"}' --files-root ./downloads | jq -r .output.file.url
  with conn.json like {"region": "us-east-1", "endpoint": "http://127.0.0.1:9000",
    "credentials": {"type": "accessKey", "accessKeyId": "…", "secretAccessKey": "…"}}`,
  )
  .action(async (name: string, opts: InvokeOptions) => {
    process.exitCode = await invokeCommand(name, opts);
  });

program
  .command('poll')
  .description(
    'Poll a trigger and print each event as one JSON line on stdout, until Ctrl-C: the cursor (new_object) or the acks of the printed events (object_events) are passed to the next poll.',
  )
  .argument('<trigger>', 'a trigger, e.g. new_object or object_events (see: s3-connector operations)')
  .option('-c, --connection <file | JSON>', 'the connection, as for invoke (without it: the AWS environment)')
  .option('-i, --input <file | JSON | ->', "the trigger's input, as for invoke (default: {})")
  .option(
    '--every <seconds>',
    `wait between polls when there is nothing more to fetch (default: ${DEFAULT_POLL_EVERY_SECONDS})`,
    parsePositive,
    DEFAULT_POLL_EVERY_SECONDS,
  )
  .option(
    '--cursor-file <path>',
    'read the starting cursor from this file and write the new one after every poll, so a restart goes on where it stopped',
  )
  .option('--polls <n>', 'stop after this many polls (default: until Ctrl-C)', parsePositive)
  .option('--timeout <ms>', 'deadline for each poll in milliseconds', parseTimeout)
  .addHelpText(
    'after',
    `
An event of object_events is acknowledged (deleted from the queue) once its line is written: by the
next poll, or when stopped. Errors go to stderr; a retryable one (network, throttled, ...) is
retried at the next interval, any other ends the command with its exit status.

Exit status: 130 when stopped with Ctrl-C (the normal end); 0 after --polls; 1 or 2 on an error, as for invoke.

Examples:
  $ s3-connector poll new_object -c conn.json -i '{"bucket": "my-bucket", "prefix": "incoming/"}' --every 30
  $ s3-connector poll new_object -c conn.json -i '{"bucket": "my-bucket"}' --cursor-file ./cursor.json | jq -r .key
  $ s3-connector poll object_events -c conn.json -i '{"queue": "my-bucket-events", "waitSeconds": 20}'`,
  )
  .action(async (name: string, opts: PollCommandOptions) => {
    process.exitCode = await pollCommand(name, opts);
  });

program
  .command('mcp')
  .description(
    'Serve the operations as Model Context Protocol tools on stdin/stdout (or, with --http, on a loopback port) until the client closes it.',
  )
  .option(
    '-c, --connection <file | JSON>',
    'the connection every tool call uses (schemas/connection.json): a JSON file, or inline JSON starting with {. Without it: the AWS environment (see invoke --help). Never a tool argument, never shown to the client',
  )
  .option(
    '--files-root <dir>',
    "folder of the local file store: where get_object writes files, and the only place put_object_file's file:// references may point into (default: the connector's, under the OS temp folder)",
  )
  .option(
    '--http <port>',
    'serve Streamable HTTP at http://127.0.0.1:<port>/mcp instead of stdio (0: a free port, printed on stderr); loopback only',
    parsePort,
  )
  .option('--timeout <ms>', 'deadline for each tool call in milliseconds (default: 15 minutes)', parseTimeout)
  .option('--allow-host <host>', 'allow https:// file references from this host (repeatable; none by default)', collect)
  .option(
    '--allow-private-networks',
    'let the --allow-host hosts be (or resolve to) loopback, link-local or private addresses (refused by default)',
  )
  .addHelpText(
    'after',
    `
Every action is a tool (lookups too, as read-only tools, and triggers, one poll per call: pass the
cursor a call returns to the next), with its input and output schemas and its annotations as
hints; a failed call is an isError result carrying the connector's error as JSON.
Messages (a bad --connection, the HTTP address) go to stderr: stdout is the protocol's.

Examples:
  $ s3-connector mcp --connection conn.json
  $ AWS_REGION=eu-west-1 AWS_PROFILE=work s3-connector mcp --files-root ~/s3-files
  $ s3-connector mcp -c conn.json --http 8765      # http://127.0.0.1:8765/mcp`,
  )
  .action(async (opts: McpCommandOptions) => {
    process.exitCode = await mcpCommand(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Not an error result (those are printed above): a bug or a broken installation.
  fail(`s3-connector: unexpected failure: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
