//! The per-request buffer: preallocated for the feature limit, reused across requests, and
//! filled without a single heap allocation.

use std::fmt;

use super::table::{FeatureTable, SlotId};
use crate::limits::Limits;
use crate::model::{FeatureType, Value, ValueRef};

/// Why a buffer operation was refused. None of them is a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The table has more features than the buffer has slots: the 18 Nov 2025 overflow, as a
    /// value instead of a panic.
    CapacityExceeded {
        /// Features in the table.
        needed: usize,
        /// Slots in the buffer.
        capacity: usize,
    },
    /// The slot is not in the table.
    NoSuchSlot(usize),
    /// The buffer holds another table's features (call `append_with_names` first).
    WrongTable {
        /// Generation of the table the buffer was filled for.
        filled_for: Option<u64>,
        /// Generation of the table given.
        table: u64,
    },
    /// The value is not of the slot's type.
    TypeMismatch {
        /// The slot's feature.
        feature: String,
        /// The slot's type.
        expected: FeatureType,
    },
    /// A string longer than the slot's `str(N)`.
    StringTooLong {
        /// The slot's feature.
        feature: String,
        /// Bytes given.
        len: usize,
        /// The slot's N.
        max: u16,
    },
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CapacityExceeded { needed, capacity } => {
                write!(
                    f,
                    "table has {needed} features: the buffer has {capacity} slots"
                )
            }
            Self::NoSuchSlot(i) => write!(f, "no slot {i} in the table"),
            Self::WrongTable { filled_for, table } => write!(
                f,
                "buffer was filled for table generation {filled_for:?}, not for generation {table}: call append_with_names first"
            ),
            Self::TypeMismatch { feature, expected } => {
                write!(
                    f,
                    "feature `{feature}` is {expected}: the value is of another type"
                )
            }
            Self::StringTooLong { feature, len, max } => {
                write!(
                    f,
                    "feature `{feature}` is str({max}): the value is {len} bytes long"
                )
            }
        }
    }
}

impl std::error::Error for RuntimeError {}

/// A slot's current value: a scalar copied in, a string in the arena, or the table's default.
#[derive(Clone, Copy, Debug)]
enum Cell {
    Default,
    Scalar(ValueRef<'static>),
    Str { len: usize },
}

/// One request's feature values. Make one per worker and reuse it: after the first request on a
/// table, [`append_with_names`](Self::append_with_names), [`set`](Self::set) and
/// [`get`](Self::get) allocate nothing.
#[derive(Debug)]
pub struct RequestBuffer {
    cells: Vec<Cell>,
    capacity: usize,
    arena: Vec<u8>,
    filled_for: Option<u64>,
}

impl RequestBuffer {
    /// A buffer with one slot per feature the limits allow, allocated now.
    pub fn new(limits: &Limits) -> Self {
        RequestBuffer {
            cells: Vec::with_capacity(limits.max_features.min(crate::limits::MAX_SLOTS)),
            capacity: limits.max_features.min(crate::limits::MAX_SLOTS),
            arena: Vec::new(),
            filled_for: None,
        }
    }

    /// Starts a request on `table`: every slot holds its default (or none). Refuses, instead of
    /// overflowing, a table with more features than the buffer has slots. The arena grows only
    /// when a table needs more string space than any before it.
    pub fn append_with_names(&mut self, table: &FeatureTable) -> Result<(), RuntimeError> {
        self.filled_for = None;
        self.cells.clear();
        if table.len() > self.capacity {
            return Err(RuntimeError::CapacityExceeded {
                needed: table.len(),
                capacity: self.capacity,
            });
        }
        if self.arena.len() < table.arena_len() {
            self.arena.resize(table.arena_len(), 0);
        }
        self.cells
            .extend(std::iter::repeat_n(Cell::Default, table.len()));
        self.filled_for = Some(table.generation());
        Ok(())
    }

    fn check_table(&self, table: &FeatureTable) -> Result<(), RuntimeError> {
        if self.filled_for != Some(table.generation()) || self.cells.len() != table.len() {
            return Err(RuntimeError::WrongTable {
                filled_for: self.filled_for,
                table: table.generation(),
            });
        }
        Ok(())
    }

    /// Sets `slot` for this request, type-checked against the table.
    pub fn set(
        &mut self,
        table: &FeatureTable,
        slot: SlotId,
        value: ValueRef<'_>,
    ) -> Result<(), RuntimeError> {
        self.check_table(table)?;
        let feature = table
            .feature(slot)
            .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
        if !value.has_type(feature.ty) {
            return Err(RuntimeError::TypeMismatch {
                feature: feature.name.to_string(),
                expected: feature.ty,
            });
        }
        let cell = match value {
            ValueRef::Str(s) => {
                let FeatureType::Str(max) = feature.ty else {
                    return Err(RuntimeError::TypeMismatch {
                        feature: feature.name.to_string(),
                        expected: feature.ty,
                    });
                };
                if s.len() > usize::from(max) {
                    return Err(RuntimeError::StringTooLong {
                        feature: feature.name.to_string(),
                        len: s.len(),
                        max,
                    });
                }
                let start = table
                    .arena_offset(slot)
                    .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
                let region = start
                    .checked_add(s.len())
                    .and_then(|end| self.arena.get_mut(start..end))
                    .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
                region.copy_from_slice(s.as_bytes());
                Cell::Str { len: s.len() }
            }
            scalar => Cell::Scalar(
                scalar
                    .scalar()
                    .ok_or(RuntimeError::NoSuchSlot(slot.index()))?,
            ),
        };
        let target = self
            .cells
            .get_mut(slot.index())
            .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
        *target = cell;
        Ok(())
    }

    /// The value of `slot` for this request: what was set, else the default, else `None`.
    pub fn get<'a>(
        &'a self,
        table: &'a FeatureTable,
        slot: SlotId,
    ) -> Result<Option<ValueRef<'a>>, RuntimeError> {
        self.check_table(table)?;
        let cell = self
            .cells
            .get(slot.index())
            .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
        Ok(match *cell {
            Cell::Default => table
                .feature(slot)
                .and_then(|f| f.default.as_ref())
                .map(Value::as_value_ref),
            Cell::Scalar(v) => Some(v),
            Cell::Str { len } => {
                let start = table
                    .arena_offset(slot)
                    .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
                let bytes = start
                    .checked_add(len)
                    .and_then(|end| self.arena.get(start..end))
                    .ok_or(RuntimeError::NoSuchSlot(slot.index()))?;
                // Only whole `&str`s are copied in, so this is UTF-8; an error is still not a panic.
                std::str::from_utf8(bytes).ok().map(ValueRef::Str)
            }
        })
    }

    /// Number of slots filled for the current request.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no table has been appended.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}
