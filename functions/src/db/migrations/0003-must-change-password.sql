-- Forced password change (auth/password-change.ts): an account an admin created or whose
-- password an admin reset must set its own password before using the API.
ALTER TABLE user_account ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0;
