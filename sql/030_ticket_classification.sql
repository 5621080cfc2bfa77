-- A ticket the intake left `unclassified` counts under its most confident classification, as the
-- live counters count it (pipelines/transforms/corrections.ts, docs/ALERTS.md "Classification
-- review"): among its own events reported `unclassified` (not corrections) that the classifier
-- typed, the most confident (confidence in thousandths, as the store's Float32 gives it back;
-- ties to the greater event id), whatever order they came in; a person's correction beats it;
-- a ticket none of whose events was typed counts under no type. Each event is stored with its
-- own classification only, so a 12378 transfer's text-less first contact is stored
-- `unclassified` and takes its type here. Rows of an older monitor whose model ends in `+ticket`
-- borrowed their type from an earlier event: they are no classification of their own.

CREATE OR REPLACE VIEW complaints.ticket_classifications AS
SELECT
    ticket_id,
    argMax(complaint_type, (round(ifNull(classifier_confidence, 0), 3), event_id)) AS classified_type,
    max(round(ifNull(classifier_confidence, 0), 3))                                 AS classified_confidence
FROM complaints.events_dedup
WHERE reported_type = 'unclassified' AND kind != 'corrected' AND complaint_type != 'unclassified'
  AND classifier_confidence IS NOT NULL AND NOT endsWith(classifier_model, '+ticket')
GROUP BY ticket_id;

CREATE OR REPLACE VIEW complaints.first_contacts AS
SELECT
    e.event_id                                                       AS event_id,
    e.ticket_id                                                      AS ticket_id,
    e.occurred_at                                                    AS occurred_at,
    e.occurred_at_exact                                              AS occurred_at_exact,
    toDate(e.occurred_at, 'Asia/Shanghai')                           AS local_date,
    toYear(local_date)                                               AS year,
    toRelativeWeekNum(local_date) - toRelativeWeekNum(toStartOfYear(local_date)) + 1 AS week,
    multiIf(c.ticket_id != '', c.corrected_type,
            e.reported_type != 'unclassified', e.complaint_type,
            k.ticket_id != '', k.classified_type, 'unclassified')   AS complaint_type,
    if(c.ticket_id = '', e.branch, c.corrected_branch)               AS branch,
    if(c.corrected_outcome = '', e.outcome, c.corrected_outcome)     AS outcome,
    e.customer_hash                                                  AS customer_hash
FROM complaints.events_dedup AS e
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = e.ticket_id
LEFT JOIN complaints.ticket_classifications AS k ON k.ticket_id = e.ticket_id
WHERE e.kind = 'first_contact';

CREATE OR REPLACE VIEW complaints.tickets AS
SELECT
    t.ticket_id                                                      AS ticket_id,
    multiIf(c.ticket_id != '', c.corrected_type,
            t.first_reported != 'unclassified', t.first_type,
            k.ticket_id != '', k.classified_type, 'unclassified')   AS complaint_type,
    if(c.ticket_id = '', t.first_branch, c.corrected_branch)         AS branch,
    t.customer_hash                                                  AS customer_hash,
    t.opened_at                                                      AS opened_at,
    toDate(t.opened_at, 'Asia/Shanghai')                             AS opened_date,
    toYear(opened_date)                                              AS year,
    toMonth(opened_date)                                             AS month,
    t.first_contact_at                                               AS first_contact_at,
    if(c.corrected_outcome = '', t.first_contact_outcome, c.corrected_outcome) AS first_contact_outcome,
    t.resolved_at                                                    AS resolved_at,
    t.resolved_outcome                                               AS resolved_outcome,
    t.extended                                                       AS extended,
    if(t.extended = 1, 30, 15)                                       AS deadline_days,
    t.escalation_level                                               AS escalation_level,
    t.satisfaction                                                   AS satisfaction
FROM
(
    SELECT
        ticket_id,
        argMinIf(complaint_type, (occurred_at_exact, event_id), kind != 'corrected') AS first_type,
        argMinIf(reported_type, (occurred_at_exact, event_id), kind != 'corrected')  AS first_reported,
        argMinIf(branch, (occurred_at_exact, event_id), kind != 'corrected')         AS first_branch,
        -- the customer of the ticket's earliest own event; a ticket seen only through corrections has none ('')
        argMinIf(customer_hash, (occurred_at_exact, event_id), kind != 'corrected')  AS customer_hash,
        -- a ticket seen without its 'opened' event is dated by its earliest event
        if(countIf(kind = 'opened') > 0, minIf(occurred_at, kind = 'opened'), min(occurred_at)) AS opened_at,
        minIf(occurred_at, kind = 'first_contact')                                   AS first_contact_at,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'first_contact')     AS first_contact_outcome,
        if(countIf(kind = 'resolved') > 0, minIf(occurred_at, kind = 'resolved'), NULL) AS resolved_at,
        argMinIf(outcome, (occurred_at_exact, event_id), kind = 'resolved')          AS resolved_outcome,
        max(tags['deadline'] = 'extended')                                           AS extended,
        -- the escalation ladder: 0 none, 1 case meeting, 2 mediation, 3 management
        max(multiIf(escalation = 'management', 3, escalation = 'mediation', 2, escalation = 'case_meeting', 1, 0)) AS escalation_level,
        argMaxIf(satisfaction, (occurred_at_exact, event_id), kind = 'resolved' AND satisfaction IS NOT NULL) AS satisfaction
    FROM complaints.events_dedup
    GROUP BY ticket_id
) AS t
LEFT JOIN complaints.ticket_corrections AS c ON c.ticket_id = t.ticket_id
LEFT JOIN complaints.ticket_classifications AS k ON k.ticket_id = t.ticket_id;
