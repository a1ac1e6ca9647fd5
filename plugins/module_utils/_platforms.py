# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of how the four Applivery MDM platforms differ.

The platforms differ in names, not in kind. Every per-platform fact the collection relies on
lives here as data: paths, vendor keys (nested policy keys and the enrolled-device key too),
the body keys each platform's create, bulk and update pages document, value ranges,
list filters and capabilities. No other file says ``if platform == ...``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

LANGUAGES = ("es", "en", "fr", "de", "it", "zh", "pt", "ru")
TOKEN_STATES = ("PENDING", "PROCESSING", "DONE", "EXPIRED", "DELETED")
MIN_DURATION = 60
MAX_DURATION = 30 * 24 * 3600
DEFAULT_DURATION = 24 * 3600
JS_SAFE_MAX = 2 ** 53 - 1  # seed 004: AOSP bulk duration and priority limits

# Token option -> vendor body key, for the options whose key is the same on every platform.
COMMON_KEYS = {
    "display_name": "displayName",
    "tags": "tags",
    "send_email": "sendEmail",
    "language": "language",
    "email_text": "emailText",
    "duration": "duration",
    "segment_id": "segmentId",
    "management_mode": "managementMode",
    "perpetual": "perpetual",
    "dpc_build_tag": "dpcBuildTag",
    "push_notification_provider": "pushNotificationProvider",
    "profiles": "profiles",
    "applications": "applications",
    "vpp_location": "admVppLocationId",
}

_BASE_KEYS = ("sendEmail", "displayName", "tags", "duration", "language", "emailText")


class Platform:
    """How one platform spells the shared concepts. Instances are read-only by convention."""

    def __init__(self, name, label, segment, assignments_key, assignment_policy_key, assignment_nested_key,
                 device_key, create_keys, bulk_keys, update_keys=(), policy_key=None, policy_read_keys=(),
                 state_fields=("state", "status"), user_filter=None, policy_filter=None, show_deleted_param=None,
                 status_filter_param=None, policy_list_path=None, policy_list_params=None, management_modes=(),
                 display_name_max=128, send_email_required=True, bulk_needs_duration=False,
                 duration_range=(MIN_DURATION, MAX_DURATION), priority_range=(0, 10000)):
        self.name = name
        self.label = label
        self.segment = segment
        self.policy_key = policy_key                        # primary policy key in create bodies
        self.policy_read_keys = tuple(policy_read_keys)     # where a read token may echo the primary policy
        self.assignments_key = assignments_key
        self.assignment_policy_key = assignment_policy_key  # policy id key inside an assignment
        self.assignment_nested_key = assignment_nested_key  # nested policy object inside an assignment
        self.device_key = device_key                        # the enrolled device, once a device used the token
        self.state_fields = tuple(state_fields)
        self.user_filter = user_filter
        self.policy_filter = policy_filter
        self.show_deleted_param = show_deleted_param
        self.status_filter_param = status_filter_param
        self.policy_list_path = policy_list_path or "mdm/%s/enterprise/policies" % segment
        self.policy_list_params = dict(policy_list_params or {})
        self.management_modes = tuple(management_modes)
        self.display_name_max = display_name_max
        self.send_email_required = send_email_required
        self.bulk_needs_duration = bulk_needs_duration
        self.duration_range = duration_range
        self.priority_range = priority_range
        # The body keys each endpoint's page documents (besides mdmUserId / userEmails).
        self.body_keys = {"create": frozenset(create_keys), "bulk": frozenset(bulk_keys), "update": frozenset(update_keys)}

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
        return bool(self.body_keys["update"])

    @property
    def has_primary_policy(self):
        return self.policy_key is not None

    @property
    def echoes_primary_policy(self):
        """False where the read model shows a primary policy only among the assignments (Android, seed 001)."""
        return bool(self.policy_read_keys)

    def option_key(self, option):
        """The vendor body key of a token option on this platform (None for the policy options)."""
        if option == "policy":
            return self.policy_key or self.assignments_key
        if option == "policy_assignments":
            return self.assignments_key
        return COMMON_KEYS.get(option)

    def supports(self, option, endpoint="create"):
        """True when ``endpoint``'s page documents the body key that ``option`` is sent as."""
        return self.option_key(option) in self.body_keys[endpoint]

    def endpoints_with(self, option):
        return [endpoint for endpoint in ("create", "bulk", "update") if self.supports(option, endpoint)]

    # ------------------------------------------------------------ list query
    def list_params(self, user_id=None, policy_id=None, include_deleted=False, states=None):
        """Query parameters for the token list, using only the filters this platform documents.

        A filter is a hint to save reads, never a promise: callers check every listed token's owner
        (and policy) themselves (see _resources.list_tokens).
        """
        params = {}
        if user_id and self.user_filter:
            params[self.user_filter] = user_id
        if policy_id and self.policy_filter:
            params[self.policy_filter] = policy_id
        if self.status_filter_param:
            wanted = [s for s in (states or TOKEN_STATES) if include_deleted or s != "DELETED"]
            params[self.status_filter_param] = ",".join(wanted)
        elif include_deleted and self.show_deleted_param:
            params[self.show_deleted_param] = "true"
        return params


PLATFORMS = {
    "android": Platform(
        name="android", label="Android Enterprise", segment="android",
        # seed 001: the read model has no policyId; the policy shows in emmPolicyAssignments
        policy_key="policyId", assignments_key="emmPolicyAssignments", assignment_policy_key="emmPolicyId",
        assignment_nested_key="emmPolicy", device_key="emmDevice",
        user_filter="mdm-user", policy_filter="emm-policy", show_deleted_param="show-deleted",
        management_modes=("DEVICE_OWNER", "PROFILE_OWNER", "COPE", "USERLESS"),
        create_keys=_BASE_KEYS + ("managementMode", "policyId", "emmPolicyAssignments"),  # [S10], seed 001
        bulk_keys=_BASE_KEYS + ("managementMode", "policyId", "emmPolicyAssignments"),    # seed 000
        priority_range=(0, 10000),
    ),
    "apple": Platform(
        name="apple", label="Apple", segment="apple",
        policy_key="policyId", policy_read_keys=("policyId", "admPolicy"), assignments_key="admPolicyAssignments",
        assignment_policy_key="admPolicyId", assignment_nested_key="admPolicy", device_key="admDevice",
        user_filter="mdm-user", policy_filter="adm-policy", show_deleted_param="show-deleted",
        create_keys=_BASE_KEYS + ("policyId", "admPolicyAssignments", "profiles", "applications", "admVppLocationId",
                                  "segmentId"),  # [S3]
        bulk_keys=_BASE_KEYS + ("policyId", "admPolicyAssignments", "profiles", "applications", "admVppLocationId",
                                "segmentId"),    # seed 003
    ),
    "windows": Platform(
        name="windows", label="Windows", segment="windows",
        policy_key="winPolicyId", policy_read_keys=("winPolicyId", "winPolicy"), assignments_key="winPolicyAssignments",
        assignment_policy_key="winPolicyId", assignment_nested_key="winPolicy", device_key="winDeviceId",
        user_filter="mdm-user", policy_filter="win-policy", show_deleted_param="show-deleted",
        # The vendor documents no Windows policy list of its own; the global list filters by type.
        policy_list_path="mdm/policies", policy_list_params={"type": "windows"},
        create_keys=_BASE_KEYS + ("winPolicyId", "winPolicyAssignments", "segmentId"),  # [S6]
        bulk_keys=_BASE_KEYS + ("winPolicyId", "winPolicyAssignments"),                 # seed 002: no segmentId
        update_keys=("displayName", "tags", "winPolicyId", "winPolicyAssignments", "segmentId"),  # [S8][S9]
    ),
    "aosp": Platform(
        name="aosp", label="Android (AOSP, non-GMS)", segment="aosp",
        assignments_key="aosPolicyAssignments", assignment_policy_key="aosPolicyId", assignment_nested_key="aosPolicy",
        device_key="aosDeviceId", state_fields=("status", "state"),
        status_filter_param="status", management_modes=("DEVICE_OWNER", "MANAGEMENT_MODE_UNSPECIFIED"),
        display_name_max=256, send_email_required=False, bulk_needs_duration=True,
        duration_range=(0, JS_SAFE_MAX), priority_range=(-JS_SAFE_MAX, JS_SAFE_MAX),  # seed 004
        create_keys=_BASE_KEYS + ("managementMode", "perpetual", "aosPolicyAssignments", "dpcBuildTag",
                                  "pushNotificationProvider", "segmentId"),  # [S14]
        bulk_keys=_BASE_KEYS + ("managementMode", "perpetual", "aosPolicyAssignments", "dpcBuildTag",
                                "pushNotificationProvider", "segmentId"),    # seed 004
    ),
}

PLATFORM_NAMES = tuple(sorted(PLATFORMS))
UPDATABLE_PLATFORMS = tuple(name for name in PLATFORM_NAMES if PLATFORMS[name].can_update)


def get_platform(name):
    """The Platform called ``name`` (or ``name`` itself when it is one); ValueError naming the choices otherwise."""
    if isinstance(name, Platform):
        return name
    try:
        return PLATFORMS[name]
    except KeyError:
        raise ValueError("platform '%s' is not one of: %s" % (name, ", ".join(PLATFORM_NAMES)))
