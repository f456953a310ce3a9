-- Statistics (issue 12 §9): the indexes the live part of the statistics reads by (statistics/rollup.ts). The rollup tables
-- are new, so schema.sql alone creates them.
ALTER TABLE appointment ADD KEY ix_appointment_visit_date (session_date);
ALTER TABLE payment ADD KEY ix_payment_paid (paid_at);
ALTER TABLE payment ADD KEY ix_payment_refunded (refunded_at);
