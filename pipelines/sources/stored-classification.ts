// The classifications of tickets the intake left `unclassified`, as stored: each event reported
// `unclassified` keeps its own (complaint_type, classifier_confidence), a function of the event;
// which one its ticket counts under is the counters' rule (pipelines/transforms/corrections.ts),
// applied again by every reader of the store (the rebuild, replay, the alert engine's book).

import type { Classification } from '../model.ts';
import { REVIEW_BELOW, UNCLASSIFIED } from '../transforms/classify.ts';

/** Rows that are an event's own classification, as the counters read them (corrections.ts): an
 *  event reported `unclassified` that its text or tags typed. A correction types by itself; a
 *  row whose model ends in `+ticket` holds a type borrowed from another event of its ticket (how
 *  events were typed before 2026-11-27), not its own. */
export const OWN_CLASSIFICATION = `reported_type = '${UNCLASSIFIED}' AND kind != 'corrected' AND complaint_type != '${UNCLASSIFIED}'
  AND classifier_confidence IS NOT NULL AND NOT endsWith(classifier_model, '+ticket')`;

/** A ticket's classification among its rows reported `unclassified`: argMax(…, MOST_CONFIDENT),
 *  the most confident (in thousandths, as the counters compare) and on a tie the greater eventId. */
export const MOST_CONFIDENT = `(round(ifNull(classifier_confidence, 0), 3), event_id)`;

/** Rows of tickets some event of which was classified with confidence: they wait for no one,
 *  since the most confident classification of the ticket is one of them. */
export const CONFIDENTLY_CLASSIFIED = `${OWN_CLASSIFICATION} AND needs_review = 0`;

/** The classification a stored row carries of its own (see OWN_CLASSIFICATION), else undefined. */
export function storedClassification(kind: string, reportedType: string, complaintType: string, confidence: number | null, model: string): Classification | undefined {
  if (reportedType !== UNCLASSIFIED || kind === 'corrected' || confidence === null || Number.isNaN(confidence) || model.endsWith('+ticket')) return undefined;
  return { type: complaintType, confidence, modelVersion: model, needsReview: complaintType === UNCLASSIFIED || confidence < REVIEW_BELOW };
}
