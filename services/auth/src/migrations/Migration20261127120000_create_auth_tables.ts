import { Migration } from '@mikro-orm/migrations';

/**
 * auth_db: the seven tables of docs/database/auth_db.md. Hand-written SQL (MikroORM cannot generate the
 * expression/partial indexes or the partitioned table); every statement is `IF NOT EXISTS`, so
 * running it again is harmless.
 */
export class Migration20261127120000_create_auth_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS users (
      id uuid NOT NULL,
      email text NOT NULL,
      password_hash text NOT NULL,
      email_verified boolean NOT NULL DEFAULT false,
      email_verified_at timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      failed_login_attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      password_changed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT users_pkey PRIMARY KEY (id),
      CONSTRAINT users_email_check CHECK (email <> '' AND length(email) <= 254),
      CONSTRAINT users_failed_login_attempts_check CHECK (failed_login_attempts >= 0)
    )`);
    this.addSql('CREATE UNIQUE INDEX IF NOT EXISTS users_email_unique ON users (lower(email))');
    this.addSql('CREATE INDEX IF NOT EXISTS users_created_at_idx ON users (created_at)');

    this.addSql(`CREATE TABLE IF NOT EXISTS roles (
      id uuid NOT NULL,
      name text NOT NULL,
      description text,
      permissions text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT roles_pkey PRIMARY KEY (id),
      CONSTRAINT roles_name_unique UNIQUE (name),
      CONSTRAINT roles_name_check CHECK (name <> '')
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS user_roles (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      role_id uuid NOT NULL,
      granted_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT user_roles_pkey PRIMARY KEY (id),
      CONSTRAINT user_roles_user_id_role_id_unique UNIQUE (user_id, role_id),
      CONSTRAINT user_roles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT user_roles_role_id_fkey FOREIGN KEY (role_id) REFERENCES roles (id) ON DELETE RESTRICT
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS user_roles_role_id_idx ON user_roles (role_id)');

    this.addSql(`CREATE TABLE IF NOT EXISTS refresh_tokens (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      token_hash text NOT NULL,
      family_id uuid NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked boolean NOT NULL DEFAULT false,
      revoked_at timestamptz,
      revoked_reason text,
      replaced_by uuid,
      ip text,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
      CONSTRAINT refresh_tokens_token_hash_unique UNIQUE (token_hash),
      CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT refresh_tokens_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES refresh_tokens (id)
        ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT refresh_tokens_revoked_at_check CHECK (NOT revoked OR revoked_at IS NOT NULL)
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS refresh_tokens_user_id_idx ON refresh_tokens (user_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS refresh_tokens_family_id_idx ON refresh_tokens (family_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS refresh_tokens_replaced_by_idx ON refresh_tokens (replaced_by) WHERE replaced_by IS NOT NULL',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS refresh_tokens_expires_at_idx ON refresh_tokens (expires_at)');

    this.addSql(`CREATE TABLE IF NOT EXISTS password_reset_tokens (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      token_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      used boolean NOT NULL DEFAULT false,
      used_at timestamptz,
      ip text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT password_reset_tokens_pkey PRIMARY KEY (id),
      CONSTRAINT password_reset_tokens_token_hash_unique UNIQUE (token_hash),
      CONSTRAINT password_reset_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT password_reset_tokens_used_at_check CHECK (NOT used OR used_at IS NOT NULL)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS password_reset_tokens_user_id_idx ON password_reset_tokens (user_id)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS password_reset_tokens_expires_at_idx ON password_reset_tokens (expires_at)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS email_verification_tokens (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      token_hash text NOT NULL,
      email text NOT NULL,
      expires_at timestamptz NOT NULL,
      verified boolean NOT NULL DEFAULT false,
      verified_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT email_verification_tokens_pkey PRIMARY KEY (id),
      CONSTRAINT email_verification_tokens_token_hash_unique UNIQUE (token_hash),
      CONSTRAINT email_verification_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT email_verification_tokens_verified_at_check CHECK (NOT verified OR verified_at IS NOT NULL)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS email_verification_tokens_user_id_idx ON email_verification_tokens (user_id)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS email_verification_tokens_expires_at_idx ON email_verification_tokens (expires_at)',
    );

    // [monthly] Partitions live in the `partitions` schema (lib/db/partitions.ts); the DEFAULT
    // partition catches any row whose month has no partition yet, so inserts never fail.
    this.addSql('CREATE SCHEMA IF NOT EXISTS partitions');
    this.addSql(`CREATE TABLE IF NOT EXISTS security_audit_logs (
      id uuid NOT NULL,
      user_id uuid,
      action text NOT NULL,
      email text,
      ip_address text,
      user_agent text,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT security_audit_logs_pkey PRIMARY KEY (id, created_at),
      CONSTRAINT security_audit_logs_action_check CHECK (action <> ''),
      CONSTRAINT security_audit_logs_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
    ) PARTITION BY RANGE (created_at)`);
    this.addSql(
      'CREATE TABLE IF NOT EXISTS partitions.security_audit_logs_default PARTITION OF security_audit_logs DEFAULT',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS security_audit_logs_user_id_created_at_idx ON security_audit_logs (user_id, created_at DESC)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS security_audit_logs_action_created_at_idx ON security_audit_logs (action, created_at DESC)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS security_audit_logs_created_at_idx ON security_audit_logs (created_at)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS security_audit_logs');
    this.addSql('DROP SCHEMA IF EXISTS partitions');
    this.addSql('DROP TABLE IF EXISTS email_verification_tokens');
    this.addSql('DROP TABLE IF EXISTS password_reset_tokens');
    this.addSql('DROP TABLE IF EXISTS refresh_tokens');
    this.addSql('DROP TABLE IF EXISTS user_roles');
    this.addSql('DROP TABLE IF EXISTS roles');
    this.addSql('DROP TABLE IF EXISTS users');
  }
}
