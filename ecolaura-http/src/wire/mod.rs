//! The JSON shapes of the API (DTOs), apart from the domain types.
//!
//! Response types are built from domain values; request types are plain
//! data that the handlers convert into domain types with [`Fields`], which
//! collects every field error before answering 422.

/// A wire enum and a domain enum that name the same terms: each maps to
/// the other, variant by variant.
macro_rules! same_terms {
    ($dto:ident, $domain:ident { $($variant:ident),+ $(,)? }) => {
        impl From<$dto> for $domain {
            fn from(v: $dto) -> Self {
                match v {
                    $($dto::$variant => $domain::$variant),+
                }
            }
        }

        impl From<$domain> for $dto {
            fn from(v: $domain) -> Self {
                match v {
                    $($domain::$variant => $dto::$variant),+
                }
            }
        }
    };
}

mod accounts;
mod amount;
mod catalog;
mod claims;
mod cursor_page;
mod date;
mod discards;
mod footprint;
mod nullable;
mod orders;
pub(crate) mod page;
mod passport;
mod product_input;
mod scores;
mod shipping;
pub(crate) mod text;

pub(crate) use accounts::{
    LogoutRequest, PasswordChange, PasswordResetConfirm, PasswordResetRequest, ProfileUpdate,
    RefreshRequest, RegisterRequest, TokenPair, TokenRequest, UserDto,
};
pub(crate) use amount::is_price_text;
pub(crate) use amount::{Amount, PriceInput};
pub(crate) use catalog::{
    CategoryDto, CategoryInput, CategoryPatch, MetricsInput, ProductDto, ProductInput,
    ProductPatch, ProductReplacement, ProductSustainabilityDto, SustainabilityDto,
};
pub(crate) use claims::{ClaimDto, ClaimInput, ExpiringClaimDto, ShownClaimDto};
pub(crate) use cursor_page::{Cursors, OrderCursorPage, ProductCursorPage};
pub(crate) use discards::{
    DiscardDto, DiscardInput, DiscardReportDto, PreventionMeasuresDto, PreventionMeasuresInput,
    report_csv,
};
pub(crate) use footprint::{FootprintDto, FootprintInput};
pub(crate) use nullable::Nullable;
pub(crate) use orders::{OrderDto, OrderInput, OrderLineDto, StatusInput, SummaryDto};
pub(crate) use page::{
    CategoryPage, DiscardPage, OrderPage, PageLinks, ProductPage, PublicUrl, ShippingMethodPage,
};
pub(crate) use passport::{CompositionDto, PassportViewDto};
pub(crate) use scores::{ScoreEntryDto, ScorePolicyDto, ScorePolicyInput, ScoreRulesDto};
pub(crate) use shipping::{
    ShippingMethodDto, ShippingMethodInput, ShippingMethodPatch, ShippingQuoteDto,
    ShippingQuoteInput,
};

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
    LogoutRequest,
    PasswordResetRequest,
    PasswordResetConfirm,
    PasswordChange,
    ProfileUpdate,
    CategoryDto,
    CategoryInput,
    SustainabilityDto,
    MetricsInput,
    ProductDto,
    ProductInput,
    ProductPatch,
    ProductReplacement,
    ProductSustainabilityDto,
    FootprintInput,
    FootprintDto,
    ClaimInput,
    ClaimDto,
    OrderLineDto,
    OrderDto,
    OrderInput,
    StatusInput,
    SummaryDto,
    ProductPage,
    CategoryPage,
    OrderPage,
    ScoreRulesDto,
    ScorePolicyInput,
    ScorePolicyDto,
    ScoreEntryDto,
    DiscardInput,
    DiscardDto,
    DiscardPage,
    discards::DiscardTotalsDto,
    discards::CategoryTotalsDto,
    DiscardReportDto,
    PreventionMeasuresInput,
    PreventionMeasuresDto,
    CategoryPatch,
    passport::MaterialDto,
    passport::ManufacturerDto,
    CompositionDto,
    ShippingMethodDto,
    ShippingMethodInput,
    ShippingMethodPatch,
    ShippingQuoteInput,
    shipping::ShippingOptionDto,
    ShippingQuoteDto,
    shipping::OrderShippingDto,
    ShippingMethodPage,
    ProductCursorPage,
    OrderCursorPage,
);

use crate::problem::{FieldErrors, Problem};

/// Collects field errors while a request DTO becomes domain values.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    errors: FieldErrors,
}

impl Fields {
    /// The value, or `None` with the error recorded under `field`.
    pub(crate) fn check<T, E: Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Record an error under `field`.
    pub(crate) fn add(&mut self, field: &str, message: String) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message);
    }

    /// `Ok` when no error was recorded, else the 422 problem naming them.
    ///
    /// # Errors
    /// The 422 problem.
    pub(crate) fn finish(self) -> Result<(), Problem> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::invalid(self.errors))
        }
    }

    /// The 422 problem for what was recorded.
    pub(crate) fn into_problem(self) -> Problem {
        Problem::invalid(self.errors)
    }

    /// What was recorded, by field path.
    pub(crate) fn into_errors(self) -> FieldErrors {
        self.errors
    }
}
