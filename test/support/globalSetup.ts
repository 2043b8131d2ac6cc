// Starts one moto for the whole run (signatures not enforced) and hands its endpoint to the tests.
import type { TestProject } from 'vitest/node';
import { startMoto } from '../../src/dev/localS3.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startMoto();
  project.provide('s3Endpoint', server.endpoint);
  return async () => {
    await server.stop();
  };
}
