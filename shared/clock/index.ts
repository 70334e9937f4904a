// The deadline engine's public surface: calendars, policies, the clock history and the
// deadlines derived from it. Pure and portable: no Node, no DOM, no I/O.
export * from './calendar';
export * from './cn-2025-calendar';
export * from './cn-2026-calendar';
export * from './deadlines';
export * from './default-calendars';
export * from './follow-ups';
export * from './gb-eng-2026-calendar';
export * from './history';
export * from './local-time';
export * from './policies';
export * from './span';
export * from './us-federal-2026-calendar';
