# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of how the four Applivery MDM platforms differ.

The platforms differ in names, not in kind. Every difference the collection relies on
(path segments, id names, policy keys, the state field, list filters and
capabilities) lives here as data, so that no other file needs ``if platform == ...``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

LANGUAGES = ("es", "en", "fr", "de", "it", "zh", "pt", "ru")
TOKEN_STATES = ("PENDING", "PROCESSING", "DONE", "EXPIRED", "DELETED")
MIN_DURATION = 60
MAX_DURATION = 30 * 24 * 3600
DEFAULT_DURATION = 24 * 3600

# Token settings every platform accepts: module option -> request body key.
COMMON_SETTINGS = {
    "display_name": "displayName",
    "tags": "tags",
    "send_email": "sendEmail",
    "language": "language",
    "email_text": "emailText",
    "duration": "duration",
    "segment_id": "segmentId",
}


class Platform:
    """How one platform spells the shared concepts. Instances are read-only by convention."""

    def __init__(self, name, label, segment, token_id_param, assignments_key, assignment_policy_key,
                 policy_key=None, state_field="state", user_filter=None, policy_filter=None,
                 show_deleted_param=None, status_filter_param=None, policy_list_path=None, policy_list_params=None,
                 management_modes=None, display_name_max=128, send_email_required=True, extra_settings=None,
                 update_fields=None, perpetual=False, bulk_feature=None):
        self.name = name
        self.label = label
        self.segment = segment
        self.token_id_param = token_id_param
        self.policy_key = policy_key
        self.assignments_key = assignments_key
        self.assignment_policy_key = assignment_policy_key
        self.state_field = state_field
        self.user_filter = user_filter
        self.policy_filter = policy_filter
        self.show_deleted_param = show_deleted_param
        self.status_filter_param = status_filter_param
        self.policy_list_path = policy_list_path or "mdm/%s/enterprise/policies" % segment
        self.policy_list_params = dict(policy_list_params or {})
        self.management_modes = tuple(management_modes or ())
        self.display_name_max = display_name_max
        self.send_email_required = send_email_required
        self.settings = dict(COMMON_SETTINGS)
        if self.management_modes:
            self.settings["management_mode"] = "managementMode"
        self.settings.update(extra_settings or {})
        # Body keys a PUT may change in place; empty means the platform has no update endpoint.
        self.update_fields = frozenset(update_fields or ())
        self.perpetual = perpetual
        self.bulk_feature = bulk_feature

    # ------------------------------------------------------------------ paths
    @property
    def tokens_path(self):
        return "mdm/%s/enterprise/enrollment-tokens" % self.segment

    @property
    def bulk_path(self):
        return self.tokens_path + "/bulk"

    def token_path(self, token_id):
        return "%s/%s" % (self.tokens_path, token_id)

    # ----------------------------------------------------------- capabilities
    @property
    def can_update(self):
        return bool(self.update_fields)

    @property
    def has_primary_policy(self):
        return self.policy_key is not None

    def supports(self, option):
        """True when the token option ``option`` means something on this platform."""
        return option in self.settings or option in ("policy", "policy_assignments")

    # ------------------------------------------------------------ list query
    def list_params(self, user_id=None, policy_id=None, include_deleted=False, states=None):
        """Query parameters for the token list, using only the filters this platform documents.

        Returns ``(params, client_side)``: ``client_side`` names the filters the caller must apply itself.
        """
        params = {}
        client_side = set()
        if user_id:
            if self.user_filter:
                params[self.user_filter] = user_id
            else:
                client_side.add("user_id")
        if policy_id:
            if self.policy_filter:
                params[self.policy_filter] = policy_id
            else:
                client_side.add("policy_id")
        if self.status_filter_param:
            wanted = [s for s in (states or TOKEN_STATES) if include_deleted or s != "DELETED"]
            params[self.status_filter_param] = ",".join(wanted)
        elif include_deleted and self.show_deleted_param:
            params[self.show_deleted_param] = "true"
        return params, client_side


PLATFORMS = {
    "android": Platform(
        name="android", label="Android Enterprise", segment="android", token_id_param="emmEnrollmentTokenId",
        policy_key="policyId", assignments_key="emmPolicyAssignments", assignment_policy_key="emmPolicyId",
        user_filter="mdm-user", policy_filter="emm-policy", show_deleted_param="show-deleted",
        management_modes=("DEVICE_OWNER", "PROFILE_OWNER", "COPE", "USERLESS"), bulk_feature="android_bulk",
    ),
    "apple": Platform(
        name="apple", label="Apple", segment="apple", token_id_param="admEnrollmentTokenId",
        policy_key="policyId", assignments_key="admPolicyAssignments", assignment_policy_key="admPolicyId",
        user_filter="mdm-user", policy_filter="adm-policy", show_deleted_param="show-deleted",
        extra_settings={"profiles": "profiles", "applications": "applications", "vpp_location": "admVppLocationId"},
        bulk_feature="apple_bulk",
    ),
    "windows": Platform(
        name="windows", label="Windows", segment="windows", token_id_param="winEnrollmentTokenId",
        policy_key="winPolicyId", assignments_key="winPolicyAssignments", assignment_policy_key="winPolicyId",
        user_filter="mdm-user", policy_filter="win-policy", show_deleted_param="show-deleted",
        # The vendor documents no Windows policy list of its own; the global list filters by type.
        policy_list_path="mdm/policies", policy_list_params={"type": "windows"},
        update_fields=("displayName", "tags", "winPolicyId", "winPolicyAssignments", "segmentId"),
        bulk_feature="windows_bulk",
    ),
    "aosp": Platform(
        name="aosp", label="Android (AOSP, non-GMS)", segment="aosp", token_id_param="aosEnrollmentTokenId",
        assignments_key="aosPolicyAssignments", assignment_policy_key="aosPolicyId", state_field="status",
        status_filter_param="status", management_modes=("DEVICE_OWNER", "MANAGEMENT_MODE_UNSPECIFIED"),
        display_name_max=256, send_email_required=False, perpetual=True,
        extra_settings={"perpetual": "perpetual", "dpc_build_tag": "dpcBuildTag",
                        "push_notification_provider": "pushNotificationProvider"},
        bulk_feature="aosp_bulk",
    ),
}

PLATFORM_NAMES = tuple(sorted(PLATFORMS))


def get_platform(name):
    """The Platform called ``name``; ValueError naming the choices otherwise."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise ValueError("platform '%s' is not one of: %s" % (name, ", ".join(PLATFORM_NAMES)))
