//! `ecolaura demo`: a small demo shop for a newcomer (API.md, "The
//! binary"): categories, products with environmental metrics, weights and
//! GTINs, shipping methods, and a staff and a customer account whose
//! generated passwords it prints. Everything goes through the library's
//! services, under the same rules as the API.
//!
//! It loads into an empty shop only: a shop that has products or either
//! demo account is left as it is, so the command can never overwrite or
//! duplicate a real catalog.

use ecolaura_core::Ecolaura;
use ecolaura_core::accounts::{NewAccount, Password, Role};
use ecolaura_core::auth::Actor;
use ecolaura_core::catalog::{NewCategory, NewProduct, ProductQuery, SustainabilityMetrics};
use ecolaura_core::domain::{
    CarbonKg, CategoryName, Description, Email, Gtin, PersonName, ProductName, Score, ShippingName,
    Sku, Slug, Stock, WeightKg,
};
use ecolaura_core::sustainability::shipping::{
    DistanceKm, EmissionFactor, NewShippingMethod, TransportMode,
};
use rust_decimal::Decimal;

use crate::run::RunError;

/// The demo's staff account.
pub(crate) const STAFF_EMAIL: &str = "staff@demo.ecolaura.test";
/// The demo's customer account.
pub(crate) const CUSTOMER_EMAIL: &str = "customer@demo.ecolaura.test";

/// slug, name, description, whether destroying its unsold products is
/// banned (ESPR art. 25).
const CATEGORIES: [(&str, &str, &str, bool); 4] = [
    ("bottles", "Bottles", "Reusable bottles and flasks.", false),
    ("bags", "Bags", "Bags that replace single-use ones.", false),
    ("apparel", "Apparel", "Clothing made to last.", true),
    (
        "kitchen",
        "Kitchen",
        "Things that keep food without plastic.",
        false,
    ),
];

/// One demo product.
struct DemoProduct {
    sku: &'static str,
    name: &'static str,
    description: &'static str,
    price: &'static str,
    category: &'static str,
    stock: i64,
    /// kg CO₂e per unit, recyclable, biodegradable.
    metrics: Option<(&'static str, bool, bool)>,
    weight_kg: Option<&'static str>,
    /// GTIN-13 from the GS1 prefixes 200–299, kept for restricted
    /// circulation: they name no real product.
    gtin: &'static str,
    manual_score: i64,
}

const PRODUCTS: [DemoProduct; 10] = [
    DemoProduct {
        sku: "DEMO-BOTTLE-750",
        name: "Steel bottle 750 ml",
        description: "Double-walled stainless steel; keeps drinks cold for a day.",
        price: "24.90",
        category: "bottles",
        stock: 120,
        metrics: Some(("2.100", true, false)),
        weight_kg: Some("0.350"),
        gtin: "2000000000015",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-BOTTLE-500",
        name: "Glass bottle 500 ml",
        description: "Borosilicate glass in a cork sleeve.",
        price: "18.50",
        category: "bottles",
        stock: 80,
        metrics: Some(("1.400", true, false)),
        weight_kg: Some("0.420"),
        gtin: "2000000000022",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-FLASK-350",
        name: "Kids' flask 350 ml",
        description: "Light aluminium with a leak-proof cap.",
        price: "14.00",
        category: "bottles",
        stock: 0,
        metrics: Some(("1.900", true, false)),
        weight_kg: Some("0.180"),
        gtin: "2000000000039",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-TOTE",
        name: "Organic cotton tote",
        description: "GOTS cotton, 10 kg load.",
        price: "12.00",
        category: "bags",
        stock: 200,
        metrics: Some(("0.900", true, true)),
        weight_kg: Some("0.150"),
        gtin: "2000000000046",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-NET-BAG",
        name: "Produce net bags (set of 5)",
        description: "Recycled PET mesh for fruit and vegetables.",
        price: "9.50",
        category: "bags",
        stock: 150,
        metrics: Some(("0.300", true, false)),
        weight_kg: Some("0.080"),
        gtin: "2000000000053",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-TEE",
        name: "Hemp T-shirt",
        description: "Hemp and organic cotton, made in Portugal.",
        price: "29.00",
        category: "apparel",
        stock: 60,
        metrics: Some(("4.200", false, true)),
        weight_kg: Some("0.200"),
        gtin: "2000000000060",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-JACKET",
        name: "Recycled wool jacket",
        description: "Wool from post-consumer garments.",
        price: "149.00",
        category: "apparel",
        stock: 15,
        metrics: Some(("12.500", true, false)),
        weight_kg: Some("0.950"),
        gtin: "2000000000077",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-SOCKS",
        name: "Merino socks",
        description: "Merino wool; the footprint is not measured yet.",
        price: "16.00",
        category: "apparel",
        stock: 90,
        metrics: None,
        weight_kg: Some("0.060"),
        gtin: "2000000000084",
        manual_score: 55,
    },
    DemoProduct {
        sku: "DEMO-WRAP",
        name: "Beeswax food wraps (set of 3)",
        description: "Cotton, beeswax and tree resin instead of cling film.",
        price: "15.00",
        category: "kitchen",
        stock: 100,
        metrics: Some(("0.400", false, true)),
        weight_kg: Some("0.090"),
        gtin: "2000000000091",
        manual_score: 50,
    },
    DemoProduct {
        sku: "DEMO-LUNCHBOX",
        name: "Steel lunch box",
        description: "Stainless steel, two tiers; the weight is not measured yet.",
        price: "32.00",
        category: "kitchen",
        stock: 40,
        metrics: Some(("3.300", true, false)),
        weight_kg: None,
        gtin: "2000000000107",
        manual_score: 50,
    },
];

/// code, name, mode, km, g CO₂e per t·km, price, as a shop might start:
/// illustrative factors (docs/sustainability.md, section 5), not defaults.
const SHIPPING: [(&str, &str, TransportMode, i64, &str, &str); 3] = [
    (
        "rail-eu",
        "Rail freight, EU",
        TransportMode::Rail,
        850,
        "17.0",
        "6.90",
    ),
    (
        "road-eu",
        "Truck, EU",
        TransportMode::Road,
        850,
        "62.0",
        "4.90",
    ),
    (
        "bike-city",
        "Cargo bike, in town",
        TransportMode::CargoBike,
        8,
        "0.0",
        "5.50",
    ),
];

/// What the demo shop holds, for the operator to read.
pub(crate) fn contents() -> String {
    format!(
        "{} categories, {} products with their metrics, {} shipping methods",
        CATEGORIES.len(),
        PRODUCTS.len(),
        SHIPPING.len()
    )
}

/// What `ecolaura demo` made, for the newcomer to sign in with.
pub(crate) struct Loaded {
    /// The staff account's generated password.
    pub(crate) staff_password: String,
    /// The customer account's generated password.
    pub(crate) customer_password: String,
}

/// Load the demo shop into `app`'s (empty) store.
///
/// # Errors
/// A shop that has products, or a demo account, is refused with nothing
/// written; and any error of the services.
pub(crate) async fn load(app: &Ecolaura) -> Result<Loaded, RunError> {
    let system = Actor::System;
    let existing = app
        .catalog()
        .products(&ProductQuery::default())
        .await?
        .count;
    if existing > 0 {
        return Err(format!(
            "the shop already has {existing} product(s); `ecolaura demo` loads into an empty shop only"
        )
        .into());
    }
    for email in [STAFF_EMAIL, CUSTOMER_EMAIL] {
        let email = Email::parse(email)?;
        if app
            .accounts()
            .find_by_email(&system, &email)
            .await?
            .is_some()
        {
            return Err(format!(
                "the account {email} exists; `ecolaura demo` loads into an empty shop only"
            )
            .into());
        }
    }
    let staff_password = generated_password()?;
    let customer_password = generated_password()?;
    for (email, password, name, role) in [
        (STAFF_EMAIL, &staff_password, "Demo Staff", Role::Staff),
        (
            CUSTOMER_EMAIL,
            &customer_password,
            "Demo Customer",
            Role::Customer,
        ),
    ] {
        app.accounts()
            .register(
                &system,
                NewAccount {
                    email: Email::parse(email)?,
                    password: Password::new(password.clone())?,
                    name: PersonName::parse(name)?,
                    role,
                },
            )
            .await?;
    }
    for (slug, name, description, banned) in CATEGORIES {
        app.catalog()
            .create_category(
                &system,
                NewCategory {
                    slug: Slug::parse(slug)?,
                    name: CategoryName::parse(name)?,
                    description: Description::parse(description)?,
                    destruction_banned: banned,
                },
            )
            .await?;
    }
    for p in &PRODUCTS {
        app.catalog()
            .create_product(&system, new_product(p)?)
            .await?;
    }
    for (code, name, mode, km, factor, price) in SHIPPING {
        app.shipping()
            .create(
                &system,
                NewShippingMethod {
                    code: Slug::parse(code)?,
                    name: ShippingName::parse(name)?,
                    mode,
                    distance_km: DistanceKm::new(km)?,
                    emission_factor: EmissionFactor::parse(factor)?,
                    price: price.parse()?,
                    active: true,
                },
            )
            .await?;
    }
    Ok(Loaded {
        staff_password,
        customer_password,
    })
}

fn new_product(p: &DemoProduct) -> Result<NewProduct, RunError> {
    let metrics = match p.metrics {
        Some((kg, recyclable, biodegradable)) => Some(SustainabilityMetrics {
            carbon_footprint_kg: CarbonKg::new(kg.parse::<Decimal>()?)?,
            recyclable,
            biodegradable,
        }),
        None => None,
    };
    Ok(NewProduct {
        name: ProductName::parse(p.name)?,
        description: Description::parse(p.description)?,
        price: p.price.parse()?,
        category: Some(Slug::parse(p.category)?),
        stock: Stock::new(p.stock)?,
        metrics,
        manual_score: Score::new(p.manual_score)?,
        sku: Some(Sku::parse(p.sku)?),
        gtin: Some(Gtin::parse(p.gtin)?),
        weight_kg: p.weight_kg.map(str::parse::<WeightKg>).transpose()?,
    })
}

/// 20 characters from the operating system's randomness, each equally
/// likely (bytes past the last whole multiple of the alphabet are drawn
/// again), in an alphabet without look-alikes (no 0/O, 1/l/I): about 117
/// bits.
fn generated_password() -> Result<String, RunError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const LENGTH: usize = 20;
    let fair = 256 - 256 % ALPHABET.len();
    let mut password = String::with_capacity(LENGTH);
    while password.len() < LENGTH {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a password: {e}"))?;
        password.extend(
            bytes
                .iter()
                .map(|b| usize::from(*b))
                .filter(|b| *b < fair)
                .map(|b| char::from(ALPHABET[b % ALPHABET.len()]))
                .take(LENGTH - password.len()),
        );
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_twenty_characters_of_the_alphabet_and_differ() {
        let a = generated_password().unwrap();
        let b = generated_password().unwrap();
        assert_eq!(a.chars().count(), 20);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c))
        );
        assert_ne!(a, b);
    }

    #[test]
    fn every_demo_row_meets_the_domains_rules() {
        for p in &PRODUCTS {
            new_product(p).unwrap_or_else(|e| panic!("{}: {e}", p.sku));
        }
    }
}
