-- bx87h9 database schema: the source of truth (see ../shared/DESIGN.md §1–§2).
--
-- Applied by `npm run migrate` (functions/src/db/migrate.ts): every statement here is
-- idempotent (CREATE TABLE IF NOT EXISTS), so applying it to an existing database only adds
-- what is missing. Changes to tables that already exist in deployed databases go in
-- functions/src/db/migrations/NNNN-*.sql as well, and this file shows the final shape.
--
-- Conventions
--   * InnoDB, utf8mb4; no collation that only one of MariaDB / MySQL 8 knows.
--   * Instants are DATETIME(3) in UTC. Clinic calendars are DATE + TIME in Asia/Shanghai
--     wall-clock time (the hospital's), converted only in functions/src/time/.
--   * Money is integer fen (分). Ids are BIGINT UNSIGNED.
--   * Valid for PlanetScale (Vitess): every table has a primary key; no triggers, procedures
--     or foreign-key constraints (relations are enforced by the domain layer and indexed).
--   * "Active" appointments hold a place: pending_payment, booked, checked_in, called,
--     in_visit, passed, completed, no_show (every status but cancelled and expired: a patient
--     in the visit flow keeps their number). The generated column appointment.holds_place is 1
--     for those and NULL otherwise, so unique keys that include it only constrain active rows
--     (NULLs never collide).

CREATE TABLE IF NOT EXISTS schema_migration (
  name VARCHAR(100) NOT NULL,
  applied_at DATETIME(3) NOT NULL,
  PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Accounts of every role. Doctors and admins are created by admins; patients register by SMS.
CREATE TABLE IF NOT EXISTS user_account (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  phone CHAR(11) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role ENUM('patient', 'doctor', 'admin') NOT NULL,
  status ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
  display_name VARCHAR(50) NULL,
  failed_login_count INT UNSIGNED NOT NULL DEFAULT 0,
  locked_until DATETIME(3) NULL,
  -- Booking ban after repeated no-shows (rules: no_show_threshold / no_show_ban_days).
  banned_until DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- Every access token carries the version it was issued under; raising it (account disabled,
  -- password set) refuses all of them at once. session_changed_at says when, so each API
  -- process can load just the recent changes (auth/revocation.ts).
  session_version INT UNSIGNED NOT NULL DEFAULT 0,
  session_changed_at DATETIME(3) NULL,
  -- Set on a staff account an admin created or whose password an admin reset: until the owner
  -- sets their own password, the API answers only the password change, logout and `me`.
  must_change_password TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uq_user_phone (phone),
  KEY ix_user_role (role, status),
  KEY ix_user_session_changed (session_changed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- One-time SMS verification codes, stored hashed.
CREATE TABLE IF NOT EXISTS sms_code (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  phone CHAR(11) NOT NULL,
  purpose ENUM('register', 'reset_password') NOT NULL,
  code_hash CHAR(64) NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  expires_at DATETIME(3) NOT NULL,
  consumed_at DATETIME(3) NULL,
  ip VARCHAR(45) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_sms_phone (phone, purpose, created_at),
  KEY ix_sms_ip (ip, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Refresh tokens, stored as SHA-256 of the opaque token. Each login starts a family; each
-- refresh replaces the token; presenting a replaced token again revokes the whole family.
CREATE TABLE IF NOT EXISTS refresh_token (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id BIGINT UNSIGNED NOT NULL,
  family_id CHAR(36) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  replaced_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  user_agent VARCHAR(255) NULL,
  ip VARCHAR(45) NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_refresh_token_hash (token_hash),
  KEY ix_refresh_user (user_id),
  KEY ix_refresh_family (family_id),
  -- Recently ended logins, whose access tokens are refused (auth/revocation.ts).
  KEY ix_refresh_revoked (revoked_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 就诊人: the people an account books for. The ID number is stored encrypted (AES-256-GCM),
-- as a keyed hash for uniqueness, and as a masked form for display; never in clear.
CREATE TABLE IF NOT EXISTS patient_profile (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id BIGINT UNSIGNED NOT NULL,
  real_name VARCHAR(50) NOT NULL,
  id_type ENUM('resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent') NOT NULL,
  id_number_cipher VARCHAR(255) NOT NULL,
  id_number_hash CHAR(64) NOT NULL,
  id_number_masked VARCHAR(32) NOT NULL,
  gender ENUM('male', 'female') NOT NULL,
  birth_date DATE NOT NULL,
  phone CHAR(11) NOT NULL,
  relation ENUM('self', 'child', 'parent', 'spouse', 'other') NOT NULL,
  is_default TINYINT(1) NOT NULL DEFAULT 0,
  deleted_at DATETIME(3) NULL,
  is_live TINYINT(1) GENERATED ALWAYS AS (IF(deleted_at IS NULL, 1, NULL)) STORED,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_profile_person (account_id, id_number_hash, is_live),
  KEY ix_profile_account (account_id, deleted_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Basic health record, one per profile, visible to its owner only.
CREATE TABLE IF NOT EXISTS health_record (
  profile_id BIGINT UNSIGNED NOT NULL,
  blood_type ENUM('A', 'B', 'AB', 'O', 'unknown') NOT NULL DEFAULT 'unknown',
  rh_factor ENUM('positive', 'negative', 'unknown') NOT NULL DEFAULT 'unknown',
  allergies TEXT NULL,
  chronic_conditions TEXT NULL,
  medications TEXT NULL,
  notes TEXT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (profile_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 科室. A department may sit under a parent (大科 → 小科), e.g. 内科 → 心血管内科.
CREATE TABLE IF NOT EXISTS department (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  parent_id BIGINT UNSIGNED NULL,
  code VARCHAR(20) NOT NULL,
  name VARCHAR(50) NOT NULL,
  intro TEXT NULL,
  location VARCHAR(100) NULL,
  sort_order INT NOT NULL DEFAULT 0,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_department_code (code),
  KEY ix_department_parent (parent_id, sort_order)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE IF NOT EXISTS doctor (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  user_id BIGINT UNSIGNED NOT NULL,
  department_id BIGINT UNSIGNED NOT NULL,
  name VARCHAR(50) NOT NULL,
  title ENUM('chief', 'associate_chief', 'attending', 'resident') NOT NULL,
  specialty VARCHAR(255) NOT NULL DEFAULT '',
  intro TEXT NULL,
  photo_url VARCHAR(500) NULL,
  default_fee_fen INT UNSIGNED NOT NULL,
  sort_order INT NOT NULL DEFAULT 0,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- 诊室 the doctor sees patients in ("3 诊室"): the called patient is sent there.
  room VARCHAR(50) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_doctor_user (user_id),
  KEY ix_doctor_department (department_id, active, sort_order)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- A doctor's weekly clinic pattern; the generator turns it into sessions and slots.
CREATE TABLE IF NOT EXISTS schedule_template (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  doctor_id BIGINT UNSIGNED NOT NULL,
  weekday TINYINT UNSIGNED NOT NULL, -- ISO: 1 = Monday … 7 = Sunday
  period ENUM('morning', 'afternoon', 'evening') NOT NULL,
  start_time TIME NOT NULL,
  end_time TIME NOT NULL,
  slot_minutes SMALLINT UNSIGNED NOT NULL,
  capacity_per_slot SMALLINT UNSIGNED NOT NULL,
  fee_fen INT UNSIGNED NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_template_doctor_period (doctor_id, weekday, period),
  CONSTRAINT ck_template_weekday CHECK (weekday BETWEEN 1 AND 7),
  CONSTRAINT ck_template_times CHECK (start_time < end_time)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 排班: one doctor, one date, one period.
CREATE TABLE IF NOT EXISTS clinic_session (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  doctor_id BIGINT UNSIGNED NOT NULL,
  department_id BIGINT UNSIGNED NOT NULL,
  template_id BIGINT UNSIGNED NULL,
  session_date DATE NOT NULL,
  period ENUM('morning', 'afternoon', 'evening') NOT NULL,
  start_time TIME NOT NULL,
  end_time TIME NOT NULL,
  fee_fen INT UNSIGNED NOT NULL,
  status ENUM('open', 'suspended') NOT NULL DEFAULT 'open',
  suspend_reason VARCHAR(200) NULL,
  -- 放号时间 and the last instant a slot of this session can be booked (UTC).
  release_at DATETIME(3) NOT NULL,
  bookable_until DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- 替诊 (schedule/substitution.ts): the doctor this session was first scheduled for, when it was
  -- handed to another; the generator then does not recreate that doctor's session on this date.
  substituted_from_doctor_id BIGINT UNSIGNED NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_session_doctor_date (doctor_id, session_date, period),
  KEY ix_session_department_date (department_id, session_date),
  KEY ix_session_date (session_date),
  KEY ix_session_substituted (substituted_from_doctor_id, session_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 号源: capacity lives here, and only the conditional UPDATE of the booking path (and its
-- inverse on cancel / expire / suspend) changes `remaining`. Each slot owns the queue numbers
-- seq_start … seq_start + seq_count - 1 of its session (seq_count is fixed when the slot is
-- created; capacity may be lowered, or raised back up to seq_count, but never beyond, so
-- ranges never overlap). See functions/src/booking/ for how numbers are handed out.
CREATE TABLE IF NOT EXISTS slot (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  session_id BIGINT UNSIGNED NOT NULL,
  start_time TIME NOT NULL,
  end_time TIME NOT NULL,
  capacity SMALLINT UNSIGNED NOT NULL,
  remaining SMALLINT UNSIGNED NOT NULL,
  seq_start SMALLINT UNSIGNED NOT NULL,
  seq_count SMALLINT UNSIGNED NOT NULL,
  next_seq SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_slot_session_time (session_id, start_time),
  CONSTRAINT ck_slot_remaining CHECK (remaining <= capacity),
  CONSTRAINT ck_slot_capacity CHECK (capacity <= seq_count)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 预约订单.
CREATE TABLE IF NOT EXISTS appointment (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_no CHAR(20) NOT NULL,
  account_id BIGINT UNSIGNED NOT NULL,
  profile_id BIGINT UNSIGNED NOT NULL,
  slot_id BIGINT UNSIGNED NOT NULL,
  -- Denormalised from slot / session / doctor so lists and queues need no joins.
  session_id BIGINT UNSIGNED NOT NULL,
  doctor_id BIGINT UNSIGNED NOT NULL,
  department_id BIGINT UNSIGNED NOT NULL,
  session_date DATE NOT NULL,
  period ENUM('morning', 'afternoon', 'evening') NOT NULL,
  slot_start TIME NOT NULL,
  slot_end TIME NOT NULL,
  queue_number SMALLINT UNSIGNED NOT NULL, -- 就诊序号, unique among active rows of a session
  fee_fen INT UNSIGNED NOT NULL,
  status ENUM('pending_payment', 'booked', 'checked_in', 'completed', 'cancelled', 'expired', 'no_show', 'called', 'in_visit', 'passed') NOT NULL,
  holds_place TINYINT(1) GENERATED ALWAYS AS (
    IF(status IN ('pending_payment', 'booked', 'checked_in', 'called', 'in_visit', 'passed', 'completed', 'no_show'), 1, NULL)
  ) STORED,
  hold_expires_at DATETIME(3) NULL,
  paid_at DATETIME(3) NULL,
  checked_in_at DATETIME(3) NULL,
  completed_at DATETIME(3) NULL,
  cancelled_at DATETIME(3) NULL,
  expired_at DATETIME(3) NULL,
  no_show_at DATETIME(3) NULL,
  cancelled_by ENUM('patient', 'doctor', 'admin', 'system') NULL,
  cancel_reason VARCHAR(200) NULL,
  idempotency_key VARCHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- The visit flow (visit/): 叫号, 就诊开始, 过号 and how often. checked_in_at is the last arrival
  -- (a passed patient's return sets it again); statistics measure the wait from check-in to called_at.
  called_at DATETIME(3) NULL,
  visit_started_at DATETIME(3) NULL,
  passed_at DATETIME(3) NULL,
  passed_count TINYINT UNSIGNED NOT NULL DEFAULT 0,
  recall_count TINYINT UNSIGNED NOT NULL DEFAULT 0,
  -- Place in the waiting queue, set at each check-in (visit/queue-order.ts): on time, the queue
  -- number spread out; late or back after 过号, between two waiting patients. The queue is one
  -- ORDER BY queue_key, id on ix_appointment_queue.
  queue_key BIGINT UNSIGNED NULL,
  -- 1 when queue_key was placed as late / returning (the next one goes n places after it).
  queue_late TINYINT(1) NOT NULL DEFAULT 0,
  -- The session of the one patient being called or seen: the unique key lets a session have
  -- one at a time, so two devices pressing 叫号 at once call one patient.
  calling_session_id BIGINT UNSIGNED GENERATED ALWAYS AS (IF(status IN ('called', 'in_visit'), session_id, NULL)) STORED,
  -- 1 when the appointment was cancelled by its session's 停诊 (booking/suspend.ts), 0 for a single
  -- cancellation; cancelled_by then says whose 停诊 it was (the doctor's, also when an admin approved
  -- the doctor's request). The patient is shown which (appointment-view.ts cancelSource).
  cancelled_by_suspension TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uq_appointment_order_no (order_no),
  UNIQUE KEY uq_appointment_idempotency (account_id, idempotency_key),
  UNIQUE KEY uq_appointment_profile_session (profile_id, session_id, holds_place),
  UNIQUE KEY uq_appointment_queue_number (session_id, queue_number, holds_place),
  KEY ix_appointment_account (account_id, session_date),
  KEY ix_appointment_profile_date (profile_id, session_date),
  KEY ix_appointment_doctor_date (doctor_id, session_date, queue_number),
  KEY ix_appointment_department_date (department_id, session_date),
  KEY ix_appointment_slot (slot_id, status),
  KEY ix_appointment_hold (status, hold_expires_at),
  KEY ix_appointment_created (created_at),
  -- Statistics of the days not yet rolled up (statistics/rollup.ts) read a few visit days.
  KEY ix_appointment_visit_date (session_date),
  UNIQUE KEY uq_appointment_calling (calling_session_id),
  KEY ix_appointment_queue (session_id, status, queue_key),
  KEY ix_appointment_no_show (account_id, no_show_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Payments (simulated provider today; a real one plugs into the same interface).
CREATE TABLE IF NOT EXISTS payment (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  appointment_id BIGINT UNSIGNED NOT NULL,
  amount_fen INT UNSIGNED NOT NULL,
  provider VARCHAR(20) NOT NULL,
  status ENUM('paid', 'refunded') NOT NULL,
  provider_txn_id VARCHAR(64) NOT NULL,
  paid_at DATETIME(3) NOT NULL,
  refund_amount_fen INT UNSIGNED NULL,
  refund_txn_id VARCHAR(64) NULL,
  refunded_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_payment_appointment (appointment_id),
  UNIQUE KEY uq_payment_provider_txn (provider, provider_txn_id),
  -- Revenue and refunds per Shanghai day (statistics/rollup.ts).
  KEY ix_payment_paid (paid_at),
  KEY ix_payment_refunded (refunded_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Booking rules: one global row (department_id NULL) and optional per-department overrides
-- whose NULL columns inherit the global value.
CREATE TABLE IF NOT EXISTS booking_rule (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  department_id BIGINT UNSIGNED NULL,
  scope_key BIGINT UNSIGNED GENERATED ALWAYS AS (IFNULL(department_id, 0)) STORED,
  days_ahead SMALLINT UNSIGNED NULL,
  release_time TIME NULL,
  cancel_cutoff_minutes INT UNSIGNED NULL,
  payment_hold_minutes SMALLINT UNSIGNED NULL,
  max_per_profile_per_day SMALLINT UNSIGNED NULL,
  max_per_profile_per_department_per_day SMALLINT UNSIGNED NULL,
  max_profiles_per_account SMALLINT UNSIGNED NULL,
  no_show_threshold SMALLINT UNSIGNED NULL,
  no_show_window_days SMALLINT UNSIGNED NULL,
  no_show_ban_days SMALLINT UNSIGNED NULL,
  updated_by BIGINT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- 候补 (functions/src/waitlist/): how long an offered place is held unpaid, how many minutes
  -- before the session's day the waitlist closes, and how many sessions a profile waits for at once.
  waitlist_offer_hold_minutes SMALLINT UNSIGNED NULL,
  waitlist_close_minutes INT UNSIGNED NULL,
  waitlist_max_per_profile SMALLINT UNSIGNED NULL,
  -- The visit flow (visit/check-in.ts, visit/queue-order.ts) and the second ban tier.
  check_in_before_minutes SMALLINT UNSIGNED NULL,
  check_in_until_minutes SMALLINT UNSIGNED NULL,
  late_grace_minutes SMALLINT UNSIGNED NULL,
  late_interleave SMALLINT UNSIGNED NULL,
  pass_limit SMALLINT UNSIGNED NULL,
  no_show_tier2_threshold SMALLINT UNSIGNED NULL,
  no_show_tier2_ban_days SMALLINT UNSIGNED NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_booking_rule_scope (scope_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 候补: a patient waiting for a place in a full session; filled when a place is returned
-- (functions/src/waitlist/). status: waiting (in the FIFO, ordered by created_at, id) →
-- fulfilled (offered: appointment_id is the pending_payment appointment holding the place) |
-- cancelled (left by the patient, or the profile booked the session itself) | expired (closed
-- without a place at the waitlist's closing time, or the session was suspended).
CREATE TABLE IF NOT EXISTS waitlist_entry (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id BIGINT UNSIGNED NOT NULL,
  profile_id BIGINT UNSIGNED NOT NULL,
  session_id BIGINT UNSIGNED NOT NULL,
  status ENUM('waiting', 'fulfilled', 'cancelled', 'expired') NOT NULL,
  is_waiting TINYINT(1) GENERATED ALWAYS AS (IF(status = 'waiting', 1, NULL)) STORED,
  appointment_id BIGINT UNSIGNED NULL,
  fulfilled_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  -- The slot start times (`HH:MM:SS`, comma-separated) the patient accepts; NULL: any slot.
  slot_starts VARCHAR(500) NULL,
  closed_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_waitlist_profile_session (profile_id, session_id, is_waiting),
  KEY ix_waitlist_session (session_id, status, created_at),
  KEY ix_waitlist_account (account_id, created_at),
  -- The closing job's scan: waiting entries only.
  KEY ix_waitlist_waiting (is_waiting, session_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Notification outbox: SMS, WeChat subscription messages and in-app messages, delivered by
-- the outbox job through one provider interface. The development provider only records them.
CREATE TABLE IF NOT EXISTS notification (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  channel ENUM('sms', 'wechat', 'in_app') NOT NULL,
  recipient VARCHAR(64) NOT NULL,
  user_id BIGINT UNSIGNED NULL,
  template VARCHAR(50) NOT NULL,
  payload TEXT NOT NULL, -- JSON
  -- 'skipped': moot by the time it was due (a payment reminder after the payment), never sent.
  status ENUM('pending', 'sent', 'failed', 'skipped') NOT NULL DEFAULT 'pending',
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  last_error VARCHAR(500) NULL,
  send_after DATETIME(3) NOT NULL,
  sent_at DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  -- Outbox (notification/outbox.ts): one cause enqueued twice (a job run twice) is one message.
  dedupe_key VARCHAR(120) NULL,
  -- Urgent messages (停诊) are sent by SMS in quiet hours too.
  urgent TINYINT(1) NOT NULL DEFAULT 0,
  -- 'auto': the delivery job picks WeChat (consent credit) or SMS at the first send, then 'fixed'.
  channel_choice ENUM('auto', 'fixed') NOT NULL DEFAULT 'fixed',
  -- The delivery runner holding the message, until when (a crashed runner's claim lapses).
  claim_token CHAR(32) NULL,
  claimed_until DATETIME(3) NULL,
  appointment_id BIGINT UNSIGNED NULL,
  -- In-app inbox: when the patient read it.
  read_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_notification_dedupe (dedupe_key),
  KEY ix_notification_due (status, send_after),
  KEY ix_notification_recipient (recipient, created_at),
  KEY ix_notification_user (user_id, created_at),
  KEY ix_notification_inbox (user_id, channel, status, send_after, id),
  KEY ix_notification_claim (claim_token)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- WeChat subscription-message consents: each 允许 in wx.requestSubscribeMessage allows one
-- message of that template, so a credit is consumed per WeChat message sent.
CREATE TABLE IF NOT EXISTS wechat_consent (
  user_id BIGINT UNSIGNED NOT NULL,
  template VARCHAR(50) NOT NULL,
  credits INT UNSIGNED NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, template)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Append-only record of every sensitive action.
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  actor_user_id BIGINT UNSIGNED NULL,
  actor_role ENUM('patient', 'doctor', 'admin', 'system', 'anonymous') NOT NULL,
  action VARCHAR(64) NOT NULL,
  target_type VARCHAR(32) NULL,
  target_id VARCHAR(64) NULL,
  outcome ENUM('success', 'failure') NOT NULL,
  ip VARCHAR(45) NULL,
  request_id VARCHAR(64) NULL,
  summary TEXT NULL, -- JSON: before/after or the reason of a failure; never secrets
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_audit_created (created_at),
  KEY ix_audit_actor (actor_user_id, created_at),
  KEY ix_audit_action (action, created_at),
  KEY ix_audit_target (target_type, target_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 停诊申请: a doctor asks for one of their sessions to be suspended; an admin approves (the
-- suspension runs in the approval's transaction) or rejects with a reason. `pending_session_id`
-- holds the session id while the request is pending and NULL after: the unique key allows one
-- pending request per session and any number of decided ones.
CREATE TABLE IF NOT EXISTS suspension_request (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  session_id BIGINT UNSIGNED NOT NULL,
  doctor_id BIGINT UNSIGNED NOT NULL,
  reason VARCHAR(200) NOT NULL,
  status ENUM('pending', 'approved', 'rejected') NOT NULL DEFAULT 'pending',
  pending_session_id BIGINT UNSIGNED NULL,
  decided_by BIGINT UNSIGNED NULL,
  decided_at DATETIME(3) NULL,
  reject_reason VARCHAR(200) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_suspension_request_pending (pending_session_id),
  KEY ix_suspension_request_doctor (doctor_id, created_at),
  KEY ix_suspension_request_status (status, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- Statistics rollup (functions/src/statistics/rollup.ts): one row per Shanghai day, department
-- and doctor, with the counts every statistic is made of (statistics/definitions.ts names
-- which day each count belongs to). Written only by the refresh-statistics job, which replaces
-- whole days, so running it twice changes nothing; statistics read days after
-- `stats_rollup_state.rolled_through` live from the base tables.
CREATE TABLE IF NOT EXISTS stats_daily (
  stat_date DATE NOT NULL,
  department_id BIGINT UNSIGNED NOT NULL,
  doctor_id BIGINT UNSIGNED NOT NULL,
  orders INT UNSIGNED NOT NULL DEFAULT 0,
  bookings INT UNSIGNED NOT NULL DEFAULT 0,
  patient_cancels INT UNSIGNED NOT NULL DEFAULT 0,
  visits_due INT UNSIGNED NOT NULL DEFAULT 0,
  no_shows INT UNSIGNED NOT NULL DEFAULT 0,
  capacity INT UNSIGNED NOT NULL DEFAULT 0,
  places_taken INT UNSIGNED NOT NULL DEFAULT 0,
  waitlist_fulfilled INT UNSIGNED NOT NULL DEFAULT 0,
  waitlist_closed INT UNSIGNED NOT NULL DEFAULT 0,
  waits INT UNSIGNED NOT NULL DEFAULT 0,
  wait_ms BIGINT UNSIGNED NOT NULL DEFAULT 0,
  payments INT UNSIGNED NOT NULL DEFAULT 0,
  revenue_fen BIGINT UNSIGNED NOT NULL DEFAULT 0,
  refunds INT UNSIGNED NOT NULL DEFAULT 0,
  refund_fen BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (stat_date, department_id, doctor_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- The same counts per day and department (the sum of its doctors' stats_daily rows), with the
-- day's bookings per slot start hour h00 … h23: the charts that need no doctor read ~7× fewer rows.
CREATE TABLE IF NOT EXISTS stats_department_daily (
  stat_date DATE NOT NULL,
  department_id BIGINT UNSIGNED NOT NULL,
  orders INT UNSIGNED NOT NULL DEFAULT 0,
  bookings INT UNSIGNED NOT NULL DEFAULT 0,
  patient_cancels INT UNSIGNED NOT NULL DEFAULT 0,
  visits_due INT UNSIGNED NOT NULL DEFAULT 0,
  no_shows INT UNSIGNED NOT NULL DEFAULT 0,
  capacity INT UNSIGNED NOT NULL DEFAULT 0,
  places_taken INT UNSIGNED NOT NULL DEFAULT 0,
  waitlist_fulfilled INT UNSIGNED NOT NULL DEFAULT 0,
  waitlist_closed INT UNSIGNED NOT NULL DEFAULT 0,
  waits INT UNSIGNED NOT NULL DEFAULT 0,
  wait_ms BIGINT UNSIGNED NOT NULL DEFAULT 0,
  payments INT UNSIGNED NOT NULL DEFAULT 0,
  revenue_fen BIGINT UNSIGNED NOT NULL DEFAULT 0,
  refunds INT UNSIGNED NOT NULL DEFAULT 0,
  refund_fen BIGINT UNSIGNED NOT NULL DEFAULT 0,
  h00 INT UNSIGNED NOT NULL DEFAULT 0,
  h01 INT UNSIGNED NOT NULL DEFAULT 0,
  h02 INT UNSIGNED NOT NULL DEFAULT 0,
  h03 INT UNSIGNED NOT NULL DEFAULT 0,
  h04 INT UNSIGNED NOT NULL DEFAULT 0,
  h05 INT UNSIGNED NOT NULL DEFAULT 0,
  h06 INT UNSIGNED NOT NULL DEFAULT 0,
  h07 INT UNSIGNED NOT NULL DEFAULT 0,
  h08 INT UNSIGNED NOT NULL DEFAULT 0,
  h09 INT UNSIGNED NOT NULL DEFAULT 0,
  h10 INT UNSIGNED NOT NULL DEFAULT 0,
  h11 INT UNSIGNED NOT NULL DEFAULT 0,
  h12 INT UNSIGNED NOT NULL DEFAULT 0,
  h13 INT UNSIGNED NOT NULL DEFAULT 0,
  h14 INT UNSIGNED NOT NULL DEFAULT 0,
  h15 INT UNSIGNED NOT NULL DEFAULT 0,
  h16 INT UNSIGNED NOT NULL DEFAULT 0,
  h17 INT UNSIGNED NOT NULL DEFAULT 0,
  h18 INT UNSIGNED NOT NULL DEFAULT 0,
  h19 INT UNSIGNED NOT NULL DEFAULT 0,
  h20 INT UNSIGNED NOT NULL DEFAULT 0,
  h21 INT UNSIGNED NOT NULL DEFAULT 0,
  h22 INT UNSIGNED NOT NULL DEFAULT 0,
  h23 INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (stat_date, department_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- The last day the rollup holds and when it was last refreshed (one row, id = 1).
CREATE TABLE IF NOT EXISTS stats_rollup_state (
  id TINYINT UNSIGNED NOT NULL,
  rolled_through DATE NOT NULL,
  refreshed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- 预约限制: a booking ban after repeated no-shows (visit/bans.ts). user_account.banned_until is
-- what the booking path reads; these rows are its history, and what an admin lifts (with a
-- reason). `trigger_appointment_id` is the no-show that reached the threshold: unique, so a
-- sweep run twice bans once.
CREATE TABLE IF NOT EXISTS booking_ban (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id BIGINT UNSIGNED NOT NULL,
  tier TINYINT UNSIGNED NOT NULL,
  no_show_count SMALLINT UNSIGNED NOT NULL,
  trigger_appointment_id BIGINT UNSIGNED NOT NULL,
  starts_at DATETIME(3) NOT NULL,
  ends_at DATETIME(3) NOT NULL,
  lifted_at DATETIME(3) NULL,
  lifted_by BIGINT UNSIGNED NULL,
  lift_reason VARCHAR(200) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_booking_ban_trigger (trigger_appointment_id),
  KEY ix_booking_ban_account (account_id, starts_at),
  KEY ix_booking_ban_ends (ends_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
