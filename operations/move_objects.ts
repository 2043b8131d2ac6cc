import type { MoveObjectsInput, MoveObjectsOutput } from '../src/generated/types.js';
import { copyPrefix } from '../src/io/copies.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<MoveObjectsInput, MoveObjectsOutput>(
  async (input, ctx) => (await copyPrefix(ctx, input, true)) as MoveObjectsOutput,
);
