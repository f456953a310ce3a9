-- Statistics (issue 12 §9): the call instant the wait-time statistic measures to, and the
-- indexes the live part of the statistics reads by (statistics/rollup.ts). The rollup tables
-- are new, so schema.sql alone creates them.
ALTER TABLE appointment ADD COLUMN called_at DATETIME(3) NULL AFTER no_show_at;
ALTER TABLE appointment ADD KEY ix_appointment_visit_date (session_date);
ALTER TABLE payment ADD KEY ix_payment_paid (paid_at);
ALTER TABLE payment ADD KEY ix_payment_refunded (refunded_at);
