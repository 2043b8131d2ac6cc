// A moto that enforces signatures and IAM policies: an admin is created in its unauthenticated
// window (three requests), and the admin creates every other user and policy.
import { startMoto, type LocalS3 } from '../../src/dev/localS3.js';
import { aws } from './helpers.js';

export interface IamMoto {
  server: LocalS3;
  /** Runs the aws cli as the admin. */
  admin(args: string[]): Promise<string>;
  /** A connection for a new user whose only policy is `statements`. */
  userConnection(statements: object[]): Promise<{
    region: string;
    endpoint: string;
    maxAttempts: number;
    credentials: { type: 'accessKey'; accessKeyId: string; secretAccessKey: string };
  }>;
}

type AccessKey = { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };

export async function startIamMoto(): Promise<IamMoto> {
  const server = await startMoto({ initialNoAuthActionCount: 3 });
  const everything = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  await aws(['iam', 'create-user', '--user-name', 'admin'], server.endpoint);
  await aws(
    ['iam', 'put-user-policy', '--user-name', 'admin', '--policy-name', 'all', '--policy-document', everything],
    server.endpoint,
  );
  const key = JSON.parse(await aws(['iam', 'create-access-key', '--user-name', 'admin'], server.endpoint)) as AccessKey;
  const env = { AWS_ACCESS_KEY_ID: key.AccessKey.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.AccessKey.SecretAccessKey };
  const admin = (args: string[]) => aws(args, server.endpoint, env);
  let users = 0;
  return {
    server,
    admin,
    async userConnection(statements) {
      const name = `user-${++users}`;
      await admin(['iam', 'create-user', '--user-name', name]);
      await admin([
        'iam',
        'put-user-policy',
        '--user-name',
        name,
        '--policy-name',
        'p',
        '--policy-document',
        JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      ]);
      const out = JSON.parse(await admin(['iam', 'create-access-key', '--user-name', name])) as AccessKey;
      return {
        region: 'us-east-1',
        endpoint: server.endpoint,
        maxAttempts: 1,
        credentials: {
          type: 'accessKey',
          accessKeyId: out.AccessKey.AccessKeyId,
          secretAccessKey: out.AccessKey.SecretAccessKey,
        },
      };
    },
  };
}
