// What Test connection answered, in words: with a bucket, which operations the connection can
// run there (output.permissions) and what the store does with the options it may ignore
// (output.capabilities). The names come from the manifest and the connection schema.
import type { PermissionReport as Permissions, Verdict } from '../../../probes/preflight.js';
import type { OperationInfo } from './api.js';
import type { Schema } from './schema.js';

const METHOD: Record<Permissions['method'], string> = {
  simulation: 'by IAM policy simulation',
  probes: 'by harmless probes on the bucket',
};

function VerdictMark({ verdict }: { verdict: Verdict }) {
  if (verdict === true) return <span className="verdict verdict-yes">✓ allowed</span>;
  if (verdict === false) return <span className="verdict verdict-no">✗ denied</span>;
  return <span className="verdict verdict-unknown">? cannot tell</span>;
}

export function ConnectionReport({
  output,
  operations,
  connectionSchema,
}: {
  output: Record<string, any>;
  operations: OperationInfo[];
  connectionSchema: Schema;
}) {
  const permissions = output.permissions as Permissions | undefined;
  const capabilities = output.capabilities as Record<string, boolean | undefined> | undefined;
  const capabilityFields = (connectionSchema.properties?.capabilities?.properties ?? {}) as Record<string, Schema>;
  const titles = new Map(operations.map((o) => [o.name, o.title]));
  return (
    <div className="report">
      <p className="report-summary">
        Connected to region <strong>{String(output.region)}</strong>
        {output.bucket ? (
          <>
            {' '}
            and bucket <strong>{String(output.bucket)}</strong>.
          </>
        ) : (
          '. Choose a bucket to see which operations the connection can run there.'
        )}
      </p>
      {permissions && (
        <table className="report-table" id="report-permissions">
          <caption>
            Operations on {String(output.bucket)}, {METHOD[permissions.method] ?? permissions.method}
          </caption>
          <thead>
            <tr>
              <th>operation</th>
              <th>verdict</th>
              <th>IAM actions</th>
            </tr>
          </thead>
          <tbody>
            {permissions.operations.map((o) => (
              <tr key={o.name} data-operation={o.name} data-allowed={String(o.allowed)}>
                <td title={titles.get(o.name)}>{o.name}</td>
                <td>
                  <VerdictMark verdict={o.allowed} />
                </td>
                <td className="report-actions">
                  {o.actions.map((a) => (
                    <span
                      key={a}
                      className={`chip chip-${permissions.actions[a] === true ? 'safe' : permissions.actions[a] === false ? 'denied' : 'unknown'}`}
                    >
                      {a}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {permissions && permissions.notes.length > 0 && (
        <ul className="report-notes">
          {permissions.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {capabilities && (
        <div className="report-capabilities">
          <h3>What the store does</h3>
          <ul id="report-capabilities">
            {Object.entries(capabilityFields).map(([name, field]) => {
              const value = capabilities[name];
              return (
                <li key={name} data-capability={name} data-value={String(value)} title={field.description}>
                  <span
                    className={`verdict ${value === true ? 'verdict-yes' : value === false ? 'verdict-no' : 'verdict-unknown'}`}
                  >
                    {value === true ? '✓' : value === false ? '✗' : '?'}
                  </span>{' '}
                  {field.title ?? name}
                  {value === undefined && (
                    <span className="muted"> — not known yet (probed when a call relies on it)</span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
