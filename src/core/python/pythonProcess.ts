// One Python worker process (locator_batch_worker.py). The protocol has its own pipes: commands go
// out on the child's fd 3 and messages come back on its fd 4, one JSON object a line, so whatever
// the user's code or MNE prints (to sys.stdout, or straight to fd 1 / 2) can never corrupt it.
import { spawn, type ChildProcess } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import type { Readable, Writable } from 'stream';
import { PythonSetupError, type PythonInterpreter } from './interpreter';

export const WORKER_SCRIPT = 'locator_batch_worker.py';
/** The worker imports this one from its own folder: both ship together (esbuild.js copies them). */
export const WORKER_FILES = [WORKER_SCRIPT, 'locator_batch_encode.py'] as const;

export function pythonWorkerScriptPath(): string {
  // Built: dist/ beside the bundle. Compiled tests: out/src/core/python/ -> the sources.
  const candidates = [__dirname, path.resolve(__dirname, '../../../../src/core/python')];
  for (const dir of candidates) {
    const file = path.join(dir, WORKER_SCRIPT);
    if (existsSync(file)) return file;
  }
  throw new Error(`${WORKER_SCRIPT} is missing beside ${__dirname}: the extension is not built completely`);
}

export interface WorkerHello {
  op: 'hello';
  python: string;
  executable: string;
  pid: number;
  pandas?: string;
  pandasError?: string;
}

export type WorkerMessage = { op: string; [key: string]: unknown };

/** Output of the user's code: `index` is the row that wrote it, when known. */
export interface RowOutput {
  index?: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STDERR_TAIL = 8 * 1024;

export class PythonProcess {
  readonly child: ChildProcess;
  readonly hello: Promise<WorkerHello>;
  readonly exited: Promise<ProcessExit>;
  exit?: ProcessExit;
  /** Receives every protocol message except `out`. */
  onMessage?: (msg: WorkerMessage) => void;
  onOutput?: (out: RowOutput) => void;
  /** The row running now when exactly one is known: raw fd output is tagged with it. */
  currentRow?: number;
  /** The last few KB the process wrote straight to fd 2 (a crash's own report, e.g. faulthandler's). */
  stderrTail = '';
  private commands: Writable;
  private pendingText = '';
  private syncs = new Map<string, () => void>();
  private syncCount = 0;

  constructor(
    readonly interpreter: PythonInterpreter,
    env: NodeJS.ProcessEnv = process.env,
    script: string = pythonWorkerScriptPath(),
  ) {
    // The command as chosen (a wrapper script or venv shim may set things up), not sys.executable.
    this.child = spawn(interpreter.command, [script], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...env, PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1', PYTHONFAULTHANDLER: '1' },
    });
    this.commands = this.child.stdio[3] as Writable;
    this.commands.on('error', () => undefined); // EPIPE once it has died: the exit says why
    const messages = this.child.stdio[4] as Readable;
    messages.setEncoding('utf8');
    messages.on('data', (text: string) => this.receive(text));
    messages.on('error', () => undefined);
    for (const stream of ['stdout', 'stderr'] as const) {
      const s = this.child[stream]!;
      s.setEncoding('utf8');
      s.on('data', (text: string) => {
        if (this.syncs.size) text = this.takeSyncMarkers(stream, text);
        if (!text) return;
        if (stream === 'stderr') this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
        this.onOutput?.({ index: this.currentRow, stream, text });
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.stderrTail += `\n${err.message}`;
      });
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.hello = new Promise<WorkerHello>((resolve, reject) => {
      const previous = this.onMessage;
      this.onMessage = (msg) => {
        if (msg.op === 'hello') {
          this.onMessage = previous;
          resolve(msg as unknown as WorkerHello);
        }
      };
      void this.exited.then((e) =>
        // The interpreter could not run our worker at all: a setup problem, refused before any row.
        reject(
          new PythonSetupError(
            `the Python worker (${this.interpreter.command}) exited at start (${describeExit(e)})` +
              (this.stderrTail.trim() ? `: ${this.stderrTail.trim()}` : '; check that this interpreter runs scripts (choose another with locatorBatch.pythonInterpreter or --python)'),
          ),
        ),
      );
    });
    this.hello.catch(() => undefined);
  }

  get alive(): boolean {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  send(cmd: Record<string, unknown>): void {
    if (this.alive) this.commands.write(JSON.stringify(cmd) + '\n');
  }

  /** Sends `cmd` and resolves with the first reply whose op is one of `ops`. */
  request(cmd: Record<string, unknown>, ops: readonly string[]): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const previous = this.onMessage;
      this.onMessage = (msg) => {
        if (ops.includes(msg.op)) {
          this.onMessage = previous;
          resolve(msg);
        } else previous?.(msg);
      };
      void this.exited.then((e) => reject(new Error(`the Python worker exited (${describeExit(e)}): ${this.stderrTail.trim()}`)));
      this.send(cmd);
    });
  }

  /**
   * Resolves once all the worker wrote straight to fd 1 and 2 so far has been passed on (those pipes
   * are not ordered with the protocol's): the worker writes a marker on both, and we wait for it.
   */
  syncOutput(timeoutMs = 2000): Promise<void> {
    if (!this.alive) return Promise.resolve();
    const marker = `\u0000lb-sync-${process.pid}-${++this.syncCount}\u0000`;
    const waits = (['stdout', 'stderr'] as const).map(
      (stream) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => done(), timeoutMs);
          const done = () => {
            clearTimeout(timer);
            this.syncs.delete(stream + marker);
            resolve();
          };
          this.syncs.set(stream + marker, done);
          void this.exited.then(done);
        }),
    );
    this.send({ op: 'sync', marker });
    return Promise.all(waits).then(() => undefined);
  }

  private takeSyncMarkers(stream: string, text: string): string {
    for (const [key, done] of this.syncs) {
      if (!key.startsWith(stream)) continue;
      const marker = key.slice(stream.length);
      const at = text.indexOf(marker);
      if (at !== -1) {
        text = text.slice(0, at) + text.slice(at + marker.length);
        done();
      }
    }
    return text;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** Idle processes must not keep the host's event loop (the CLI) alive. */
  setIdle(idle: boolean): void {
    const handles = [this.child, this.child.stdout, this.child.stderr, this.child.stdio[3], this.child.stdio[4]];
    for (const h of handles) {
      const refable = h as unknown as { ref?(): void; unref?(): void } | null;
      if (idle) refable?.unref?.();
      else refable?.ref?.();
    }
  }

  private receive(text: string): void {
    const buf = this.pendingText ? this.pendingText + text : text;
    let start = 0;
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n', start)) {
      if (nl > start) this.dispatch(JSON.parse(buf.slice(start, nl)) as WorkerMessage);
      start = nl + 1;
    }
    this.pendingText = buf.slice(start);
  }

  private dispatch(msg: WorkerMessage): void {
    if (msg.op === 'out') {
      const index = typeof msg.i === 'number' ? msg.i : undefined;
      this.onOutput?.({ index, stream: msg.s === 'stderr' ? 'stderr' : 'stdout', text: String(msg.t) });
    } else this.onMessage?.(msg);
  }
}

export function describeExit(e: ProcessExit): string {
  if (e.signal) return `signal ${e.signal}`;
  return `code ${e.code}`;
}
