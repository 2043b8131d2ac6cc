// The build under test: this package's dist/, or BENCH_DIST (another build's dist/ directory,
// with its connector.json and schemas/ above it) to compare before and after a change.
// No dependencies, so child processes that time their own start-up can import it for free.
import { pathToFileURL } from 'node:url';

export const DIST_URL = process.env.BENCH_DIST
  ? pathToFileURL(process.env.BENCH_DIST.replace(/\/?$/, '/')).href
  : new URL('../dist/', import.meta.url).href;

export const distModule = (path) => import(new URL(path, DIST_URL).href);
