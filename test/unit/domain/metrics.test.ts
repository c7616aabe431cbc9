import { describe, expect, it } from 'vitest';
import { causeIds, outcomeMetrics } from '../../../functions/domain/metrics.ts';

describe('outcomeMetrics', () => {
  const endedAt = new Date('2026-01-01T00:10:00Z');

  it('counts the outcome, each distinct cause, and the seconds from alarm to a REMEDIATED end', () => {
    const points = outcomeMetrics({
      outcome: 'REMEDIATED',
      causes: ['A', 'B', 'A'],
      alarmTime: '2026-01-01T00:00:00Z',
      endedAt,
    });
    expect(points).toEqual([
      { name: 'Remediations', unit: 'Count', value: 1, dimensions: { outcome: 'REMEDIATED' } },
      { name: 'RemediationsByCause', unit: 'Count', value: 1, dimensions: { cause: 'A' } },
      { name: 'RemediationsByCause', unit: 'Count', value: 1, dimensions: { cause: 'B' } },
      { name: 'TimeToVerified', unit: 'Seconds', value: 600 },
    ]);
  });

  it('measures no duration for another outcome, a missing or an epoch alarm time', () => {
    const names = (alarmTime: string | undefined, outcome = 'REMEDIATED') =>
      outcomeMetrics({ outcome, causes: [], alarmTime, endedAt }).map((p) => p.name);
    expect(names('2026-01-01T00:00:00Z', 'ESCALATED')).toEqual(['Remediations']);
    expect(names(undefined)).toEqual(['Remediations']);
    expect(names('not a time')).toEqual(['Remediations']);
    // the alarm parser's stand-in when the event had no time
    expect(names(new Date(0).toISOString())).toEqual(['Remediations']);
  });

  it('reads cause ids defensively from the state', () => {
    expect(causeIds({ causes: [{ id: 'X' }, { id: 3 }, null] })).toEqual(['X']);
    expect(causeIds(undefined)).toEqual([]);
  });
});
