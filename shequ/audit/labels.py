"""What each audit action means, in words (issue 21): the audit admin reads 登录 and 批准授权, not auth.login.

One table for the trail's page and exports (STYLE.md §9). An action missing here is shown as its code, so a new
action is never hidden; add its label here when you add the action.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # signing in and sessions
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.login_locked": _("Sign-in locked after failures"),
    "auth.totp_failed": _("Wrong authenticator code"),
    "auth.password_change": _("Changed own password"),
    "auth.password_change_failed": _("Password change refused"),
    "auth.session_not_staff": _("Staff page refused to a resident session"),
    "auth.staff_on_resident_path": _("Staff account on the residents' sign-in"),
    "user.login": _("Signed in"),
    # accounts and grants (三员分立)
    "user.create": _("Created a staff account"),
    "user.update": _("Changed an account"),
    "user.disable": _("Disabled an account"),
    "user.enable": _("Enabled an account"),
    "user.password_reset": _("Reset a password"),
    "user.totp_reset": _("Reset an authenticator"),
    "user.refused": _("Account change refused"),
    "unit.create": _("Created a unit"),
    "unit.update": _("Changed a unit"),
    "unit.refused": _("Unit change refused"),
    "grant.request": _("Requested a role"),
    "grant.create": _("Granted a role"),
    "grant.approve": _("Approved a role"),
    "grant.reject": _("Refused a role"),
    "grant.revoke": _("Revoked a role"),
    "grant.delete": _("Deleted a role"),
    "grant.bootstrap": _("Role set up by command"),
    "grant.refused": _("Role change refused"),
    "token.issue": _("Issued an API token"),
    "token.revoke": _("Revoked an API token"),
    # the audit trail itself
    "audit.export": _("Exported the audit trail"),
    "audit.purge": _("Purged expired audit entries"),
    # residents
    "resident.create": _("Registered a resident"),
    "resident.update": _("Changed a resident"),
    "resident.reveal": _("Revealed a resident's personal data"),
    "resident.reveal_refused": _("Reveal of personal data refused"),
    "household.create": _("Registered a household"),
    "residents.import": _("Imported residents"),
    "residents.export": _("Exported residents"),
    "residents.refused": _("Residents action refused"),
    "residents.groups_viewed": _("Viewed residents' special groups"),
    # appeals (民生诉求): the workflow's steps and the deadline scan
    "appeal.submit": _("Appeal submitted"),
    "appeal.partner_submit": _("Appeal submitted by a partner system"),
    "appeal.partner_update": _("Appeal updated by a partner system"),
    "appeal.categorize": _("Appeal categorised"),
    "appeal.dispatch": _("Appeal dispatched"),
    "appeal.sign_for": _("Appeal signed for"),
    "appeal.start": _("Handling started"),
    "appeal.contact": _("Requester contacted"),
    "appeal.co_reply": _("Co-handling unit answered"),
    "appeal.reply": _("Appeal answered"),
    "appeal.return": _("Appeal returned"),
    "appeal.reassign": _("Appeal reassigned"),
    "appeal.request_extension": _("Extension requested"),
    "appeal.decide_extension": _("Extension decided"),
    "appeal.supervise": _("Appeal supervised"),
    "appeal.evaluate": _("Appeal rated"),
    "appeal.dispute_rating": _("Rating disputed"),
    "appeal.decide_rating_dispute": _("Rating dispute decided"),
    "appeal.close": _("Appeal closed"),
    "appeal.reopen": _("Appeal reopened"),
    "appeal.merge": _("Appeals merged"),
    "appeal.reject": _("Appeal not accepted"),
    "appeal.raise_emergency": _("Raised to an emergency"),
    "appeal.lower_emergency": _("Lowered from an emergency"),
    "appeal.warn": _("Deadline warning"),
    "appeal.escalate": _("Escalated as overdue"),
    "appeal.overdue": _("Overdue"),
    "appeal.reveal": _("Revealed what the resident typed"),
    "appeal.reveal_refused": _("Reveal refused"),
    "appeal.refused": _("Appeal action refused"),
    "appeals.export": _("Exported appeals"),
    "rules.import": _("Imported the responsibility list"),
    "rules.refused": _("Responsibility list change refused"),
    "rules.end": _("Ended a responsibility rule"),
    "category.create": _("Created a category"),
    "appeal.support": _("Met the same problem (我也遇到了)"),
    "category.update": _("Changed a category"),
    "category.refused": _("Category change refused"),
    # smart dispatch, early warnings, notices, facilities
    "dispatch.model_train": _("Dispatch model trained"),
    "dispatch.model_activate": _("Dispatch model activated"),
    "dispatch.examples_import": _("Dispatch examples imported"),
    "dispatch.duplicate_merge": _("Possible duplicate merged"),
    "dispatch.duplicate_dismiss": _("Possible duplicate dismissed"),
    "warning.detect": _("Early warnings detected"),
    "warning.acknowledge": _("Early warning acknowledged"),
    "warning.dismiss": _("Early warning dismissed"),
    "warning.task": _("Early warning turned into a task"),
    "notice.publish": _("Notice published"),
    "notice.withdraw": _("Notice withdrawn"),
    "facility.create": _("Facility registered"),
    "facility.update": _("Changed a facility"),
    "facility.refused": _("Facility change refused"),
    "project.update": _("Project changed"),
    "demo.history": _("Demo history generated"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
