// Scenario 6: signing. invoke('get_object_signed_url') per second against the raw presigner
// (getSignedUrl with a shared client); no request is sent. Each subject runs in its own fresh
// process (bench/inproc-child.mjs), processes taking turns, the order rotating run by run; under
// each node of BENCH_NODES.
import { INPROC_WARMUP, inprocRuns, log, stats } from './lib.mjs';

/** Target: the connector's URLs per second at least this share of the raw presigner's, under every node. */
const RATE_MIN = 0.95;

export async function run({ cfg, server, tmpDir, nodes }) {
  const subjects = ['sign-connector', 'sign-raw', 'sign-handler'];
  const names = {
    'sign-connector': "connector invoke('get_object_signed_url')",
    'sign-raw': 'raw getSignedUrl, shared client',
    'sign-handler': 'the get_object_signed_url handler called directly, without invoke (for reference)',
  };
  const rows = [];
  const targets = [];
  for (const node of nodes) {
    const m = await inprocRuns({
      subjects,
      runs: cfg.runs,
      calls: cfg.signOps,
      endpoint: server.endpoint,
      tmpDir,
      nodePath: node.path,
    });
    const med = (s, f) => stats(m[s][f]).median;
    log(
      `  signing (${node.label}): connector ${med('sign-connector', 'perSecond').toFixed(0)}/s, raw ${med('sign-raw', 'perSecond').toFixed(0)}/s, handler alone ${med('sign-handler', 'perSecond').toFixed(0)}/s`,
    );
    const row = (f, label, unit, higherIsBetter) => ({
      label: `${node.label}: ${label}`,
      unit,
      higherIsBetter,
      subjects: subjects.map((s) => ({ name: names[s], connector: s === 'sign-connector', values: m[s][f] })),
    });
    rows.push(
      row('perSecond', `signed GET URLs per second of wall time (median batch of 3 × ${cfg.signOps})`, 'URLs/s', true),
      row('cpuMicros', 'CPU per URL (user + system)', 'µs CPU/URL', false),
    );
    const ratio = med('sign-connector', 'perSecond') / med('sign-raw', 'perSecond');
    targets.push({
      text: `connector / raw presigner ≥ ${RATE_MIN.toFixed(2)} (URLs per second, ${node.label})`,
      met: ratio >= RATE_MIN,
    });
  }
  return {
    id: 6,
    title: 'Signing',
    how: `GET URLs valid for an hour, no request sent: \`invoke('get_object_signed_url', { bucket, key, expiresIn: 3600 })\` against \`getSignedUrl(client, new GetObjectCommand(...), { expiresIn: 3600 })\` from @aws-sdk/s3-request-presigner on one shared raw client. \`node bench/inproc-child.mjs\`, one fresh process per subject and run, processes taking turns, under each Node of BENCH_NODES: after ${INPROC_WARMUP} warm-up calls, three batches of ${cfg.signOps} sequential calls, the median batch. The third subject calls the operation's handler with a client from the connector's cache directly, to separate what the handler costs from what invoke adds.`,
    rows,
    targets,
  };
}
