// The connector as a Tray CDK project, generated from the manifest as it is (`npm run
// export:tray`): per action and lookup a folder with operation.json, input.ts / output.ts (types
// printed from the bundled schemas, with the JSDoc tags Tray's schema generator reads: @title,
// @default, @enumLabels, @lookupOperation / @lookupInput, @advanced, @format), a composite
// handler.ts that calls the connector's invokeDynamic through the project's one shared module
// (src/connector.ts), and a handler.test.ts running the input schema's examples. Tray's own CLI
// builds and tests it (tray-cdk build, tray-cdk test). The auth form lives in Tray's platform: the
// project only types what the handlers read from ctx.auth.user (schemas/connection.json).
// Triggers are not exported (a Tray trigger is a different kind of project).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Connector, OperationInfo } from '../runtime/connector.js';
import { formModule, type FormField } from './form.js';

/** The Tray CDK release the export is written for (the last @trayio/cdk-cli, 2.19.0, and its DSL and runtime). */
export const TRAY_CDK_VERSION = '2.19.0';
/** What the export's handlers take: actions, and lookups as Tray DDL operations. */
export const TRAY_KINDS = ['action', 'lookup'] as const;

export interface TrayExportOptions {
  /** The project's folder; its src/ is rewritten, anything else (node_modules, lock) is kept. */
  out: string;
  /** How the project depends on this package (default `^<version>`; a `file:` tarball to test a build). */
  connectorDependency?: string;
  /** Hosts whose https:// file URLs put_object_file may read (Tray's file store), besides S3_CONNECTOR_ALLOWED_HTTPS_HOSTS. */
  allowedHttpsHosts?: string[];
  /** src/test.ctx.json: the handler context `tray-cdk test` runs with (default: an empty auth). */
  testContext?: Record<string, unknown>;
}

export interface TrayExport {
  out: string;
  /** The exported operations, in manifest order. */
  operations: string[];
  /** Every file written, relative to `out`. */
  files: string[];
}

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Tray's name for an operation's types: `get_object` → `GetObject` (lodash upperFirst(camelCase()), as @trayio/cdk-build names them). */
export function pascalCase(name: string): string {
  const words = name.match(/[A-Z]{2,}(?=[A-Z][a-z]+|\d|\b|_)|[A-Z]?[a-z]+|[A-Z]+|\d+/g) ?? [];
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');
}
const camelCase = (name: string) => {
  const p = pascalCase(name);
  return p[0]!.toLowerCase() + p.slice(1);
};

// ---- types from schemas -----------------------------------------------------------------

/** Text for a JSDoc comment: no comment end, no line that starts a tag by accident. */
function docText(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/(^|\s)@/g, '$1＠');
}

/** How a file reference of the connector is typed where Tray hands files over: Tray's FileReference. */
const TRAY_FILE_TYPE = '{ url: string; name: string; mime_type?: string; expires?: number }';

/** A literal type of a JSON value. */
const literal = (value: unknown) => JSON.stringify(value);

/**
 * TypeScript types of a bundled schema. Each object's properties are read through the shared
 * form model (fieldsOf: title, description, default, choices, lookup, advanced, formats, bounds,
 * file references, array items), which also gives the JSDoc tags of input types; what the form
 * model leaves as JSON (nested shapes) is typed from the schema itself.
 */
class Printer {
  constructor(
    private readonly root: Node,
    /** Whether to write Tray's form tags (inputs) or only descriptions (outputs). */
    private readonly form: boolean,
  ) {}

  private resolve(node: unknown): Node {
    return formModule().resolve(node, this.root) as Node;
  }

  /** The type of a schema node; `field` is its form model where it is a property (or an array's items). */
  type(node: unknown, indent: string, field?: FormField): string {
    if (field?.file && this.form) return TRAY_FILE_TYPE;
    if (field?.choices) return field.choices.map((c) => literal(c.value)).join(' | ');
    const s = this.resolve(node);
    if ('const' in s) return literal(s.const);
    if (Array.isArray(s.enum)) return s.enum.map(literal).join(' | ');
    const branches = (s.oneOf ?? s.anyOf) as unknown;
    if (Array.isArray(branches) && branches.length) {
      const { oneOf: _o, anyOf: _a, ...rest } = s;
      return branches.map((b) => this.type({ ...rest, ...this.resolve(b) }, indent)).join(' | ');
    }
    if (Array.isArray(s.type)) return s.type.map((t) => this.type({ ...s, type: t }, indent)).join(' | ');
    switch (s.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array':
        return `Array<${this.type(s.items ?? {}, indent, field?.items)}>`;
      case 'object':
        return this.object(s, indent);
      default:
        return isObject(s.properties) ? this.object(s, indent) : 'unknown';
    }
  }

  object(node: Node, indent: string): string {
    const s = this.resolve(node);
    const props = isObject(s.properties) ? s.properties : {};
    const inner = `${indent}\t`;
    const lines: string[] = [];
    for (const field of formModule().fieldsOf(s, this.root, [])) {
      const doc = this.doc(field, props[field.name], inner);
      if (doc) lines.push(doc);
      const key = /^[A-Za-z_$][\w$]*$/.test(field.name) ? field.name : JSON.stringify(field.name);
      lines.push(`${inner}${key}${field.required ? '' : '?'}: ${this.type(props[field.name], inner, field)};`);
    }
    const extra = s.additionalProperties;
    if (isObject(extra))
      lines.push(`${inner}[key: string]: ${Object.keys(props).length ? 'unknown' : this.type(extra, inner)};`);
    else if (extra !== false && !Object.keys(props).length) lines.push(`${inner}[key: string]: unknown;`);
    return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : 'Record<string, never>';
  }

  /** A property's JSDoc: its description, and in input types the tags Tray's form reads. */
  doc(field: FormField, prop: unknown, indent: string): string {
    const lines: string[] = field.description ? docText(field.description).split('\n') : [];
    if (this.form) {
      const s = this.resolve(prop);
      lines.push(`@title ${docText(field.title)}`);
      if (field.default !== undefined) lines.push(`@default ${JSON.stringify(field.default)}`);
      // typescript-json-schema writes a union's values sorted (Array#sort): the labels follow them.
      const sorted =
        field.choices &&
        [...field.choices].sort((a, b) =>
          String(a.value) < String(b.value) ? -1 : String(a.value) > String(b.value) ? 1 : 0,
        );
      if (sorted && sorted.length > 1)
        lines.push(`@enumLabels ${sorted.map((c) => docText(c.title).replace(/,\s/g, ' - ')).join(', ')}`);
      if (field.lookup) {
        const input = Object.fromEntries(field.lookup.dependsOn.map((d) => [d, `{{{${d}}}}`]));
        lines.push(
          `@lookupOperation ${field.lookup.operation}`,
          `@lookupInput ${JSON.stringify(input)}`,
          '@lookupAuthRequired true',
        );
      }
      if (field.advanced) lines.push('@advanced true');
      if (field.file) lines.push('@format file');
      else if (field.format === 'date-time') lines.push('@format datetime');
      else if (field.secret) lines.push('@format password');
      else if (field.kind === 'textarea') lines.push('@format text');
      const bounds: Record<string, unknown> = {
        minimum: field.minimum,
        maximum: field.maximum,
        minLength: s.minLength,
        maxLength: s.maxLength,
        minItems: field.minItems,
        maxItems: field.maxItems,
      };
      for (const [k, v] of Object.entries(bounds)) if (typeof v === 'number') lines.push(`@${k} ${v}`);
      if (field.kind === 'integer') lines.push('@TJS-type integer');
    }
    if (!lines.length) return '';
    return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */`;
  }
}

function typeModule(name: string, schema: Node, form: boolean, heading: string): string {
  const printer = new Printer(schema, form);
  const description = typeof schema.description === 'string' ? `/**\n * ${docText(schema.description)}\n */\n` : '';
  return `// ${heading}\n${description}export type ${name} = ${printer.object(schema, '')};\n`;
}

// ---- the project ------------------------------------------------------------------------

const GENERATED = 'GENERATED by aws-s3-connector (npm run export:tray) from connector.json and schemas/: do not edit.';

function operationFiles(op: OperationInfo, authType: string): Record<string, string> {
  const f = formModule();
  const type = pascalCase(op.name);
  const handler = `${camelCase(op.name)}Handler`;
  const files = f.fileFields(op.inputSchema);
  const shape = JSON.stringify({ kind: op.kind, files });
  const output =
    op.kind === 'lookup'
      ? `// ${GENERATED}\n/** Tray's dropdown options (a DDL operation's output), from the lookup's options. */\nexport type ${type}Output = {\n\tresult: Array<{ text: string; value: string }>;\n};\n`
      : typeModule(`${type}Output`, op.outputSchema as Node, false, GENERATED);
  // The examples of the input schema, as Tray hands them over (a file as Tray's FileReference).
  const examples = ((op.inputSchema.examples as Node[] | undefined) ?? []).map((example) => {
    const out: Node = { ...example };
    for (const name of files) {
      const ref = example[name];
      if (isObject(ref))
        out[name] = { url: ref.url, name: ref.name ?? 'file', ...(ref.mimeType ? { mime_type: ref.mimeType } : {}) };
    }
    return out;
  });
  const cases = examples.map(
    (_, i) => `\t\t.testCase('example ${i + 1} of the input schema is accepted', (testCase) =>
\t\t\ttestCase
\t\t\t\t.givenNothing()
\t\t\t\t.when(() => examples[${i}]!)
\t\t\t\t.then(({ output }) => expect(outcome(output)).toMatch(/^(success|ApiError)$/))
\t\t\t\t.finallyDoNothing()
\t\t)`,
  );
  cases.push(`\t\t.testCase('an input field the schema does not have is refused as user input', (testCase) =>
\t\t\ttestCase
\t\t\t\t.givenNothing()
\t\t\t\t.when(() => ({ ...examples[0], notAField: true }) as unknown as ${type}Input)
\t\t\t\t.then(({ output }) => expect(outcome(output)).toBe('UserInputError'))
\t\t\t\t.finallyDoNothing()
\t\t)`);
  return {
    'operation.json': `${JSON.stringify({ name: op.name, title: op.title, description: op.description }, null, '\t')}\n`,
    'input.ts': typeModule(`${type}Input`, op.inputSchema as Node, true, GENERATED),
    'output.ts': output,
    'handler.ts': `// ${GENERATED}
import { OperationHandlerSetup } from '@trayio/cdk-dsl/connector/operation/OperationHandlerSetup';
import { ${authType} } from '../${authType}';
import { invoke } from '../connector';
import { ${type}Input } from './input';
import { ${type}Output } from './output';

/** ${docText(op.title)}: the connector's ${op.name}, through its invokeDynamic. */
export const ${handler} = OperationHandlerSetup.configureHandler<${authType}, ${type}Input, ${type}Output>((handler) =>
\thandler.usingComposite(async (ctx, input) => invoke<${type}Output>('${op.name}', ctx, input, ${shape}))
);
`,
    'handler.test.ts': `// ${GENERATED}
// The input schema's examples, run with the handler context of src/test.ctx.json: each must pass
// the connector's validation (a success, or the store's own answer, ApiError); a field the
// schema does not have is refused before any request (UserInputError).
import { OperationHandlerTestSetup } from '@trayio/cdk-dsl/connector/operation/OperationHandlerTest';
import '@trayio/cdk-runtime/connector/operation/OperationHandlerTestRunner';
import { outcome } from '../connector';
import { ${handler} } from './handler';
import { ${type}Input } from './input';

const examples: ${type}Input[] = ${JSON.stringify(examples, null, '\t').replace(/\n/g, '\n')};

OperationHandlerTestSetup.configureHandlerTest(${handler}, (handlerTest) =>
\thandlerTest
\t\t.usingHandlerContext('test')
\t\t.nothingBeforeAll()
${cases.join('\n')}
\t\t.nothingAfterAll()
);
`,
  };
}

/** src/connector.ts: the one module between the handlers and the connector. */
function connectorModule(authType: string, allowedHttpsHosts: string[]): string {
  return `// ${GENERATED}
// Every handler calls invoke() with its operation's name: the connection is ctx.auth.user (the
// auth's fields, set up in Tray's platform, shaped as the connector's schemas/connection.json),
// the input is checked against the operation's full schema by the connector itself, and its
// structured error comes back as the OperationHandlerError's response.
import {
\tOperationHandlerContext,
\tOperationHandlerError,
\tOperationHandlerResult,
} from '@trayio/cdk-dsl/connector/operation/OperationHandler';
import { ${authType} } from './${authType}';

/** What the handlers need of the aws-s3-connector package (its CommonJS entry). */
type ErrorInfo = { type: string; code?: string; message: string; retryable: boolean; status?: number; details?: Record<string, unknown> };
type Result = { ok: true; output: unknown } | { ok: false; error: ErrorInfo };
interface S3Connector {
\tinvokeDynamic(name: string, input: unknown, ctx: { connection: unknown }): Promise<Result>;
\tclose(): void;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { loadConnector } = require('aws-s3-connector') as { loadConnector(options?: object): Promise<S3Connector> };

/** Hosts whose https:// file URLs put_object_file may read: the export's, and S3_CONNECTOR_ALLOWED_HTTPS_HOSTS (comma-separated). */
export const ALLOWED_HTTPS_HOSTS: string[] = [
\t...${JSON.stringify(allowedHttpsHosts)},
\t...(process.env.S3_CONNECTOR_ALLOWED_HTTPS_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
];

let loaded: Promise<S3Connector> | undefined;
export function connector(): Promise<S3Connector> {
\tloaded ??= loadConnector({ allowedHttpsHosts: ALLOWED_HTTPS_HOSTS });
\treturn loaded;
}

/** What the generated handler knows of its operation: its kind, and its top-level file fields. */
export type OperationShape = { kind: 'action' | 'lookup'; files: string[] };

type TrayFile = { url: string; name?: string; mime_type?: string };

function errorOf(error: ErrorInfo): OperationHandlerError {
\tconst response = { error } as unknown as Parameters<typeof OperationHandlerError.apiError>[1];
\tif (error.type === 'user_input') return OperationHandlerError.userInputError(error.message, response);
\tif (error.type === 'internal') return OperationHandlerError.connectorError(error.message, response);
\treturn OperationHandlerError.apiError(error.message, response);
}

export async function invoke<OUT>(
\tname: string,
\tctx: OperationHandlerContext<${authType}>,
\tinput: unknown,
\tshape: OperationShape
): Promise<OperationHandlerResult<OUT>> {
\tconst connection = ctx.auth?.user;
\tif (!connection) {
\t\treturn OperationHandlerResult.failure(
\t\t\tOperationHandlerError.userInputError('No S3 connection: the auth has no user fields (region, credentials, …).')
\t\t);
\t}
\tconst args: Record<string, unknown> = { ...(input as Record<string, unknown>) };
\tfor (const field of shape.files) {
\t\tconst file = args[field] as TrayFile | undefined;
\t\tif (file && typeof file === 'object') {
\t\t\targs[field] = { url: file.url, ...(file.name ? { name: file.name } : {}), ...(file.mime_type ? { mimeType: file.mime_type } : {}) };
\t\t}
\t}
\tconst result = await (await connector()).invokeDynamic(name, args, { connection });
\tif (!result.ok) return OperationHandlerResult.failure(errorOf(result.error));
\tif (shape.kind === 'lookup') {
\t\tconst options = (result.output as { options: Array<{ label: string; value: string }> }).options;
\t\treturn OperationHandlerResult.success({ result: options.map((o) => ({ text: o.label, value: o.value })) } as OUT);
\t}
\treturn OperationHandlerResult.success(result.output as OUT);
}

/** A handler result in one word, for tests: 'success', or the error's kind (ApiError, UserInputError, …). */
export function outcome(result: OperationHandlerResult<unknown>): string {
\treturn result.isFailure ? result.error._tag : 'success';
}
`;
}

/** Writes the Tray CDK project of a loaded connector's manifest. */
export async function exportTrayProject(connector: Connector, options: TrayExportOptions): Promise<TrayExport> {
  const manifest = connector.manifest;
  const prefix = pascalCase(manifest.name);
  const authType = `${prefix}Auth`;
  const ops = connector
    .operations({ bundled: true })
    .filter((op) => (TRAY_KINDS as readonly string[]).includes(op.kind));
  const [major, minor] = manifest.version.split('.');
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(options.out, path)), { recursive: true });
    await writeFile(join(options.out, path), text);
    written.push(path);
  };

  await rm(join(options.out, 'src'), { recursive: true, force: true });
  await rm(join(options.out, 'dist'), { recursive: true, force: true });
  await write(
    'package.json',
    `${JSON.stringify(
      {
        name: `${manifest.name}-tray-connector`,
        version: manifest.version,
        description: `${manifest.title}: a Tray CDK connector generated by aws-s3-connector from its manifest.`,
        private: true,
        engines: { node: '>=18.x' },
        exports: { './*': './dist/*.js' },
        typesVersions: { '*': { '*': ['*', 'dist/*'] } },
        files: ['/dist'],
        dependencies: {
          '@trayio/cdk-dsl': TRAY_CDK_VERSION,
          '@trayio/cdk-runtime': TRAY_CDK_VERSION,
          'aws-s3-connector': options.connectorDependency ?? `^${manifest.version}`,
        },
        devDependencies: {
          '@types/jest': '28.1.3',
          '@types/node': '20.11.30',
          jest: '29.6.1',
          'ts-jest': '29.1.1',
          'ts-node': '10.9.1',
          typescript: '5.1.6',
          'typescript-cp': '0.1.8',
        },
        scripts: {
          compile: 'tsc --build && tscp >> /dev/null',
          // The connector is an ES module reached by a dynamic import() from its CommonJS entry:
          // jest runs it only with Node's VM modules.
          test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js --config ./jest.config.js',
        },
      },
      null,
      '\t',
    )}\n`,
  );
  await write(
    'tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2020',
          module: 'commonjs',
          moduleResolution: 'node',
          declaration: true,
          declarationMap: true,
          esModuleInterop: true,
          forceConsistentCasingInFileNames: true,
          strict: true,
          noImplicitAny: true,
          strictNullChecks: true,
          noImplicitThis: true,
          useUnknownInCatchVariables: true,
          skipLibCheck: true,
          rootDir: './src',
          outDir: './dist',
        },
        include: ['src'],
      },
      null,
      '\t',
    )}\n`,
  );
  await write(
    'jest.config.js',
    `/** @type {import('ts-jest').JestConfigWithTsJest} */
module.exports = {
\tpreset: 'ts-jest',
\ttransform: {
\t\t'^.+\\\\.(ts|tsx)?$': ['ts-jest', { diagnostics: { ignoreCodes: ['TS151001'] } }],
\t},
\tclearMocks: true,
\ttestEnvironment: 'node',
\ttestMatch: ['**/?(*.)+(test)\\\\.(ts)'],
\ttestPathIgnorePatterns: ['/node_modules/', '/dist/'],
\tmoduleDirectories: ['node_modules', 'src'],
\ttestTimeout: 120000,
};
`,
  );
  await write(
    'connector.json',
    `${JSON.stringify(
      {
        name: manifest.name,
        version: `${major}.${minor}`,
        title: manifest.title,
        description: manifest.description,
        service: { name: manifest.name, version: '1' },
        tags: ['service'],
        isTrigger: false,
      },
      null,
      '\t',
    )}\n`,
  );
  await write(
    `src/${authType}.ts`,
    `${typeModule(`${prefix}UserAuth`, connector.bundledConnectionSchema(), false, `${GENERATED}\n// The auth's user fields: the connector's connection (schemas/connection.json). The auth form itself is set up in Tray's platform.`)}
import { TokenOperationHandlerAuth } from '@trayio/cdk-dsl/connector/operation/OperationHandler';

export type ${authType} = TokenOperationHandlerAuth<${prefix}UserAuth, Record<string, never>>;
`,
  );
  await write('src/test.ctx.json', `${JSON.stringify(options.testContext ?? { auth: { user: {} } }, null, '\t')}\n`);
  await write('src/connector.ts', connectorModule(authType, options.allowedHttpsHosts ?? []));
  for (const op of ops) {
    for (const [file, text] of Object.entries(operationFiles(op, authType)))
      await write(`src/${op.name}/${file}`, text);
  }
  return { out: options.out, operations: ops.map((op) => op.name), files: written };
}
