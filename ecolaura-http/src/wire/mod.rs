//! The JSON shapes of the API (DTOs), apart from the domain types.
//!
//! Response types are built from domain values; request types are plain
//! data that the handlers convert into domain types with [`Fields`], which
//! collects every field error before answering 422.

mod accounts;
mod amount;
mod catalog;
mod orders;
mod page;

pub use accounts::{RefreshRequest, RegisterRequest, RoleDto, TokenPair, TokenRequest, UserDto};
pub use amount::Amount;
pub use catalog::{
    CategoryDto, CategoryInput, MetricsInput, ProductDto, ProductInput, ProductPatch,
    ProductSustainabilityDto, ScoreFactorDto, ScoreSourceDto, SustainabilityDto,
};
pub use orders::{
    OrderDto, OrderInput, OrderLineDto, OrderLineInput, OrderStatusDto, StatusInput, SummaryDto,
};
pub use page::{BadPublicUrl, CategoryPage, OrderPage, PageLinks, ProductPage, PublicUrl};

use std::fmt::Display;

/// Documentation examples: each listed type's `sample()` is its `Example`.
macro_rules! examples {
    ($($ty:ty),* $(,)?) => {
        $(impl poem_openapi::types::Example for $ty {
            fn example() -> Self {
                <$ty>::sample()
            }
        })*
    };
}

examples!(
    UserDto,
    RegisterRequest,
    TokenRequest,
    RefreshRequest,
    TokenPair,
    CategoryDto,
    CategoryInput,
    SustainabilityDto,
    MetricsInput,
    ProductDto,
    ProductInput,
    ProductPatch,
    ProductSustainabilityDto,
    OrderLineDto,
    OrderDto,
    OrderInput,
    StatusInput,
    SummaryDto,
    ProductPage,
    CategoryPage,
    OrderPage,
);

use crate::problem::{FieldErrors, Problem};

/// Collects field errors while a request DTO becomes domain values.
#[derive(Debug, Default)]
pub struct Fields {
    errors: FieldErrors,
}

impl Fields {
    /// The value, or `None` with the error recorded under `field`.
    pub fn check<T, E: Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Record an error under `field`.
    pub fn add(&mut self, field: &str, message: String) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message);
    }

    /// `Ok` when no error was recorded, else the 422 problem naming them.
    ///
    /// # Errors
    /// The 422 problem.
    pub fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::invalid(self.errors))
        }
    }

    /// The 422 problem for what was recorded.
    pub fn into_problem(self) -> Problem {
        Problem::invalid(self.errors)
    }
}
