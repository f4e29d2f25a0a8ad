//! The feature-count and uniqueness checks, shared by every parser and by
//! [`FeatureFile::validate`](crate::FeatureFile::validate).

use std::borrow::Cow;
use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::Position;
use crate::error::{ErrorKind, Problem};
use crate::limits::Limits;
use crate::model::check_name;

/// Admits features one at a time, refusing the first one past the limit, a bad name or a
/// duplicate, before the caller builds (allocates) anything for it.
pub(crate) struct FeatureSet<'a> {
    limits: Limits,
    seen: HashMap<Cow<'a, str>, Seen<'a>, RandomState>,
}

struct Seen<'a> {
    index: usize,
    position: Position,
    /// The ClickHouse `database` of the row, named in duplicate messages (the 18 Nov shape).
    database: Option<Cow<'a, str>>,
}

impl<'a> FeatureSet<'a> {
    /// A set sized for about `expected` features (a hint from the input: a line count, a declared
    /// count), never more than the limit allows.
    pub(crate) fn new(limits: &Limits, expected: usize) -> Self {
        FeatureSet {
            limits: *limits,
            seen: HashMap::with_capacity_and_hasher(
                expected
                    .min(limits.max_features)
                    .min(crate::limits::MAX_FEATURES),
                RandomState::default(),
            ),
        }
    }

    /// Refuses the feature if the limit is already reached; call it as soon as a feature starts.
    pub(crate) fn check_room(&self) -> Result<(), Problem> {
        if self.seen.len() >= self.limits.max_features {
            return Err(Problem::new(
                ErrorKind::TooManyFeatures,
                format!(
                    "too many features: the limit is {}",
                    self.limits.max_features
                ),
            ));
        }
        Ok(())
    }

    /// Admits a feature named `name`, found at `position`.
    pub(crate) fn admit(
        &mut self,
        name: impl Into<Cow<'a, str>>,
        position: Position,
        database: Option<Cow<'a, str>>,
    ) -> Result<(), Problem> {
        self.check_room()?;
        let name = name.into();
        check_name(&name, &self.limits)?;
        if let Some(first) = self.seen.get(&name) {
            return Err(duplicate(
                &name,
                first,
                position,
                self.seen.len(),
                database.as_deref(),
            ));
        }
        let index = self.seen.len();
        self.seen.insert(
            name,
            Seen {
                index,
                position,
                database,
            },
        );
        Ok(())
    }

    /// Refuses a file with no feature.
    pub(crate) fn finish(&self) -> Result<(), Problem> {
        if self.seen.is_empty() {
            return Err(Problem::new(
                ErrorKind::NoFeatures,
                format!(
                    "no features: a feature file needs 1 to {} features",
                    self.limits.max_features
                ),
            ));
        }
        Ok(())
    }
}

#[cold]
fn duplicate(
    name: &str,
    first: &Seen<'_>,
    position: Position,
    index: usize,
    database: Option<&str>,
) -> Problem {
    let mut message = format!(
        "duplicate feature `{name}`: {} and {} define it; names must be unique",
        describe(first.position, first.index),
        describe(position, index)
    );
    if first.database.is_some() || database.is_some() {
        message.push_str(&format!(
            " (database `{}`, then database `{}`)",
            first.database.as_deref().unwrap_or("?"),
            database.unwrap_or("?")
        ));
    }
    Problem::new(ErrorKind::DuplicateName, message)
}

fn describe(position: Position, index: usize) -> String {
    match position {
        Position::File => format!("feature #{index}"),
        Position::LineCol { line, .. } => format!("line {line}"),
        Position::Row(row) => format!("row {row}"),
        Position::Offset(offset) => format!("the feature at byte {offset}"),
    }
}
