//! `/api/v1/categories`.

use std::sync::Arc;

use ecolaura_core::catalog::{CategoryChanges, NewCategory};
use ecolaura_core::domain::Slug;
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::ApiTags;
use super::BearerAuth;
use super::query::page_request;
use crate::body::JsonBody;
use crate::problem::Problem;
use crate::state::AppState;
use crate::wire::{CategoryDto, CategoryInput, CategoryPage, CategoryPatch, PageLinks};

/// Categories.
pub(crate) struct CategoriesApi {
    state: Arc<AppState>,
}

impl CategoriesApi {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }
}

#[derive(ApiResponse)]
enum CategoryList {
    /// A page of categories, by slug.
    #[oai(status = 200)]
    Ok(Json<CategoryPage>),
}

#[derive(ApiResponse)]
enum CategoryCreated {
    /// The category was made.
    #[oai(status = 201)]
    Created(Json<CategoryDto>),
}

#[derive(ApiResponse)]
enum CategoryUpdated {
    /// The category as changed.
    #[oai(status = 200)]
    Ok(Json<CategoryDto>),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Categories")]
impl CategoriesApi {
    /// List categories
    #[oai(path = "/categories", method = "get", operation_id = "list_categories")]
    async fn list(
        &self,
        req: &Request,
        /// Page number, from 1.
        #[oai(validator(minimum(value = "1"), maximum(value = "4294967295")))]
        page: Query<Option<u32>>,
        /// Items per page, 1..100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        page_size: Query<Option<u32>>,
    ) -> Result<CategoryList, Problem> {
        let request = page_request(page.0, page_size.0)?;
        let found = self.state.app.catalog().categories(request).await?;
        let links = PageLinks::new(&self.state.public_url, req, Vec::new());
        Ok(CategoryList::Ok(Json(CategoryPage::new(
            found,
            &links,
            Into::into,
        ))))
    }

    /// Create a category (staff)
    #[oai(
        path = "/categories",
        method = "post",
        operation_id = "create_category"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        body: JsonBody<CategoryInput>,
    ) -> Result<CategoryCreated, Problem> {
        let new = NewCategory::try_from(&body.0)?;
        let category = self
            .state
            .app
            .catalog()
            .create_category(auth.actor(), new)
            .await?;
        Ok(CategoryCreated::Created(Json(category.into())))
    }

    /// Change a category (staff)
    ///
    /// Fields left out stay as they are; setting `destruction_banned` puts
    /// the category's products under ESPR art. 25 (or lifts it) for the
    /// discards recorded from then on.
    #[oai(
        path = "/categories/:slug",
        method = "patch",
        operation_id = "update_category"
    )]
    async fn update(
        &self,
        auth: BearerAuth,
        /// The category's slug.
        slug: Path<String>,
        body: JsonBody<CategoryPatch>,
    ) -> Result<CategoryUpdated, Problem> {
        let changes = CategoryChanges::try_from(&body.0)?;
        // A slug that breaks the slug rule names no category.
        let slug = Slug::parse(&slug.0).map_err(|_| Problem::not_found("Category"))?;
        let category = self
            .state
            .app
            .catalog()
            .update_category(auth.actor(), &slug, &changes)
            .await?;
        Ok(CategoryUpdated::Ok(Json(category.into())))
    }
}
