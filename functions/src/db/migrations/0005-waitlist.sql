-- 候补 (issue 11, functions/src/waitlist/): the waitlist's rules, the slot times an entry
-- accepts, when it was closed, and the closing job's index. One statement per change
-- (db/pending-ddl.ts).
ALTER TABLE booking_rule ADD COLUMN waitlist_offer_hold_minutes SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN waitlist_close_minutes INT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN waitlist_max_per_profile SMALLINT UNSIGNED NULL;
ALTER TABLE waitlist_entry ADD COLUMN slot_starts VARCHAR(500) NULL;
ALTER TABLE waitlist_entry ADD COLUMN closed_at DATETIME(3) NULL;
ALTER TABLE waitlist_entry ADD KEY ix_waitlist_waiting (is_waiting, session_id);
