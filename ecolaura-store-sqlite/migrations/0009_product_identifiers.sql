-- A product's optional trade identifiers and weight (API.md, products): the
-- shop's SKU, the GS1 GTIN as 14 digits, and the weight of one unit in
-- integer grams. SKU and GTIN are unique among live products: an archived
-- product gives its identifiers up, so a product listed again may take
-- them.
ALTER TABLE products
    ADD COLUMN sku TEXT CHECK (length(sku) BETWEEN 1 AND 64);
ALTER TABLE products
    ADD COLUMN gtin TEXT CHECK (length(gtin) = 14 AND gtin NOT GLOB '*[^0-9]*');
ALTER TABLE products
    ADD COLUMN weight_kg INTEGER CHECK (weight_kg > 0);

CREATE UNIQUE INDEX products_live_sku ON products (sku) WHERE archived = 0 AND sku IS NOT NULL;
CREATE UNIQUE INDEX products_live_gtin ON products (gtin) WHERE archived = 0 AND gtin IS NOT NULL;
