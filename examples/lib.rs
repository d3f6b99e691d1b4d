//! Runnable examples of `inflow`; see the `[[example]]` entries of this package.
