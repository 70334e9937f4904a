import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCaseNumber,
  mintCaseNumber,
  newCaseNumberCounter,
  parseCaseNumber,
  type CaseNumberCounter,
} from '../../shared/lifecycle/case-number';

describe('case numbers', () => {
  it('reads <site><workstation>-<yyMMdd>-<seq> with four digits at least', () => {
    expect(formatCaseNumber('SH0107', '2026-11-23', 42)).toBe('SH0107-261123-0042');
    expect(formatCaseNumber('BJ02', '2026-01-05', 12_345)).toBe('BJ02-260105-12345');
  });

  it('parses what it formats, and only that', () => {
    expect(parseCaseNumber('SH0107-261123-0042')).toEqual({
      workstationCode: 'SH0107',
      localDate: '2026-11-23',
      seq: 42,
    });
    expect(parseCaseNumber('BJ02-260105-12345')?.seq).toBe(12_345);
    for (const wrong of [
      'SH0107-261123-042', // too few digits
      'SH0107-261123-00042', // not the canonical spelling of 42
      'SH0107-261131-0001', // no 31 November
      'SH0107-260229-0001', // 2026 is not a leap year
      'sh0107-261123-0001',
      'SH-01-261123-0001',
      'SH0107-261123-0000',
    ])
      expect(parseCaseNumber(wrong), wrong).toBeNull();
  });

  it('refuses to format a number it could not parse back', () => {
    expect(() => formatCaseNumber('sh01', '2026-11-23', 1)).toThrow(RangeError);
    expect(() => formatCaseNumber('SH-01', '2026-11-23', 1)).toThrow(RangeError);
    expect(() => formatCaseNumber('SH01', '2026-02-30', 1)).toThrow(RangeError);
    expect(() => formatCaseNumber('SH01', '2126-01-01', 1)).toThrow(RangeError);
    expect(() => formatCaseNumber('SH01', '2026-11-23', 0)).toThrow(RangeError);
    expect(() => formatCaseNumber('SH01', '2026-11-23', 1.5)).toThrow(RangeError);
  });

  it('restarts the counter each new day', () => {
    let counter = newCaseNumberCounter('GZ03');
    const minted: string[] = [];
    for (const day of ['2026-11-23', '2026-11-23', '2026-11-24']) {
      const next = mintCaseNumber(counter, day);
      minted.push(next.caseNumber);
      counter = next.counter;
    }
    expect(minted).toEqual(['GZ03-261123-0001', 'GZ03-261123-0002', 'GZ03-261124-0001']);
  });

  it('keeps counting on the last day when the workstation’s clock goes back', () => {
    let counter = newCaseNumberCounter('GZ03');
    const minted: string[] = [];
    for (const day of ['2026-11-24', '2026-11-23', '2026-11-24']) {
      const next = mintCaseNumber(counter, day);
      minted.push(next.caseNumber);
      counter = next.counter;
    }
    expect(minted).toEqual(['GZ03-261124-0001', 'GZ03-261124-0002', 'GZ03-261124-0003']);
  });

  it('never mints the same number twice across many offline workstations, whatever the order and days', () => {
    const codeArb = fc.stringMatching(/^[A-Z]{2}[0-9A-Z]{1,4}$/);
    const dayArb = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    const scenario = fc.uniqueArray(codeArb, { minLength: 2, maxLength: 12 }).chain((codes) =>
      fc.record({
        codes: fc.constant(codes),
        // Each registration: which workstation, on which of a few days (clocks may go back).
        registrations: fc.array(fc.record({ station: fc.nat(codes.length - 1), day: fc.nat(4) }), {
          minLength: 1,
          maxLength: 400,
        }),
        days: fc.array(dayArb, { minLength: 5, maxLength: 5 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ codes, registrations, days }) => {
        const counters: CaseNumberCounter[] = codes.map(newCaseNumberCounter);
        const seen = new Set<string>();
        for (const { station, day } of registrations) {
          const { caseNumber, counter } = mintCaseNumber(counters[station]!, days[day]!);
          counters[station] = counter;
          expect(seen.has(caseNumber), caseNumber).toBe(false);
          seen.add(caseNumber);
          const parsed = parseCaseNumber(caseNumber);
          expect(parsed?.workstationCode).toBe(codes[station]);
          expect(formatCaseNumber(parsed!.workstationCode, parsed!.localDate, parsed!.seq)).toBe(
            caseNumber,
          );
        }
      }),
      { seed: 20261123, numRuns: 1000 },
    );
  });
});
