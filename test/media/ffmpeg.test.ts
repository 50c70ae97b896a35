// The tool runner: argument building, timeouts, bounded output, and the missing-tool error.
// /bin/sh stands in for ffmpeg (through ZHILU_FFMPEG) so these run without ffmpeg.
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/domain/errors.js';
import { ff, runFfmpeg, runTool, stderrTail, toolPath } from '../../src/media/ffmpeg.js';

const sh = { ...process.env, ZHILU_FFMPEG: '/bin/sh' };

describe('ff`…` arguments', () => {
  it('splits literal text, keeps each value one argument, glues values to touching text', () => {
    const input = '/tmp/a dir/in put.mp4';
    expect(ff`-i ${input} -t ${12.5} -metadata comment=${'ZFY AV 2.1'} -y ${'/o.mp4'}`).toEqual([
      '-i',
      '/tmp/a dir/in put.mp4',
      '-t',
      '12.5',
      '-metadata',
      'comment=ZFY AV 2.1',
      '-y',
      '/o.mp4',
    ]);
  });
  it('spreads arrays, drops null/undefined/false, handles line breaks', () => {
    expect(
      ff`-a ${['-x', 'y z']} ${null} ${undefined} ${false}
        -b size=${160}x${120}:rate=${2}`,
    ).toEqual(['-a', '-x', 'y z', '-b', 'size=160x120:rate=2']);
  });
});

describe('runTool', () => {
  it('the path comes from ZHILU_FFMPEG / ZHILU_FFPROBE, else PATH', () => {
    expect(toolPath('ffmpeg', {})).toBe('ffmpeg');
    expect(toolPath('ffprobe', { ZHILU_FFPROBE: ' /opt/ff/ffprobe ' })).toBe('/opt/ff/ffprobe');
  });

  it('a missing tool is FFMPEG_MISSING with what to do', async () => {
    const e = await runTool('ffmpeg', ['-version'], {
      env: { ...process.env, ZHILU_FFMPEG: '/nonexistent/ffmpeg' },
    }).catch((x: unknown) => x);
    expect(isAppError(e) && e.code).toBe('FFMPEG_MISSING');
    expect(isAppError(e) && e.messages.en).toMatch(/ZHILU_FFMPEG/);
  });

  it('kills a process that runs past the timeout', async () => {
    const r = await runTool('ffmpeg', ['-c', 'sleep 3; true'], { env: sh, timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it('keeps only the tail of a flood on stderr, and stops a flood on stdout', async () => {
    const r = await runTool('ffmpeg', ['-c', "yes error | head -c 1000000 >&2; printf '\\ndone\\n' >&2"], {
      env: sh,
      maxStderrBytes: 1024,
    });
    expect(r.stderr.length).toBeLessThanOrEqual(1025);
    expect(r.stderr.startsWith('…')).toBe(true);
    expect(stderrTail(r.stderr, 1)).toBe('done');
    const o = await runTool('ffmpeg', ['-c', 'yes'], { env: sh, maxStdoutBytes: 64 * 1024 });
    expect(o.stdoutOverflow).toBe(true);
  });

  it('runFfmpeg turns a failure into FFMPEG_FAILED with the end of stderr', async () => {
    // sh is handed ffmpeg's leading flags (-hide_banner …), which it refuses: a non-zero exit
    const e = await runFfmpeg(['-c', 'exit 3'], { env: sh }).catch((x: unknown) => x);
    expect(isAppError(e) && e.code).toBe('FFMPEG_FAILED');
  });
});
