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
use crate::model::{Feature, check_name};

/// Admits features one at a time, refusing the first one past the limit, a bad name or a
/// duplicate, before the caller builds (allocates) anything for it.
///
/// It stores no names: its hash table holds indices into the caller's feature vector, where
/// every admitted feature is pushed before the next is admitted. Per feature it keeps only the
/// number that places it (line, row or byte offset) for duplicate messages. Each record it used
/// to keep (name, position, database) was built on the stack and copied, and that copy stalled on
/// store forwarding: the duplicate check was over a third of a binary decode.
pub(crate) struct FeatureSet<'a> {
    limits: Limits,
    hasher: RandomState,
    table: HashTable<u32>,
    /// Where each admitted feature is: the number inside its [`Position`].
    origins: Vec<u64>,
    /// The kind of position the parser reports (the same for every feature of one file).
    kind: PositionKind,
    /// ClickHouse `database` of the rows that have one, by index: the 18 Nov duplicate message
    /// names both databases.
    databases: Vec<(usize, Cow<'a, str>)>,
}

#[derive(Clone, Copy)]
enum PositionKind {
    File,
    Line,
    Row,
    Offset,
}

impl PositionKind {
    fn split(position: Position) -> (PositionKind, u64) {
        match position {
            Position::File => (PositionKind::File, 0),
            Position::LineCol { line, .. } => (PositionKind::Line, line),
            Position::Row(row) => (PositionKind::Row, row),
            Position::Offset(offset) => (PositionKind::Offset, offset),
        }
    }

    fn describe(self, origin: u64, index: usize) -> String {
        match self {
            PositionKind::File => format!("feature #{index}"),
            PositionKind::Line => format!("line {origin}"),
            PositionKind::Row => format!("row {origin}"),
            PositionKind::Offset => format!("the feature at byte {origin}"),
        }
    }
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
            origins: Vec::with_capacity(reserve),
            kind: PositionKind::File,
            databases: Vec::new(),
        }
    }

    /// Refuses the feature if the limit is already reached; call it as soon as a feature starts.
    pub(crate) fn check_room(&self) -> Result<(), Problem> {
        if self.origins.len() >= self.limits.max_features {
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

    /// Admits a feature named `name`, found at `position`. `earlier` is the caller's features so
    /// far: the one admitted `k`-th is `earlier[k]`.
    pub(crate) fn admit(
        &mut self,
        name: &str,
        position: Position,
        database: Option<Cow<'a, str>>,
        earlier: &[Feature],
    ) -> Result<(), Problem> {
        self.check_room()?;
        check_name(name, &self.limits)?;
        let index = self.origins.len();
        let Ok(slot) = u32::try_from(index) else {
            return Err(Problem::new(
                ErrorKind::TooManyFeatures,
                "too many features to index",
            ));
        };
        let name_of = |i: &u32| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| earlier.get(i))
                .map(|f| f.name.as_str())
        };
        let hasher = &self.hasher;
        let entry = self.table.entry(
            hasher.hash_one(name),
            |i| name_of(i) == Some(name),
            |i| hasher.hash_one(name_of(i).unwrap_or_default()),
        );
        let (kind, origin) = PositionKind::split(position);
        match entry {
            Entry::Occupied(first) => {
                let first = usize::try_from(*first.get()).unwrap_or_default();
                Err(self.duplicate(name, first, position, index, database.as_deref()))
            }
            Entry::Vacant(vacant) => {
                vacant.insert(slot);
                self.kind = kind;
                self.origins.push(origin);
                if let Some(database) = database {
                    if self.databases.capacity() == 0 {
                        // Rows carry a database on every line: one allocation, not a doubling.
                        self.databases.reserve(self.origins.capacity());
                    }
                    self.databases.push((index, database));
                }
                Ok(())
            }
        }
    }

    /// Refuses a file with no feature.
    pub(crate) fn finish(&self) -> Result<(), Problem> {
        if self.origins.is_empty() {
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

    #[cold]
    fn duplicate(
        &self,
        name: &str,
        first: usize,
        position: Position,
        index: usize,
        database: Option<&str>,
    ) -> Problem {
        let first_origin = self.origins.get(first).copied().unwrap_or_default();
        let (kind, origin) = PositionKind::split(position);
        let mut message = format!(
            "duplicate feature `{name}`: {} and {} define it; names must be unique",
            self.kind.describe(first_origin, first),
            kind.describe(origin, index)
        );
        let first_database = self
            .databases
            .iter()
            .find(|(i, _)| *i == first)
            .map(|(_, d)| &**d);
        if first_database.is_some() || database.is_some() {
            message.push_str(&format!(
                " (database `{}`, then database `{}`)",
                first_database.unwrap_or("?"),
                database.unwrap_or("?")
            ));
        }
        Problem::new(ErrorKind::DuplicateName, message)
    }
}
