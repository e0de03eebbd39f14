-- A product's optional trade identifiers and weight (API.md, products): the
-- shop's SKU, the GS1 GTIN as 14 digits, and the weight of one unit in kg
-- (grams kept). SKU and GTIN are unique among live products: an archived
-- product gives its identifiers up, so a product listed again may take
-- them. Nullable columns without defaults: no rewrite of the table.
ALTER TABLE products
    ADD COLUMN sku TEXT CHECK (sku ~ '^[A-Za-z0-9._-]{1,64}$'),
    ADD COLUMN gtin TEXT CHECK (gtin ~ '^[0-9]{14}$'),
    ADD COLUMN weight_kg NUMERIC(10, 3) CHECK (weight_kg > 0);

CREATE UNIQUE INDEX products_live_sku ON products (sku) WHERE NOT archived AND sku IS NOT NULL;
CREATE UNIQUE INDEX products_live_gtin ON products (gtin) WHERE NOT archived AND gtin IS NOT NULL;
