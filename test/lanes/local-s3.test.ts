// The local S3 server's first start installs moto with pip: its steps are shown as they happen.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipStep } from '../../src/dev/localS3.js';
import { packageRoot } from '../../src/runtime/manifest.js';
import { runProcess } from '../support/processes.js';

describe('installing moto', () => {
  it("pip's real output gives the steps shown while it installs (a download from the registry)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pip-'));
    const pip = join(packageRoot(), '.venv', 'bin', 'pip');
    const run = await runProcess(pip, ['download', '--no-deps', '--progress-bar', 'off', '-d', dir, 'six==1.16.0'], {
      env: process.env,
    });
    expect(run.code, run.stderr).toBe(0);
    const steps = run.stdout.split('\n').map(pipStep).filter(Boolean);
    expect(steps).toContain('pip: Collecting six==1.16.0');
    // Noise is not a step.
    expect(pipStep('  Downloading six-1.16.0-py2.py3-none-any.whl (11 kB)')).toBeUndefined();
    expect(pipStep('Successfully installed moto-5.2.5 werkzeug-3.1.3')).toBe(
      'pip: Successfully installed moto-5.2.5 werkzeug-3.1.3',
    );
  }, 120_000);
});
