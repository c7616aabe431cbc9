import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetrics, RecordingMetrics } from '../../../functions/adapters/metrics.ts';

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** The EMF documents Powertools writes to stdout while `fn` runs. */
function emitted(fn: () => void): Emf[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Emf);
}

describe('PowertoolsMetrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes EMF in namespace cf403 with the service dimension, one document per dimensioned point', () => {
    const m = new PowertoolsMetrics();
    const docs = emitted(() => {
      m.record({ name: 'Remediations', unit: 'Count', value: 1, dimensions: { outcome: 'REMEDIATED' } });
      m.record({ name: 'TimeToVerified', unit: 'Seconds', value: 42 });
      m.flush();
    });
    expect(docs).toHaveLength(2);
    const [outcome, duration] = docs;
    expect(outcome?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'cf403',
      Dimensions: [['service', 'outcome']],
      Metrics: [{ Name: 'Remediations', Unit: 'Count' }],
    });
    expect(outcome).toMatchObject({ service: 'cf403', outcome: 'REMEDIATED', Remediations: 1 });
    expect(duration?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(duration).toMatchObject({ service: 'cf403', TimeToVerified: 42 });
  });

  it('writes nothing when nothing was recorded', () => {
    expect(emitted(() => new PowertoolsMetrics().flush())).toEqual([]);
  });
});

describe('RecordingMetrics', () => {
  it('keeps points in order and prints nothing', () => {
    const m = new RecordingMetrics();
    const docs = emitted(() => {
      m.record({ name: 'ApprovalsRequested', unit: 'Count', value: 1 });
      m.flush();
    });
    expect(docs).toEqual([]);
    expect(m.points).toEqual([{ name: 'ApprovalsRequested', unit: 'Count', value: 1 }]);
    expect(m.flushes).toBe(1);
  });
});
