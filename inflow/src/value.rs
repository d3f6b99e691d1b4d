//! What can be a field value or a tag value.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use crate::FieldType;
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
    /// The line-protocol type every value of this type is written as, or `None` when it
    /// depends on the value (as for [`Value`](crate::Value)). `#[derive(Measurement)]` puts it
    /// in the [`Schema`](crate::Schema), where
    /// [`Client::verify_schema`](crate::Client::verify_schema) compares it with the server's.
    ///
    /// Defaults to `None`; a type that always writes one type should say which:
    ///
    /// ```
    /// use inflow::{FieldType, FieldValue, line_protocol::{EncodeError, FieldSlot}};
    ///
    /// struct Celsius(f64);
    ///
    /// impl FieldValue for Celsius {
    ///     const TYPE: Option<FieldType> = Some(FieldType::Float);
    ///
    ///     fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
    ///         field.float(self.0)
    ///     }
    /// }
    ///
    /// assert_eq!(Celsius::TYPE, Some(FieldType::Float));
    /// # let _ = Celsius(21.5);
    /// ```
    const TYPE: Option<FieldType> = None;

    /// Writes this value into `field`, or leaves the field out with [`FieldSlot::absent`].
    ///
    /// # Errors
    ///
    /// When the value (or the key) cannot be represented in line protocol.
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError>;
}

/// A type that can be the value of a tag: `#[inflow(tag)]` fields.
///
/// Implemented for `str`, `String`, `Cow<str>`, `Box<str>`, `Rc<str>`, `Arc<str>`, the integers
/// `i8`…`i64`, `isize`, `u8`…`u64`, `usize`, `bool` and `char`, references to them and `Option`
/// of them. An empty string or `None` leaves the tag out of the point (InfluxDB rejects empty tag
/// values and reads a missing tag as `""`).
///
/// A tag is always text on the wire: an integer is written in decimal (`-7`), a `bool` as
/// `true` or `false`, a `char` as itself, escaped like any other tag text. A `char` that no tag
/// can hold (a line feed, or a backslash, which would end the value) is the same
/// [`EncodeError`] as the same text in a `String`. Query results read these texts back into
/// the same types (see [`FromTagValue`](crate::query::FromTagValue)).
///
/// ```
/// use inflow::{Measurement, Precision, line_protocol::{self, EncodeError}};
///
/// #[derive(Measurement)]
/// struct Reading {
///     #[inflow(tag)]
///     floor: i8,
///     #[inflow(tag)]
///     outdoor: bool,
///     #[inflow(tag)]
///     wing: char,
///     value: f64,
/// }
///
/// let reading = Reading { floor: -1, outdoor: false, wing: 'B', value: 1.5 };
/// let line = line_protocol::to_line(&reading, Precision::Seconds)?;
/// assert!(line.starts_with("reading,floor=-1,outdoor=false,wing=B value=1.5 "));
/// # Ok::<(), EncodeError>(())
/// ```
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
    note = "supported: String, &str, Cow<str>, Box<str>, Rc<str>, Arc<str>, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, bool, char, and Option of each",
    note = "for a unit-only enum of tag values, add `#[derive(inflow::TagValue)]` to it; for another type, implement `inflow::TagValue`"
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
    ($method:ident as $wide:ty, $type:ident: $($ty:ty),*) => {$(
        impl FieldValue for $ty {
            const TYPE: Option<FieldType> = Some(FieldType::$type);

            #[inline]
            fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
                field.$method(<$wide>::from(*self))
            }
        }
    )*};
}

field_value!(integer as i64, Integer: i8, i16, i32, i64);
// Written as signed integers: InfluxDB 1.x has no unsigned type.
field_value!(unsigned as u64, Integer: u8, u16, u32, u64);
field_value!(float as f64, Float: f64);
field_value!(float32 as f32, Float: f32);
field_value!(boolean as bool, Boolean: bool);

impl FieldValue for isize {
    const TYPE: Option<FieldType> = Some(FieldType::Integer);

    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        // isize is at most 64 bits on every platform Rust supports.
        field.integer(*self as i64)
    }
}

impl FieldValue for usize {
    const TYPE: Option<FieldType> = Some(FieldType::Integer);

    #[inline]
    fn write_field(&self, field: FieldSlot<'_, '_>) -> Result<(), EncodeError> {
        field.unsigned(*self as u64)
    }
}

impl FieldValue for str {
    const TYPE: Option<FieldType> = Some(FieldType::String);

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

/// Integer tags are written as their decimal text, formatted on the stack.
macro_rules! integer_tag {
    ($($ty:ty),*) => {$(
        impl TagValue for $ty {
            #[inline]
            fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
                tag.str(itoa::Buffer::new().format(*self))
            }
        }
    )*};
}

integer_tag!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl TagValue for bool {
    #[inline]
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(if *self { "true" } else { "false" })
    }
}

impl TagValue for char {
    #[inline]
    fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
        tag.str(self.encode_utf8(&mut [0; 4]))
    }
}

/// Implements a value trait for types that hold their value behind `Deref` (`String`,
/// `&T`, `Box<T>`, `Arc<T>`, ...) by delegating to the target; the items in brackets (for
/// `String`, then for a target `T`) are added to each impl.
macro_rules! through_deref {
    ($trait:ident :: $method:ident($slot:ident) [$($string_items:tt)*] [$($items:tt)*]) => {
        impl $trait for String {
            $($string_items)*

            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                self.as_str().$method(slot)
            }
        }
        through_deref!(@generic $trait::$method($slot) {$($items)*} for &T, &mut T, Box<T>, Rc<T>, Arc<T>);

        impl<T: ?Sized + $trait + ToOwned> $trait for Cow<'_, T> {
            $($items)*

            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                (**self).$method(slot)
            }
        }
    };
    (@generic $trait:ident :: $method:ident($slot:ident) $items:tt for $($ty:ty),*) => {$(
        impl<T: ?Sized + $trait> $trait for $ty {
            through_deref!(@items $items);

            #[inline]
            fn $method(&self, slot: $slot<'_, '_>) -> Result<(), EncodeError> {
                (**self).$method(slot)
            }
        }
    )*};
    (@items {$($items:tt)*}) => { $($items)* };
}

through_deref!(FieldValue::write_field(FieldSlot)
    [const TYPE: Option<FieldType> = <str as FieldValue>::TYPE;]
    [const TYPE: Option<FieldType> = T::TYPE;]);
through_deref!(TagValue::write_tag(TagSlot) [] []);

impl<T: FieldValue> FieldValue for Option<T> {
    const TYPE: Option<FieldType> = T::TYPE;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_protocol::{EncodeErrorKind, Line, to_line};
    use crate::{Measurement, Precision};

    /// A point whose only tag is `t`, holding `T`.
    struct Tagged<T>(T);

    impl<T: TagValue> Measurement for Tagged<T> {
        const SCHEMA: Option<crate::Schema> = None;

        fn measurement(&self) -> &str {
            "m"
        }

        fn encode(&self, line: &mut Line<'_>) -> Result<(), EncodeError> {
            line.measurement("m")?;
            self.0.write_tag(line.tag("t"))?;
            line.field("f").integer(1)?;
            line.timestamp(&crate::EpochTime::seconds(0))
        }
    }

    /// The tag's text as written (escaped), or `None` when the tag is left out.
    fn tag<T: TagValue>(value: T) -> Result<Option<String>, EncodeError> {
        let line = to_line(&Tagged(value), Precision::Seconds)?;
        let (series, _) = line.split_once(" f=1i ").unwrap_or_default();
        Ok(series.strip_prefix("m,t=").map(str::to_owned))
    }

    fn text<T: TagValue>(value: T) -> String {
        tag(value).unwrap().unwrap()
    }

    #[test]
    fn field_types_are_the_types_written() {
        fn ty<T: FieldValue + ?Sized>() -> Option<FieldType> {
            T::TYPE
        }
        let float = Some(FieldType::Float);
        let integer = Some(FieldType::Integer);
        let string = Some(FieldType::String);
        assert_eq!(
            [ty::<f64>(), ty::<f32>(), ty::<Option<&Box<f64>>>()],
            [float; 3]
        );
        assert_eq!(
            [
                ty::<i8>(),
                ty::<i16>(),
                ty::<i32>(),
                ty::<i64>(),
                ty::<isize>()
            ],
            [integer; 5]
        );
        // 1.x has no unsigned type: they are written as integers.
        assert_eq!(
            [
                ty::<u8>(),
                ty::<u16>(),
                ty::<u32>(),
                ty::<u64>(),
                ty::<usize>()
            ],
            [integer; 5]
        );
        assert_eq!(ty::<bool>(), Some(FieldType::Boolean));
        assert_eq!(
            [
                ty::<str>(),
                ty::<String>(),
                ty::<Cow<'_, str>>(),
                ty::<Box<str>>(),
                ty::<Rc<str>>(),
                ty::<Arc<str>>(),
                ty::<&mut String>(),
            ],
            [string; 7]
        );
        assert_eq!(ty::<crate::Value>(), None);
        assert_eq!(ty::<Option<crate::Value>>(), None);
    }

    #[test]
    fn field_type_names_are_the_servers() {
        for (ty, name) in [
            (FieldType::Float, "float"),
            (FieldType::Integer, "integer"),
            (FieldType::Unsigned, "unsigned"),
            (FieldType::String, "string"),
            (FieldType::Boolean, "boolean"),
        ] {
            assert_eq!(ty.as_str(), name);
            assert_eq!(ty.to_string(), name);
            assert_eq!(FieldType::from_name(name), Some(ty));
        }
        assert_eq!(FieldType::from_name("Float"), None);
        assert_eq!(FieldType::from_name(""), None);
    }

    #[test]
    fn integer_tags_are_written_in_decimal() {
        assert_eq!(text(0_u8), "0");
        assert_eq!(text(u8::MAX), "255");
        assert_eq!(text(i8::MIN), "-128");
        assert_eq!(text(i16::MIN), "-32768");
        assert_eq!(text(u16::MAX), "65535");
        assert_eq!(text(i32::MIN), "-2147483648");
        assert_eq!(text(u32::MAX), "4294967295");
        assert_eq!(text(i64::MIN), "-9223372036854775808");
        assert_eq!(text(i64::MAX), "9223372036854775807");
        assert_eq!(text(u64::MAX), "18446744073709551615");
        assert_eq!(text(-1_isize), "-1");
        assert_eq!(text(usize::MAX), usize::MAX.to_string());
        let reference: &u32 = &42;
        assert_eq!(text(reference), "42");
        assert_eq!(text(Some(-5_i64)), "-5");
        assert_eq!(tag(None::<u64>).unwrap(), None);
    }

    #[test]
    fn bool_and_char_tags_are_written_as_their_text() {
        assert_eq!(text(true), "true");
        assert_eq!(text(false), "false");
        assert_eq!(text('a'), "a");
        assert_eq!(text('é'), "é");
        assert_eq!(text('🦀'), "🦀");
        assert_eq!(text('"'), "\"");
        assert_eq!(text(Some('x')), "x");
    }

    #[test]
    fn char_tags_are_escaped_like_text() {
        assert_eq!(text(' '), r"\ ");
        assert_eq!(text(','), r"\,");
        assert_eq!(text('='), r"\=");
    }

    #[test]
    fn a_char_no_tag_can_hold_is_the_error_of_the_same_text() {
        for (c, kind) in [
            ('\n', EncodeErrorKind::LineFeed),
            ('\\', EncodeErrorKind::TrailingBackslash),
        ] {
            let err = tag(c).unwrap_err();
            assert_eq!(err.kind(), kind, "{c:?}");
            assert_eq!(err, tag(c.to_string()).unwrap_err(), "{c:?}");
            assert_eq!(err.key(), Some("t"));
        }
    }
}
