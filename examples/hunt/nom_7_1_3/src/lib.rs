//! A `key = value` config reader as one is written with nom 7 and its verbose errors: lines of
//! `key = value`, and a failure reported with `nom::error::convert_error` (which pads the caret
//! to the error's column with a format width: past 65,535 columns the width is out of range).

use nom::branch::alt;
use nom::bytes::complete::take_while1;
use nom::character::complete::{char, line_ending, space0};
use nom::combinator::{all_consuming, opt};
use nom::error::VerboseError;
use nom::multi::separated_list0;
use nom::sequence::{delimited, separated_pair, terminated};
use nom::IResult;

type Res<'a, T> = IResult<&'a str, T, VerboseError<&'a str>>;

fn word(s: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_alphanumeric() || c == '_' || c == '.')(s)
}

fn line(s: &str) -> Res<'_, (&str, &str)> {
    separated_pair(word, delimited(space0, char('='), space0), alt((word, space0)))(s)
}

fn file(s: &str) -> Res<'_, Vec<(&str, &str)>> {
    all_consuming(terminated(separated_list0(line_ending, line), opt(line_ending)))(s)
}

/// Reads `text`; a failure is rendered as the user would see it.
pub fn read(text: &str) -> Result<usize, String> {
    match file(text) {
        Ok((_, lines)) => Ok(lines.len()),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(nom::error::convert_error(text, e)),
        Err(nom::Err::Incomplete(_)) => Err("incomplete".into()),
    }
}
