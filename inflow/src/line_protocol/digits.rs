//! The end of a line: the timestamp between a space and the line feed.
//!
//! Every time since 2001-09-09 in nanoseconds has 19 digits, so almost every line a program
//! writes today ends with a 19-digit number. Those are written eight digits at a time into one
//! fixed-size piece (the space, the digits and the line feed: one constant-length copy); every
//! other value goes through `itoa`.
#![allow(clippy::cast_possible_truncation)] // every value cast down is known to fit

/// The smallest number of 19 digits.
const NINETEEN_DIGITS: i64 = 1_000_000_000_000_000_000;

/// Appends ` <units>\n`.
#[inline(always)]
pub(super) fn write_line_end(buf: &mut Vec<u8>, units: i64) {
    match u64::try_from(units) {
        Ok(n) if units >= NINETEEN_DIGITS => {
            // n < 2⁶³ < 10¹⁹: three digits, then two runs of eight.
            let top = n / 10_000_000_000_000_000;
            let rest = n % 10_000_000_000_000_000;
            // top < 1000, each run < 10⁸.
            let (top, high, low) = (
                top as u32,
                (rest / 100_000_000) as u32,
                (rest % 100_000_000) as u32,
            );
            let mut end = [0_u8; 21];
            end[0] = b' ';
            end[1] = b'0' + (top / 100) as u8;
            end[2..4].copy_from_slice(&PAIRS[(top % 100) as usize]);
            end[4..12].copy_from_slice(&eight_digits(high));
            end[12..20].copy_from_slice(&eight_digits(low));
            end[20] = b'\n';
            buf.extend_from_slice(&end);
        }
        _ => {
            buf.push(b' ');
            buf.extend_from_slice(itoa::Buffer::new().format(units).as_bytes());
            buf.push(b'\n');
        }
    }
}

/// The two digits of every number below 100.
const PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

/// The eight decimal digits of `n < 10⁸`, zero-padded, two at a time from a fixed-point
/// number: `n / 10⁶` with 32 fractional bits, rounded up (`(n × ⌈2⁴⁸ / 10⁶⌉ >> 16) + 1`).
/// Its integer part is the first pair, and each multiplication of the fraction by 100 brings
/// the next pair into the integer part. It must never be below `n / 10⁶` (a pair would come
/// out one too small), and its excess, under 2⁻³² + 10⁸ × 0.29 × 2⁻⁴⁸ ≈ 1.0 × 10⁻⁷, stays
/// below the 10⁻⁶ that would carry into a pair after three multiplications; the exhaustive
/// test checks every `n`.
#[inline(always)]
fn eight_digits(n: u32) -> [u8; 8] {
    debug_assert!(n < 100_000_000);
    const FRACTION: u64 = (1 << 32) - 1;
    let mut digits = [0; 8];
    let mut fixed = ((u64::from(n) * 281_474_977) >> 16) + 1;
    for pair in digits.as_chunks_mut::<2>().0 {
        *pair = PAIRS[(fixed >> 32) as usize];
        fixed = (fixed & FRACTION) * 100;
    }
    digits
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn line_end(units: i64) -> String {
        let mut buf = b"m f=1".to_vec();
        write_line_end(&mut buf, units);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn eight_digits_of_every_shape() {
        for n in [
            0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 10_001, 99_999, 100_000, 1_234_567,
            9_999_999, 10_000_000, 12_345_678, 43_698_999, 50_000_000, 90_909_090, 99_999_999,
        ] {
            assert_eq!(eight_digits(n), *format!("{n:08}").as_bytes(), "{n}");
        }
    }

    /// All 10⁸ of them, against a decimal counter.
    #[test]
    fn eight_digits_of_every_number_below_ten_to_the_eight() {
        let mut counter = *b"00000000";
        for n in 0..100_000_000 {
            if eight_digits(n) != counter {
                panic!("{n}: {:?}", String::from_utf8_lossy(&eight_digits(n)));
            }
            for digit in counter.iter_mut().rev() {
                if *digit == b'9' {
                    *digit = b'0';
                } else {
                    *digit += 1;
                    break;
                }
            }
        }
        assert_eq!(counter, *b"00000000", "the counter went round once");
    }

    #[test]
    fn line_ends_at_the_edges_of_nineteen_digits() {
        for units in [
            i64::MIN,
            -NINETEEN_DIGITS,
            -1,
            0,
            1,
            999_999_999_999_999_999,
            NINETEEN_DIGITS,
            NINETEEN_DIGITS + 1,
            1_000_000_000_100_000_000,
            1_099_999_999_999_999_999,
            1_700_000_000_000_000_000,
            1_999_999_999_999_999_999,
            9_000_000_000_000_000_009,
            9_223_372_036_854_775_806,
            i64::MAX,
        ] {
            assert_eq!(line_end(units), format!("m f=1 {units}\n"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn line_ends_are_written_as_itoa_writes_them(
            units in any::<i64>(),
            small in 0..NINETEEN_DIGITS,
        ) {
            prop_assert_eq!(line_end(units), format!("m f=1 {units}\n"));
            prop_assert_eq!(line_end(small), format!("m f=1 {small}\n"));
            let nineteen = NINETEEN_DIGITS + small;
            prop_assert_eq!(line_end(nineteen), format!("m f=1 {nineteen}\n"));
        }
    }
}
