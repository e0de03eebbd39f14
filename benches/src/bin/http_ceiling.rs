//! The ceiling for the HTTP load scenario: the smallest poem server that
//! answers `GET /api/v1/products` with the bytes of a real product-list
//! response, with no middleware, no routing tables and no cache lookup.
//!
//! `http-ceiling <listen address> <file with the response body>`

use poem::EndpointExt;
use poem::http::header;
use poem::{Response, Route, Server, get, handler, listener::TcpListener, web::Data};

#[handler]
fn products(body: Data<&bytes::Bytes>) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body.0.clone())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: http-ceiling <listen address> <response body file>");
        std::process::exit(2);
    };
    let body = bytes::Bytes::from(std::fs::read(file)?);
    let app = Route::new()
        .at("/api/v1/products", get(products))
        .data(body);
    Server::new(TcpListener::bind(addr)).run(app).await
}
