// Public API of the pure pipeline stages: decode -> mask (+ classify) -> counters.
export type { PlanView, PlanTypeView } from './plan-view.ts';
export { decodeEvent, MAX_EVENT_BYTES, MAX_PAYLOAD_CHARS, type DecodeResult } from './decode.ts';
export {
  hashCustomer,
  maskName,
  maskPhone,
  maskIdNumber,
  maskCardNumber,
  maskText,
  maskEvent,
  type MaskOptions,
} from './mask.ts';
export { maskRawPayload } from './mask-raw.ts';
export { classifyTicket, CLASSIFIER_VERSION, REVIEW_BELOW, UNCLASSIFIED } from './classify.ts';
export { levelOf, ratioOf } from './levels.ts';
export { CounterIndex, type ChangedKey, type CounterSize } from './counters.ts';
export { parseDateTime, type ParsedDateTime } from './time.ts';
