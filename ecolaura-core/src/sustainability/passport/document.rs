//! The passport document: JSON-LD over schema.org, the GS1 web vocabulary
//! and PACT's footprint fields, built by one pure function from what the
//! shop keeps of a product, filtered for its reader.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::{Composition, ResolverBase, digital_link};
use crate::catalog::Product;
use crate::sustainability::discards::DiscardEntry;
use crate::sustainability::{Claim, DeclaredUnit, FootprintRecord};

/// The most ledger entries an authority view lists (newest first); the
/// count says how many there are in all.
pub const MAX_PASSPORT_DISCARDS: usize = 100;

/// Who reads the passport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassportView {
    /// Anyone: no certificate numbers, no verifier's name, no ledger.
    Public,
    /// A market surveillance or customs authority (staff sign in for
    /// them): everything, the discard ledger included.
    Authority,
}

/// What the shop keeps of a product that its passport shows.
#[derive(Debug, Clone, Copy)]
pub struct PassportFacts<'a> {
    /// The product.
    pub product: &'a Product,
    /// Its composition, if set.
    pub composition: Option<&'a Composition>,
    /// Its claims, whatever their dates (the passport shows those that
    /// hold on `today`).
    pub claims: &'a [Claim],
    /// Its footprint record, if any.
    pub footprint: Option<&'a FootprintRecord>,
    /// Its newest discard ledger entries and how many there are in all
    /// (shown to authorities only).
    pub discards: (&'a [DiscardEntry], u64),
    /// Where Digital Link URIs start.
    pub resolver: &'a ResolverBase,
    /// The day the passport is read on.
    pub today: NaiveDate,
}

/// The JSON-LD context: schema.org as the default vocabulary, the GS1 web
/// vocabulary, PACT's footprint terms and Ecolaura's own, inline so that a
/// processor needs no network to expand the document.
const TERMS: [(&str, &str); 37] = [
    ("@vocab", "https://schema.org/"),
    ("schema", "https://schema.org/"),
    ("gs1", "https://gs1.org/voc/"),
    (
        "pact",
        "https://wbcsd.github.io/data-exchange-protocol/v3/#",
    ),
    ("ecolaura", "https://ecolaura.org/ns/dpp#"),
    ("gtin", "gs1:gtin"),
    ("sharePercent", "ecolaura:sharePercent"),
    ("recycledPercent", "ecolaura:recycledContentPercent"),
    ("careAndDisposal", "ecolaura:careAndDisposal"),
    ("claimType", "ecolaura:claimType"),
    ("statement", "ecolaura:statement"),
    ("evidence", "ecolaura:evidence"),
    ("scheme", "ecolaura:scheme"),
    ("certificateId", "ecolaura:certificateId"),
    ("issuer", "ecolaura:issuer"),
    ("ecolabelTypeI", "ecolaura:ecolabelTypeI"),
    ("carbonFootprint", "pact:pcf"),
    (
        "declaredUnitOfMeasurement",
        "pact:declaredUnitOfMeasurement",
    ),
    ("declaredUnitAmount", "pact:declaredUnitAmount"),
    (
        "pcfExcludingBiogenicUptake",
        "pact:pcfExcludingBiogenicUptake",
    ),
    (
        "pcfIncludingBiogenicUptake",
        "pact:pcfIncludingBiogenicUptake",
    ),
    ("primaryDataShare", "pact:primaryDataShare"),
    ("boundary", "pact:boundaryProcessesDescription"),
    ("geography", "ecolaura:geography"),
    ("geographyCountry", "pact:geographyCountry"),
    ("verification", "pact:assurance"),
    ("verified", "ecolaura:verified"),
    ("provider", "pact:providerName"),
    ("sustainabilityScore", "ecolaura:sustainabilityScore"),
    ("method", "ecolaura:scoreMethod"),
    ("discardsCount", "ecolaura:discardCount"),
    ("quantity", "ecolaura:quantity"),
    ("reason", "ecolaura:discardReason"),
    ("destination", "ecolaura:discardDestination"),
    ("derogation", "ecolaura:derogation"),
    ("view", "ecolaura:passportView"),
    ("note", "ecolaura:note"),
];

/// Terms with a container or a value type: (term, IRI, keyword, value).
const SHAPED_TERMS: [(&str, &str, &str, &str); 12] = [
    ("materials", "ecolaura:material", "@container", "@list"),
    (
        "claims",
        "ecolaura:environmentalClaim",
        "@container",
        "@set",
    ),
    ("markets", "ecolaura:market", "@container", "@set"),
    ("validFrom", "schema:validFrom", "@type", "schema:Date"),
    ("validUntil", "schema:validThrough", "@type", "schema:Date"),
    (
        "referencePeriodStart",
        "pact:referencePeriodStart",
        "@type",
        "schema:DateTime",
    ),
    (
        "referencePeriodEnd",
        "pact:referencePeriodEnd",
        "@type",
        "schema:DateTime",
    ),
    (
        "standards",
        "pact:crossSectoralStandards",
        "@container",
        "@set",
    ),
    ("verifiedOn", "pact:completedAt", "@type", "schema:Date"),
    (
        "computedAt",
        "ecolaura:computedAt",
        "@type",
        "schema:DateTime",
    ),
    ("discards", "ecolaura:discard", "@container", "@list"),
    (
        "recordedAt",
        "ecolaura:recordedAt",
        "@type",
        "schema:DateTime",
    ),
];

fn context() -> Value {
    let mut ctx: Map<String, Value> = TERMS
        .iter()
        .map(|(term, iri)| ((*term).to_owned(), json!(iri)))
        .collect();
    for (term, iri, keyword, value) in SHAPED_TERMS {
        ctx.insert(term.to_owned(), json!({"@id": iri, keyword: value}));
    }
    Value::Object(ctx)
}

/// PACT's word for a declared unit.
fn pact_unit(unit: DeclaredUnit) -> &'static str {
    match unit {
        DeclaredUnit::Piece => "piece",
        DeclaredUnit::Kilogram => "kilogram",
        DeclaredUnit::Liter => "liter",
        DeclaredUnit::CubicMeter => "cubic meter",
        DeclaredUnit::SquareMeter => "square meter",
        DeclaredUnit::KilowattHour => "kilowatt hour",
        DeclaredUnit::Megajoule => "megajoule",
        DeclaredUnit::TonKilometer => "ton kilometer",
    }
}

/// The first instant of `day`, UTC (PACT's periods are instants; the end
/// one excluded, so a period ending on a day ends at the next midnight).
fn instant(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", day.format("%Y-%m-%d"))
}

fn footprint(r: &FootprintRecord, view: PassportView) -> Value {
    let end = r
        .reference_period_end
        .succ_opt()
        .unwrap_or(r.reference_period_end);
    let mut pcf = json!({
        "declaredUnitOfMeasurement": pact_unit(r.declared_unit),
        "declaredUnitAmount": r.unitary_product_amount.normalize().to_string(),
        "pcfExcludingBiogenicUptake": r.pcf_excluding_biogenic_kg.normalize().to_string(),
        "pcfIncludingBiogenicUptake": r.pcf_including_biogenic_kg.normalize().to_string(),
        "referencePeriodStart": instant(r.reference_period_start),
        "referencePeriodEnd": instant(end),
        "boundary": r.boundary.as_str(),
        "geography": r.geography.as_str(),
        "standards": r.standards,
        "validUntil": r.valid_until.to_string(),
    });
    if let crate::sustainability::Geography::Country(code) = r.geography {
        pcf["geographyCountry"] = json!(code.alpha2());
    }
    if let Some(share) = r.primary_data_share {
        pcf["primaryDataShare"] = json!(share.normalize().to_string());
    }
    if let Some(v) = &r.verification {
        let mut verification = json!({"verified": v.verified});
        if let Some(date) = v.date {
            verification["verifiedOn"] = json!(date.to_string());
        }
        if let (PassportView::Authority, Some(provider)) = (view, &v.provider) {
            verification["provider"] = json!(provider);
        }
        pcf["verification"] = verification;
    }
    pcf
}

fn claim(c: &Claim, view: PassportView) -> Value {
    let e = &c.evidence;
    let mut evidence = json!({
        "scheme": e.scheme,
        "issuer": e.issuer,
        "validFrom": e.valid_from.to_string(),
        "validUntil": e.valid_until.to_string(),
        "ecolabelTypeI": e.ecolabel_type_i,
    });
    if let Some(url) = &e.url {
        evidence["url"] = json!(url);
    }
    if let (PassportView::Authority, Some(id)) = (view, &e.certificate_id) {
        evidence["certificateId"] = json!(id);
    }
    json!({
        "claimType": c.claim_type.as_str(),
        "statement": c.statement,
        "markets": c.markets.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "evidence": evidence,
    })
}

fn composition(c: &Composition, doc: &mut Map<String, Value>) {
    let materials: Vec<Value> = c
        .materials
        .iter()
        .map(|m| {
            json!({
                "@type": "ecolaura:Material",
                "name": m.name,
                "sharePercent": m.share_percent.to_string(),
                "recycledPercent": m.recycled_percent.to_string(),
            })
        })
        .collect();
    doc.insert("materials".into(), json!(materials));
    doc.insert("countryOfOrigin".into(), json!(c.origin_country));
    doc.insert(
        "manufacturer".into(),
        json!({"@type": "Organization", "name": c.manufacturer.name,
               "address": c.manufacturer.address}),
    );
    doc.insert("careAndDisposal".into(), json!(c.care_and_disposal));
}

fn discard(e: &DiscardEntry) -> Value {
    let mut entry = json!({
        "quantity": e.quantity,
        "reason": e.reason.as_str(),
        "destination": e.destination.as_str(),
        "recordedAt": e.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    });
    if let Some(d) = e.derogation {
        entry["derogation"] = json!(d.as_str());
    }
    if let Some(category) = &e.category {
        entry["category"] = json!(category.as_str());
    }
    if let Some(note) = &e.note {
        entry["note"] = json!(note.as_str());
    }
    entry
}

/// The passport of `facts.product` for `view`: its identity (the GS1
/// Digital Link URI when it has a GTIN), name, identifiers, weight,
/// composition, the claims whose evidence holds today, the footprint
/// record in PACT v3 field names, the score with its method; for an
/// authority, also certificate numbers, the verifier and the newest
/// [`MAX_PASSPORT_DISCARDS`] ledger entries.
pub fn passport(facts: PassportFacts<'_>, view: PassportView) -> Value {
    let p = facts.product;
    let mut doc = Map::new();
    doc.insert("@context".into(), context());
    doc.insert(
        "@id".into(),
        json!(digital_link(facts.resolver, p.gtin.as_ref(), p.id)),
    );
    doc.insert("@type".into(), json!(["schema:Product", "gs1:Product"]));
    doc.insert(
        "view".into(),
        json!(match view {
            PassportView::Public => "public",
            PassportView::Authority => "authority",
        }),
    );
    doc.insert("productID".into(), json!(p.id.as_uuid().to_string()));
    doc.insert("name".into(), json!(p.name.as_str()));
    doc.insert("description".into(), json!(p.description.as_str()));
    if let Some(gtin) = &p.gtin {
        doc.insert("gtin".into(), json!(gtin.as_str()));
    }
    if let Some(sku) = &p.sku {
        doc.insert("sku".into(), json!(sku.as_str()));
    }
    if let Some(w) = p.weight_kg {
        doc.insert(
            "weight".into(),
            json!({"@type": "QuantitativeValue", "value": w.to_string(), "unitCode": "KGM"}),
        );
    }
    if let Some(c) = facts.composition {
        composition(c, &mut doc);
    }
    let claims: Vec<Value> = facts
        .claims
        .iter()
        .filter(|c| c.evidence.valid_from <= facts.today && facts.today <= c.evidence.valid_until)
        .map(|c| claim(c, view))
        .collect();
    doc.insert("claims".into(), json!(claims));
    if let Some(r) = facts.footprint {
        doc.insert("carbonFootprint".into(), footprint(r, view));
    }
    doc.insert(
        "sustainabilityScore".into(),
        json!({
            "value": p.score.value(),
            "method": p.score_method.as_str(),
            "computedAt": p.score_computed_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }),
    );
    if view == PassportView::Authority {
        let (entries, count) = facts.discards;
        let shown: Vec<Value> = entries
            .iter()
            .take(MAX_PASSPORT_DISCARDS)
            .map(discard)
            .collect();
        doc.insert("discards".into(), json!(shown));
        doc.insert("discardsCount".into(), json!(count));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::fixtures::product;
    use crate::domain::{DiscardId, Gtin};
    use crate::sustainability::discards::{DiscardDestination, DiscardReason};
    use crate::sustainability::passport::{Manufacturer, Material};
    use crate::sustainability::{
        ClaimType, Evidence, Geography, Market, SystemBoundary, Verification,
    };
    use rust_decimal::Decimal;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts_for<'a>(
        product: &'a Product,
        composition: &'a Composition,
        claims: &'a [Claim],
        footprint: &'a FootprintRecord,
        discards: &'a [DiscardEntry],
        resolver: &'a ResolverBase,
    ) -> PassportFacts<'a> {
        PassportFacts {
            product,
            composition: Some(composition),
            claims,
            footprint: Some(footprint),
            discards: (discards, 7),
            resolver,
            today: day("2026-12-07"),
        }
    }

    fn claim_valid(from: &str, until: &str) -> Claim {
        Claim {
            id: crate::domain::ClaimId::new(),
            product_id: crate::domain::ProductId::new(),
            claim_type: ClaimType::RecycledContent,
            statement: "80% recycled PET".into(),
            markets: vec![Market::parse("EU").unwrap()],
            evidence: Evidence {
                scheme: "Global Recycled Standard".into(),
                certificate_id: Some("GRS-123".into()),
                issuer: "Control Union".into(),
                valid_from: day(from),
                valid_until: day(until),
                ecolabel_type_i: false,
                url: None,
            },
            created_at: chrono::Utc::now(),
        }
    }

    fn record() -> FootprintRecord {
        FootprintRecord {
            declared_unit: DeclaredUnit::CubicMeter,
            unitary_product_amount: Decimal::new(350, 3),
            pcf_excluding_biogenic_kg: Decimal::new(41, 1),
            pcf_including_biogenic_kg: Decimal::new(39, 1),
            boundary: SystemBoundary::CradleToGate,
            reference_period_start: day("2025-01-01"),
            reference_period_end: day("2025-12-31"),
            valid_until: day("2028-12-31"),
            geography: Geography::parse("FR").unwrap(),
            primary_data_share: Some(Decimal::new(625, 1)),
            standards: vec!["ISO 14067:2018".into()],
            verification: Some(Verification {
                verified: true,
                provider: Some("Bureau Veritas".into()),
                date: Some(day("2026-03-01")),
            }),
            updated_at: chrono::Utc::now(),
        }
    }

    fn composition() -> Composition {
        Composition {
            materials: vec![Material {
                name: "PET".into(),
                share_percent: Decimal::ONE_HUNDRED,
                recycled_percent: Decimal::new(80, 0),
            }],
            origin_country: "PT".into(),
            manufacturer: Manufacturer {
                name: "Fábrica Verde".into(),
                address: "Porto".into(),
            },
            care_and_disposal: "Rinse; recycle with plastics.".into(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn ledger() -> Vec<DiscardEntry> {
        vec![DiscardEntry {
            id: DiscardId::new(),
            product_id: crate::domain::ProductId::new(),
            category: None,
            quantity: 3,
            unit_weight_kg: None,
            reason: DiscardReason::Damaged,
            destination: DiscardDestination::Recycling,
            derogation: None,
            note: Some(crate::domain::Description::parse("internal").unwrap()),
            recorded_by: None,
            recorded_at: chrono::Utc::now(),
        }]
    }

    #[test]
    fn the_public_view_leaves_out_certificates_the_verifier_and_the_ledger() {
        let mut p = product("Bottle", "19.99", 5);
        p.gtin = Some(Gtin::parse("4006381333931").unwrap());
        let (c, r, d) = (composition(), record(), ledger());
        let claims = [
            claim_valid("2026-01-01", "2026-12-31"),
            claim_valid("2025-01-01", "2026-12-06"),
        ];
        let resolver = ResolverBase::parse("https://id.shop.example").unwrap();
        let facts = facts_for(&p, &c, &claims, &r, &d, &resolver);

        let public = passport(facts, PassportView::Public);
        assert_eq!(public["@id"], "https://id.shop.example/01/04006381333931");
        assert_eq!(public["gtin"], "04006381333931");
        assert_eq!(
            public["claims"].as_array().unwrap().len(),
            1,
            "the lapsed claim is not shown"
        );
        assert_eq!(public["claims"][0]["evidence"].get("certificateId"), None);
        assert_eq!(
            public["carbonFootprint"]["verification"].get("provider"),
            None
        );
        assert_eq!(public["carbonFootprint"]["verification"]["verified"], true);
        assert_eq!(public.get("discards"), None);
        let text = public.to_string();
        assert!(!text.contains("GRS-123") && !text.contains("Bureau Veritas"));

        let authority = passport(facts, PassportView::Authority);
        assert_eq!(
            authority["claims"][0]["evidence"]["certificateId"],
            "GRS-123"
        );
        assert_eq!(
            authority["carbonFootprint"]["verification"]["provider"],
            "Bureau Veritas"
        );
        assert_eq!(authority["discards"][0]["destination"], "recycling");
        assert_eq!(authority["discardsCount"], 7);
        assert_eq!(
            authority["discards"][0]["note"], "internal",
            "an authority reads everything"
        );
        assert!(!public.to_string().contains("internal"));
    }

    #[test]
    fn the_footprint_speaks_pact() {
        let p = product("Bottle", "19.99", 5);
        let (c, r) = (composition(), record());
        let resolver = ResolverBase::parse("https://id.shop.example").unwrap();
        let doc = passport(
            facts_for(&p, &c, &[], &r, &[], &resolver),
            PassportView::Public,
        );
        let pcf = &doc["carbonFootprint"];
        assert_eq!(pcf["declaredUnitOfMeasurement"], "cubic meter");
        assert_eq!(pcf["declaredUnitAmount"], "0.35");
        assert_eq!(pcf["pcfExcludingBiogenicUptake"], "4.1");
        assert_eq!(pcf["pcfIncludingBiogenicUptake"], "3.9");
        assert_eq!(pcf["referencePeriodStart"], "2025-01-01T00:00:00Z");
        assert_eq!(
            pcf["referencePeriodEnd"], "2026-01-01T00:00:00Z",
            "PACT's end is exclusive"
        );
        assert_eq!(pcf["primaryDataShare"], "62.5");
        assert_eq!(
            (pcf["geography"].as_str(), pcf["geographyCountry"].as_str()),
            (Some("FR"), Some("FR"))
        );
        assert_eq!(doc["@id"], format!("urn:uuid:{}", p.id.as_uuid()));
        assert_eq!(doc["materials"][0]["recycledPercent"], "80");
        assert_eq!(doc["manufacturer"]["@type"], "Organization");
        assert_eq!(doc["sustainabilityScore"]["method"], "manual");
    }

    #[test]
    fn every_key_of_the_document_is_a_term_of_its_context() {
        let mut p = product("Bottle", "19.99", 5);
        p.gtin = Some(Gtin::parse("4006381333931").unwrap());
        p.sku = Some(crate::domain::Sku::parse("BTL-1").unwrap());
        p.weight_kg = Some("0.350".parse().unwrap());
        let (c, r, d) = (composition(), record(), ledger());
        let claims = [claim_valid("2026-01-01", "2026-12-31")];
        let resolver = ResolverBase::parse("https://id.shop.example").unwrap();
        let doc = passport(
            facts_for(&p, &c, &claims, &r, &d, &resolver),
            PassportView::Authority,
        );
        let ctx = context();
        let schema_org = [
            "productID",
            "name",
            "description",
            "sku",
            "weight",
            "value",
            "unitCode",
            "countryOfOrigin",
            "manufacturer",
            "address",
            "url",
        ];
        fn keys(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, v) in m {
                        if k != "@context" {
                            out.push(k.clone());
                            keys(v, out);
                        }
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        keys(&doc, &mut found);
        for k in found {
            assert!(
                k.starts_with('@') || ctx.get(&k).is_some() || schema_org.contains(&k.as_str()),
                "{k} is neither defined in the context nor a schema.org term"
            );
        }
    }
}
