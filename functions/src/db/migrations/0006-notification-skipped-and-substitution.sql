-- Notification outbox (issue 11): a message that is moot when due (a payment reminder after the
-- patient paid or cancelled) is 'skipped' by the delivery job rather than sent. MODIFY to the
-- same definition is idempotent, so a re-run changes nothing.
ALTER TABLE notification MODIFY COLUMN status ENUM('pending', 'sent', 'failed', 'skipped') NOT NULL DEFAULT 'pending';
-- 替诊 (issue 10): the doctor a handed-over session was first scheduled for.
ALTER TABLE clinic_session ADD COLUMN substituted_from_doctor_id BIGINT UNSIGNED NULL;
ALTER TABLE clinic_session ADD KEY ix_session_substituted (substituted_from_doctor_id, session_date);
