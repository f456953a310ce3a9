-- Revocation that takes effect at once (auth/revocation.ts): a per-account session version
-- carried in every access token, and indexes for loading recent changes and ended logins.
ALTER TABLE user_account
  ADD COLUMN session_version INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN session_changed_at DATETIME(3) NULL,
  ADD KEY ix_user_session_changed (session_changed_at);

ALTER TABLE refresh_token ADD KEY ix_refresh_revoked (revoked_at);
