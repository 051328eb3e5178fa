import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/**
 * Runs an example as a user would run it, from source: tsconfig's `paths` map the package's own
 * name to lib/ (tsx honours them), so no build is needed.
 */
async function runExample(path: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx/esm', path], {
    cwd: ROOT,
    timeout: 60_000,
    env: { ...process.env, NODE_ENV: 'development' },
  });
  return stdout;
}

describe('examples', function () {
  this.timeout(90_000);

  it('sdk/factories.ts reaches the directory, its services and one service from each credential', async () => {
    const out = await runExample('examples/sdk/factories.ts');
    expect(out).to.match(/organization sees 1 directory: Demo directory/);
    expect(out).to.match(/demo has 1 linked device \(Demo phone\)/);
    expect(out).to.match(/directory has the service "Demo app"/);
    expect(out.match(/acts for svc:[0-9a-f-]{36}/g)).to.have.length(3);
  });

  it('sdk/link_device.ts links a pending device with its code, then unlinks it', async () => {
    const out = await runExample('examples/sdk/link_device.ts');
    expect(out).to.match(/linking code \S{7,}, QR image at http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).to.match(/devices while pending: LINK_PENDING/);
    expect(out).to.match(/device New user's phone is LINKED/);
    expect(out).to.match(/devices after unlinking: 0/);
  });

  it('sdk/login_with_policy.ts polls until the approval and starts the session', async () => {
    const out = await runExample('examples/sdk/login_with_policy.ts');
    expect(out).to.match(/push sent: [0-9a-f-]{36}/);
    expect(out).to.match(/authorized: true \(AUTHORIZED\/APPROVED\)/);
    expect(out).to.match(/session started for service user \S+/);
  });

  it('sdk/webhooks.ts verifies the authorization response and the session end', async () => {
    const out = await runExample('examples/sdk/webhooks.ts');
    expect(out).to.match(/webhook: [0-9a-f-]{36} authorized=true/);
    expect(out).to.match(/webhook: session ended for \S+ at \d{4}-\d\d-\d\dT/);
  });

  it('sdk/logout.ts ends the LaunchKey session with the app session', async () => {
    const out = await runExample('examples/sdk/logout.ts');
    expect(out).to.match(/sessions after login: 1/);
    expect(out).to.match(/sessions after logout: 0/);
    expect(out).to.match(/sessions after ending all: 0/);
  });
});
