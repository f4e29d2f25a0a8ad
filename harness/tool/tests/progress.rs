//! Live progress: one line per running run, read from its log as libFuzzer writes it.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use cargo_harness::progress::Board;

#[test]
fn one_line_per_running_run_with_its_latest_figures() {
    let dir = std::env::temp_dir().join(format!("harness-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("a.log");
    std::fs::write(
        &log,
        "#4096\tpulse  cov: 120 ft: 300 corp: 45/1200b exec/s: 2048 rss: 40Mb\n",
    )
    .unwrap();
    let board = Board::default();
    board.start("parse_text", log.clone(), Duration::from_secs(30));
    board.start_at(
        "round",
        dir.join("none.log"),
        Instant::now(),
        Duration::from_secs(60),
        2,
    );
    let lines = board.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let text = lines.iter().find(|l| l.contains("parse_text")).unwrap();
    assert!(
        text.contains("/30 s") && text.contains("2048 exec/s"),
        "{text}"
    );
    assert!(
        text.contains("cov 120") && text.contains("corp 45"),
        "{text}"
    );
    let round = lines.iter().find(|l| l.contains("round")).unwrap();
    assert!(
        round.contains("findings 2") && round.contains("? exec/s"),
        "{round}"
    );
    board.finish("parse_text");
    assert_eq!(board.lines().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
