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
    /// `destruction_banned BOOLEAN`
    DestructionBanned,
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
    /// `footprint_source TEXT`: `declared` or `record`.
    FootprintSource,
    /// `manual_score SMALLINT`
    ManualScore,
    /// `score SMALLINT`: the effective score.
    Score,
    /// `score_source TEXT`
    ScoreSource,
    /// `score_method TEXT`: `manual` or `name@version`.
    ScoreMethod,
    /// `score_computed_at`
    ScoreComputedAt,
    /// `score_reason TEXT NULL` (NULL: stored before reasons were kept)
    ScoreReason,
    /// `score_breakdown TEXT NULL`: the points as JSON (NULL: stored before
    /// breakdowns were kept, or a manual score)
    ScoreBreakdown,
    /// `sku TEXT NULL`, unique among live products
    Sku,
    /// `gtin TEXT NULL`: 14 digits, unique among live products
    Gtin,
    /// Weight column, NULL when unknown.
    WeightKg,
    /// `archived BOOLEAN`
    Archived,
    /// `version BIGINT`
    Version,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// `score_history`: each product's scores, one row per new score.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ScoreHistory {
    /// The table.
    Table,
    /// `product_id UUID REFERENCES products (id)`
    ProductId,
    /// `at`: when the score was computed (with `product_id`, the key).
    At,
    /// `score SMALLINT`
    Score,
    /// `method TEXT`
    Method,
    /// `reason TEXT`
    Reason,
}

/// `score_policies`: the published versions of the default policy's rules.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ScorePolicies {
    /// The table.
    Table,
    /// `version INTEGER PRIMARY KEY`
    Version,
    /// `rules TEXT`: the rules as JSON.
    Rules,
    /// `published_at`
    PublishedAt,
    /// `rescored_through UUID NULL`: the rescoring job's cursor.
    RescoredThrough,
}

/// `product_footprints`: a product's footprint record (at most one).
#[derive(Iden, Clone, Copy, Debug)]
pub enum ProductFootprints {
    /// The table.
    Table,
    /// `product_id UUID PRIMARY KEY REFERENCES products (id)`
    ProductId,
    /// `declared_unit TEXT`
    DeclaredUnit,
    /// Decimal column: declared units in one item.
    UnitaryProductAmount,
    /// Decimal column: kg CO2e per declared unit without biogenic.
    PcfExcludingBiogenicKg,
    /// Decimal column: kg CO2e per declared unit with biogenic.
    PcfIncludingBiogenicKg,
    /// `boundary TEXT`
    Boundary,
    /// `reference_period_start DATE`
    ReferencePeriodStart,
    /// `reference_period_end DATE`
    ReferencePeriodEnd,
    /// `valid_until DATE`
    ValidUntil,
    /// `geography TEXT`
    Geography,
    /// Decimal column, NULL when not stated.
    PrimaryDataShare,
    /// `standards TEXT`: a JSON array of strings.
    Standards,
    /// `verified BOOLEAN NULL`: NULL when no verification was stated.
    Verified,
    /// `verification_provider TEXT NULL`
    VerificationProvider,
    /// `verification_date DATE NULL`
    VerificationDate,
    /// `updated_at`
    UpdatedAt,
}

/// `product_claims`: green claims with their evidence.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ProductClaims {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `product_id UUID REFERENCES products (id)`
    ProductId,
    /// `claim_type TEXT`
    ClaimType,
    /// `statement TEXT`
    Statement,
    /// `markets TEXT`: a JSON array of market codes.
    Markets,
    /// `evidence_scheme TEXT`
    EvidenceScheme,
    /// `evidence_certificate_id TEXT NULL`
    EvidenceCertificateId,
    /// `evidence_issuer TEXT`
    EvidenceIssuer,
    /// `evidence_valid_from DATE`
    EvidenceValidFrom,
    /// `evidence_valid_until DATE`
    EvidenceValidUntil,
    /// `evidence_ecolabel_type_i BOOLEAN`
    EvidenceEcolabelTypeI,
    /// `evidence_url TEXT NULL`
    EvidenceUrl,
    /// `created_at`
    CreatedAt,
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
    /// `currency TEXT`: the ISO 4217 code the order was placed in.
    Currency,
    /// `confirmation_sent_at NULL`
    ConfirmationSentAt,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
    /// `shipping_code TEXT NULL`: the shipping method's code, NULL without shipping.
    ShippingCode,
    /// `shipping_name TEXT NULL`: its name when ordered.
    ShippingName,
    /// Money column, NULL without shipping: its price when ordered.
    ShippingPrice,
    /// Decimal column: the shipment's emissions in kg, NULL when unknown.
    ShippingCarbonFootprintKg,
}

/// `shipping_methods`
#[derive(Iden, Clone, Copy, Debug)]
pub enum ShippingMethods {
    /// The table.
    Table,
    /// `code TEXT PRIMARY KEY`
    Code,
    /// `name TEXT`
    Name,
    /// `mode TEXT`: a transport mode's word.
    Mode,
    /// `distance_km` (integer)
    DistanceKm,
    /// Decimal column: g CO2e per tonne-km.
    EmissionFactorGPerTkm,
    /// Money column.
    Price,
    /// `active BOOLEAN`
    Active,
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
    /// `score_method TEXT NULL`, as when ordered (NULL: before methods were kept).
    ScoreMethod,
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
    /// `delivered_at`, NULL until a relay accepted the message
    DeliveredAt,
}

/// `sessions`: login sessions.
#[derive(Iden, Clone, Copy, Debug)]
pub enum Sessions {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `user_id UUID REFERENCES users`
    UserId,
    /// `refresh_token_id UUID`: the refresh token that may be spent next.
    RefreshTokenId,
    /// `created_at`
    CreatedAt,
    /// `expires_at`
    ExpiresAt,
    /// `revoked_at NULL`
    RevokedAt,
}

/// `password_resets`: digests of reset tokens.
#[derive(Iden, Clone, Copy, Debug)]
pub enum PasswordResets {
    /// The table.
    Table,
    /// `digest TEXT PRIMARY KEY`: SHA-256 of the token, hex.
    Digest,
    /// `user_id UUID REFERENCES users`
    UserId,
    /// `created_at`
    CreatedAt,
    /// `expires_at`
    ExpiresAt,
    /// `used_at NULL`
    UsedAt,
}

/// `login_failures`: one row per failed login and throttle key.
#[derive(Iden, Clone, Copy, Debug)]
pub enum LoginFailures {
    /// The table.
    Table,
    /// `key TEXT`: `email:<address>` or `client:<ip>`.
    Key,
    /// `failed_at`
    FailedAt,
}

/// `discards`: the append-only ledger of discarded stock.
#[derive(Iden, Clone, Copy, Debug)]
pub enum Discards {
    /// The table.
    Table,
    /// `id UUID PRIMARY KEY`
    Id,
    /// `product_id UUID REFERENCES products (id)`
    ProductId,
    /// `category TEXT NULL`: the product's category then.
    Category,
    /// `quantity BIGINT`
    Quantity,
    /// `unit_weight_g BIGINT NULL`: the product's unit weight then, in grams.
    UnitWeightG,
    /// `reason TEXT`
    Reason,
    /// `destination TEXT`
    Destination,
    /// `derogation TEXT NULL`
    Derogation,
    /// `note TEXT NULL`
    Note,
    /// `recorded_by UUID NULL`
    RecordedBy,
    /// `recorded_at`
    RecordedAt,
}

/// `discard_disclosures`: each year's statement of prevention measures.
#[derive(Iden, Clone, Copy, Debug)]
pub enum DiscardDisclosures {
    /// The table.
    Table,
    /// `year INTEGER PRIMARY KEY`
    Year,
    /// `prevention_measures TEXT`
    PreventionMeasures,
    /// `updated_at`
    UpdatedAt,
}

/// `product_compositions`: each product's composition, as a JSON document.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ProductCompositions {
    /// The table.
    Table,
    /// `product_id UUID PRIMARY KEY REFERENCES products (id)`
    ProductId,
    /// `document TEXT`: the composition as JSON.
    Document,
    /// `updated_at`
    UpdatedAt,
}

/// `product_counts`: the number of live products in each category, kept by
/// triggers on `products` (migration 0015).
#[derive(Iden, Clone, Copy, Debug)]
pub enum ProductCounts {
    /// The table.
    Table,
    /// `category TEXT PRIMARY KEY`: a slug, or `''` for products without one.
    Category,
    /// `live BIGINT`: live products in the category.
    Live,
}
