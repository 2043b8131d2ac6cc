// Child processes for the tests that run the real binaries (CLI, MCP server, packed package):
// what a child printed and how it ended.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child's exit code and everything it printed, once it has closed. */
export function collect(child: ChildProcessWithoutNullStreams): Promise<Run> {
  return new Promise((done, fail) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Runs a command to its end, `stdin` written to it, and collects what it printed. */
export function runProcess(
  command: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<Run> {
  const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
  // A child that exits without reading its input (mkfifo, a refused call) closes the pipe first:
  // the write then fails with EPIPE, which says nothing about the run; its exit code does.
  child.stdin.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') child.emit('error', e);
  });
  child.stdin.end(o.stdin ?? '');
  return collect(child);
}
