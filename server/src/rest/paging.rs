//! Query parameters shared by list endpoints: paging, sorting, text search.

use crate::error::ApiError;
use app::error::AppError;
use axum::{
    extract::{FromRequestParts, Query},
    http::request::Parts,
};
use serde::Deserialize;

pub const MAX_PER_PAGE: u64 = 100;

#[derive(Clone, Debug, Deserialize)]
struct Raw {
    page: Option<u64>,
    per_page: Option<u64>,
    sort: Option<String>,
    q: Option<String>,
}

/// The query parameters of list endpoints, as documented in the OpenAPI document.
#[allow(dead_code)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// From 1 (default 1).
    page: Option<u64>,
    /// 1 to 100 (default 25).
    per_page: Option<u64>,
    /// A field name, `-` first for descending.
    sort: Option<String>,
    /// Free-text search.
    q: Option<String>,
}

/// `page` from 1, `per_page` 1..=100 (default 25), `sort` a field name with an optional
/// leading `-` for descending, `q` free text. Endpoints check `sort` against the fields
/// they allow with [`PageQuery::sort_by`].
#[derive(Clone, Debug)]
pub struct PageQuery {
    pub page: u64,
    pub per_page: u64,
    pub sort: Option<String>,
    pub q: Option<String>,
}

impl PageQuery {
    /// `(field, descending)` when `sort` names one of `allowed`; a 422 otherwise.
    pub fn sort_by<'a>(
        &self,
        allowed: &[&'a str],
        default: (&'a str, bool),
    ) -> Result<(&'a str, bool), AppError> {
        let Some(raw) = self.sort.as_deref() else {
            return Ok(default);
        };
        let (name, desc) = raw.strip_prefix('-').map_or((raw, false), |n| (n, true));
        allowed
            .iter()
            .find(|a| **a == name)
            .map(|a| (*a, desc))
            .ok_or_else(|| {
                AppError::field(
                    "sort",
                    format!(
                        "cannot sort by `{name}`; use one of: {}",
                        allowed.join(", ")
                    ),
                )
            })
    }

    /// Checks raw values the way the query extractor does (the UI's server functions use it).
    pub fn new(
        page: Option<u64>,
        per_page: Option<u64>,
        sort: Option<String>,
        q: Option<String>,
    ) -> Result<Self, AppError> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(AppError::field("page", "pages start at 1"));
        }
        let per_page = per_page.unwrap_or(25);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::field(
                "per_page",
                format!("between 1 and {MAX_PER_PAGE}"),
            ));
        }
        let q = q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        let sort = sort.filter(|s| !s.trim().is_empty());
        Ok(PageQuery {
            page,
            per_page,
            sort,
            q,
        })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(raw) = Query::<Raw>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError(AppError::Validation {
                    message: e.body_text(),
                    fields: Default::default(),
                })
            })?;
        Ok(PageQuery::new(raw.page, raw.per_page, raw.sort, raw.q)?)
    }
}
