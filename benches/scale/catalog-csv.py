#!/usr/bin/env python3
"""Write a generated catalog file for `ecolaura catalog import` on stdout.

Usage: benches/scale/catalog-csv.py PRODUCTS [SEED] > catalog.csv

The same catalog as seed-postgres.sql / seed-sqlite.sql (50 categories,
names and descriptions of common words, one of 1,000 rare words in 0.1% of
the products each, random prices, stock and scores), in the columns of
API.md's catalog file, plus what the SQL seed leaves out: a unique SKU per
row, a valid GTIN-13 on half of them, a weight on most, and metrics
(footprint, recyclable, biodegradable) on 60%. Prices and footprints are
written as decimals from integers, never through a float.
"""
import csv
import random
import sys

COLUMNS = ["sku", "name", "description", "price", "stock", "category", "weight_kg", "gtin",
           "carbon_footprint_kg", "recyclable", "biodegradable", "sustainability_score"]
ADJECTIVES = ["sturdy", "light", "refillable", "compact", "classic", "natural", "durable", "gentle"]
NOUNS = ["bottle", "cup", "bag", "brush", "jar", "towel", "box", "lamp", "shirt", "mat"]
MATERIALS = ["bamboo", "steel", "glass", "cotton", "cork", "wool", "hemp", "linen"]
SYLLABLES = "kalominerutivozequxa"


def gtin13(body: int) -> str:
    """A GTIN-13 in the restricted-circulation prefix 20, from a 10-digit body."""
    digits = "20" + f"{body:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def decimal(units: int, places: int) -> str:
    """`units` / 10^places as plain decimal text."""
    whole, fraction = divmod(units, 10**places)
    return f"{whole}.{fraction:0{places}d}"


def main() -> None:
    products = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for i in range(1, products + 1):
        rare = "".join(SYLLABLES[2 * ((i // 10**k) % 10):][:2] for k in range(3))
        adjective, noun, material = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(MATERIALS)
        in_name = i % 2000 < 1000
        name = f"{adjective.title()} {noun}" + (f" {rare}" if in_name else "")
        description = (f"A {adjective} {noun} made of {material}" + ("" if in_name else f", {rare}")
                       + f". Reference {i:08x}.")
        has_metrics = rng.random() < 0.6
        out.writerow([
            f"SKU-{i:08d}",
            name,
            description,
            decimal(50 + rng.randrange(50000), 2),
            0 if rng.random() < 0.1 else rng.randrange(1000),
            f"category-{rng.randrange(50)}",
            decimal(1 + rng.randrange(5000), 3) if rng.random() < 0.9 else "",
            gtin13(i) if i % 2 == 0 else "",
            decimal(rng.randrange(20000), 3) if has_metrics else "",
            ("true" if rng.random() < 0.5 else "false") if has_metrics else "",
            ("true" if rng.random() < 0.3 else "false") if has_metrics else "",
            rng.randrange(101),
        ])


if __name__ == "__main__":
    main()
