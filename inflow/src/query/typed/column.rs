//! Column handles: one per tag and field of a measurement, typed by the measurement and the
//! Rust type of the column, so that a comparison with a value of another type, or an
//! operator the column's type does not have, does not compile.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use super::filter::{AnyColumns, Expr, Filter, FilterValue, Op, Role, TagsOnly};
use crate::query::Param;

/// Ties a handle to its measurement and Rust type without holding either (always `Send`,
/// `Sync` and `Copy`).
type Marker<M, T> = PhantomData<fn() -> (PhantomData<M>, PhantomData<T>)>;

/// The handle of a tag of `M` whose Rust type is `T`: compares with values of `T`'s kind.
///
/// Handles come from the columns the derive generates (the closure of
/// [`Select::filter`](super::Select::filter) receives them); a comparison builds a
/// [`Filter`]. Every value is sent as a bound parameter.
pub struct Tag<M, T: ?Sized> {
    key: &'static str,
    marker: Marker<M, T>,
}

/// The handle of a field of `M` whose Rust type is `T`: compares with values of `T`'s type;
/// only numeric fields order (`gt`, `lt`, ...), only string fields match a regex.
pub struct Field<M, T: ?Sized> {
    key: &'static str,
    marker: Marker<M, T>,
}

macro_rules! handle_impls {
    ($($handle:ident),*) => {$(
        impl<M, T: ?Sized> Clone for $handle<M, T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<M, T: ?Sized> Copy for $handle<M, T> {}

        impl<M, T: ?Sized> fmt::Debug for $handle<M, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($handle)).field(&self.key).finish()
            }
        }

        impl<M, T: ?Sized> $handle<M, T> {
            /// The handle of the column `key`. Generated code calls it.
            #[doc(hidden)]
            #[must_use]
            pub const fn __new(key: &'static str) -> Self {
                $handle { key, marker: PhantomData }
            }

            /// The column's key on the wire.
            #[must_use]
            pub const fn key(&self) -> &'static str {
                self.key
            }
        }
    )*};
}

handle_impls!(Tag, Field);

/// A Rust type of a tag that typed queries can compare: what a comparison takes, and the text
/// the tag holds for it, which must be the text the type's [`TagValue`](crate::TagValue)
/// writes.
///
/// Implemented for the text types (`String`, `str`, `Box<str>`, `Rc<str>`, `Arc<str>`,
/// `Cow<str>`, compared with a `&str`), the integers, `bool` and `char`,
/// references and `Option` of them, and by `#[derive(TagValue)]`. For a [`TagValue`] of your
/// own, implement it with [`tag_text`](crate::query::tag_text):
///
/// ```
/// use inflow::TagValue;
/// use inflow::line_protocol::{EncodeError, TagSlot};
/// use inflow::query::{TagColumn, tag_text};
///
/// #[derive(Clone, Copy)]
/// enum Room { Kitchen, Attic }
///
/// impl TagValue for Room {
///     fn write_tag(&self, tag: TagSlot<'_, '_>) -> Result<(), EncodeError> {
///         tag.str(match self { Room::Kitchen => "kitchen", Room::Attic => "attic" })
///     }
/// }
///
/// impl TagColumn for Room {
///     type Arg<'v> = Room;
///     fn tag_text(arg: Room) -> Result<String, String> {
///         tag_text(&arg)
///     }
/// }
/// assert_eq!(Room::tag_text(Room::Attic), Ok("attic".to_owned()));
/// assert_eq!(Room::tag_text(Room::Kitchen), Ok("kitchen".to_owned()));
/// ```
///
/// [`TagValue`]: crate::TagValue
#[diagnostic::on_unimplemented(
    message = "a tag of type `{Self}` cannot be compared in a typed query",
    label = "no typed comparison for this tag type",
    note = "for a unit-only enum of tag values, `#[derive(inflow::TagValue)]` implements it; for another TagValue type, implement `inflow::query::TagColumn` with `inflow::query::tag_text`"
)]
pub trait TagColumn {
    /// What a comparison takes: `&str` for the text types, the type itself otherwise (so
    /// that a literal takes the tag's type).
    type Arg<'v>;

    /// The tag's text for `arg` (empty for an absent tag).
    ///
    /// # Errors
    ///
    /// When the value cannot be written as a tag, naming why.
    fn tag_text(arg: Self::Arg<'_>) -> Result<String, String>;
}

/// The text a [`TagValue`](crate::TagValue) writes for `value`: what a tag holding it reads
/// back as (empty when the value leaves the tag out).
///
/// ```
/// assert_eq!(inflow::query::tag_text(&-7_i16), Ok("-7".to_owned()));
/// assert_eq!(inflow::query::tag_text(&Some("a,b c")), Ok("a,b c".to_owned()));
/// assert_eq!(inflow::query::tag_text(&None::<u8>), Ok(String::new()));
/// ```
///
/// # Errors
///
/// When the value cannot be written as a tag (a line feed, a trailing backslash), naming why.
pub fn tag_text<T: crate::TagValue + ?Sized>(value: &T) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut line = crate::line_protocol::Line::scratch(&mut buf);
    value
        .write_tag(line.tag("t"))
        .map_err(|err| err.to_string())?;
    // The line holds `,t=<escaped value>` or nothing: undo the tag escapes (`\,`, `\=`,
    // `\ `); every other backslash is written as it is.
    let escaped = buf.strip_prefix(b",t=").unwrap_or_default();
    let mut text = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        match (escaped[i], escaped.get(i + 1)) {
            (b'\\', Some(&next @ (b',' | b'=' | b' '))) => {
                text.push(next);
                i += 2;
            }
            (byte, _) => {
                text.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(text).map_err(|_| "the tag's text is not UTF-8".to_owned())
}

macro_rules! text_tags {
    ($($ty:ty),*) => {$(
        impl TagColumn for $ty {
            type Arg<'v> = &'v str;

            fn tag_text(arg: &str) -> Result<String, String> {
                Ok(arg.to_owned())
            }
        }
    )*};
}

text_tags!(String, str);

macro_rules! display_tags {
    ($($ty:ty),*) => {$(
        impl TagColumn for $ty {
            type Arg<'v> = $ty;

            fn tag_text(arg: $ty) -> Result<String, String> {
                Ok(arg.to_string())
            }
        }
    )*};
}

display_tags!(
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, bool, char
);

macro_rules! delegated {
    ($trait:ident $body:tt for $($ty:ty),*) => {$(
        impl<T: ?Sized + $trait> $trait for $ty $body
    )*};
}

delegated!(TagColumn {
    type Arg<'v> = T::Arg<'v>;

    fn tag_text(arg: T::Arg<'_>) -> Result<String, String> {
        T::tag_text(arg)
    }
} for &T, &mut T, Box<T>, Rc<T>, Arc<T>);

impl<T: TagColumn> TagColumn for Option<T> {
    type Arg<'v> = T::Arg<'v>;

    fn tag_text(arg: T::Arg<'_>) -> Result<String, String> {
        T::tag_text(arg)
    }
}

impl<T: ?Sized + TagColumn + ToOwned> TagColumn for Cow<'_, T> {
    type Arg<'v> = T::Arg<'v>;

    fn tag_text(arg: T::Arg<'_>) -> Result<String, String> {
        T::tag_text(arg)
    }
}

/// The kinds of field values, for what a field's type allows: [`Numeric`] fields order and
/// aggregate, [`Text`] fields match regexes, [`Boolean`] fields only compare for equality.
pub trait FieldKind: sealed::Sealed {}

/// Integer and float fields.
#[derive(Debug, Clone, Copy)]
pub enum Numeric {}
/// String fields.
#[derive(Debug, Clone, Copy)]
pub enum Text {}
/// Boolean fields.
#[derive(Debug, Clone, Copy)]
pub enum Boolean {}

impl FieldKind for Numeric {}
impl FieldKind for Text {}
impl FieldKind for Boolean {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Numeric {}
    impl Sealed for super::Text {}
    impl Sealed for super::Boolean {}
}

/// Field kinds that order: `gt`, `ge`, `lt`, `le`.
#[diagnostic::on_unimplemented(
    message = "only numeric fields compare with gt, ge, lt and le, and this field's values are `{Self}`",
    label = "not a numeric field"
)]
pub trait Ordered: FieldKind {}
impl Ordered for Numeric {}

/// Field kinds that match a regex.
#[diagnostic::on_unimplemented(
    message = "only string fields (and tags) match a regex, and this field's values are `{Self}`",
    label = "not a string field"
)]
pub trait Matched: FieldKind {}
impl Matched for Text {}

/// A Rust type of a field that typed queries can compare: what a comparison takes, and the
/// kind of the field's values.
#[diagnostic::on_unimplemented(
    message = "a field of type `{Self}` cannot be compared in a typed query",
    label = "no typed comparison for this field type",
    note = "typed queries compare fields of the integer types, f32, f64, bool and the string types, and Option of them"
)]
pub trait FieldColumn {
    /// What a comparison takes: `&str` for the string types, the type itself otherwise (so
    /// that a literal takes the field's type).
    type Arg<'v>: Into<Param>;
    /// Numeric, Text or Boolean.
    type Kind: FieldKind;
}

macro_rules! field_columns {
    ($kind:ident: $($ty:ty => $arg:ty),*) => {$(
        impl FieldColumn for $ty {
            type Arg<'v> = $arg;
            type Kind = $kind;
        }
    )*};
}

field_columns!(Numeric: i8 => i8, i16 => i16, i32 => i32, i64 => i64, isize => isize,
    u8 => u8, u16 => u16, u32 => u32, u64 => u64, usize => usize, f32 => f32, f64 => f64);
field_columns!(Boolean: bool => bool);
field_columns!(Text: String => &'v str, str => &'v str);

delegated!(FieldColumn {
    type Arg<'v> = T::Arg<'v>;
    type Kind = T::Kind;
} for &T, &mut T, Box<T>, Rc<T>, Arc<T>);

impl<T: FieldColumn> FieldColumn for Option<T> {
    type Arg<'v> = T::Arg<'v>;
    type Kind = T::Kind;
}

impl<T: ?Sized + FieldColumn + ToOwned> FieldColumn for Cow<'_, T> {
    type Arg<'v> = T::Arg<'v>;
    type Kind = T::Kind;
}

impl<M, T: ?Sized> Tag<M, T> {
    fn compare(self, op: Op, value: T::Arg<'_>) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        Filter::new(Expr::Compare {
            key: self.key,
            role: Role::Tag,
            op,
            value: FilterValue::tag(self.key, T::tag_text(value)),
        })
    }

    /// The tag equals `value` (`= ''` for an empty value: the tag is absent).
    #[must_use]
    pub fn eq(self, value: T::Arg<'_>) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        self.compare(Op::Eq, value)
    }

    /// The tag does not equal `value` (points without the tag match).
    #[must_use]
    pub fn ne(self, value: T::Arg<'_>) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        self.compare(Op::Ne, value)
    }

    /// The tag equals one of `values` (none: no point matches).
    #[must_use]
    pub fn in_<'v>(self, values: impl IntoIterator<Item = T::Arg<'v>>) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        values
            .into_iter()
            .fold(Expr::Const(false), |any, value| any.or(self.eq(value).expr))
            .into_filter()
    }

    /// The point has no such tag (InfluxDB stores no empty tag value).
    #[must_use]
    pub fn is_absent(self) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        self.compare_text(Op::Eq)
    }

    /// The point has the tag.
    #[must_use]
    pub fn is_present(self) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        self.compare_text(Op::Ne)
    }

    fn compare_text(self, op: Op) -> Filter<M, TagsOnly>
    where
        T: TagColumn,
    {
        Filter::new(Expr::Compare {
            key: self.key,
            role: Role::Tag,
            op,
            value: FilterValue::tag(self.key, Ok(String::new())),
        })
    }
}

impl<M, T: ?Sized> Tag<M, T> {
    /// The tag matches the regex `pattern` (RE2 syntax, as the server reads it; unanchored:
    /// use `^…$` for the whole text, and [`regex_escape`](crate::query::regex_escape) for a
    /// literal text).
    #[must_use]
    pub fn matches(self, pattern: impl AsRef<str>) -> Filter<M, TagsOnly> {
        Filter::new(Expr::regex(self.key, Role::Tag, false, pattern.as_ref()))
    }

    /// The tag does not match the regex `pattern` (points without the tag are tested as the
    /// empty text).
    #[must_use]
    pub fn not_matches(self, pattern: impl AsRef<str>) -> Filter<M, TagsOnly> {
        Filter::new(Expr::regex(self.key, Role::Tag, true, pattern.as_ref()))
    }
}

impl<M, T: ?Sized> Field<M, T> {
    fn compare(self, op: Op, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
    {
        Filter::new(Expr::Compare {
            key: self.key,
            role: Role::Field,
            op,
            value: FilterValue::field(self.key, value.into()),
        })
    }

    /// The field equals `value`.
    #[must_use]
    pub fn eq(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
    {
        self.compare(Op::Eq, value)
    }

    /// The field holds a value other than `value` (a point without the field matches neither
    /// `eq` nor `ne`).
    #[must_use]
    pub fn ne(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
    {
        self.compare(Op::Ne, value)
    }

    /// The field is greater than `value`.
    #[must_use]
    pub fn gt(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Ordered,
    {
        self.compare(Op::Gt, value)
    }

    /// The field is greater than or equal to `value`.
    #[must_use]
    pub fn ge(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Ordered,
    {
        self.compare(Op::Ge, value)
    }

    /// The field is less than `value`.
    #[must_use]
    pub fn lt(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Ordered,
    {
        self.compare(Op::Lt, value)
    }

    /// The field is less than or equal to `value`.
    #[must_use]
    pub fn le(self, value: T::Arg<'_>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Ordered,
    {
        self.compare(Op::Le, value)
    }

    /// The field equals one of `values` (none: no point matches).
    #[must_use]
    pub fn in_<'v>(self, values: impl IntoIterator<Item = T::Arg<'v>>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
    {
        values
            .into_iter()
            .fold(Expr::Const(false), |any, value| any.or(self.eq(value).expr))
            .into_filter()
    }

    /// The string field matches the regex `pattern` (RE2 syntax, unanchored).
    #[must_use]
    pub fn matches(self, pattern: impl AsRef<str>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Matched,
    {
        Filter::new(Expr::regex(self.key, Role::Field, false, pattern.as_ref()))
    }

    /// The string field holds a value that does not match the regex `pattern`.
    #[must_use]
    pub fn not_matches(self, pattern: impl AsRef<str>) -> Filter<M, AnyColumns>
    where
        T: FieldColumn,
        T::Kind: Matched,
    {
        Filter::new(Expr::regex(self.key, Role::Field, true, pattern.as_ref()))
    }
}
