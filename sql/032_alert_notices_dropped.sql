-- A third state of the gateway notices' outbox (sql/031): 'dropped', a notice a start did not send
-- again because the change it announces never reached the audit log (a crash between the outbox
-- and the audit rows: a rule's change is derived again and sent anew, a person's action did not
-- happen), or because a later notice of the same alert has been sent since (the people have newer
-- news; the old one would page them for a state that is gone).
ALTER TABLE complaints.alert_notices MODIFY COLUMN state Enum8('written' = 1, 'sent' = 2, 'dropped' = 3);
