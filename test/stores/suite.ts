// One store of the lane: started from its cached build, every case of cases.ts run against it
// with the connector validating every output against its schema, each outcome held to the
// store's provider file, and what happened written to test-artifacts/stores/<store>.json
// (scripts/stores/compatibility.mjs makes COMPATIBILITY.md from those files).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnector, type Connector } from '../../src/index.js';
import { LocalFileStore } from '../../src/io/files.js';
import type { S3Connection } from '../../src/generated/types.js';
import {
  CHECKS,
  createBuckets,
  exampleCases,
  Ignored,
  Refused,
  snapshot,
  type Case,
  type CaseContext,
} from './cases.js';
import { expectation, provider, type Expectation } from './providers.js';
import { builtVersion, selected, startStore, type RunningStore, type StoreName } from './servers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS_DIR = join(ROOT, 'test-artifacts', 'stores');

interface Outcome {
  id: string;
  row: string;
  order: number;
  expected: Expectation['result'];
  observed: string;
  passed: boolean;
  why?: string;
}

/** What a case ended in, in the words of the provider files. */
function observe(err: unknown): { observed: string; refused?: Refused } {
  if (err === undefined) return { observed: 'ok' };
  if (err instanceof Refused)
    return { observed: `${err.error.type}${err.error.code ? `/${err.error.code}` : ''}`, refused: err };
  if (err instanceof Ignored) return { observed: 'ignored' };
  return { observed: 'failed' };
}

export async function storeSuite(name: StoreName): Promise<void> {
  const p = provider(name);
  // The cases come from the manifest as it is now (an operation added is a case) and the checks.
  const listing = await loadConnector();
  const cases: Case[] = [...exampleCases(listing), ...CHECKS];
  listing.close();
  const outcomes: Outcome[] = [];

  describe.skipIf(!selected(name))(`${name} (${builtVersion(name) ?? 'not built'})`, () => {
    let store: RunningStore;
    let connector: Connector;
    let raw: S3Client;
    let filesRoot: string;
    let ctx: CaseContext;

    beforeAll(async () => {
      store = await startStore(name);
      connector = await loadConnector({ validateOutput: true });
      raw = new S3Client({
        region: store.region,
        endpoint: store.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      await createBuckets(raw);
      filesRoot = await mkdtemp(join(tmpdir(), `store-${name}-files-`));
      const files = new LocalFileStore(filesRoot);
      const connection = (overrides: Partial<S3Connection> = {}): S3Connection => ({
        region: store.region,
        endpoint: store.endpoint,
        forcePathStyle: true,
        credentials: { type: 'accessKey', accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
        ...overrides,
      });
      const invoke: CaseContext['invoke'] = (op, input, conn) =>
        connector.invokeDynamic(op, input, { connection: conn ?? connection(), files }) as ReturnType<
          CaseContext['invoke']
        >;
      ctx = {
        store,
        provider: p,
        connector,
        raw,
        files,
        filesRoot,
        connection,
        invoke,
        ok: async (op, input, conn) => {
          const res = await invoke(op, input, conn);
          if (!res.ok) throw new Refused(op, res.error);
          return res.output;
        },
      };
    }, 300_000);

    afterAll(async () => {
      connector?.close();
      raw?.destroy();
      await store?.stop();
      if (filesRoot) await rm(filesRoot, { recursive: true, force: true });
      await mkdir(RESULTS_DIR, { recursive: true });
      await writeFile(
        join(RESULTS_DIR, `${name}.json`),
        `${JSON.stringify(
          {
            store: name,
            title: p.title,
            version: builtVersion(name),
            date: new Date().toISOString(),
            outcomes: outcomes.sort((a, b) => a.order - b.order),
          },
          null,
          2,
        )}\n`,
      );
    }, 60_000);

    for (const [order, kase] of cases.entries()) {
      const exp = expectation(p, kase.id);
      const title = `${kase.id} → ${exp.result}${exp.type ? ` (${exp.type}${exp.code ? `/${exp.code}` : ''})` : ''}`;
      // Not run: `skip` by the provider file's word, `new` for an operation the file does not list yet.
      const notRun = exp.result === 'skip' || exp.result === 'new';
      const test = notRun ? it.skip : it;
      if (notRun)
        outcomes.push({
          id: kase.id,
          row: kase.row,
          order,
          expected: exp.result,
          observed: exp.result === 'new' ? 'not run yet' : 'skipped',
          passed: true,
          why: exp.why,
        });
      test(title, async () => {
        await kase.prepare?.(ctx);
        const before = await snapshot(raw, kase.bucket);
        let thrown: unknown;
        try {
          await kase.run(ctx);
        } catch (err) {
          thrown = err;
        }
        const after = exp.result === 'unsupported' ? await snapshot(raw, kase.bucket) : undefined;
        await kase.cleanup?.(ctx).catch(() => undefined);
        const { observed, refused } = observe(thrown);
        const outcome: Outcome = {
          id: kase.id,
          row: kase.row,
          order,
          expected: exp.result,
          observed,
          passed: false,
          ...(exp.why ? { why: exp.why } : {}),
        };
        outcomes.push(outcome);
        const describeThrown = () => (thrown instanceof Error ? thrown.message : String(thrown));
        switch (exp.result) {
          case 'ok':
            if (thrown) throw thrown;
            break;
          case 'ignored':
            if (!(thrown instanceof Ignored))
              throw new Error(`expected the store to ignore it; ${thrown ? describeThrown() : 'it honoured it'}`);
            break;
          case 'unsupported':
          case 'error':
            if (!refused)
              throw (
                thrown ??
                new Error(`expected ${exp.type ?? 'unsupported'}${exp.code ? `/${exp.code}` : ''}, but the case passed`)
              );
            expect(refused.error, refused.message).toMatchObject({
              type: exp.type ?? 'unsupported',
              ...(exp.code ? { code: exp.code } : {}),
              ...(exp.details ? { details: exp.details } : {}),
            });
            if (exp.match) expect(refused.error.message).toMatch(new RegExp(exp.match));
            if (exp.result === 'unsupported') expect(after, 'nothing written').toEqual(before);
            break;
          case 'store-bug':
            if (!thrown) throw new Error('the store bug did not show: the case passed (update the provider file)');
            if (exp.type)
              expect(refused?.error, describeThrown()).toMatchObject({
                type: exp.type,
                ...(exp.code ? { code: exp.code } : {}),
              });
            if (exp.match) expect(describeThrown()).toMatch(new RegExp(exp.match));
            break;
        }
        outcome.passed = true;
      });
    }
  });
}
