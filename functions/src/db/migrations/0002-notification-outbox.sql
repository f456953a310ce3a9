-- Notification outbox (issue 11): dedupe key, urgency, channel choice, delivery claims, inbox
-- read marks and their indexes. One statement per change, so a run cut off half-way resumes
-- with the changes still missing (db/pending-ddl.ts).
ALTER TABLE notification ADD COLUMN dedupe_key VARCHAR(120) NULL;
ALTER TABLE notification ADD COLUMN urgent TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE notification ADD COLUMN channel_choice ENUM('auto', 'fixed') NOT NULL DEFAULT 'fixed';
ALTER TABLE notification ADD COLUMN claim_token CHAR(32) NULL;
ALTER TABLE notification ADD COLUMN claimed_until DATETIME(3) NULL;
ALTER TABLE notification ADD COLUMN appointment_id BIGINT UNSIGNED NULL;
ALTER TABLE notification ADD COLUMN read_at DATETIME(3) NULL;
ALTER TABLE notification ADD UNIQUE KEY uq_notification_dedupe (dedupe_key);
ALTER TABLE notification ADD KEY ix_notification_inbox (user_id, channel, status, send_after, id);
ALTER TABLE notification ADD KEY ix_notification_claim (claim_token);
