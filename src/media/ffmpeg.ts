// Running Debian's ffmpeg and ffprobe: where they are (ZHILU_FFMPEG / ZHILU_FFPROBE, else
// on PATH), a spawn helper with a timeout and bounded output capture, and one clear error
// when a tool is missing. Nothing here interprets media; probe.ts and the pipeline do.

import { spawn } from 'node:child_process';
import { AppError } from '../domain/errors.js';

export type MediaTool = 'ffmpeg' | 'ffprobe';

/** The command to run for a tool: $ZHILU_FFMPEG / $ZHILU_FFPROBE, else the bare name (PATH). */
export function toolPath(tool: MediaTool, env: NodeJS.ProcessEnv = process.env): string {
  const configured = (tool === 'ffmpeg' ? env.ZHILU_FFMPEG : env.ZHILU_FFPROBE)?.trim();
  return configured ? configured : tool;
}

export const ffmpegPath = (env: NodeJS.ProcessEnv = process.env) => toolPath('ffmpeg', env);
export const ffprobePath = (env: NodeJS.ProcessEnv = process.env) => toolPath('ffprobe', env);

export function ffmpegMissing(tool: MediaTool, command: string, cause?: string): AppError {
  const variable = tool === 'ffmpeg' ? 'ZHILU_FFMPEG' : 'ZHILU_FFPROBE';
  return new AppError(
    'FFMPEG_MISSING',
    500,
    {
      zh: `找不到 ${tool}（${command}）：请安装 ffmpeg（apt install ffmpeg）或用环境变量 ${variable} 指定其路径`,
      en: `${tool} not found (${command}): install ffmpeg (apt install ffmpeg) or set ${variable} to its path`,
    },
    { tool, command, ...(cause ? { cause } : {}) },
  );
}

export interface RunOptions {
  /** Kill the process (SIGKILL) after this long. Default 120 s. */
  timeoutMs?: number;
  /** Stdout beyond this is an error (the process is killed). Default 16 MiB. */
  maxStdoutBytes?: number;
  /** Only the last this-many bytes of stderr are kept. Default 64 KiB. */
  maxStderrBytes?: number;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  /** Exit status; null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** The tail of stderr (UTF-8, invalid bytes replaced), marked when cut. */
  stderr: string;
  timedOut: boolean;
  /** Stdout exceeded maxStdoutBytes and the process was killed. */
  stdoutOverflow: boolean;
  durationMs: number;
}

/**
 * Runs a tool to completion. Resolves whatever the exit status (callers decide what a
 * failure means); rejects only with FFMPEG_MISSING when the tool cannot be started.
 */
export function runTool(tool: MediaTool, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = opts.env ?? process.env;
  const command = toolPath(tool, env);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const maxOut = opts.maxStdoutBytes ?? 16 * 1024 * 1024;
  const maxErr = opts.maxStderrBytes ?? 64 * 1024;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stdoutOverflow = false;
    let err = Buffer.alloc(0);
    let errCut = false;
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutOverflow) return;
      outBytes += chunk.length;
      if (outBytes > maxOut) {
        stdoutOverflow = true;
        child.kill('SIGKILL');
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = Buffer.concat([err, chunk]);
      if (err.length > maxErr) {
        err = err.subarray(err.length - maxErr);
        errCut = true;
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      if (e.code === 'ENOENT' || e.code === 'EACCES') {
        settled = true;
        clearTimeout(timer);
        reject(ffmpegMissing(tool, command, e.code));
      }
      // other errors (abort) are followed by 'close'
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: (errCut ? '…' : '') + err.toString('utf8'),
        timedOut,
        stdoutOverflow,
        durationMs: Date.now() - started,
      });
    };
    child.on('close', finish);
    // Killed by us: do not wait for grandchildren that may still hold the pipes open.
    child.on('exit', (code, signal) => {
      if (!timedOut && !stdoutOverflow) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(code, signal);
    });
  });
}

/** The last non-empty lines of a tool's stderr, for an error message. */
export function stderrTail(stderr: string, lines = 3): string {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}

/** Runs ffmpeg and throws FFMPEG_FAILED (with the end of stderr) unless it exits 0. */
export async function runFfmpeg(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], opts);
  if (r.code !== 0) {
    const why = r.timedOut
      ? `timed out after ${opts.timeoutMs ?? 120_000} ms`
      : stderrTail(r.stderr) || `exit ${r.code ?? r.signal}`;
    throw new AppError(
      'FFMPEG_FAILED',
      500,
      { zh: `ffmpeg 处理失败：${why}`, en: `ffmpeg failed: ${why}` },
      { reason: why },
    );
  }
  return r;
}

/** Versions of both tools (first line of -version); throws FFMPEG_MISSING when either is absent. */
export async function toolVersions(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ffmpeg: string; ffprobe: string }> {
  const first = async (tool: MediaTool) => {
    const r = await runTool(tool, ['-version'], { timeoutMs: 15_000, env });
    if (r.code !== 0) throw ffmpegMissing(tool, toolPath(tool, env), `exit ${r.code ?? r.signal}`);
    return r.stdout.toString('utf8').split('\n')[0]!.trim();
  };
  const [ffmpeg, ffprobe] = await Promise.all([first('ffmpeg'), first('ffprobe')]);
  return { ffmpeg, ffprobe };
}

type ArgValue = string | number | readonly string[] | null | undefined | false;

/**
 * Tool arguments written like a command line: the literal text is split on whitespace, and
 * each `${value}` stays one argument however many spaces it holds (a path, a filter graph),
 * glued to literal text it touches (`creation_time=${t}`). Arrays are spread as whole
 * arguments; null, undefined and false add nothing. Nothing is ever given to a shell.
 *
 *   ff`-i ${input} -t ${seconds} -metadata comment=${text} ${extra} -y ${out}`
 */
export function ff(strings: TemplateStringsArray, ...values: ArgValue[]): string[] {
  const out: string[] = [];
  let current: string | null = null;
  const flush = () => {
    if (current !== null) out.push(current);
    current = null;
  };
  strings.forEach((text, i) => {
    text.split(/\s+/).forEach((piece, k) => {
      if (k > 0) flush();
      if (piece) current = (current ?? '') + piece;
    });
    if (i >= values.length) return;
    const v = values[i];
    if (Array.isArray(v)) {
      flush();
      out.push(...(v as readonly string[]));
    } else if (v !== null && v !== undefined && v !== false) current = (current ?? '') + String(v);
  });
  flush();
  return out;
}
