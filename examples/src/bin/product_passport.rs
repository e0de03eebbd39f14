//! Print a product's Digital Product Passport from an embedded SQLite
//! store: `cargo run -p ecolaura-examples --bin product-passport`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", ecolaura_examples::passport::product_passport().await?);
    Ok(())
}
