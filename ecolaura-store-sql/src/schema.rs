//! Table and column names, as sea-query identifiers. The migrations of each
//! adapter create exactly these.

use sea_query::Iden;

/// `categories`
#[derive(Iden, Clone, Copy, Debug)]
pub enum Categories {
    /// The table.
    Table,
    /// `slug TEXT PRIMARY KEY`
    Slug,
    /// `name TEXT`
    Name,
    /// `description TEXT`
    Description,
    /// `created_at`
    CreatedAt,
}

/// `products`
#[derive(Iden, Clone, Copy, Debug)]
pub enum Products {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `name TEXT`
    Name,
    /// `description TEXT`
    Description,
    /// Money column.
    Price,
    /// `category TEXT NULL REFERENCES categories(slug)`
    Category,
    /// `stock INTEGER CHECK (stock >= 0)`
    Stock,
    /// Footprint column, NULL without metrics.
    CarbonFootprintKg,
    /// `recyclable BOOLEAN NULL`
    Recyclable,
    /// `biodegradable BOOLEAN NULL`
    Biodegradable,
    /// `manual_score SMALLINT`
    ManualScore,
    /// `score SMALLINT`: the effective score.
    Score,
    /// `score_source TEXT`
    ScoreSource,
    /// `archived BOOLEAN`
    Archived,
    /// `version BIGINT`
    Version,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// `users`
#[derive(Iden, Clone, Copy, Debug)]
pub enum Users {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `email TEXT`, unique case-insensitively.
    Email,
    /// `name TEXT`
    Name,
    /// `role TEXT`
    Role,
    /// `password_hash TEXT`
    PasswordHash,
    /// `created_at`
    CreatedAt,
}

/// `orders`
#[derive(Iden, Clone, Copy, Debug)]
pub enum Orders {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `user_id UUID`
    UserId,
    /// `status TEXT`
    Status,
    /// `confirmation_sent_at NULL`
    ConfirmationSentAt,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// `order_lines`
#[derive(Iden, Clone, Copy, Debug)]
pub enum OrderLines {
    /// The table.
    Table,
    /// `order_id UUID REFERENCES orders(id)`
    OrderId,
    /// `position SMALLINT`: the line's place in the order.
    Position,
    /// `product_id UUID REFERENCES products(id)`
    ProductId,
    /// `name TEXT`, as when ordered.
    Name,
    /// Money column, as when ordered.
    UnitPrice,
    /// `quantity INTEGER`
    Quantity,
    /// Footprint column, as when ordered.
    UnitCarbonFootprintKg,
    /// `sustainability_score SMALLINT`, as when ordered.
    SustainabilityScore,
}

/// `idempotency_keys`
#[derive(Iden, Clone, Copy, Debug)]
pub enum IdempotencyKeys {
    /// The table.
    Table,
    /// `user_id UUID`
    UserId,
    /// `key TEXT`
    Key,
    /// `fingerprint TEXT`
    Fingerprint,
    /// `outcome` JSON
    Outcome,
    /// `expires_at`
    ExpiresAt,
}

/// `jobs`
#[derive(Iden, Clone, Copy, Debug)]
pub enum Jobs {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `kind TEXT`
    Kind,
    /// `payload` JSON
    Payload,
    /// `status TEXT`
    Status,
    /// `attempts INTEGER`
    Attempts,
    /// `max_attempts INTEGER`
    MaxAttempts,
    /// `run_at`
    RunAt,
    /// `locked_until NULL`
    LockedUntil,
    /// `lease_token UUID NULL`: the current claim's fencing token.
    LeaseToken,
    /// `last_error TEXT NULL`
    LastError,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// `sent_emails`: the outbox mailer's record.
#[derive(Iden, Clone, Copy, Debug)]
pub enum SentEmails {
    /// The table.
    Table,
    /// `dedup_key TEXT PRIMARY KEY`
    DedupKey,
    /// `recipient TEXT`
    Recipient,
    /// `subject TEXT`
    Subject,
    /// `body TEXT`
    Body,
    /// `sent_at`
    SentAt,
}
