// The public form of a /ws message, for screens in public areas (`?masked`, docs/WALLBOARD.md):
// alerts without ticket ids, names or texts. It is built from what a public screen may keep, not
// from what it may not: a list of private keys let through a history line's reason that listed
// the correcting event ids (which embed the ticket id), the on-call names of an escalation line,
// and the name of whoever changed the plan. A field added later, or a frame type this
// file does not know, stays off public screens until someone decides that it may be shown.

import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

/** Frame types made of figures, codes and the plan's own names only: sent as they are. */
const FIGURES_ONLY = new Set(['counter', 'series', 'headline', 'resume']);

const hash12 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * A level alert's id names a year, a type and a branch, and stays. Any other id (a case's is
 * `case.<ticketId>`) becomes a stable alias with the same prefix, so its updates still find
 * their row on the page.
 */
export function publicAlertId(id: string): string {
  if (/^level\.[\w.-]+$/.test(id)) return id;
  const prefix = /^([a-z]+)\./.exec(id)?.[1] ?? 'alert';
  return `${prefix}.${hash12(id)}`;
}

const pick = (from: Json, keys: readonly string[], ok: (v: unknown) => boolean): Json => {
  const out: Json = {};
  for (const k of keys) if (ok(from[k])) out[k] = from[k];
  return out;
};
const isText = (v: unknown): v is string => typeof v === 'string';
const isWord = (v: unknown) => typeof v === 'string' && /^[a-z][a-z_-]{0,31}$/.test(v);
const isFigure = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a history line's reason may say in public: the rules' own words, never a person's or an id. */
function publicReason(reason: unknown): string | undefined {
  if (typeof reason !== 'string') return undefined;
  if (/^(events|late event|clock|re-derived at start|not acknowledged in time|level rose to (watch|breach|critical))$/.test(reason)) return reason;
  if (/^correction\b/.test(reason)) return 'correction';
  return undefined;
}

/** status/level tags ("open/watch") and an amendment's "level=breach scope=BJ" pairs */
const TAG = /^((open|acknowledged|resolved)\/(ok|watch|breach|critical)|((level|complaintType|scope)=[\w.-]{1,64} ?)+)$/;
const DETAIL_FIGURES = ['unresolved', 'allowanceToDate', 'ratio', 'onCallLevel', 'round', 'noProgressHours', 'deadlineDays'] as const;
const LADDER = new Set(['case_meeting', 'mediation', 'management']);

function publicHistoryLine(line: unknown, alertId: string): Json {
  if (!isObject(line)) return {};
  const out: Json = {
    ...(isText(line.id) ? { id: `${alertId}/${hash12(line.id)}` } : {}),
    ...pick(line, ['at'], isText),
    ...pick(line, ['what', 'level'], isWord),
  };
  const reason = publicReason(line.reason);
  if (reason) out.reason = reason;
  for (const k of ['before', 'after']) if (typeof line[k] === 'string' && TAG.test(line[k])) out[k] = line[k];
  if (isObject(line.detail)) {
    // figures of the level and the ladder step; names (`notify`, `to`), texts and ids stay off
    const detail = pick(line.detail, DETAIL_FIGURES, isFigure);
    if (typeof line.detail.escalation === 'string' && LADDER.has(line.detail.escalation)) detail.escalation = line.detail.escalation;
    if (Object.keys(detail).length) out.detail = detail;
  }
  return out;
}

/** An alert as a public screen keeps it: what, where, how bad, since when; nobody's name, no ticket. */
export function publicAlert(alert: Json): Json {
  const id = publicAlertId(String(alert.id ?? ''));
  return {
    ...pick(alert, ['type', 'seq'], (v) => v !== undefined),
    id,
    ...pick(alert, ['kind', 'level', 'currentLevel', 'status', 'urgency', 'resolution'], isWord),
    ...pick(alert, ['complaintType', 'scope', 'openedAt', 'raisedAt', 'resolvedAt', 'deadline'], isText),
    // the ticker shows the on-call level an unacknowledged alert has reached, never who is on call
    ...(isObject(alert.onCall) ? { onCall: pick(alert.onCall, ['level', 'round', 'since'], (v) => isFigure(v) || isText(v)) } : {}),
    ...(Array.isArray(alert.history) ? { history: alert.history.map((h) => publicHistoryLine(h, id)) } : {}),
    ...(Array.isArray(alert.change) ? { change: alert.change.map((c) => (isObject(c) ? pick(c, ['what', 'at'], (v) => isWord(v) || isFigure(v)) : {})) } : {}),
  };
}

/**
 * The pipeline's freshness. A store's error message can quote the server's address or a row's
 * content: a public screen learns only that writes fail, which is all the page says anyway.
 */
function publicPipeline(p: unknown): unknown {
  if (!isObject(p)) return p;
  return {
    ...pick(p, ['consuming'], (v) => typeof v === 'boolean'),
    ...pick(p, ['nats'], isWord),
    ...pick(p, ['lastBatchAt', 'lastTicketAt'], (v) => v === null || isText(v)),
    ...pick(p, ['pending', 'lagMs', 'writeFailingMs', 'storeUnansweredMs'], isFigure),
    ...('writeError' in p ? { writeError: p.writeError ? 'write failed' : null } : {}),
    ...(isObject(p.deadLetters) ? { deadLetters: pick(p.deadLetters, ['received', 'deadLetters', 'lastDeadLetterAt'], (v) => isFigure(v) || isText(v)) } : {}),
    // how many, not which branch codes
    ...(isObject(p.unknownBranches) ? { unknownBranches: pick(p.unknownBranches, ['events'], isFigure) } : {}),
    // whether the broker's store takes the intake's messages; the reasons quote the broker
    ...(isObject(p.brokerStore) ? { brokerStore: pick(p.brokerStore, ['status'], isWord) } : {}),
  };
}

/** A wall screen's status (server/screens.ts) without its name or its network address. */
function publicScreen(s: unknown): Json {
  if (!isObject(s)) return {};
  return {
    ...pick(s, ['type', 'seq'], (v) => v !== undefined),
    id: `screen.${hash12(String(s.id ?? ''))}`,
    ...pick(s, ['status'], isWord),
    ...pick(s, ['lastHeartbeat', 'at'], isText),
    ...pick(s, ['silentMs'], isFigure),
  };
}

const SNAPSHOT_AS_IS = ['type', 'seq', 'epoch', 'reason', 'asOf', 'year', 'plan', 'counters', 'series', 'headline', 'heartbeatMs', 'alertsOpen'];

/** The public form of any message the hubs send. */
export function publicMessage(message: Json): Json {
  const type = message.type;
  if (typeof type === 'string' && FIGURES_ONLY.has(type)) return message;
  switch (type) {
    case 'alert':
      return publicAlert(message);
    case 'snapshot':
      return {
        ...pick(message, SNAPSHOT_AS_IS, (v) => v !== undefined),
        ...(Array.isArray(message.alerts) ? { alerts: message.alerts.map((a) => (isObject(a) ? publicAlert(a) : {})) } : {}),
        ...('pipeline' in message ? { pipeline: publicPipeline(message.pipeline) } : {}),
        ...(Array.isArray(message.screens) ? { screens: message.screens.map(publicScreen) } : {}),
      };
    case 'heartbeat':
      return { ...pick(message, ['type', 'seq', 'asOf', 'heartbeatMs'], (v) => v !== undefined), pipeline: publicPipeline(message.pipeline) };
    case 'plan':
      // who changed the plan is a person; that it changed, and when, is for everyone
      return pick(message, ['type', 'seq', 'year', 'changedAt', 'hash'], (v) => v !== undefined);
    case 'screen':
      return publicScreen(message);
    default:
      // a frame type nobody has judged: its place in the sequence, nothing of its content
      return pick(message, ['type', 'seq'], (v) => v !== undefined);
  }
}

/** Whether a message has a public form other than itself (the hub then frames it twice). */
export const hasPrivate = (message: Json): boolean => !(typeof message.type === 'string' && FIGURES_ONLY.has(message.type));
