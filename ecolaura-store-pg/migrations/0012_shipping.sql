-- Shipping emissions (API-SUSTAINABILITY.md, section 5; ISO 14083, GLEC).
--
-- The shop's shipping methods: a transport mode, a distance and an emission
-- factor in g CO2e per tonne-km (the shop's own, or the GLEC defaults). The
-- rules are checked in core; the checks here only keep what core wrote.
CREATE TABLE shipping_methods (
    code                      TEXT PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{1,64}$'),
    name                      TEXT NOT NULL,
    mode                      TEXT NOT NULL CHECK (mode IN ('road', 'rail', 'sea', 'inland_water', 'air', 'van', 'cargo_bike')),
    distance_km               BIGINT NOT NULL CHECK (distance_km BETWEEN 1 AND 50000),
    emission_factor_g_per_tkm NUMERIC(9, 3) NOT NULL CHECK (emission_factor_g_per_tkm BETWEEN 0 AND 100000),
    price                     NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
    active                    BOOLEAN NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);

-- An order keeps the shipping it was placed with, as the method was then:
-- its code, name and price, and the shipment's emissions (NULL when a
-- product had no weight). The emissions are a plain NUMERIC: a shipment's
-- are not bounded like one product's footprint. Orders placed before this
-- migration have no shipping.
ALTER TABLE orders
    ADD COLUMN shipping_code TEXT NULL,
    ADD COLUMN shipping_name TEXT NULL,
    ADD COLUMN shipping_price NUMERIC(10, 2) NULL CHECK (shipping_price >= 0),
    ADD COLUMN shipping_carbon_footprint_kg NUMERIC NULL CHECK (shipping_carbon_footprint_kg >= 0),
    ADD CONSTRAINT orders_shipping_whole CHECK (
        (shipping_code IS NULL) = (shipping_name IS NULL)
        AND (shipping_name IS NULL) = (shipping_price IS NULL)
        AND (shipping_code IS NOT NULL OR shipping_carbon_footprint_kg IS NULL)
    );
