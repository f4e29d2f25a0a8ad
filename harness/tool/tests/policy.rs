//! The hunt's decisions, without libFuzzer: every transition of `hunt::Policy`, on synthetic
//! endings and on the recorded logs of `tests/logs/`. Each test runs in microseconds.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use cargo_harness::hunt::{AfterRound, Onward, Policy, Stop};
use cargo_harness::hunt::{DEFAULT_STACK, MAX_HUNTED_STACK, MAX_UNCONFIRMED, SMALL_STACK};
use cargo_harness::logs::{self, Ending};

/// The next round with `left` seconds of a long hunt left, past its probes.
trait Left {
    fn next_round_left(&self, left: u64) -> Result<cargo_harness::hunt::Round, Stop>;
}

impl Left for Policy {
    fn next_round_left(&self, left: u64) -> Result<cargo_harness::hunt::Round, Stop> {
        self.next_round(1_000_000 - left, 1_000_000)
    }
}

fn recorded(name: &str) -> Ending {
    let text = std::fs::read_to_string(format!("{}/tests/logs/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    logs::read(&text, name == "clean-exit.log").ending
}

fn panic(message: &str) -> Ending {
    Ending::Panic {
        message: message.into(),
        location: "src/lib.rs:1:1".into(),
    }
}

/// A finding the policy is told about after its confirmation.
fn found(policy: &mut Policy, ending: &Ending, confirmed: bool) -> (Onward, Option<Stop>) {
    assert_eq!(policy.after_round(ending, true), AfterRound::Confirm);
    policy.after_finding(ending, confirmed, false)
}

#[test]
fn a_round_in_process_gets_everything_left_and_fork_mode_holds_a_third_back() {
    let mut policy = Policy::new(false, false);
    let round = policy.next_round_left(60).unwrap();
    assert_eq!(
        (round.seconds, round.fork, round.stack),
        (60, false, SMALL_STACK)
    );
    found(&mut policy, &Ending::Timeout, true);
    assert!(policy.forking());
    // A third of what is left, at least 3 s and at most 30 s, is kept to sort the findings.
    assert_eq!(policy.next_round_left(60).unwrap().seconds, 40);
    assert_eq!(policy.next_round_left(300).unwrap().seconds, 270);
    assert_eq!(policy.next_round_left(6).unwrap().seconds, 3);
    assert!(policy.next_round_left(60).unwrap().fork);
}

#[test]
fn no_time_left_ends_the_hunt() {
    assert_eq!(
        Policy::new(false, false).next_round_left(0),
        Err(Stop::OutOfTime)
    );
    let mut fork = Policy::new(false, false);
    found(&mut fork, &Ending::Timeout, true);
    assert_eq!(fork.next_round_left(3), Err(Stop::OutOfTime));
}

#[test]
fn a_clean_round_goes_on_to_the_next_step() {
    let mut policy = Policy::new(false, false);
    assert_eq!(
        policy.after_round(&recorded("clean-exit.log"), false),
        AfterRound::Next
    );
}

#[test]
fn rounds_in_process_write_only_risky_inputs_until_a_death_leaves_none() {
    let mut policy = Policy::new(false, false);
    assert!(!policy.next_round_left(100).unwrap().keep_every);
    assert_eq!(
        policy.after_round(&Ending::Died, false),
        AfterRound::KeepEvery
    );
    assert!(policy.next_round_left(90).unwrap().keep_every);
    // Keeping every input, a death without one is final.
    assert_eq!(
        policy.after_round(&Ending::Died, false),
        AfterRound::Unconfirmed
    );
}

#[test]
fn fork_mode_and_the_plain_hunt_write_every_input() {
    let mut policy = Policy::new(false, false);
    let heap = recorded("oom-malloc.log");
    found(&mut policy, &heap, true);
    let round = policy.next_round_left(100).unwrap();
    assert!(round.fork && round.keep_every);
    // The plain target writes nothing down: its death without an input is final at once.
    let mut plain = Policy::new(true, false);
    assert!(plain.next_round_left(100).unwrap().keep_every);
    assert_eq!(
        plain.after_round(&Ending::Died, false),
        AfterRound::Unconfirmed
    );
}

#[test]
fn a_panic_is_looked_past_in_process_from_then_on() {
    let mut policy = Policy::new(false, false);
    let ending = recorded("panic-capacity-overflow.log");
    assert!(matches!(ending, Ending::Panic { .. }));
    assert_eq!(found(&mut policy, &ending, true), (Onward::LookPast, None));
    assert_eq!(policy.known_panics(), [ending.signature()]);
    let round = policy.next_round_left(30).unwrap();
    assert!(!round.fork && round.known_panics == [ending.signature()]);
    // A second, different panic is a new finding; the same one again goes to fork mode.
    assert_eq!(
        found(&mut policy, &panic("another"), true),
        (Onward::LookPast, None)
    );
    assert_eq!(policy.after_round(&ending, true), AfterRound::Again);
    assert!(policy.forking());
}

#[test]
fn a_panic_with_other_numbers_is_the_same_bug() {
    let mut policy = Policy::new(false, false);
    found(&mut policy, &panic("index 7 out of range"), true);
    assert_eq!(
        policy.after_round(&panic("index 9 out of range"), true),
        AfterRound::Again
    );
}

#[test]
fn a_broken_oracle_is_looked_past_like_a_panic() {
    let mut policy = Policy::new(false, false);
    let ending = Ending::Violation("roundtrip: not the same".into());
    assert_eq!(found(&mut policy, &ending, true), (Onward::LookPast, None));
    assert_eq!(policy.known_panics(), [ending.signature()]);
}

#[test]
fn an_unbounded_recursion_moves_the_hunt_to_the_default_stack_and_a_second_to_fork_mode() {
    let mut policy = Policy::new(false, false);
    let overflow = recorded("stack-overflow-sigsegv.log");
    assert_eq!(overflow.class(), cargo_harness::logs::Class::StackOverflow);
    assert_eq!(
        found(&mut policy, &overflow, true),
        (Onward::DefaultStack, None)
    );
    assert_eq!(policy.stack(), DEFAULT_STACK);
    assert!(!policy.forking());
    // Overflowing the default stack again is the same finding: fork mode takes over.
    assert_eq!(policy.after_round(&Ending::Died, true), AfterRound::Again);
    assert!(policy.forking());
}

#[test]
fn an_overflow_a_depth_limit_explains_doubles_the_stack_until_four_mib() {
    let mut policy = Policy::new(false, false);
    let mut stack = SMALL_STACK;
    while stack.saturating_mul(2) <= MAX_HUNTED_STACK {
        // Unconfirmed: the same depth is not remembered as a finding.
        assert_eq!(
            found(&mut policy, &Ending::StackOverflow, false),
            (Onward::LargerStack, None)
        );
        stack *= 2;
        assert_eq!(policy.stack(), stack);
        assert_eq!(policy.next_round_left(30).unwrap().stack, stack);
    }
    assert_eq!(
        found(&mut policy, &Ending::StackOverflow, false),
        (Onward::GiveUpOverflows, None)
    );
    assert_eq!(policy.stack(), DEFAULT_STACK);
    assert!(!policy.forking());
}

#[test]
fn a_depth_limit_measured_moves_the_stack_past_it_at_once() {
    let mut policy = Policy::new(false, false);
    // serde_yaml 0.8.3 behind yaml-rust 0.4.5: the flow-mapping limit overflows 64 KiB and runs
    // clean on 256 KiB; hunted on with 512 KiB at once, not 128 KiB and another round.
    policy.depth_limit_needs(Some(4 * SMALL_STACK));
    assert_eq!(
        found(&mut policy, &Ending::StackOverflow, false),
        (Onward::LargerStack, None)
    );
    assert_eq!(policy.stack(), 8 * SMALL_STACK);
    // The measure is used once: an overflow not measured doubles.
    assert_eq!(
        found(&mut policy, &Ending::StackOverflow, false),
        (Onward::LargerStack, None)
    );
    assert_eq!(policy.stack(), 16 * SMALL_STACK);
    // A measure below the doubled stack never shrinks it.
    policy.depth_limit_needs(Some(SMALL_STACK));
    found(&mut policy, &Ending::StackOverflow, false);
    assert_eq!(policy.stack(), 32 * SMALL_STACK);
    // Needing more than MAX_HUNTED_STACK / 2, or overflowing every stack up to it: given up.
    policy.depth_limit_needs(Some(MAX_HUNTED_STACK));
    assert_eq!(
        found(&mut policy, &Ending::StackOverflow, false),
        (Onward::GiveUpOverflows, None)
    );
    assert_eq!(policy.stack(), DEFAULT_STACK);
    let mut policy = Policy::new(false, false);
    policy.depth_limit_needs(None);
    assert_eq!(
        found(&mut policy, &Ending::StackOverflow, false),
        (Onward::GiveUpOverflows, None)
    );
}

#[test]
fn a_confirmed_overflow_on_the_default_stack_goes_to_fork_mode() {
    let mut policy = Policy::new(false, false);
    found(&mut policy, &Ending::StackOverflow, false);
    let mut doubled = policy.clone();
    // From the default stack (after giving up on overflows), a confirmed one cannot be looked past.
    while doubled.stack() != DEFAULT_STACK {
        found(&mut doubled, &Ending::StackOverflow, false);
    }
    assert_eq!(
        found(&mut doubled, &Ending::StackOverflow, true),
        (Onward::Fork, None)
    );
    assert!(doubled.forking());
}

#[test]
fn heap_hang_and_other_crashes_go_to_fork_mode() {
    for ending in [
        recorded("oom-malloc.log"),
        recorded("timeout.log"),
        Ending::Crash("deadly signal".into()),
        Ending::Allocation("memory allocation of 9 bytes failed".into()),
    ] {
        let mut policy = Policy::new(false, false);
        assert_eq!(
            found(&mut policy, &ending, true),
            (Onward::Fork, None),
            "{ending:?}"
        );
        assert!(policy.forking());
        assert!(policy.known_panics().is_empty());
    }
}

#[test]
fn the_plain_target_stops_at_its_first_finding_confirmed_or_not() {
    for confirmed in [true, false] {
        let mut plain = Policy::new(true, false);
        let (_, stop) = found(&mut plain, &panic("x"), confirmed);
        assert_eq!(stop, Some(Stop::PlainFound));
    }
}

#[test]
fn the_wanted_finding_ends_the_hunt_in_either_mode() {
    let mut policy = Policy::new(false, false);
    assert_eq!(
        policy.after_round(&Ending::Timeout, true),
        AfterRound::Confirm
    );
    assert_eq!(
        policy.after_finding(&Ending::Timeout, true, true),
        (Onward::Fork, Some(Stop::Wanted))
    );
    assert_eq!(policy.next_round_left(60), Err(Stop::Wanted));
    let mut fork = Policy::new(false, false);
    found(&mut fork, &Ending::Timeout, true);
    assert_eq!(fork.after_fork_finding(false), None);
    assert_eq!(fork.after_fork_finding(true), Some(Stop::Wanted));
    assert_eq!(fork.after_fork_round(60), Some(Stop::Wanted));
}

#[test]
fn fork_mode_replays_each_candidate_once_and_at_most_sixty_four() {
    let mut policy = Policy::new(false, false);
    assert!(policy.fork_candidate("a"));
    assert!(!policy.fork_candidate("a"));
    for i in 0..63 {
        assert!(policy.fork_candidate(&format!("c{i}")));
    }
    assert!(!policy.fork_candidate("one too many"));
}

#[test]
fn fork_mode_reports_each_distinct_failure_once() {
    let mut policy = Policy::new(false, false);
    assert!(!policy.fork_ending(&Ending::Clean));
    assert!(policy.fork_ending(&Ending::Timeout));
    assert!(!policy.fork_ending(&Ending::Timeout));
    assert!(policy.fork_ending(&panic("a")));
    // What an in-process round reported is not reported again by fork mode.
    found(&mut policy, &panic("b"), true);
    assert!(!policy.fork_ending(&panic("b")));
}

#[test]
fn a_heap_or_hang_finding_that_fails_confirmation_leaves_its_class_open_to_other_inputs() {
    let mut policy = Policy::new(false, false);
    let heap = Ending::Allocation("memory allocation of 300000000 bytes failed".into());
    // A claimed length the raised cap holds: unconfirmed, and the next input is still tried.
    assert!(policy.fork_ending(&heap));
    for _ in 1..MAX_UNCONFIRMED {
        policy.unconfirmed(&heap);
        assert!(policy.fork_ending(&heap));
    }
    // Unconfirmed that many times: looked past.
    policy.unconfirmed(&heap);
    assert!(!policy.fork_ending(&heap));
    // Confirmed, once is enough.
    assert!(policy.fork_ending(&Ending::Timeout));
    assert!(!policy.fork_ending(&Ending::Timeout));
    // A panic that does not reproduce is not tried again (only heap and hang are).
    assert!(policy.fork_ending(&panic("flaky")));
    policy.unconfirmed(&panic("flaky"));
    assert!(!policy.fork_ending(&panic("flaky")));
}

#[test]
fn time_left_after_sorting_goes_to_another_fork_round() {
    let mut policy = Policy::new(false, false);
    found(&mut policy, &Ending::Timeout, true);
    assert_eq!(policy.after_fork_round(10), None);
    assert_eq!(policy.after_fork_round(2), Some(Stop::OutOfTime));
}

#[test]
fn a_yaml_rust_like_hunt_in_sequence() {
    // A panic looked past, the recursion found on the small stack, the hunt on with the default
    // stack, the recursion met again there: fork mode, whose round holds time back.
    let mut policy = Policy::new(false, false);
    assert_eq!(found(&mut policy, &panic("p"), true).0, Onward::LookPast);
    assert_eq!(
        found(&mut policy, &Ending::Died, true).0,
        Onward::DefaultStack
    );
    let round = policy.next_round_left(50).unwrap();
    assert_eq!((round.stack, round.fork), (DEFAULT_STACK, false));
    assert_eq!(policy.after_round(&Ending::Died, true), AfterRound::Again);
    let round = policy.next_round_left(30).unwrap();
    assert_eq!((round.seconds, round.fork), (20, true));
    assert_eq!(round.known_panics.len(), 1);
}

#[test]
fn the_plain_target_runs_beside_the_hunt_until_its_first_finding() {
    let mut policy = Policy::new(false, true);
    assert!(policy.next_round_left(60).unwrap().plain_side);
    // Plain's first finding is confirmed like any; its share ends there, as a plain hunt does.
    assert!(policy.after_plain_side(&panic("shallow"), true));
    assert!(!policy.plain_side());
    assert!(!policy.next_round_left(60).unwrap().plain_side);
    assert_eq!(
        policy.after_finding(&panic("shallow"), true, false),
        (Onward::LookPast, None)
    );
    // The hunt target then looks past it, and meeting it again is no new finding.
    assert_eq!(policy.known_panics(), [panic("shallow").signature()]);
    assert_eq!(
        policy.after_round(&panic("shallow"), true),
        AfterRound::Again
    );
}

#[test]
fn a_plain_side_death_without_input_only_ends_its_share() {
    let mut policy = Policy::new(false, true);
    assert!(!policy.after_plain_side(&Ending::Died, false));
    assert!(!policy.plain_side());
    assert!(!policy.forking());
    // Nor does a finding the hunt already made count twice.
    let mut seen = Policy::new(false, true);
    found(&mut seen, &panic("p"), true);
    assert!(!seen.after_plain_side(&panic("p"), true));
}

#[test]
fn a_plain_hunt_has_no_plain_side_and_no_probe() {
    let policy = Policy::new(true, true);
    assert!(!policy.plain_side());
    // And runs on the default stack, as cargo-fuzz does.
    assert_eq!(policy.next_round(0, 60).unwrap().stack, DEFAULT_STACK);
    assert_eq!(
        Policy::new(false, true).next_round(0, 60).unwrap().stack,
        SMALL_STACK
    );
    assert_eq!(policy.next_probe_at(60), None);
    assert!(!policy.next_round(0, 60).unwrap().plain_side);
    assert_eq!(policy.next_round(0, 60).unwrap().seconds, 60);
}

#[test]
fn probes_run_at_a_tenth_and_a_third_of_the_budget_and_rounds_end_there() {
    let mut policy = Policy::new(false, false);
    assert_eq!(policy.next_probe_at(60), Some(6));
    assert_eq!(policy.next_probe_at(10), Some(3), "never before 3 s");
    assert_eq!(policy.next_round(0, 60).unwrap().seconds, 6);
    assert!(!policy.probe_due(5, 60));
    assert!(policy.probe_due(6, 60));
    policy.probe_done();
    assert_eq!(policy.next_probe_at(60), Some(20));
    assert_eq!(policy.next_round(7, 60).unwrap().seconds, 13);
    policy.probe_done();
    assert_eq!(policy.next_probe_at(60), None);
    assert_eq!(policy.next_round(21, 60).unwrap().seconds, 39);
}

#[test]
fn a_probe_finding_moves_the_stack_or_is_noted_but_never_forks() {
    let mut policy = Policy::new(false, false);
    assert!(policy.probe_ending(&Ending::StackOverflow));
    assert!(!policy.probe_ending(&Ending::StackOverflow));
    assert!(!policy.probe_ending(&Ending::Clean));
    assert_eq!(
        policy.after_probe_finding(&Ending::StackOverflow, true, false),
        (Onward::DefaultStack, None)
    );
    assert!(policy.probe_ending(&Ending::Timeout));
    assert_eq!(
        policy.after_probe_finding(&Ending::Timeout, true, false),
        (Onward::Noted, None)
    );
    assert!(!policy.forking());
    assert!(policy.probe_ending(&panic("long")));
    assert_eq!(
        policy.after_probe_finding(&panic("long"), true, true),
        (Onward::LookPast, Some(Stop::Wanted))
    );
    assert_eq!(policy.known_panics(), [panic("long").signature()]);
}

#[test]
fn an_unconfirmed_probe_overflow_does_not_hide_the_next_one() {
    // The probe's first overflow can be one a depth limit explains (or whose repeated run is
    // not the nesting); a later candidate's overflow of the same kind is still confirmed, on
    // the doubled stack.
    let mut policy = Policy::new(false, false);
    let small = policy.stack();
    assert!(policy.probe_ending(&Ending::StackOverflow));
    assert_eq!(
        policy.after_probe_finding(&Ending::StackOverflow, false, false),
        (Onward::LargerStack, None)
    );
    assert_eq!(policy.stack(), small * 2);
    assert!(policy.probe_ending(&Ending::StackOverflow));
    assert_eq!(
        policy.after_probe_finding(&Ending::StackOverflow, true, false),
        (Onward::DefaultStack, None)
    );
    assert!(!policy.probe_ending(&Ending::StackOverflow));
}
