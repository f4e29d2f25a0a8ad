//! The reference's name rules: a name seen anywhere before is a duplicate, the 201st is one too
//! many, and spelling is checked — whatever order the names come in.
#![allow(clippy::unwrap_used)]

use botfeat::ErrorKind;
use testkit::spec::Names;

#[test]
fn a_duplicate_is_refused_wherever_its_first_was() {
    let mut names = Names::default();
    for n in ["zeta", "alpha", "mid", "beta"] {
        names.admit(n).unwrap();
    }
    for n in ["zeta", "alpha", "mid", "beta"] {
        assert_eq!(names.admit(n), Err(ErrorKind::DuplicateName), "{n}");
    }
    assert_eq!(names.len(), 4);
    names.admit("alphb").unwrap();
    assert_eq!(names.admit("Bad"), Err(ErrorKind::BadName));
}

#[test]
fn two_hundred_names_fit_and_the_next_is_one_too_many() {
    let mut names = Names::default();
    for i in (0..200).rev() {
        names.admit(&format!("f{i}")).unwrap();
    }
    assert_eq!(names.len(), 200);
    assert_eq!(names.admit("g"), Err(ErrorKind::TooManyFeatures));
    assert_eq!(names.admit("f7"), Err(ErrorKind::TooManyFeatures));
}
