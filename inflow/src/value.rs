//! What can be a field value or a tag value.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use crate::line_protocol::{EncodeError, FieldSlot, TagSlot};

/// A type that can be the value of a field: the unmarked fields of a `#[derive(Measurement)]`
/// struct.
///
/// Implemented for `f64`, `f32`, `i8`…`i64`, `isize`, `u8`…`u64`, `usize`, `bool`, `str`,
/// `String`, `Cow<str>`, `Box<str>`, `Rc<str>`, `Arc<str>`, [`Value`](crate::Value), references
/// to them and `Option` of them (`None` leaves the field out of the point).
///
/// Implement it for your own types by writing one value into the slot:
///
/// ```
/// use inflow::{FieldValue, Measurement, Precision, line_protocol::{self, EncodeError, FieldSlot}};
///
/// struct Celsius(f64);
///
/// impl FieldValue for Celsius {
///     fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
///         field.float(self.0)
///     }
/// }
///
/// #[derive(Measurement)]
/// struct Weather {
///     temperature: Celsius,
/// }
///
/// let line = line_protocol::to_line(&Weather { temperature: Celsius(-3.5) }, Precision::Seconds)?;
/// assert!(line.starts_with("weather temperature=-3.5 "));
/// # Ok::<(), EncodeError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an InfluxDB field value",
    label = "not a supported field type",
    note = "supported: f64, f32, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, bool, String, &str, Cow<str>, Box<str>, Rc<str>, Arc<str>, and Option of each",
    note = "mark the field `#[inflow(tag)]`, `#[inflow(timestamp)]` or `#[inflow(skip)]` if it is not a field, or implement `inflow::FieldValue` for your type"
)]
pub trait FieldValue {
    /// Writes this value into `field`, or leaves the field out with [`FieldSlot::absent`].
    ///
    /// # Errors
    ///
    /// When the value (or the key) cannot be represented in line protocol.
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError>;
}

/// A type that can be the value of a tag: `#[inflow(tag)]` fields.
///
/// Implemented for `str`, `String`, `Cow<str>`, `Box<str>`, `Rc<str>`, `Arc<str>`, references
/// to them and `Option` of them. An empty string or `None` leaves the tag out of the point
/// (InfluxDB rejects empty tag values and reads a missing tag as `""`).
///
/// Implement it for your own types, typically an enum of known values:
///
/// ```
/// use inflow::{Measurement, Precision, TagValue, line_protocol::{self, EncodeError, TagSlot}};
///
/// enum Room { Kitchen, Attic }
///
/// impl TagValue for Room {
///     fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
///         tag.str(match self {
///             Room::Kitchen => "kitchen",
///             Room::Attic => "attic",
///         })
///     }
/// }
///
/// #[derive(Measurement)]
/// struct Temperature {
///     #[inflow(tag)]
///     room: Room,
///     value: f64,
/// }
///
/// for (room, name) in [(Room::Kitchen, "kitchen"), (Room::Attic, "attic")] {
///     let line = line_protocol::to_line(&Temperature { room, value: 20.5 }, Precision::Seconds)?;
///     assert!(line.starts_with(&format!("temperature,room={name} value=20.5 ")));
/// }
/// # Ok::<(), EncodeError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an InfluxDB tag value",
    label = "not a supported tag type",
    note = "tags are strings: String, &str, Cow<str>, Box<str>, Rc<str>, Arc<str>, and Option of each",
    note = "implement `inflow::TagValue` for your type to write it as a tag"
)]
pub trait TagValue {
    /// Writes this value into `tag`, or leaves the tag out with [`TagSlot::absent`].
    ///
    /// # Errors
    ///
    /// When the value (or the key) cannot be represented in line protocol.
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError>;
}

macro_rules! field_value {
    ($method:ident as $wide:ty: $($ty:ty),*) => {$(
        impl FieldValue for $ty {
            #[inline]
            fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
                field.$method(<$wide>::from(*self))
            }
        }
    )*};
}

field_value!(integer as i64: i8, i16, i32, i64);
field_value!(unsigned as u64: u8, u16, u32, u64);
field_value!(float as f64: f64);
field_value!(float32 as f32: f32);
field_value!(boolean as bool: bool);

impl FieldValue for isize {
    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        // isize is at most 64 bits on every platform Rust supports.
        field.integer(*self as i64)
    }
}

impl FieldValue for usize {
    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        field.unsigned(*self as u64)
    }
}

impl FieldValue for str {
    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        field.string(self)
    }
}

impl TagValue for str {
    #[inline]
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(self)
    }
}

/// Implements a value trait for types that hold their value behind `Deref` (`String`,
/// `&T`, `Box<T>`, `Arc<T>`, ...) by delegating to the target.
macro_rules! through_deref {
    ($trait:ident :: $method:ident($slot:ident)) => {
        impl $trait for String {
            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                self.as_str().$method(slot)
            }
        }
        through_deref!(@generic $trait::$method($slot) for &T, &mut T, Box<T>, Rc<T>, Arc<T>);

        impl<T: ?Sized + $trait + ToOwned> $trait for Cow<'_, T> {
            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                (**self).$method(slot)
            }
        }
    };
    (@generic $trait:ident :: $method:ident($slot:ident) for $($ty:ty),*) => {$(
        impl<T: ?Sized + $trait> $trait for $ty {
            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                (**self).$method(slot)
            }
        }
    )*};
}

through_deref!(FieldValue::write_field(FieldSlot));
through_deref!(TagValue::write_tag(TagSlot));

impl<T: FieldValue> FieldValue for Option<T> {
    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        match self {
            Some(value) => value.write_field(field),
            None => {
                field.absent();
                Ok(())
            }
        }
    }
}

impl<T: TagValue> TagValue for Option<T> {
    #[inline]
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        match self {
            Some(value) => value.write_tag(tag),
            None => {
                tag.absent();
                Ok(())
            }
        }
    }
}
