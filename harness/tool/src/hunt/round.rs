//! One libFuzzer round of a hunt, with the plain target beside it over the same corpus.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::policy::{Round, Stop};
use super::{Confirmation, Hunt, replay};
use crate::error::Error;
use crate::logs::{self, Ending};
use crate::process;

/// How a round ended: the hunt target's ending and saved input (`None`: cut short by the plain
/// target's finding), and the plain target's, when it failed beside it.
pub(super) struct RoundEnd {
    pub(super) main: Option<(Ending, Option<PathBuf>)>,
    pub(super) side: Option<(Ending, Option<PathBuf>)>,
}

impl Hunt<'_> {
    /// The plain target's run beside `round`: libFuzzer's own mutations and length control on
    /// the default stack, over the same corpus (libFuzzer rereads it every second, so each
    /// side's finds feed the other), its crashes saved under its own prefix.
    fn plain_side(&self, round: &Round) -> Option<Command> {
        let bin = self.plain_bin.filter(|_| round.plain_side)?;
        let mut cmd = Command::new(bin);
        cmd.arg(&self.corpus)
            .arg(format!("-max_total_time={}", round.seconds))
            .arg(format!("-timeout={}", replay::TIMEOUT_SECS))
            .arg("-rss_limit_mb=4096")
            .arg("-print_final_stats=1")
            .arg("-close_fd_mask=1")
            .arg(format!("-dict={}", self.dict.display()))
            .arg(format!(
                "-artifact_prefix={}/plain-",
                self.artifacts.display()
            ))
            .env("RUST_BACKTRACE", "0")
            .env("TMPDIR", self.work);
        Some(cmd)
    }

    /// Runs one libFuzzer round (and the plain target beside it, while the policy says so).
    pub(super) fn fuzz(&mut self, number: u32, round: &Round) -> Result<RoundEnd, Error> {
        let mut cmd = replay::on_stack(self.bin, round.stack);
        cmd.arg(&self.corpus)
            .args(replay::round_args(round, &self.dict, &self.artifacts))
            .env(
                harness::crash::KNOWN_PANICS_ENV,
                round.known_panics.join("\n"),
            )
            .env("RUST_BACKTRACE", "0")
            // Fork mode's own temp folder (its workers' corpora and logs) goes in ours, so a
            // killed round leaves nothing behind in /tmp.
            .env("TMPDIR", self.work);
        let last_input = self.kept.join("last-input");
        // In-process rounds keep only what could overflow: nothing at all when traced (the tool
        // copies the input that died from the process), else the risky inputs.
        let trace = (!round.fork && !round.keep_every && crate::trace::wanted())
            .then_some(last_input.as_path());
        if round.fork {
            cmd.env(
                harness::keep::LAST_INPUT_ENV,
                self.kept.join("last-%p").display().to_string(),
            );
            eprintln!(
                "== fork mode for {}s: hunting on past crashes",
                round.seconds
            );
        } else {
            cmd.env(harness::keep::LAST_INPUT_ENV, &last_input);
        }
        if !round.keep_every {
            let keep = if trace.is_some() {
                harness::keep::KEEP_TRACED
            } else {
                harness::keep::KEEP_RISKY
            };
            cmd.env(harness::keep::KEEP_ENV, keep);
        }
        let began = Instant::now();
        let log = self.work.join(format!("round-{number}.log"));
        let side_log = self.work.join(format!("plain-{number}.log"));
        let limit = self.left().saturating_add(Duration::from_secs(15));
        let name = if round.fork { "fork round" } else { "round" };
        self.board.start_at(
            name,
            log.clone(),
            self.start,
            Duration::from_secs(self.opts.seconds),
            self.findings.len(),
        );
        let side = self.plain_side(round).map(|cmd| (cmd, side_log.as_path()));
        let result = process::run_pair(cmd, &log, trace, side, limit);
        self.board.finish(name);
        self.fuzz_seconds += began.elapsed().as_secs_f64();
        let ended = result?;
        self.partner_seconds += ended.side_ran.as_secs_f64();
        // Its inputs however it ended: killed with the round (the usual end), its log's last
        // status line counts them.
        let partner_runs = logs::read(&ended.side_log, false).runs.unwrap_or(0);
        self.partner_runs = self.partner_runs.saturating_add(partner_runs);
        let side = ended.side.and_then(|(side_ended, text)| {
            let summary = logs::read(&text, side_ended.success());
            (!side_ended.success()).then_some((summary.ending, summary.artifact))
        });
        let (main_ended, text) = ended.main;
        let summary = logs::read(&text, main_ended.success());
        self.runs = self.runs.saturating_add(summary.runs.unwrap_or(0));
        // Killed because the plain target failed first: no ending of its own to read.
        let cut_short = side.is_some() && main_ended.status.is_none();
        Ok(RoundEnd {
            main: (!cut_short).then_some((summary.ending, summary.artifact)),
            side,
        })
    }

    /// The plain target failed beside a round: its first finding, confirmed and saved like any,
    /// ends its share (as a plain hunt stops at its first).
    pub(super) fn after_plain_side(
        &mut self,
        number: u32,
        ending: &Ending,
        artifact: Option<PathBuf>,
    ) -> Result<Option<Stop>, Error> {
        let input = artifact
            .filter(|p| p.exists())
            .and_then(|p| std::fs::read(p).ok());
        if !self.policy.after_plain_side(ending, input.is_some()) {
            eprintln!(
                "== the plain target beside the hunt ended ({}); the hunt goes on alone",
                ending.class()
            );
            return Ok(None);
        }
        let at = self.start.elapsed().as_secs_f64();
        let found = self.work.join(format!("found-plain-{number}"));
        std::fs::write(&found, input.unwrap_or_default()).map_err(|e| Error::io(&found, e))?;
        let finding = self.report_one(ending, &found, at)?;
        let confirmed = matches!(finding.confirmation, Confirmation::Confirmed(_));
        let wanted = self.wanted(&finding);
        self.findings.push(finding);
        Ok(self.policy.after_finding(ending, confirmed, wanted).1)
    }
}
