-- Shipping emissions (API-SUSTAINABILITY.md, section 5; ISO 14083, GLEC).
--
-- The shop's shipping methods: a transport mode, a distance and an emission
-- factor in g CO2e per tonne-km (the shop's own, or the GLEC defaults), its
-- decimal digits as TEXT so that it reads back exactly. The rules are
-- checked in core; the checks here only keep what core wrote.
CREATE TABLE shipping_methods (
    code                      TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64 AND code NOT GLOB '*[^a-z0-9-]*'),
    name                      TEXT NOT NULL,
    mode                      TEXT NOT NULL CHECK (mode IN ('road', 'rail', 'sea', 'inland_water', 'air', 'van', 'cargo_bike')),
    distance_km               INTEGER NOT NULL CHECK (distance_km BETWEEN 1 AND 50000),
    emission_factor_g_per_tkm TEXT NOT NULL,
    price                     INTEGER NOT NULL CHECK (price BETWEEN 0 AND 9999999999),
    active                    INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
) STRICT;

-- An order keeps the shipping it was placed with, as the method was then:
-- its code, name and price (integer cents), and the shipment's emissions
-- (NULL when a product had no weight) as exact decimal TEXT in kg: a
-- shipment's are not bounded like one product's footprint, and would not
-- fit integer micro-kilograms. Orders placed before this migration have no
-- shipping.
ALTER TABLE orders ADD COLUMN shipping_code TEXT NULL;
ALTER TABLE orders ADD COLUMN shipping_name TEXT NULL;
ALTER TABLE orders ADD COLUMN shipping_price INTEGER NULL CHECK (shipping_price >= 0);
ALTER TABLE orders ADD COLUMN shipping_carbon_footprint_kg TEXT NULL;
