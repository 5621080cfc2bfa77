import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RejectionCode } from './bad.ts';

// Test-only reference of the contract's input rules (section 1), independent of the pipeline's
// decoder, so the simulator's claims about its payloads are checked against the schema itself.

const schema = JSON.parse(readFileSync(new URL('../../pipelines/transforms/ticket-event.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false });
addFormats.default(ajv);
export const validateEvent = ajv.compile(schema);

/** RFC 3339 date-time with an explicit offset (Z or ±hh:mm). */
export const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** The rejection a payload earns, or undefined when it is a valid event. */
export function referenceRejection(payload: string): RejectionCode | undefined {
  if (Buffer.byteLength(payload, 'utf8') > 64 * 1024) return 'too_large';
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return 'invalid_json';
  }
  const at = (value as { occurredAt?: unknown } | null)?.occurredAt;
  if (typeof at === 'string' && LOCAL_DATE_TIME.test(at)) {
    // Offset missing: valid apart from that means no_offset, anything else wrong means schema.
    return validateEvent({ ...(value as object), occurredAt: `${at}+08:00` }) ? 'no_offset' : 'schema';
  }
  return validateEvent(value) ? undefined : 'schema';
}
