//! Run an in-memory shop end to end and print what happened:
//! `cargo run -p ecolaura-examples --bin embedded-shop`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    print!("{}", ecolaura_examples::embedded_shop().await?);
    Ok(())
}
