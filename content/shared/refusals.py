"""Why the service refuses a command: every refusal's stable code and the sentence people read, in one
table. The service's reply carries both (`code`, `error`); the CLI, the console and the audit log show the
sentence, and a device may word a code its own way for the people in front of it (the kiosk's
`rate_limited`). The standard library only: devices import it.

A code never changes once devices know it; a sentence may. A sentence names its values in braces, and
the service fills them in (`sentence("no_ticket", ticket="Z999")`), so a refusal keeps the ticket
number or the limit it is about. The table holds each sentence's English id (the `shared` catalog);
`sentence` reads it in the hall's language (今天没有 Z999 号).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final

from content.shared.catalog import N_, domain

_ = domain("shared").gettext

SENTENCES: Final[Mapping[str, str]] = {
    # -- the command itself ----------------------------------------------------------------------
    "bad_id": N_("The command's id should be text of 1 to 64 characters"),
    "args_not_object": N_("The command's arguments (args) should be a JSON object, not {got}"),
    "unknown_command": N_("There is no command “{verb}”; the commands are: {known}"),
    "person_not_console": N_("Only the staff console's account may name who acts (person)"),
    "bad_person": N_(
        "Who acts (person) should be a login name: lowercase letters, digits, “.”, “_” and “-”, at most 32 characters"
    ),
    "bad_args": N_("Wrong arguments: {problems}"),
    "not_stored": N_("The service could not store this command, so it was not applied"),
    "console_only": N_("Only the staff console's account may use {what}: the console checks who may do so"),
    # -- the service's intake --------------------------------------------------------------------
    "too_fast": N_("Too many commands: {who} may send at most {most} {what} a minute; please wait and try again"),
    "busy": N_("The service is busy and did not apply this command; please wait and try again"),
    "expired": N_(
        "The command arrived after its sender had stopped waiting and was not applied; check the current state "
        "before trying again"
    ),
    "qos0": N_("Commands must be sent with QoS 1 (a command sent with QoS 0 is not applied)"),
    # -- announcements ---------------------------------------------------------------------------
    "start_too_far": N_("The start time {start} is more than a year away"),
    "emergency_needs_end": N_("An emergency announcement fills every screen until it ends: give its end (duration_s)"),
    "no_announcement": N_("There is no announcement “{id}” (the current announcements: {current})"),
    "too_many_announcements": N_(
        "There are {count} announcements already, as many as the hall shows; take one down first "
        "(hall announce --clear ID; the current announcements: {current})"
    ),
    "not_pending": N_("Announcement “{id}” has been reviewed already ({review}) and is not awaiting review"),
    "reject_needs_reason": N_("Rejecting an announcement needs a reason (reason), which its author will read"),
    "nothing_to_change": N_("Nothing to change: give text, priority, start, duration_s or targets"),
    # -- staff -----------------------------------------------------------------------------------
    "no_staff": N_("There is no staff member “{staff}”"),
    "substitute_when_away": N_("A substitute is named only when the staff member is away, off or on leave"),
    "no_substitute": N_("There is no staff member “{staff}” to substitute"),
    "self_substitute": N_("Staff members cannot substitute for themselves"),
    # -- the queue and the windows ---------------------------------------------------------------
    "no_category": N_("There is no category “{category}”; the categories are: {known}"),
    "no_window": N_("There is no window “{window}”; the windows are: {known}"),
    "rate_limited": N_(
        "{account} has taken {most} numbers in a minute, the most one account may; please wait and try again"
    ),
    "numbers_exhausted": N_("All {most} numbers of category {prefix} are taken today"),
    "numbers_not_yet": N_("No numbers can be taken now; numbers are issued from {starts} today."),
    "numbers_over": N_("No more numbers are issued today; please come during opening hours."),
    "ticket_needs_number": N_("Calling a given number (action 'ticket') needs the number (ticket), e.g. A012"),
    "transfer_needs_target": N_(
        "A transfer (action 'transfer') needs either a category (category) or a window (to_window), not both"
    ),
    "window_paused": N_("{window} is paused{reason}: open it first"),
    "no_ticket": N_("There is no number {ticket} today"),
    "ticket_taken": N_("Number {ticket} has been called already (being served or done)"),
    "nobody_served": N_("Nobody is being served at {window}"),
    "same_window": N_("Number {ticket} is at {window} already"),
    "same_category": N_("Number {ticket} is in category “{category}” already"),
    "still_serving": N_(
        "{window} is serving number {ticket}: finish it, transfer it or mark it no-show before pausing"
    ),
    "reason_only_pausing": N_("A reason is given only when pausing a window"),
    "queue_rule": N_("The queue's rules do not allow this: {detail}"),
    # -- cases -----------------------------------------------------------------------------------
    "no_case": N_("There is no case “{case}”"),
    "not_a_case_number": N_("“{case}” is not a case number (a case number looks like {example})"),
    "no_item": N_("The catalog has no item “{item}”"),
    "tier_above_centre": N_("This is the {centre}: cases are received here or at a lower tier, not at the {at}"),
    "no_agent": N_("The list of agents (agents.yaml) has no “{agent}”: give the agent's id or name"),
    "agent_ambiguous": N_("{count} agents are called “{agent}”: give the id of one of them ({ids})"),
    "village_needs_agent": N_("A case received at a village point is brought by an agent: give the agent (--agent)"),
    "who_received": N_("Say who received the case: a window (--window ID) or an agent (--agent NAME)"),
    "hand_over_needs_tier": N_(
        "A hand-over (sent, returned) needs the tier the papers go to (--to village|township|district)"
    ),
    "sent_goes_up": N_("Sending (sent) goes up to the deciding tier; {case} is at the {tier} now"),
    "returned_goes_down": N_("Returning (returned) goes down; {case} is at the {tier} now"),
    "to_only_hand_over": N_("--to is only for a hand-over (sent, returned), not for a stage of handling"),
    "overdue_or_due_soon": N_("Give only one of --overdue and --due-soon"),
    "unknown_stage": N_("There is no stage “{stage}”; the stages are: {stages}"),
    "slip_needs_address": N_(
        "The QR code on the slip needs the address of the tracking page for phones: set public_url in "
        "centre.yaml, or give hall serve --public-url"
    ),
    "text_too_long": N_("The text has {length} characters, more than the limit of {limit}"),
    "not_required_document": N_("“{document}” is not a document this item requires (it requires: {required})"),
    "item_not_at_tier": N_("{item} is not handled at the {tier} tier; it is handled at: {tiers}"),
    "bad_phone": N_("The mobile number “{phone}” should have 7 to 15 digits (spaces and “-” allowed)"),
    "notify_needs_applicant": N_(
        "Showing the number on the wall needs the applicant's consent: give the applicant too"
    ),
    "too_many_steps": N_("{case} has as many steps as a case may have"),
    "before_last_step": N_("{time} is before this case's last step"),
    "nothing_follows": N_("{case} is “{stage}”: no step follows"),
    "not_next": N_("{case} is “{stage}” now; the next step may be: {next}"),
    "papers_below": N_(
        "The papers of {case} are still at the {tier} tier: send them up or pre-check online first; "
        "the next step may be: {next}"
    ),
    "refusal_needs_basis": N_("Refusing to accept needs the reason (--note) and the legal basis (--basis)"),
    "supplement_needs_note": N_("Asking for more documents needs the documents to correct or add (--note)"),
    "unknown_tier": N_("There is no tier “{tier}”; the tiers are: {tiers}"),
    "already_at_tier": N_("{case} is at the {tier} tier already"),
    "decided_goes_down": N_("{case} is “{stage}”: the decision goes down, the papers no longer go up"),
    "no_higher": N_("{item} is decided at the {tier} tier: it cannot go higher"),
    "not_decided_yet": N_("{case} is “{stage}” now: the papers go back down only after the decision"),
    "no_lower": N_("{case} was received at the {tier} tier: it cannot be returned to a lower tier"),
    "collected": N_("{case} has been collected"),
    "day_full": N_("The case numbers of {day} are used up: at most {most} a day"),
    "locked": N_("Too many wrong tries for this case; please ask at a window"),
    "not_found": N_("No case has this number and these last four digits of the mobile number"),
    # -- who may do what (content.accounts.acting), and the kiosk's lookups -----------------------
    "not_in_roster": N_(
        "Account {account} is not in the service's roster (hall serve --roster): it may only take numbers "
        "and look up cases"
    ),
    "not_permitted": N_("{who} may not {what}"),
    "not_own_window": N_("{who} may act only at their own window ({own}), not at window “{window}”"),
    "not_own_announcement": N_(
        "{who} may take down or change only their own announcements; announcement “{id}” is {author}'s"
    ),
    "unknown_person": N_("The console user “{person}” does not exist or is disabled"),
    "lookups_held": N_(
        "{account} has entered the wrong last four digits for {cases} cases in the last {minutes} minutes, so "
        "its lookups are paused; please try again later or ask at a window"
    ),
}
"""Each refusal's code and its sentence's English id; `sentence` gives it in the hall's language."""


def sentence(code: str, **values: object) -> str:
    """The sentence of the refusal `code`, in the hall's language, with its values filled in; KeyError for
    an unknown code or a missing value (a bug in the service, which its tests catch)."""
    return _(SENTENCES[code]).format_map(values)


def placeholders(code: str) -> frozenset[str]:
    """The values the sentence of `code` names."""
    return frozenset(name for _text, name, _spec, _conversion in string.Formatter().parse(SENTENCES[code]) if name)
