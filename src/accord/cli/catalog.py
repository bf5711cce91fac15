"""Every ``accord`` command: its name, where it lives, and its one-line help.

The one place for the one-line help texts: ``accord --help`` prints them from here without
importing a command's module, which may pull in numpy, SQLAlchemy or C2PA.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    #: ``module:attribute``: a command function, or a ``typer.Typer`` of subcommands.
    target: str
    help: str


CATALOG = (
    Entry("hash", "accord.cli.hashing:hash_command", "Compute the signals of media files."),
    Entry("signals", "accord.cli.hashing:signals_command", "List the signal types."),
    Entry("match", "accord.cli.matching:match_command", "Match files against the banks."),
    Entry("scan", "accord.cli.matching:scan_command", "Hash and match many files, resumably."),
    Entry("verify", "accord.cli.verify:verify_command", "Check files' Content Credentials."),
    Entry("assess", "accord.cli.assess:assess_command", "Weigh the evidence about files."),
    Entry("eval", "accord.cli.evaluate:eval_command", "Measure assessments on labelled media."),
    Entry("transcribe", "accord.cli.speech:transcribe_command", "Transcribe speech, offline."),
    Entry("sign", "accord.cli.signing:sign_command", "Sign files with Content Credentials."),
    Entry("serve", "accord.cli.serving:serve_command", "Run the HTTP service."),
    Entry("db", "accord.cli.database:db_app", "Manage the service's database."),
    Entry("bank", "accord.cli.banks:bank_app", "Manage banks of known content."),
    Entry(
        "exchange",
        "accord.cli.exchanges:exchange_app",
        "Fetch other instances' shared banks (TAXII).",
    ),
    Entry("person", "accord.cli.persons:person_app", "Manage protected people."),
    Entry("election", "accord.cli.notices:election_app", "Elections, which set case urgency."),
    Entry("notices", "accord.cli.notices:notices_app", "Notices of deceptive content."),
    Entry("notifier", "accord.cli.erasure:notifier_app", "Erase a notifier's personal data."),
    Entry(
        "statements",
        "accord.cli.notices:statements_app",
        "Statements of reasons for the DSA Transparency Database.",
    ),
    Entry(
        "transparency",
        "accord.cli.transparency:transparency_app",
        "DSA transparency reports: the harmonised templates' files.",
    ),
    Entry("audit", "accord.cli.audit:audit_app", "The audit log of every change."),
    Entry("backup", "accord.cli.backups:backup_command", "Back the instance up while it runs."),
    Entry("restore", "accord.cli.backups:restore_command", "Rebuild the instance from a backup."),
    Entry("webhook", "accord.cli.webhooks:webhook_app", "Webhooks that receive actions."),
    Entry("outbox", "accord.cli.webhooks:outbox_app", "Messages to webhooks, by state."),
    Entry("alert", "accord.cli.alerts:alert_app", "Who is told of incidents, and how."),
    Entry("org", "accord.cli.accounts:org_app", "Organizations: authorities, platforms..."),
    Entry("user", "accord.cli.accounts:user_app", "Users and their roles."),
    Entry("key", "accord.cli.keys:key_app", "API keys for machine clients."),
    Entry("issuer", "accord.cli.issuers:issuer_app", "Issuers: who signs Content Credentials."),
    Entry("record", "accord.cli.signing:record_app", "Provenance records of files signed here."),
    Entry(
        "guard",
        "accord.cli.guard:guard_app",
        "The generation gate: screen prompts, stamp outputs, bans.",
    ),
)
