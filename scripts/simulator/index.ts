// Public API of the ticket-event simulator (demo, tests, benchmarks). See docs/CFPB-MAPPING.md.
export { parseCsv, parseCsvObjects, toComplaints, loadCfpb, findCfpbCsv, CfpbCsvNotFound, CsvError, type CfpbComplaint } from './csv.ts';
export {
  PLAN_TYPES, UNCLASSIFIED, OTHER_TYPE, PRODUCT_TYPES, INSURANCE_ISSUE, STATE_BRANCHES, DEFAULT_BRANCH, CHANNELS,
  REGULATOR_CHANNEL, NOT_AGREED_RATES, DEFAULT_NOT_AGREED_RATE, typeOf, branchOf, channelOf, outcomeEvidence, drawOutcomes,
  type OutcomeEvidence,
} from './mapping.ts';
export { generateTickets, generateLifecycles, sortEvents, type GenerateOptions, type SimTicket } from './generate.ts';
export { timeCompressed, restamp, type ScheduledEvent } from './replay.ts';
export { badEvents, MAX_BODY_BYTES, type BadEvent, type RejectionCode } from './bad.ts';
export {
  publishEvents, publishRaw, paced, sleep, subjectFor, emptyStats, ensureComplaintsStream, STREAM_NAME, SUBJECT_PREFIX,
  type PublishOptions, type PublishStats,
} from './publish.ts';
export { mulberry32, hashSeed, rngFor, type Rng } from './prng.ts';
export { formatRfc3339, zonedToUtc, yearBounds, mapToYear, parseCfpbDate } from './time.ts';
export { CustomerPool, type SyntheticCustomer } from './people.ts';
