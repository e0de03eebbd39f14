//! Programs that embed Ecolaura. Each lives in a function here so that its
//! test runs it; `src/bin/` holds the thin `main`s.

pub mod embedding;
pub mod passport;

use std::error::Error;
use std::fmt::Write as _;

use ecolaura_core::jobs::confirmation_key;
use ecolaura_core::prelude::*;

/// A shop in memory, end to end: a catalog, a customer, an order that the
/// jobs confirm and e-mail, and a cancelled order whose stock comes back.
/// Returns what it did, as text.
pub async fn embedded_shop() -> Result<String, Box<dyn Error>> {
    let mut out = String::new();
    let app = Ecolaura::in_memory();
    let staff = Actor::System;

    // A catalog: one category, two products (one with metrics, one without).
    app.catalog()
        .create_category(
            &staff,
            NewCategory {
                slug: Slug::parse("bottles")?,
                name: CategoryName::parse("Bottles")?,
                description: Description::parse("Reusable bottles")?,
                destruction_banned: false,
            },
        )
        .await?;
    let bottle = app
        .catalog()
        .create_product(
            &staff,
            NewProduct {
                name: ProductName::parse("Eco Bottle")?,
                description: Description::parse("Steel, for life")?,
                price: "19.99".parse()?,
                category: Some(Slug::parse("bottles")?),
                stock: Stock::new(120)?,
                metrics: Some(SustainabilityMetrics {
                    carbon_footprint_kg: CarbonKg::from_f64(1.2)?,
                    recyclable: true,
                    biodegradable: false,
                }),
                manual_score: Score::MIN,
                sku: None,
                gtin: None,
                weight_kg: None,
            },
        )
        .await?;
    let brush = app
        .catalog()
        .create_product(
            &staff,
            NewProduct {
                name: ProductName::parse("Bamboo Brush")?,
                description: Description::default(),
                price: "3.50".parse()?,
                category: None,
                stock: Stock::new(40)?,
                metrics: None,
                manual_score: Score::new(65)?,
                sku: None,
                gtin: None,
                weight_kg: None,
            },
        )
        .await?;
    writeln!(
        out,
        "catalog: {} (score {}), {} (score {})",
        bottle.name, bottle.score, brush.name, brush.score
    )?;

    // A customer registers and orders.
    let ada = app
        .accounts()
        .register(
            &Actor::Anonymous,
            NewAccount {
                email: Email::parse("ada@example.com")?,
                password: Password::new("correct horse battery")?,
                name: PersonName::parse("Ada")?,
                role: Role::Customer,
            },
        )
        .await?;
    let buyer = Actor::customer(ada.id);
    let line = |p: &Product, q| -> Result<OrderRequestLine, Box<dyn Error>> {
        Ok(OrderRequestLine {
            product_id: p.id,
            quantity: Quantity::new(q)?,
        })
    };
    let request = OrderRequest::new(vec![line(&bottle, 2)?, line(&brush, 1)?])?;
    let key = IdempotencyKey::parse("checkout-1")?;
    let placed = app
        .orders()
        .place(&buyer, &request, Some(key.clone()))
        .await?;
    let order = placed.order;
    let kg = order
        .carbon_footprint_kg()
        .map_or("unknown".into(), |kg| kg.to_string());
    writeln!(
        out,
        "placed: order {} {} total {} EUR, footprint {kg} kg",
        order.id,
        order.status,
        order.total()
    )?;
    writeln!(out, "footprint complete: {}", order.footprint_complete())?;
    let retried = app.orders().place(&buyer, &request, Some(key)).await?;
    writeln!(
        out,
        "retry with the same key: same order {}",
        retried.order.id == order.id
    )?;

    // The jobs confirm the order and send its e-mail.
    let ran = app.worker(WorkerConfig::default()).drain().await?;
    let order = app.orders().get(&buyer, order.id).await?;
    writeln!(out, "jobs run: {ran}; status now: {}", order.status)?;
    if let Some(sent) = app.mailer().find_sent(&confirmation_key(order.id)).await? {
        writeln!(out, "e-mail to {}: {}", sent.email.to, sent.email.subject)?;
        writeln!(out, "{}", sent.email.body.trim_end())?;
    }

    // A second order, cancelled: its stock comes back.
    let second = app
        .orders()
        .place(&buyer, &OrderRequest::new(vec![line(&brush, 5)?])?, None)
        .await?;
    writeln!(
        out,
        "brush stock after second order: {}",
        app.catalog().product(brush.id).await?.stock.get()
    )?;
    let cancelled = app.orders().cancel(&buyer, second.order.id).await?;
    writeln!(out, "cancelled: {}", cancelled.status)?;
    writeln!(
        out,
        "brush stock after cancel: {}",
        app.catalog().product(brush.id).await?.stock.get()
    )?;

    let summary = app.sustainability().summary(&buyer).await?;
    let avg = summary
        .average_score
        .map_or("none".into(), |s| s.to_string());
    writeln!(
        out,
        "summary: {} order(s), {} item(s), {} kg CO2e, average score {avg}",
        summary.orders_count, summary.items_count, summary.total_carbon_footprint_kg
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_embedded_shop_runs_its_whole_story() {
        let out = super::embedded_shop().await.unwrap();
        assert!(
            out.contains("catalog: Eco Bottle (score 70), Bamboo Brush (score 65)"),
            "{out}"
        );
        assert!(
            out.contains("pending total 43.48 EUR, footprint 2.4 kg"),
            "{out}"
        );
        assert!(out.contains("footprint complete: false"), "{out}");
        assert!(
            out.contains("retry with the same key: same order true"),
            "{out}"
        );
        assert!(out.contains("jobs run: 2; status now: confirmed"), "{out}");
        assert!(out.contains("e-mail to ada@example.com"), "{out}");
        assert!(out.contains("brush stock after second order: 34"), "{out}");
        assert!(out.contains("brush stock after cancel: 39"), "{out}");
        // (2×70 + 1×65) / 3 = 68.33
        assert!(
            out.contains("summary: 1 order(s), 3 item(s), 2.4 kg CO2e, average score 68.33"),
            "{out}"
        );
    }
}
