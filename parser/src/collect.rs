//! The feature-count and uniqueness checks, shared by every parser and by
//! [`FeatureFile::validate`](crate::FeatureFile::validate).

use std::borrow::Cow;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::Position;
use crate::error::{ErrorKind, Problem};
use crate::limits::Limits;
use crate::model::check_name;

/// Admits features one at a time, refusing the first one past the limit, a bad name or a
/// duplicate, before the caller builds (allocates) anything for it.
///
/// The hash table holds only indices into `seen` (4 bytes a slot, one probe per name): it was a
/// third of a binary decode as a `HashMap` of names to their origin.
pub(crate) struct FeatureSet<'a> {
    limits: Limits,
    hasher: RandomState,
    table: HashTable<u32>,
    seen: Vec<Seen<'a>>,
}

struct Seen<'a> {
    name: Cow<'a, str>,
    position: Position,
    /// The ClickHouse `database` of the row, named in duplicate messages (the 18 Nov shape).
    database: Option<Cow<'a, str>>,
}

impl<'a> FeatureSet<'a> {
    /// A set sized for about `expected` features (a hint from the input: a line count, a declared
    /// count), never more than the limit allows.
    pub(crate) fn new(limits: &Limits, expected: usize) -> Self {
        let reserve = expected
            .min(limits.max_features)
            .min(crate::limits::MAX_FEATURES);
        FeatureSet {
            limits: *limits,
            hasher: RandomState::default(),
            table: HashTable::with_capacity(reserve),
            seen: Vec::with_capacity(reserve),
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
        let Ok(index) = u32::try_from(self.seen.len()) else {
            return Err(Problem::new(
                ErrorKind::TooManyFeatures,
                "too many features to index",
            ));
        };
        let FeatureSet {
            hasher,
            table,
            seen,
            ..
        } = self;
        let name_of = |i: &u32| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| seen.get(i))
                .map(|s| &*s.name)
        };
        let entry = table.entry(
            hasher.hash_one(&*name),
            |i| name_of(i) == Some(&*name),
            |i| hasher.hash_one(name_of(i).unwrap_or_default()),
        );
        match entry {
            Entry::Occupied(first) => {
                let first_index = usize::try_from(*first.get()).unwrap_or_default();
                Err(duplicate(
                    &name,
                    seen.get(first_index),
                    first_index,
                    position,
                    seen.len(),
                    database.as_deref(),
                ))
            }
            Entry::Vacant(slot) => {
                slot.insert(index);
                seen.push(Seen {
                    name,
                    position,
                    database,
                });
                Ok(())
            }
        }
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
    first: Option<&Seen<'_>>,
    first_index: usize,
    position: Position,
    index: usize,
    database: Option<&str>,
) -> Problem {
    let (first_at, first_database) = match first {
        Some(first) => (first.position, first.database.as_deref()),
        None => (Position::File, None),
    };
    let mut message = format!(
        "duplicate feature `{name}`: {} and {} define it; names must be unique",
        describe(first_at, first_index),
        describe(position, index)
    );
    if first_database.is_some() || database.is_some() {
        message.push_str(&format!(
            " (database `{}`, then database `{}`)",
            first_database.unwrap_or("?"),
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
