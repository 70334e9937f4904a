// Case numbers (工单编号) that a workstation mints on its own, offline too, and that the
// agent reads out at once: <site><workstation>-<yyMMdd>-<seq>, e.g. SH0107-261123-0042.
// Unique with no round trip because the server gives every workstation a distinct code
// at registration and each workstation counts its own numbers per day.

/** Site letters then the workstation's own letters or digits, as registered: "SH0107". */
const WORKSTATION_CODE = /^[A-Z][A-Z0-9]{1,11}$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CASE_NUMBER = /^([A-Z][A-Z0-9]{1,11})-(\d{2})(\d{2})(\d{2})-(\d{4,})$/;
/** yy has two digits: numbers are minted for days of 2000–2099 only. */
const CENTURY = 2000;

export interface ParsedCaseNumber {
  workstationCode: string;
  /** The workstation's local calendar day, YYYY-MM-DD. */
  localDate: string;
  seq: number;
}

/**
 * @param workstationCode the code the server gave the workstation (upper-case letters and digits)
 * @param localDate the workstation's calendar day, YYYY-MM-DD (2000–2099)
 * @param seq the day's counter, from 1; four digits at least, more when the day needs them
 */
export function formatCaseNumber(workstationCode: string, localDate: string, seq: number): string {
  if (!WORKSTATION_CODE.test(workstationCode))
    throw new RangeError(`workstation code "${workstationCode}" is not A-Z/0-9, 2 to 12 long`);
  if (!isCalendarDate(localDate)) throw new RangeError(`"${localDate}" is not a day of 2000–2099`);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`sequence ${seq} is not ≥ 1`);
  const yyMMdd = localDate.slice(2).replaceAll('-', '');
  return `${workstationCode}-${yyMMdd}-${String(seq).padStart(4, '0')}`;
}

/** The parts of a number, or null when it is not one this module could have formatted. */
export function parseCaseNumber(caseNumber: string): ParsedCaseNumber | null {
  const m = CASE_NUMBER.exec(caseNumber);
  if (!m) return null;
  const [, workstationCode, yy, mm, dd, digits] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const localDate = `${CENTURY + Number(yy)}-${mm}-${dd}`;
  const seq = Number(digits);
  // Only the canonical spelling: "00042" is not a number we mint (ours is "0042").
  if (!isCalendarDate(localDate) || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (String(seq).padStart(4, '0') !== digits) return null;
  return { workstationCode, localDate, seq };
}

/** What a workstation keeps (persisted with its outbox) to mint its next number. */
export interface CaseNumberCounter {
  workstationCode: string;
  /** The day of the last number minted, YYYY-MM-DD; null before the first. */
  date: string | null;
  lastSeq: number;
}

export function newCaseNumberCounter(workstationCode: string): CaseNumberCounter {
  return { workstationCode, date: null, lastSeq: 0 };
}

/**
 * The next number for a case registered on `localDate`. The counter restarts each new
 * day. If the workstation's clock goes back to an earlier day (a wrong clock corrected,
 * a time-zone change), it keeps counting on the last day it minted for: restarting on
 * the earlier day would repeat numbers already read out to customers.
 */
export function mintCaseNumber(
  counter: CaseNumberCounter,
  localDate: string,
): { caseNumber: string; counter: CaseNumberCounter } {
  const date = counter.date !== null && localDate <= counter.date ? counter.date : localDate;
  const seq = date === counter.date ? counter.lastSeq + 1 : 1;
  return {
    caseNumber: formatCaseNumber(counter.workstationCode, date, seq),
    counter: { workstationCode: counter.workstationCode, date, lastSeq: seq },
  };
}

function isCalendarDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < CENTURY || year >= CENTURY + 100) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}
