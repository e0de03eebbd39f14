-- Mail that leaves the outbox for an SMTP relay (ECOLAURA_SMTP_URL): when
-- the relay accepted each message. NULL while it waits, and for every
-- message of a shop that keeps its mail in the outbox.
ALTER TABLE sent_emails ADD COLUMN delivered_at TEXT;
