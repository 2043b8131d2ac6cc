// A moto that enforces signatures and IAM policies: an admin is created in its unauthenticated
// window (three requests), and the admin creates every other user and policy.
import { startMoto, type LocalS3 } from '../../src/dev/localS3.js';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { aws, TEST_KEY_ID, TEST_SECRET } from './helpers.js';

export interface IamMoto {
  server: LocalS3;
  /** Runs the aws cli as the admin. */
  admin(args: string[]): Promise<string>;
  /** The admin's endpoint and keys, for setup through the SDK (putObjects). */
  adminStore: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** A connection for a new user whose only policy is `statements`. */
  userConnection(statements: object[]): Promise<{
    region: string;
    endpoint: string;
    maxAttempts: number;
    credentials: { type: 'accessKey'; accessKeyId: string; secretAccessKey: string };
  }>;
}

/** The admin's IAM client: users and policies are setup, not what a test checks, so no cli process each. */
function iamClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
}

async function createUser(iam: IAMClient, name: string, statements: object[]) {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

export async function startIamMoto(): Promise<IamMoto> {
  const server = await startMoto({ initialNoAuthActionCount: 3 });
  // The three unauthenticated requests make the admin; the admin signs everything after.
  const bootstrap = iamClient(server.endpoint, { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET });
  const adminKey = await createUser(bootstrap, 'admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
  bootstrap.destroy();
  const iam = iamClient(server.endpoint, adminKey);
  const env = { AWS_ACCESS_KEY_ID: adminKey.accessKeyId, AWS_SECRET_ACCESS_KEY: adminKey.secretAccessKey };
  const admin = (args: string[]) => aws(args, server.endpoint, env);
  let users = 0;
  return {
    server,
    admin,
    adminStore: { endpoint: server.endpoint, credentials: adminKey },
    async userConnection(statements) {
      const credentials = await createUser(iam, `user-${++users}`, statements);
      return {
        region: 'us-east-1',
        endpoint: server.endpoint,
        maxAttempts: 1,
        credentials: { type: 'accessKey', ...credentials },
      };
    },
  };
}
