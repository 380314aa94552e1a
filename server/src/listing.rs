//! The parameters of every paged list (page, per page, sort, search text), checked once
//! here so that the REST API and the UI's server functions agree.

use app::error::AppError;
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr};

pub const MAX_PER_PAGE: u64 = 100;
/// Pages beyond this are refused (the offset would reach 100 million rows): narrow the
/// search instead.
pub const MAX_PAGE: u64 = 1_000_000;
const DEFAULT_PER_PAGE: u64 = 25;

/// The fields a list may be sorted by, and its order when the caller names none.
pub struct Sorts {
    pub allowed: &'static [&'static str],
    /// `(field, descending)`.
    pub default: (&'static str, bool),
}

/// Checked list parameters: `page` from 1 to [`MAX_PAGE`], `per_page` 1..=100 (default 25), `sort` one of
/// the list's fields (a leading `-` for descending), `q` trimmed, `None` when empty.
#[derive(Clone, Debug)]
pub struct Listing {
    pub page: u64,
    pub per_page: u64,
    /// `(field, descending)`.
    pub sort: (&'static str, bool),
    pub q: Option<String>,
}

impl Listing {
    pub fn parse(
        page: Option<u64>,
        per_page: Option<u64>,
        sort: Option<&str>,
        q: Option<&str>,
        sorts: &Sorts,
    ) -> Result<Self, AppError> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(AppError::field("page", "pages start at 1"));
        }
        if page > MAX_PAGE {
            return Err(AppError::field(
                "page",
                format!("at most {MAX_PAGE}; narrow the search with `q` or filters"),
            ));
        }
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::field(
                "per_page",
                format!("between 1 and {MAX_PER_PAGE}"),
            ));
        }
        let sort = match sort.map(str::trim).filter(|s| !s.is_empty()) {
            None => sorts.default,
            Some(raw) => {
                let (name, desc) = raw.strip_prefix('-').map_or((raw, false), |n| (n, true));
                let field = sorts.allowed.iter().find(|a| **a == name).ok_or_else(|| {
                    AppError::field(
                        "sort",
                        format!(
                            "cannot sort by `{name}`; use one of: {}",
                            sorts.allowed.join(", ")
                        ),
                    )
                })?;
                (*field, desc)
            }
        };
        let q = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        Ok(Listing {
            page,
            per_page,
            sort,
            q,
        })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }

    pub fn order(&self) -> sea_orm::Order {
        if self.sort.1 {
            sea_orm::Order::Desc
        } else {
            sea_orm::Order::Asc
        }
    }
}

/// `LOWER(column) LIKE '%text%'`: a case-insensitive "contains", with the LIKE wildcards
/// in `text` taken literally.
pub fn contains(column: impl IntoColumnRef, text: &str) -> Expr {
    Expr::expr(Func::lower(Expr::col(column)))
        .like(LikeExpr::new(contains_pattern(text)).escape('\\'))
}

fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SORTS: Sorts = Sorts {
        allowed: &["name", "created_at"],
        default: ("name", false),
    };

    #[test]
    fn defaults_and_checks() {
        let l = Listing::parse(None, None, None, Some("  "), &SORTS).unwrap();
        assert_eq!(
            (l.page, l.per_page, l.sort, l.q),
            (1, 25, ("name", false), None)
        );
        let l =
            Listing::parse(Some(3), Some(10), Some("-created_at"), Some(" a "), &SORTS).unwrap();
        assert_eq!(
            (l.offset(), l.sort, l.q.as_deref()),
            (20, ("created_at", true), Some("a"))
        );
        for (page, per_page, sort, field) in [
            (Some(0), None, None, "page"),
            (Some(u64::MAX), None, None, "page"),
            (None, Some(0), None, "per_page"),
            (None, Some(101), None, "per_page"),
            (None, None, Some("email"), "sort"),
        ] {
            let e = Listing::parse(page, per_page, sort, None, &SORTS).unwrap_err();
            assert!(e.field_error(field).is_some(), "{e:?}");
        }
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }
}
