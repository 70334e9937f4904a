// Deadline policies as data: every span, step, threshold and limit of DOMAIN.md is a
// default here, never a constant of the engine. A deployment loads its own (the JSON
// mirrors in resources/policies are the administrator's copies of these defaults).
import { z } from 'zod';
import { CaseType, Priority, type Priority as PriorityName } from '../domain';
import { ClockEntryKindName } from './history';

/**
 * How a span is laid onto time:
 * - calendar-minutes: wall-clock minutes, around the clock;
 * - business-hours: hours inside the calendar's business hours of working days;
 * - business-days: working days after the day of receipt, ending at 24:00;
 * - civil-days: days after the day of receipt, ending at 24:00, rolled to the next working
 *   day when the last day is a rest day or holiday (Civil Code arts. 201–203);
 * - calendar-days: days after the day of receipt, ending at 24:00, never rolled (FCA, CFPB).
 */
export const CLOCK_KINDS = [
  'calendar-minutes',
  'business-hours',
  'business-days',
  'civil-days',
  'calendar-days',
] as const;
export const ClockKind = z.enum(CLOCK_KINDS);
export type ClockKind = z.infer<typeof ClockKind>;
export const DayClockKind = z.enum(['business-days', 'civil-days', 'calendar-days']);
export type DayClockKind = z.infer<typeof DayClockKind>;

/**
 * When the owner is warned: once at most `fraction` of the span remains (measured in the
 * clock's own time for minute and business-hour clocks, in wall-clock time for day
 * clocks), or a fixed lead time before the due instant.
 */
export const WarningThreshold = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fraction'), fraction: z.number().gt(0).lt(1) }),
  z.object({ type: z.literal('lead'), minutes: z.number().positive() }),
]);
export type WarningThreshold = z.infer<typeof WarningThreshold>;

export const SERVICE_DEADLINE_KINDS = [
  'first_response',
  'interim_measure',
  'root_cause',
  'plan',
  'progress_update',
  'resolution',
  'outcome_notice',
] as const;
export const ServiceDeadlineKind = z.enum(SERVICE_DEADLINE_KINDS);
export type ServiceDeadlineKind = z.infer<typeof ServiceDeadlineKind>;

/**
 * One internal service target of a priority (分级响应).
 *
 * A reopened case is handled again: the targets of the cycle of resolution (see
 * `restartsOnReopening`) start again from the reopening, with the policy of the priority in
 * force; the others (first response, interim measure) are owed once per case.
 */
export const ServiceTarget = z
  .object({
    kind: ServiceDeadlineKind,
    clock: ClockKind,
    /**
     * In the clock's unit: minutes, hours or days. Null when the span is the customer's
     * promised time (`startsAt: 'promise'`).
     */
    span: z.number().positive().nullable(),
    /** received: at receipt (or at the change to this priority); resolved: at the decision; promise: at the latest promise. */
    startsAt: z.enum(['received', 'resolved', 'promise']),
    metBy: z.array(ClockEntryKindName).min(1),
    /** A recurring target: each of these entries starts the next cycle (progress updates). */
    restartedBy: z.array(ClockEntryKindName).optional(),
    pausesWhileWaitingOnCustomer: z.boolean(),
    warning: WarningThreshold,
    note: z.string().optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.span === null) !== (t.startsAt === 'promise'))
      ctx.addIssue({ code: 'custom', path: ['span'], message: 'SPAN_NULL_ONLY_FOR_PROMISE' });
    if (t.startsAt === 'promise' && t.clock !== 'calendar-minutes')
      ctx.addIssue({ code: 'custom', path: ['clock'], message: 'PROMISE_IS_WALL_CLOCK' });
    if (t.span !== null && isDayClock(t.clock) && !Number.isInteger(t.span))
      ctx.addIssue({ code: 'custom', path: ['span'], message: 'WHOLE_DAYS' });
  });
export type ServiceTarget = z.infer<typeof ServiceTarget>;

export function isDayClock(clock: ClockKind): clock is DayClockKind {
  return clock === 'business-days' || clock === 'civil-days' || clock === 'calendar-days';
}

/**
 * Whether a target belongs to one cycle of resolution, and so starts again when the case is
 * reopened: a target the decision (`resolved`) meets, or one counted from a decision or a
 * promise. The first response, met by the first contact the case records once, does not.
 */
export function restartsOnReopening(target: Pick<ServiceTarget, 'startsAt' | 'metBy'>): boolean {
  return target.startsAt !== 'received' || target.metBy.includes('resolved');
}

/** One step of extending the regulatory period: to a new total, and what it needs. */
export const ExtensionStep = z.object({
  toDays: z.number().int().positive(),
  /** By the superior branch or head office: an approval id and an approver on the entry. */
  requiresApproval: z.boolean(),
  /** A notice to the customer saying why: `customerNoticeAt` on the entry. */
  requiresCustomerNotice: z.boolean(),
});
export type ExtensionStep = z.infer<typeof ExtensionStep>;

export const RegulatoryTrack = z
  .object({
    clock: DayClockKind,
    baseDays: z.number().int().positive(),
    /** Ascending totals, taken one at a time. */
    extensions: z.array(ExtensionStep),
    /** A first answer due before the decision (CFPB: respond or mark "in progress"). */
    response: z
      .object({
        clock: DayClockKind,
        days: z.number().int().positive(),
        metBy: z.array(ClockEntryKindName).min(1),
        warning: WarningThreshold,
      })
      .nullable(),
  })
  .superRefine((track, ctx) => {
    let days = track.baseDays;
    track.extensions.forEach((step, i) => {
      if (step.toDays <= days)
        ctx.addIssue({ code: 'custom', path: ['extensions', i], message: 'STEPS_ASCEND' });
      days = step.toDays;
    });
  });
export type RegulatoryTrack = z.infer<typeof RegulatoryTrack>;

export const RegulatoryPolicy = z.object({
  regulator: z.string().min(1),
  appliesToCaseTypes: z.array(CaseType).min(1),
  /** The decision counts as given when one of these is recorded after the clock's start. */
  metBy: z.array(ClockEntryKindName).min(1),
  /** Whether excluded intervals (external appraisal or testing) stop the clock. */
  honoursExclusions: z.boolean(),
  warning: WarningThreshold,
  /** By the receipt's `regulatoryTrack`; 'default' serves every other case. */
  tracks: z
    .record(z.string().min(1), RegulatoryTrack)
    .refine((tracks) => 'default' in tracks, { message: 'DEFAULT_TRACK_MISSING' }),
});
export type RegulatoryPolicy = z.infer<typeof RegulatoryPolicy>;

/** FCA DISP 1.5: a complaint resolved by the end of the n-th business day needs a letter. */
export const SummaryResolutionPolicy = z.object({
  appliesToCaseTypes: z.array(CaseType).min(1),
  businessDays: z.number().int().positive(),
  triggeredBy: z.array(ClockEntryKindName).min(1),
});
export type SummaryResolutionPolicy = z.infer<typeof SummaryResolutionPolicy>;

const FollowUpRuleFields = z.object({
  priorities: z.array(Priority).optional(),
  caseTypes: z.array(CaseType).optional(),
  clock: ClockKind,
  span: z.number().positive(),
  warning: WarningThreshold,
});
const wholeDaysOnDayClocks = (r: { clock: ClockKind; span: number }) =>
  !isDayClock(r.clock) || Number.isInteger(r.span);

/** A follow-up rule; an absent list matches every value. */
export const FollowUpRule = FollowUpRuleFields.refine(wholeDaysOnDayClocks, {
  path: ['span'],
  message: 'WHOLE_DAYS',
});
export type FollowUpRule = z.infer<typeof FollowUpRule>;

export const SecondFollowUpRule = FollowUpRuleFields.extend({ majorOnly: z.boolean() }).refine(
  wholeDaysOnDayClocks,
  { path: ['span'], message: 'WHOLE_DAYS' },
);
export type SecondFollowUpRule = z.infer<typeof SecondFollowUpRule>;

export const FollowUpPolicy = z.object({
  /** The first rule that matches the closed case sets its follow-up (回访); none: no follow-up. */
  first: z.array(FollowUpRule),
  /** A second follow-up, for the cases it matches (major complaints). */
  second: SecondFollowUpRule.nullable(),
});
export type FollowUpPolicy = z.infer<typeof FollowUpPolicy>;

/**
 * Compensation (补偿), amounts in minor units of `currency` (fen for CNY): the frontline
 * grants up to the limit at once; above it, the bands say how many levels of the chain
 * approve. Kept here beside the deadlines for the lifecycle machines to read.
 */
export const CompensationPolicy = z
  .object({
    currency: z.string().length(3),
    frontlineLimitMinorUnits: z.number().int().nonnegative(),
    approvalChain: z.array(z.object({ name: z.string().min(1) })).min(1),
    approvalBands: z
      .array(
        z.object({
          upToMinorUnits: z.number().int().positive().nullable(),
          levels: z.number().int().min(1),
        }),
      )
      .min(1),
  })
  .superRefine((policy, ctx) => {
    const bands = policy.approvalBands;
    bands.forEach((band, i) => {
      const last = i === bands.length - 1;
      if (last !== (band.upToMinorUnits === null))
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'OPEN_BAND_LAST' });
      const previous = i === 0 ? policy.frontlineLimitMinorUnits : bands[i - 1]!.upToMinorUnits;
      if (band.upToMinorUnits !== null && previous !== null && band.upToMinorUnits <= previous)
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'BANDS_ASCEND' });
      if (band.levels > policy.approvalChain.length)
        ctx.addIssue({ code: 'custom', path: ['approvalBands', i], message: 'CHAIN_TOO_SHORT' });
    });
  });
export type CompensationPolicy = z.infer<typeof CompensationPolicy>;

export const DeadlinePolicy = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  jurisdiction: z.string().min(1),
  sources: z.array(z.string()),
  /**
   * The fixed offset every day is counted in; must equal the calendar's. A zone with
   * daylight saving is approximated by one offset (see `timeZoneNote`).
   */
  timeZoneOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60),
  timeZoneNote: z.string().optional(),
  /** The calendar the policy is meant for (see DEFAULT_CALENDARS). */
  calendarId: z.string().min(1),
  targets: z.record(Priority, z.array(ServiceTarget)),
  regulatory: RegulatoryPolicy.nullable(),
  summaryResolution: SummaryResolutionPolicy.nullable(),
  followUps: FollowUpPolicy,
  compensation: CompensationPolicy.nullable(),
  /** Words that raise a case to urgent and call in the risk team (风险预警 + 人工介入). */
  riskKeywords: z.array(z.string().min(1)),
});
export type DeadlinePolicy = z.infer<typeof DeadlinePolicy>;

// The bank's own service standards (DOMAIN "Priority and deadlines"): the same desk rules
// whatever the regulator; only the day-counting convention of the jurisdiction differs.
function bankServiceTargets(dayClock: DayClockKind): Record<PriorityName, ServiceTarget[]> {
  const promisedResolution: ServiceTarget = {
    kind: 'resolution',
    clock: 'calendar-minutes',
    span: null,
    startsAt: 'promise',
    metBy: ['resolved'],
    pausesWhileWaitingOnCustomer: true,
    warning: { type: 'lead', minutes: 60 },
    note: 'written solution within the time promised to the customer',
  };
  return {
    urgent: [
      {
        kind: 'first_response',
        clock: 'calendar-minutes',
        span: 15,
        startsAt: 'received',
        metBy: ['first_contact'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'lead', minutes: 5 },
        note: 'first contact within 15 min',
      },
      {
        kind: 'interim_measure',
        clock: 'calendar-minutes',
        span: 15,
        startsAt: 'received',
        metBy: ['interim_measure'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'lead', minutes: 5 },
        note: 'DOMAIN says "at once" (e.g. stop payment); read as: no later than the first-contact window',
      },
      {
        kind: 'root_cause',
        clock: 'calendar-minutes',
        span: 120,
        startsAt: 'received',
        metBy: ['root_cause_found', 'plan_recorded', 'resolved'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'fraction', fraction: 0.2 },
        note: 'root cause within 2 h',
      },
      {
        kind: 'plan',
        clock: 'calendar-minutes',
        span: 24 * 60,
        startsAt: 'received',
        metBy: ['plan_recorded', 'resolved'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'fraction', fraction: 0.2 },
        note: 'preliminary plan within 24 h',
      },
      promisedResolution,
    ],
    high: [
      {
        kind: 'first_response',
        clock: 'business-hours',
        span: 4,
        startsAt: 'received',
        metBy: ['first_contact'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'fraction', fraction: 0.2 },
        note: 'first response within 4 business hours',
      },
      {
        kind: 'progress_update',
        clock: 'business-days',
        span: 1,
        startsAt: 'received',
        restartedBy: ['first_contact', 'progress_update'],
        metBy: ['resolved'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'lead', minutes: 8 * 60 },
        note: 'a progress update to the customer every business day until resolved',
      },
      promisedResolution,
    ],
    normal: [
      {
        kind: 'first_response',
        clock: 'calendar-minutes',
        span: 24 * 60,
        startsAt: 'received',
        metBy: ['first_contact'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'fraction', fraction: 0.2 },
        note: 'first response within 24 h',
      },
      promisedResolution,
    ],
    suggestion: [
      {
        kind: 'first_response',
        clock: 'business-days',
        span: 5,
        startsAt: 'received',
        metBy: ['first_contact'],
        pausesWhileWaitingOnCustomer: true,
        warning: { type: 'lead', minutes: 24 * 60 },
        note: 'answer within 5 business days',
      },
      {
        kind: 'outcome_notice',
        clock: dayClock,
        span: 30,
        startsAt: 'resolved',
        metBy: ['decision_notified'],
        pausesWhileWaitingOnCustomer: false,
        warning: { type: 'fraction', fraction: 0.2 },
        note: 'the customer is told whether it was adopted within 30 days of the decision',
      },
    ],
  };
}

function bankFollowUps(dayClock: DayClockKind): FollowUpPolicy {
  return {
    // First match wins. DOMAIN names urgent, normal and inquiry; a high-priority complaint
    // takes the normal rule; suggestions and praise get no follow-up call.
    first: [
      {
        priorities: ['urgent'],
        clock: 'calendar-minutes',
        span: 24 * 60,
        warning: { type: 'fraction', fraction: 0.2 },
      },
      {
        caseTypes: ['inquiry'],
        clock: dayClock,
        span: 7,
        warning: { type: 'lead', minutes: 1440 },
      },
      {
        priorities: ['high', 'normal'],
        caseTypes: ['complaint'],
        clock: dayClock,
        span: 3,
        warning: { type: 'lead', minutes: 1440 },
      },
    ],
    second: {
      caseTypes: ['complaint'],
      majorOnly: true,
      clock: dayClock,
      span: 30,
      warning: { type: 'lead', minutes: 3 * 1440 },
    },
  };
}

export const CN_CBIRC_2020: DeadlinePolicy = {
  id: 'CN_CBIRC_2020',
  name: '银行业保险业消费投诉处理管理办法（2020）与本行服务标准',
  jurisdiction: 'CN',
  sources: [
    '银行业保险业消费投诉处理管理办法（银保监会令2020年第3号）第二十二条: 15日内作出处理决定并告知投诉人；情况复杂的可以延长至30日；情况特别复杂或者有其他特殊原因的，经其上级机构或者总行、总公司高管人员审批并告知投诉人，可以再延长30日',
    '民法典第二百零一条至第二百零三条: 期间计算',
    'DOMAIN.md: priority table, follow-ups, compensation',
  ],
  timeZoneOffsetMinutes: 480,
  timeZoneNote: 'China Standard Time, UTC+8, no daylight saving',
  calendarId: 'cn',
  targets: bankServiceTargets('civil-days'),
  regulatory: {
    regulator: 'CBIRC 2020 (now NFRA)',
    appliesToCaseTypes: ['complaint'],
    metBy: ['decision_notified', 'closed'],
    honoursExclusions: true,
    warning: { type: 'fraction', fraction: 0.2 },
    tracks: {
      default: {
        clock: 'civil-days',
        baseDays: 15,
        extensions: [
          // Art. 22 asks nothing for the first step; the customer notice is this bank's
          // practice so the customer learns the new date. Set false to follow the letter.
          { toDays: 30, requiresApproval: false, requiresCustomerNotice: true },
          { toDays: 60, requiresApproval: true, requiresCustomerNotice: true },
        ],
        response: null,
      },
    },
  },
  summaryResolution: null,
  followUps: bankFollowUps('civil-days'),
  compensation: {
    currency: 'CNY',
    frontlineLimitMinorUnits: 50_000, // 500 CNY, granted at once by the frontline
    approvalChain: [
      { name: 'team_lead' },
      { name: 'department_head' },
      { name: 'service_committee' },
    ],
    // DOMAIN gives the chain, not the band edges: ours until the bank says otherwise.
    approvalBands: [
      { upToMinorUnits: 200_000, levels: 1 }, // ≤ 2,000 CNY: team lead
      { upToMinorUnits: 1_000_000, levels: 2 }, // ≤ 10,000 CNY: + department head
      { upToMinorUnits: null, levels: 3 }, // above: + service committee
    ],
  },
  riskKeywords: [
    '被骗',
    '盗刷',
    '冻结',
    '诈骗',
    '挂失',
    '报警',
    '盗用',
    '资金被转走',
    '骗局',
    '异常交易',
    '人身安全',
    '起诉',
    '律师',
  ],
};

export const UK_FCA_DISP: DeadlinePolicy = {
  id: 'UK_FCA_DISP',
  name: 'FCA Handbook DISP 1 (complaint handling)',
  jurisdiction: 'GB',
  sources: [
    'DISP 1.6.2R: final response within 8 weeks of receipt',
    'DISP 1.6.2AR: PSD/EMD complaints, final response within 15 business days; in exceptional circumstances a holding reply and a final response within 35 business days',
    'DISP 1.5: complaints resolved by close of the third business day after the day of receipt; summary resolution communication (DISP 1.5.4R)',
  ],
  timeZoneOffsetMinutes: 0,
  timeZoneNote:
    'Europe/London approximated by GMT all year: during British Summer Time (29 Mar–25 Oct 2026) local days are counted one hour late, so a complaint received 00:00–01:00 BST counts as received the day before',
  calendarId: 'gb-eng-2026',
  targets: bankServiceTargets('calendar-days'),
  regulatory: {
    regulator: 'FCA',
    appliesToCaseTypes: ['complaint'],
    metBy: ['decision_notified', 'closed'],
    honoursExclusions: false,
    warning: { type: 'fraction', fraction: 0.2 },
    tracks: {
      default: { clock: 'calendar-days', baseDays: 56, extensions: [], response: null },
      payment_services: {
        clock: 'business-days',
        baseDays: 15,
        extensions: [{ toDays: 35, requiresApproval: false, requiresCustomerNotice: true }],
        response: null,
      },
    },
  },
  summaryResolution: {
    appliesToCaseTypes: ['complaint'],
    businessDays: 3,
    triggeredBy: ['closed'],
  },
  followUps: bankFollowUps('calendar-days'),
  compensation: null, // no figures in the sources; a UK deployment sets its own
  riskKeywords: ['fraud', 'scam', 'stolen', 'unauthorised', 'unauthorized', 'frozen', 'police'],
};

export const US_CFPB: DeadlinePolicy = {
  id: 'US_CFPB',
  name: 'CFPB company portal response times',
  jurisdiction: 'US',
  sources: [
    'CFPB Company Portal Manual: respond within 15 calendar days, or mark "in progress" and give a final response within 60 calendar days',
  ],
  timeZoneOffsetMinutes: -300,
  timeZoneNote:
    'US Eastern approximated by EST (UTC−5) all year: during daylight saving (8 Mar–1 Nov 2026) local days are counted one hour early',
  calendarId: 'us-federal-2026',
  targets: bankServiceTargets('calendar-days'),
  regulatory: {
    regulator: 'CFPB',
    appliesToCaseTypes: ['complaint'],
    metBy: ['decision_notified', 'closed'],
    honoursExclusions: false,
    warning: { type: 'fraction', fraction: 0.2 },
    tracks: {
      default: {
        clock: 'calendar-days',
        baseDays: 60,
        extensions: [],
        response: {
          clock: 'calendar-days',
          days: 15,
          metBy: ['progress_update', 'decision_notified', 'closed'],
          warning: { type: 'fraction', fraction: 0.2 },
        },
      },
    },
  },
  summaryResolution: null,
  followUps: bankFollowUps('calendar-days'),
  compensation: null,
  riskKeywords: ['fraud', 'scam', 'stolen', 'unauthorized', 'frozen', 'police'],
};

export const DEFAULT_POLICIES: readonly DeadlinePolicy[] = [CN_CBIRC_2020, UK_FCA_DISP, US_CFPB];

/** How many approval levels an amount needs: 0 when the frontline grants it at once. */
export function compensationApprovalLevels(
  amountMinorUnits: number,
  compensation: CompensationPolicy,
): number {
  if (amountMinorUnits <= compensation.frontlineLimitMinorUnits) return 0;
  const band = compensation.approvalBands.find(
    (b) => b.upToMinorUnits === null || amountMinorUnits <= b.upToMinorUnits,
  );
  return band?.levels ?? compensation.approvalChain.length;
}
