import type { CopyObjectsInput, CopyObjectsOutput } from '../src/generated/types.js';
import { copyPrefix } from '../src/io/copies.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<CopyObjectsInput, CopyObjectsOutput>(
  async (input, ctx) => (await copyPrefix(ctx, input, false)) as CopyObjectsOutput,
);
