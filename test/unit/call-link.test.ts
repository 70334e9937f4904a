import { describe, expect, it } from 'vitest';
import { callLinkInArgs, callRouteOf } from '../../main/electron/call-link';

describe('caseworkstation://call links', () => {
  it('opens the screen pop for the caller’s number, normalized', () => {
    expect(callRouteOf('caseworkstation://call?number=13900004455')).toBe(
      '#/call?number=13900004455',
    );
    expect(callRouteOf('caseworkstation://call/?number=%2B8613900004455')).toBe(
      '#/call?number=13900004455',
    );
    expect(callRouteOf('caseworkstation://call?number=010-62345678')).toBe(
      '#/call?number=01062345678',
    );
  });

  it('refuses anything else: other hosts, extra parameters, bad numbers, script', () => {
    for (const link of [
      'caseworkstation://case?number=13900004455',
      'caseworkstation://call?number=13900004455&then=evil',
      'caseworkstation://call?number=123',
      'caseworkstation://call?number=1390000%3Cscript%3E',
      'caseworkstation://call/extra?number=13900004455',
      'https://call?number=13900004455',
      `caseworkstation://call?number=${'1'.repeat(300)}`,
      'caseworkstation://call?number=139 0000 4455',
      'not a url',
    ]) {
      expect(callRouteOf(link), link).toBeNull();
    }
  });

  it('finds the link a second instance was started with', () => {
    expect(
      callLinkInArgs(['/opt/cw/case-workstation', '--flag', 'caseworkstation://call?number=1']),
    ).toBe('caseworkstation://call?number=1');
    expect(callLinkInArgs(['/opt/cw/case-workstation'])).toBeNull();
  });
});
