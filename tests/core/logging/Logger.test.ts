// Logs: JSON lines for a scheduler, readable lines and a progress bar at a terminal.
import { describe, expect, it } from 'vitest';
import { Logger } from '../../../core/logging/Logger.ts';

function capture(isTTY: boolean) {
  const text = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => ({ isTTY, write: (chunk: string) => ((text[name] += chunk), true) }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
  return { text, streams: { stdout: stream('stdout'), stderr: stream('stderr') } };
}

describe('Logger', () => {
  it('writes one JSON object per line on stdout when stdout is not a terminal', async () => {
    const { text, streams } = capture(false);
    const log = Logger.create('auto', streams).forRun('run-1');
    expect(log.format).toBe('json');
    const { result } = await log.stage('features', async () => ({ rows: 42 }), (r) => r.rows);
    expect(result.rows).toBe(42);
    log.warn('drift', 'score PSI 0.31 is over 0.2', { stage: 'drift' });
    const lines = text.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'info', run_id: 'run-1', event: 'stage_started', stage: 'features' });
    expect(lines[1]).toMatchObject({ level: 'info', run_id: 'run-1', event: 'stage_finished', stage: 'features', rows: 42, duration_ms: expect.any(Number) });
    expect(lines[2]).toMatchObject({ level: 'warn', event: 'drift', message: 'score PSI 0.31 is over 0.2' });
    expect(text.stderr).toBe('');
  });

  it('writes readable lines and a progress bar on stderr at a terminal', () => {
    const { text, streams } = capture(true);
    const log = Logger.create('auto', streams);
    expect(log.format).toBe('text');
    const progress = log.progress('load', 4);
    progress(1, 'demographics.csv');
    log.info('file_loaded', 'extract 2026-11-22 demographics.csv: 10 of 10 rows loaded', { stage: 'load' });
    progress(4);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain('load [######------------------] 1/4 demographics.csv');
    expect(text.stderr).toMatch(/\d\d:\d\d:\d\d load {5}extract 2026-11-22 demographics.csv: 10 of 10 rows loaded\n/);
    // The bar is cleared when the stage ends, so the next line starts clean.
    expect(text.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('draws no bar into a JSON log', () => {
    const { text, streams } = capture(false);
    Logger.create('json', streams).progress('load', 3)(1);
    expect(text.stdout + text.stderr).toBe('');
  });
});

describe('Logger lines', () => {
  const clock = () => new Date('2026-11-23T02:30:00.123Z');

  it('puts time, level, event and message first, and leaves out undefined fields', () => {
    const { text, streams } = capture(false);
    new Logger('json', streams, { run_id: 'r1' }, clock).warn('run_finished', 'done', { exit_code: 3, stack: undefined });
    expect(text.stdout).toBe('{"time":"2026-11-23T02:30:00.123Z","level":"warn","event":"run_finished","message":"done","run_id":"r1","exit_code":3}\n');
  });

  it('writes one readable line per event at a terminal, even for a message of several lines', () => {
    const { text, streams } = capture(true);
    new Logger('text', streams, {}, clock).error('run_failed', 'first\n  second');
    expect(text.stderr).toBe('02:30:00 ERROR first | second\n');
  });
});

describe('Logger and NHS numbers', () => {
  const clock = () => new Date('2026-11-23T02:30:00.123Z');
  const M = '[direct identifier removed]';

  it('masks every string field of a JSON line, nested ones and keys included', () => {
    const { text, streams } = capture(false);
    new Logger('json', streams, { run_id: 'r1' }, clock).error('extract_rejected', 'extract 2026-11-23 rejected: 943 476 5919.csv', {
      stage: 'load', file: 'SP6907366258', names: ['8836075983_A', { inner: 'x-943-476-5919' }], '9434765919': 'key', count: 9434765919,
    });
    const line = JSON.parse(text.stdout);
    expect(line).toEqual({
      time: '2026-11-23T02:30:00.123Z', level: 'error', event: 'extract_rejected', message: `extract 2026-11-23 rejected: ${M}.csv`, run_id: 'r1',
      stage: 'load', file: `SP${M}`, names: [`${M}_A`, { inner: `x-${M}` }], [M]: 'key', count: M,
    });
  });

  it('masks readable lines and the progress bar', () => {
    const { text, streams } = capture(true);
    const log = new Logger('text', streams, {}, clock);
    log.progress('load', 2)(1, 'RX1454981741.csv');
    log.warn('drift', 'person 943-476-5919\n  and "9434765919"', { stage: 'load' });
    expect(text.stderr).toContain(`1/2 RX${M}.csv`);
    expect(text.stderr).toContain(`02:30:00 load     WARN person ${M} | and "${M}"\n`);
  });
});
