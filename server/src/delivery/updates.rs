//! Many deliveries' changes in few statements. Rows whose changes set the same columns
//! are written by one `UPDATE … WHERE id IN (…)`: a value every row shares is set as
//! is, the others through `CASE id WHEN … THEN … END`. A batch of outcomes then costs a
//! handful of round trips instead of one per delivery.

use crate::{db::entities::delivery, error::ServiceResult};
use sea_orm::{
    sea_query::{CaseStatement, Expr, ExprTrait},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iden, QueryFilter, QueryTrait, Value,
};
use std::collections::HashSet;
use uuid::Uuid;

/// Rows per statement: bounds the statement's size and its bound values.
pub const PER_STATEMENT: usize = 100;

/// One row's changes, column by column.
type Row = (Uuid, Vec<(delivery::Column, Set)>);

/// What one column of a row becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum Set {
    To(Value),
    /// One less than it is (an attempt that did not happen).
    Decrement,
}

impl Set {
    pub fn to(v: impl Into<Value>) -> Self {
        Set::To(v.into())
    }

    fn expr(&self, column: delivery::Column) -> Expr {
        match self {
            Set::To(v) => Expr::value(v.clone()),
            Set::Decrement => Expr::col(column).sub(1),
        }
    }
}

/// The changes to write, each with the condition its row must still meet.
#[derive(Default)]
pub struct Updates {
    rows: Vec<Row>,
}

impl Updates {
    pub fn push(&mut self, id: Uuid, set: Vec<(delivery::Column, Set)>) {
        self.rows.push((id, set));
    }

    /// Writes every change, to the rows that still meet `guard` (held by the same
    /// owner, in the status they were read in). Returns the rows written.
    pub async fn write(
        self,
        db: &impl ConnectionTrait,
        guard: Condition,
    ) -> ServiceResult<HashSet<Uuid>> {
        // Rows grouped by the columns they set.
        let mut shapes: Vec<(Vec<String>, Vec<Row>)> = Vec::new();
        for (id, set) in self.rows {
            let shape: Vec<String> = set.iter().map(|(c, _)| c.to_string()).collect();
            match shapes.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, rows)) => rows.push((id, set)),
                None => shapes.push((shape, vec![(id, set)])),
            }
        }
        let mut written = HashSet::new();
        for (_, rows) in shapes {
            for chunk in rows.chunks(PER_STATEMENT) {
                let mut update = statement(chunk)
                    .filter(delivery::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
                    .filter(guard.clone())
                    .into_query();
                update.returning_col(delivery::Column::Id);
                for row in db.query_all(&update).await? {
                    written.insert(row.try_get::<Uuid>("", "id")?);
                }
            }
        }
        Ok(written)
    }
}

/// One `UPDATE` for rows that set the same columns, in the same order.
fn statement(
    rows: &[(Uuid, Vec<(delivery::Column, Set)>)],
) -> sea_orm::UpdateMany<delivery::Entity> {
    let mut update = delivery::Entity::update_many();
    let Some((_, first)) = rows.first() else {
        return update;
    };
    for (i, (column, value)) in first.iter().enumerate() {
        let shared = rows.iter().all(|(_, set)| set[i].1 == *value);
        let expr = if shared {
            value.expr(*column)
        } else {
            let case = rows.iter().fold(CaseStatement::new(), |case, (id, set)| {
                case.case(delivery::Column::Id.eq(*id), set[i].1.expr(*column))
            });
            Expr::Case(Box::new(case.finally(Expr::col(*column))))
        };
        update = update.col_expr(*column, expr);
    }
    update
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn shared_values_are_set_once_and_others_by_id() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        use delivery::Column as C;
        let rows = vec![
            (
                a,
                vec![
                    (C::Error, Set::to(Some("x".to_owned()))),
                    (C::Attempts, Set::Decrement),
                ],
            ),
            (
                b,
                vec![
                    (C::Error, Set::to(Some("y".to_owned()))),
                    (C::Attempts, Set::Decrement),
                ],
            ),
        ];
        let sql = statement(&rows).build(DbBackend::Postgres).to_string();
        assert!(sql.contains(r#""attempts" = "attempts" - "#), "{sql}");
        assert!(sql.contains("CASE WHEN"), "{sql}");
        assert_eq!(sql.matches("WHEN").count(), 2, "{sql}");
    }
}
