//! Validation: every rule a feature file must follow (count, names, uniqueness, string sizes,
//! defaults), used by every format's reader as it reads and by
//! [`FeatureFile::validate`](crate::FeatureFile::validate) for a model built in code.

use std::borrow::Cow;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::Position;
use crate::error::{ErrorKind, Problem};
use crate::limits::Limits;
use crate::model::{Feature, FeatureFile, FeatureType, ValueRef};

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
            Entry::Occupied(first) => match usize::try_from(*first.get()) {
                Ok(first) => Err(self.duplicate(name, first, position, index, database.as_deref())),
                // Every stored index came from a usize: a failure here is our slip, and the
                // feature is still refused (as the duplicate it is).
                Err(_) => Err(Problem::new(
                    ErrorKind::Internal,
                    "internal error: a stored feature index does not fit; this is a bug in botfeat, please report it with the file",
                )),
            },
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

/// The bytes a name may hold after its first: `[a-z0-9_]`.
// Evaluated at compile time: an index out of range would fail the build, never a parse.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
static NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0u8;
    loop {
        table[b as usize] = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        if b == u8::MAX {
            break table;
        }
        b += 1;
    }
};

/// Checks a name: `[a-z][a-z0-9_]*`, 1 to `limits.max_name_len` bytes.
pub(crate) fn check_name(name: &str, limits: &Limits) -> Result<(), Problem> {
    if name.len() > limits.max_name_len {
        return Err(Problem::new(
            ErrorKind::NameTooLong,
            format!(
                "feature name is {} bytes long: the limit is {} bytes",
                name.len(),
                limits.max_name_len
            ),
        ));
    }
    let mut bytes = name.bytes();
    let starts_well = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    // One table lookup per byte, no early exit: names are short and almost always good.
    let rest_ok = bytes.fold(true, |ok, b| {
        ok & NAME_BYTE.get(usize::from(b)).copied().unwrap_or(false)
    });
    if !starts_well || !rest_ok {
        return Err(Problem::new(
            ErrorKind::BadName,
            format!(
                "bad feature name {:?}: expected [a-z][a-z0-9_]* (a lowercase letter, then lowercase letters, digits or '_')",
                crate::shown::cut(name)
            ),
        ));
    }
    Ok(())
}

/// Checks the `N` of `str(N)`.
pub(crate) fn check_string_size(n: u64, limits: &Limits) -> Result<u16, Problem> {
    let max = limits.max_string_len.min(usize::from(u16::MAX));
    match usize::try_from(n) {
        Ok(n_usize) if n_usize >= 1 && n_usize <= max => u16::try_from(n_usize).map_err(|_| {
            Problem::new(
                ErrorKind::BadStringSize,
                format!("str({n}): expected str(1) to str({max})"),
            )
        }),
        _ => Err(Problem::new(
            ErrorKind::BadStringSize,
            format!("str({n}): expected str(1) to str({max})"),
        )),
    }
}

/// Checks that a default fits its feature's type: matching variant, finite floats, string
/// length within `N`. Takes the borrowed form so a decoder checks a value before copying it.
#[inline]
pub(crate) fn check_value(value: ValueRef<'_>, ty: FeatureType) -> Result<(), Problem> {
    if !value.has_type(ty) {
        return Err(Problem::new(
            ErrorKind::InvalidValue,
            format!("default is not a value of type {ty}"),
        ));
    }
    match (value, ty) {
        (ValueRef::F32(v), _) if !v.is_finite() => Err(non_finite(ty)),
        (ValueRef::F64(v), _) if !v.is_finite() => Err(non_finite(ty)),
        (ValueRef::Str(s), FeatureType::Str(n)) => check_string_len(s, n),
        _ => Ok(()),
    }
}

pub(crate) fn check_string_len(s: &str, n: u16) -> Result<(), Problem> {
    if s.len() > usize::from(n) {
        return Err(Problem::new(
            ErrorKind::StringTooLong,
            format!(
                "string default is {} bytes long: the type str({n}) allows at most {n}",
                s.len()
            ),
        ));
    }
    Ok(())
}

#[cold]
pub(crate) fn non_finite(ty: FeatureType) -> Problem {
    Problem::new(
        ErrorKind::NonFiniteFloat,
        format!(
            "{ty} default is not finite: expected a finite number (no NaN, no infinity, within the range of {ty})"
        ),
    )
}

impl FeatureFile {
    /// Checks everything every parser checks: 1 to `max_features` features, names, uniqueness,
    /// types and defaults. Writers call it so that they never emit a file the parsers refuse.
    pub fn validate(&self, limits: &Limits) -> Result<(), crate::Error> {
        let mut set = FeatureSet::new(limits, self.features.len());
        for (index, feature) in self.features.iter().enumerate() {
            set.admit(
                feature.name.as_str(),
                crate::Position::File,
                None,
                &self.features,
            )
            .map_err(|p| feature_problem(p, index))?;
            if let FeatureType::Str(n) = feature.ty {
                check_string_size(u64::from(n), limits).map_err(|p| feature_problem(p, index))?;
            }
            if let Some(value) = &feature.default {
                check_value(value.as_value_ref(), feature.ty)
                    .map_err(|p| feature_problem(p, index))?;
            }
        }
        set.finish().map_err(|p| p.at(crate::Position::File))
    }
}

/// Errors from [`FeatureFile::validate`] have no position in any input, so they name the
/// feature's index in the message.
fn feature_problem(p: Problem, index: usize) -> crate::Error {
    crate::Error::new(
        p.kind,
        crate::Position::File,
        format!("feature #{index}: {}", p.message),
    )
}
