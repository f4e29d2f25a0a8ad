//! The hunt's own mutations get at most a fifth of the time, however costly their mutants are,
//! and all the mutations they would have while as cheap as libFuzzer's.
#![allow(clippy::arithmetic_side_effects, clippy::cast_precision_loss)]

use harness::share::{Account, SHARE};

/// Runs `mutations` the way `harness::hunt::mutate` does: one in `every` is the harness's own
/// when the account allows it; an own mutant costs `own_cost`, libFuzzer's `cost`. Returns the
/// account and how many own mutants were made.
fn simulate(mutations: u64, every: u64, cost: u64, own_cost: u64) -> (Account, u64) {
    let account = Account::new();
    let (mut now, mut own_made) = (0u64, 0u64);
    for i in 0..mutations {
        let own = i % every == 0 && account.allows_own();
        account.made(now, own);
        own_made += u64::from(own);
        now += if own { own_cost } else { cost };
    }
    (account, own_made)
}

fn limit() -> f64 {
    SHARE.0 as f64 / SHARE.1 as f64
}

#[test]
fn costly_own_mutants_are_held_to_the_share() {
    for own_cost in [2, 10, 1_000] {
        let (account, own_made) = simulate(100_000, 6, 100, 100 * own_cost);
        let share = account.own_share();
        assert!(
            share <= limit() + 0.01,
            "own mutants {own_cost}x as costly took {share:.3} of the time"
        );
        // Held to the share, not starved: they still take most of it.
        assert!(
            share >= limit() - 0.05,
            "own mutants {own_cost}x as costly took only {share:.3}"
        );
        assert!(own_made > 0);
    }
}

#[test]
fn cheap_own_mutants_keep_their_whole_count() {
    // As costly as libFuzzer's: one in six is theirs, under the fifth, and none is held back.
    let (account, own_made) = simulate(60_000, 6, 100, 100);
    assert_eq!(own_made, 10_000);
    assert!((account.own_share() - 1.0 / 6.0).abs() < 0.001);
}

#[test]
fn the_first_mutant_is_allowed_and_costs_only_once_the_next_is_made() {
    let account = Account::new();
    assert!(account.allows_own());
    account.made(1_000, true);
    // Nothing booked yet: the mutant's cost is known only when the next one is made.
    assert_eq!(account.own_share(), 0.0);
    account.made(1_500, false);
    assert_eq!(account.own_share(), 1.0);
    assert!(!account.allows_own());
    account.made(4_000, false);
    // The own mutant's cost over all of it: a sixth, within the share.
    assert!((account.own_share() - 500.0 / 3_000.0).abs() < 1e-9);
    assert!(account.allows_own());
}

#[test]
fn a_clock_that_steps_back_books_nothing() {
    let account = Account::new();
    account.made(5_000, true);
    account.made(4_000, false);
    assert_eq!(account.own_share(), 0.0);
    assert!(account.allows_own());
}
