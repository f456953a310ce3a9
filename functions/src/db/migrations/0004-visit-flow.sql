-- The visit flow (issue 10): the statuses called / in_visit / passed (all hold their place),
-- their timestamps, the queue's sort key and its index, one patient called per session (unique
-- generated column), the doctor's room, the visit rules and the second ban tier. booking_ban is
-- a new table: schema.sql creates it. One statement per change (db/pending-ddl.ts).
ALTER TABLE appointment MODIFY COLUMN status ENUM('pending_payment', 'booked', 'checked_in', 'completed', 'cancelled', 'expired', 'no_show', 'called', 'in_visit', 'passed') NOT NULL;
ALTER TABLE appointment MODIFY COLUMN holds_place TINYINT(1) GENERATED ALWAYS AS (IF(status IN ('pending_payment', 'booked', 'checked_in', 'called', 'in_visit', 'passed', 'completed', 'no_show'), 1, NULL)) STORED;
ALTER TABLE appointment ADD COLUMN called_at DATETIME(3) NULL;
ALTER TABLE appointment ADD COLUMN visit_started_at DATETIME(3) NULL;
ALTER TABLE appointment ADD COLUMN passed_at DATETIME(3) NULL;
ALTER TABLE appointment ADD COLUMN passed_count TINYINT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE appointment ADD COLUMN recall_count TINYINT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE appointment ADD COLUMN queue_key BIGINT UNSIGNED NULL;
ALTER TABLE appointment ADD COLUMN queue_late TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE appointment ADD COLUMN calling_session_id BIGINT UNSIGNED GENERATED ALWAYS AS (IF(status IN ('called', 'in_visit'), session_id, NULL)) STORED;
ALTER TABLE appointment ADD UNIQUE KEY uq_appointment_calling (calling_session_id);
ALTER TABLE appointment ADD KEY ix_appointment_queue (session_id, status, queue_key);
ALTER TABLE appointment ADD KEY ix_appointment_no_show (account_id, no_show_at);
ALTER TABLE doctor ADD COLUMN room VARCHAR(50) NULL;
ALTER TABLE booking_rule ADD COLUMN check_in_before_minutes SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN check_in_until_minutes SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN late_grace_minutes SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN late_interleave SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN pass_limit SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN no_show_tier2_threshold SMALLINT UNSIGNED NULL;
ALTER TABLE booking_rule ADD COLUMN no_show_tier2_ban_days SMALLINT UNSIGNED NULL;
