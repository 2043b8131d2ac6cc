// `npm start`: the local S3 server (moto) with a demo bucket, and the playground page on a
// loopback port. Ctrl-C (SIGINT) or SIGTERM stops both.
import { loadConnector, type Connector } from '../../runtime/connector.js';
import { DEMO_BUCKET, DEMO_OBJECTS, demoConnection, seedDemo } from '../demo.js';
import { startMoto, type LocalS3 } from '../localS3.js';
import { startPlayground, type Playground } from './server.js';

// The SDK's notice that its releases after January 2027 need Node 22 (nine lines on stderr under
// Node 20) is not news for a demo: hidden as the CLI and the library entry do, unless set.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const requestedPort = Number(process.env.PLAYGROUND_PORT ?? 0);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  console.error(
    `PLAYGROUND_PORT must be a port number (0 for any free port), not ${JSON.stringify(process.env.PLAYGROUND_PORT)}.`,
  );
  process.exit(2);
}

let moto: LocalS3 | undefined;
let playground: Playground | undefined;
let connector: Connector | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code); // a second Ctrl-C does not wait
  stopping = true;
  await playground?.close().catch(() => undefined);
  connector?.close();
  await moto?.stop().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  moto = await startMoto();
  const connection = demoConnection(moto.endpoint);
  await seedDemo(connection);
  connector = await loadConnector();
  playground = await startPlayground({ connector, localConnection: { ...connection }, port: requestedPort });
} catch (err) {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
}

console.log(`Local S3 server (moto) on ${moto!.endpoint}: bucket "${DEMO_BUCKET}" with ${DEMO_OBJECTS.length} objects.
Playground: ${playground!.url}
The page's connection form starts filled in for the local server. Ctrl-C stops both.`);
