-- Notification outbox (issue 11): dedupe key, urgency, channel choice, delivery claims, inbox
-- read marks. One statement per column or index, so a run cut off half-way is resumed by
-- running the remaining statements (IF NOT EXISTS makes an applied one a no-op on MariaDB).
ALTER TABLE notification ADD COLUMN IF NOT EXISTS dedupe_key VARCHAR(120) NULL;
ALTER TABLE notification ADD COLUMN IF NOT EXISTS urgent TINYINT(1) NOT NULL DEFAULT 0;
ALTER TABLE notification ADD COLUMN IF NOT EXISTS channel_choice ENUM('auto', 'fixed') NOT NULL DEFAULT 'fixed';
ALTER TABLE notification ADD COLUMN IF NOT EXISTS claim_token CHAR(32) NULL;
ALTER TABLE notification ADD COLUMN IF NOT EXISTS claimed_until DATETIME(3) NULL;
ALTER TABLE notification ADD COLUMN IF NOT EXISTS appointment_id BIGINT UNSIGNED NULL;
ALTER TABLE notification ADD COLUMN IF NOT EXISTS read_at DATETIME(3) NULL;
ALTER TABLE notification ADD UNIQUE KEY IF NOT EXISTS uq_notification_dedupe (dedupe_key);
ALTER TABLE notification ADD KEY IF NOT EXISTS ix_notification_inbox (user_id, channel, status, send_after, id);
ALTER TABLE notification ADD KEY IF NOT EXISTS ix_notification_claim (claim_token);
