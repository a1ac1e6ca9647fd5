# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probes of the API assumptions C1-C14 (docs/docsite/rst/guide_api_assumptions.rst) against a tenant.

Each probe is a function ``probe(ctx)`` that checks one contract row with real requests through the
collection's AppliveryClient and records its findings on ``ctx`` as parts: ``confirmed``,
``differs`` (what the tenant did instead) or ``skipped`` (a prerequisite is missing, with the reason).
A probe's verdict is ``differs`` when any part differs, ``confirmed`` when every part is confirmed,
and ``confirmed in part`` otherwise. Rows that cannot be checked on a live tenant are listed in
NOT_CHECKABLE with the reason.

Everything a probe creates belongs to a run user (``amdm-<run id>-<probe>@<domain>``) and carries
the tag ``amdm-run:<run id>``; run_live.py removes all of it afterwards, whatever happened.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import time

import requests

from ansible_collections.applivery.mdm.plugins.module_utils import _resources as api
from ansible_collections.applivery.mdm.plugins.module_utils._client import AppliveryClient, ApiError
from ansible_collections.applivery.mdm.plugins.module_utils._platforms import PLATFORMS

HEX24 = re.compile(r'^[0-9a-fA-F]{24}$')
ISO_UTC = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$')
TIME_KEYS = ('createdAt', 'updatedAt', 'expireAt', 'expirationTimestamp')
ENVELOPE = ('items', 'totalDocs', 'limit', 'page', 'totalPages', 'hasNextPage', 'nextPage', 'hasPrevPage', 'prevPage')
NO_SUCH_ID = 'fffffffffffffffffffffff0'
EXPIRY_SECONDS = 60
EXPIRY_GRACE = 2
# a tenant that expires tokens in a periodic job gets this long (seconds after expireAt) before the probe differs
EXPIRY_PATIENCE = 180

NOT_CHECKABLE = {
    'C10': 'needs an organization whose plan lacks a feature (5050), or filling the token quota (5017), which would '
           'block real enrollments; covered by the emulator tests and the integration targets (tiny-shop)',
    'C11': 'needs flooding the tenant until it rate limits (4029); the client\'s backoff is covered by the emulator '
           'fault-injection tests',
}


class RecordingClient(AppliveryClient):
    """AppliveryClient that keeps every JSON answer, for the C14 check of times and ids."""

    def __init__(self, *args, **kwargs):
        super(RecordingClient, self).__init__(*args, **kwargs)
        self.answers = []

    def _unwrap(self, response, method, path):
        try:
            self.answers.append(response.json())
        except ValueError:
            pass
        return super(RecordingClient, self)._unwrap(response, method, path)


class Differs(Exception):
    """Raised inside a probe part when the tenant does not behave as the contract says."""


class Context:
    """What the probes share: the client, the run's names, the policy and the findings."""

    def __init__(self, api_url, api_token, organization, domain, policy_name, platforms, run_id,
                 viewer_token=None, bulk_limit=False, validate_certs=True, ca_path=None):
        self.api_url = api_url
        self.api_token = api_token
        self.organization = organization
        self.domain = domain.lower()
        self.policy_name = policy_name
        self.platforms = [p for p in ('android', 'apple', 'windows', 'aosp') if p in platforms]
        self.run_id = run_id
        self.tag = 'amdm-run:%s' % run_id
        self.viewer_token = viewer_token
        self.bulk_limit = bulk_limit
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.client = self.new_client()
        self.started = self.client.server_now()
        self.parts = {}
        self.users = {}
        self._policies = {}
        self.pending_expiry = None

    def new_client(self, api_token=None, organization=None):
        return RecordingClient(api_token=api_token if api_token is not None else self.api_token,
                               organization=organization or self.organization, api_url=self.api_url,
                               validate_certs=self.validate_certs, ca_path=self.ca_path, timeout=60, retries=3)

    # ------------------------------------------------------------------ findings
    def record(self, probe, status, text):
        self.parts.setdefault(probe, []).append((status, text))

    def part(self, probe, description, check):
        """Run ``check()``; record confirmed, or differs with the reason. An unexpected API error differs too."""
        try:
            note = check()
        except Differs as error:
            self.record(probe, 'differs', '%s: %s' % (description, error))
            return False
        except ApiError as error:
            self.record(probe, 'differs', '%s: unexpected %s' % (description, error))
            return False
        self.record(probe, 'confirmed', description + (' (%s)' % note if note else ''))
        return True

    # ------------------------------------------------------------------ run resources
    def email(self, name):
        return 'amdm-%s-%s@%s' % (self.run_id, name, self.domain)

    def user(self, name):
        """The run user called ``name`` (created on first use)."""
        if name not in self.users:
            self.users[name] = api.create_user(self.client, self.email(name))
        return self.users[name]

    def policy_id(self, platform):
        if platform not in self._policies:
            resolved = api.resolve_policies(self.client, PLATFORMS[platform], [self.policy_name])
            self._policies[platform] = resolved[self.policy_name]
        return self._policies[platform]

    def token_body(self, platform, user_id, **extra):
        body = {'mdmUserId': user_id, 'sendEmail': False, 'tags': [self.tag]}
        if PLATFORMS[platform].management_modes:
            body['managementMode'] = 'DEVICE_OWNER'
        body.update(extra)
        return body

    def create_token(self, platform, user_id, **extra):
        return self.client.post(self.client.org_path(PLATFORMS[platform].tokens_path), self.token_body(platform, user_id, **extra))

    def delete_token(self, platform, token_id):
        return self.client.delete(self.client.org_path(PLATFORMS[platform].token_path(token_id)))

    def user_tokens(self, platform, user_id, params=None):
        """Raw tokens of one user: the ``mdm-user`` filter, or on AOSP the newest part of the list filtered here."""
        plat = PLATFORMS[platform]
        path = self.client.org_path(plat.tokens_path)
        if plat.user_filter:
            return list(self.client.paginate(path, params=dict(params or {}, **{plat.user_filter: user_id})))
        return [t for t in self.recent_aosp(params) if t.get('mdmUserId') == user_id]

    def recent_aosp(self, params=None):
        """AOSP tokens created since the run started, newest first (pages stop at older tokens)."""
        path = self.client.org_path(PLATFORMS['aosp'].tokens_path)
        found = []
        floor = (self.started - datetime.timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%S')
        for token in self.client.paginate(path, params=dict(params or {}, sort='createdAt:desc')):
            if (token.get('createdAt') or '') < floor:
                break
            found.append(token)
        return found

    def first_platform(self, *preferred):
        for platform in preferred:
            if platform in self.platforms:
                return platform
        return None


def expect_error(call, status, code, message_start=None):
    """Call ``call()``; it must fail with HTTP ``status`` and vendor ``code``. Returns the ApiError."""
    try:
        result = call()
    except ApiError as error:
        if error.status != status or error.code != code:
            raise Differs('got HTTP %s code %s (%s), expected %s / %s' % (error.status, error.code, error.vendor_message, status, code))
        if message_start and not (error.vendor_message or '').startswith(message_start):
            raise Differs('message %r does not start with %r' % (error.vendor_message, message_start))
        return error
    raise Differs('the request succeeded (%s), expected HTTP %s / %s' % (_short(result), status, code))


def state_of(token):
    return token.get('state') or token.get('status')


def parse_time(text):
    return datetime.datetime.strptime(text[:19], '%Y-%m-%dT%H:%M:%S')


def expiry_of(token):
    return (token.get('expireAt') or (token.get('summary') or {}).get('expirationTimestamp')
            or (token.get('config') or {}).get('expirationTimestamp'))


def _short(value):
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + '...'


# ---------------------------------------------------------------------------------------------- C1
def c01_android_routes(ctx):
    probe = 'c01_android_routes'
    if 'android' not in ctx.platforms:
        ctx.record(probe, 'skipped', 'android is not in APPLIVERY_LIVE_PLATFORMS')
        return
    policy = ctx.policy_id('android')
    user = ctx.user('c01')
    plat = PLATFORMS['android']
    token = ctx.create_token('android', user['id'], policyId=policy, emmPolicyAssignments=[{'emmPolicyId': policy, 'priority': 1}])

    def read_model():
        # seed 001: status and state, config.expirationTimestamp and config.code, qrcodeUrl, the policy in the assignments
        missing = [k for k in ('id', 'emmEnterprise', 'emmDevice', 'emmPolicyAssignments', 'managementMode', 'enrollmentLink',
                               'qrcodeUrl', 'config', 'mdmUser', 'status', 'state') if k not in token]
        if missing:
            raise Differs('the created token lacks %s' % ', '.join(missing))
        if not (token.get('config') or {}).get('expirationTimestamp') and not expiry_of(token):
            raise Differs('the created token has no config.expirationTimestamp (nor another expiry field)')
        assigned = [a.get('emmPolicyId') or (a.get('emmPolicy') or {}).get('id') for a in token['emmPolicyAssignments'] or []]
        if policy not in assigned or (token['mdmUser'] or {}).get('id') != user['id']:
            raise Differs('emmPolicyAssignments %s / mdmUser %s do not echo the request' % (assigned, token['mdmUser']))
    ctx.part(probe, 'create returns the seed 001 read model (status and state, config, qrcodeUrl, the policy among the assignments)',
             read_model)

    def get():
        got = ctx.client.get(ctx.client.org_path(plat.token_path(token['id'])))
        if (got or {}).get('id') != token['id']:
            raise Differs('GET by id returned %s' % _short(got))
    ctx.part(probe, 'GET .../android/enterprise/enrollment-tokens/{id}', get)

    def filters():
        path = ctx.client.org_path(plat.tokens_path)
        by_user = [t['id'] for t in ctx.client.paginate(path, params={'mdm-user': user['id']})]
        by_policy = [t['id'] for t in ctx.client.paginate(path, params={'mdm-user': user['id'], 'emm-policy': policy})]
        by_other = [t['id'] for t in ctx.client.paginate(path, params={'mdm-user': user['id'], 'emm-policy': NO_SUCH_ID})]
        if by_user != [token['id']]:
            raise Differs('mdm-user gave %s' % by_user)
        if by_policy != [token['id']] or by_other:
            raise Differs('emm-policy gave %s for the policy and %s for another id' % (by_policy, by_other))
    ctx.part(probe, 'list filters mdm-user and emm-policy', filters)

    def delete():
        deleted = ctx.delete_token('android', token['id'])
        if (deleted or {}).get('id') != token['id'] or state_of(deleted) != 'DELETED':
            raise Differs('DELETE returned %s' % _short(deleted))
        path = ctx.client.org_path(plat.tokens_path)
        shown = [t['id'] for t in ctx.client.paginate(path, params={'mdm-user': user['id'], 'show-deleted': 'true'})]
        if shown != [token['id']]:
            raise Differs('show-deleted=true listed %s' % shown)
    ctx.part(probe, 'DELETE and the show-deleted filter', delete)


# ---------------------------------------------------------------------------------------------- C2
def c02_soft_delete(ctx):
    probe = 'c02_soft_delete'
    for platform in ('android', 'apple', 'windows', 'aosp'):
        if platform not in ctx.platforms:
            ctx.record(probe, 'skipped', '%s is not in APPLIVERY_LIVE_PLATFORMS' % platform)
            continue
        user = ctx.user('c02-%s' % platform)

        def check(platform=platform, user=user):
            token = ctx.create_token(platform, user['id'])
            deleted = ctx.delete_token(platform, token['id'])
            if (deleted or {}).get('id') != token['id'] or state_of(deleted) != 'DELETED':
                raise Differs('DELETE returned %s' % _short(deleted))
            default = [t['id'] for t in ctx.user_tokens(platform, user['id'])]
            if token['id'] in default:
                raise Differs('the default list still shows the deleted token')
            plat = PLATFORMS[platform]
            params = {plat.status_filter_param: 'DELETED'} if plat.status_filter_param else {plat.show_deleted_param: 'true'}
            shown = [t for t in ctx.user_tokens(platform, user['id'], params) if t['id'] == token['id']]
            if len(shown) != 1 or state_of(shown[0]) != 'DELETED':
                raise Differs('listing deleted tokens gave %s' % _short(shown))
        ctx.part(probe, '%s: DELETE returns the token as DELETED, default lists hide it' % platform, check)


# ---------------------------------------------------------------------------------------------- C3
def c03_expiry_start(ctx):
    """Create the 60-second token early, so that its expiry overlaps the other probes."""
    platform = ctx.first_platform('apple', 'windows', 'android', 'aosp')
    if platform is None:
        return
    user = ctx.user('c03')
    try:
        token = ctx.create_token(platform, user['id'], duration=EXPIRY_SECONDS)
    except ApiError as error:
        ctx.pending_expiry = (platform, user, None, str(error))
        return
    ctx.pending_expiry = (platform, user, token, None)


def c03_expiry(ctx):
    probe = 'c03_expiry'
    if ctx.pending_expiry is None:
        ctx.record(probe, 'skipped', 'no platform in APPLIVERY_LIVE_PLATFORMS')
        return
    platform, user, short, error = ctx.pending_expiry

    def lifetime(seconds, **extra):
        token = ctx.create_token(platform, user['id'], **extra)
        created, expires = token.get('createdAt'), expiry_of(token)
        if not created or not expires:
            raise Differs('createdAt %r, expiry %r' % (created, expires))
        delta = (parse_time(expires) - parse_time(created)).total_seconds()
        if abs(delta - seconds) > 2:
            raise Differs('expireAt - createdAt = %d s, expected %d s' % (delta, seconds))
    ctx.part(probe, '%s: expireAt = createdAt + duration (7200 s)' % platform, lambda: lifetime(7200, duration=7200))
    ctx.part(probe, '%s: default duration 86400 s' % platform, lambda: lifetime(86400))
    ctx.part(probe, '%s: duration 59 refused with 5209' % platform,
             lambda: expect_error(lambda: ctx.create_token(platform, user['id'], duration=59), 400, 5209) and None)
    ctx.part(probe, '%s: duration 2592001 refused with 5209' % platform,
             lambda: expect_error(lambda: ctx.create_token(platform, user['id'], duration=2592001), 400, 5209) and None)

    if 'aosp' in ctx.platforms:
        def perpetual():
            token = ctx.create_token('aosp', ctx.user('c03-aosp')['id'], perpetual=True)
            if token.get('perpetual') is not True or expiry_of(token):
                raise Differs('perpetual %r with expiry %r' % (token.get('perpetual'), expiry_of(token)))
        ctx.part(probe, 'aosp: a perpetual token has no expiry', perpetual)
    else:
        ctx.record(probe, 'skipped', 'aosp perpetual tokens: aosp is not in APPLIVERY_LIVE_PLATFORMS')

    def expires():
        if error:
            raise Differs('creating a %d-second token failed: %s' % (EXPIRY_SECONDS, error))
        expire_at = parse_time(expiry_of(short) or short['createdAt'])
        wait = (expire_at - ctx.client.server_now()).total_seconds() + EXPIRY_GRACE
        if wait > 0:
            time.sleep(wait)
        while True:
            found = [t for t in ctx.user_tokens(platform, user['id']) if t['id'] == short['id']]
            late = (ctx.client.server_now() - expire_at).total_seconds()
            if len(found) == 1 and state_of(found[0]) == 'EXPIRED':
                return 'reads EXPIRED %.0f s after expireAt' % late
            if late > EXPIRY_PATIENCE:
                raise Differs('%.0f s after its expireAt the token reads %s' % (late, _short([state_of(t) for t in found])))
            time.sleep(10)
    ctx.part(probe, '%s: a PENDING token past expireAt reads EXPIRED' % platform, expires)


# ---------------------------------------------------------------------------------------------- C4
def c04_pagination(ctx):
    probe = 'c04_pagination'
    ctx.user('c04-a')
    ctx.user('c04-b')
    path = ctx.client.org_path('mdm/users')

    def envelope(data, limit, page):
        missing = [k for k in ENVELOPE if k not in (data or {})]
        if missing:
            raise Differs('the list envelope lacks %s' % ', '.join(missing))
        if data['limit'] != limit or data['page'] != page:
            raise Differs('limit %r page %r, expected %r and %r' % (data['limit'], data['page'], limit, page))
        if len(data['items']) > limit:
            raise Differs('%d items on a page of %d' % (len(data['items']), limit))

    ctx.part(probe, 'no limit: page 1 of 20, mongoose-paginate envelope', lambda: envelope(ctx.client.get(path), 20, 1))
    ctx.part(probe, 'limit=500 is capped at 100', lambda: envelope(ctx.client.get(path, params={'limit': 500}), 100, 1))

    def pages():
        first = ctx.client.get(path, params={'limit': 1, 'page': 1})
        envelope(first, 1, 1)
        second = ctx.client.get(path, params={'limit': 1, 'page': 2})
        envelope(second, 1, 2)
        if first['totalDocs'] < 2:
            raise Differs('totalDocs %r with two run users' % first['totalDocs'])
        if not (first['hasNextPage'] and first['nextPage'] == 2 and not first['hasPrevPage'] and first['prevPage'] is None):
            raise Differs('page 1 navigation %s' % _short(dict((k, first[k]) for k in ENVELOPE[4:])))
        if not (second['hasPrevPage'] and second['prevPage'] == 1 and first['totalPages'] == first['totalDocs']):
            raise Differs('page 2 navigation %s' % _short(dict((k, second[k]) for k in ENVELOPE[4:])))
        if first['items'][0]['id'] == second['items'][0]['id']:
            raise Differs('pages 1 and 2 hold the same item')
    ctx.part(probe, 'limit=1: pages start at 1, navigation fields', pages)


# ---------------------------------------------------------------------------------------------- C5
def c05_aosp_list(ctx):
    probe = 'c05_aosp_list'
    if 'aosp' not in ctx.platforms:
        ctx.record(probe, 'skipped', 'aosp is not in APPLIVERY_LIVE_PLATFORMS')
        return
    user, other = ctx.user('c05'), ctx.user('c05-other')
    kept = ctx.create_token('aosp', user['id'])
    gone = ctx.create_token('aosp', user['id'])
    ctx.delete_token('aosp', gone['id'])
    path = ctx.client.org_path(PLATFORMS['aosp'].tokens_path)

    def no_user_filter():
        try:
            page = ctx.client.get(path, params={'mdm-user': other['id'], 'sort': 'createdAt:desc', 'limit': 100})
        except ApiError as error:
            if error.status == 400 and error.code == 5209:
                return 'refused with 5209'
            raise
        owners = set(t.get('mdmUserId') for t in page.get('items') or [])
        if owners - set([other['id']]):
            return 'ignored'
        raise Differs('mdm-user was applied: the list holds only that user\'s tokens (%d)' % len(page.get('items') or []))
    ctx.part(probe, 'no mdm-user filter', no_user_filter)

    def status_filter():
        pending = [t['id'] for t in ctx.recent_aosp({'status': 'PENDING'})]
        both = [t['id'] for t in ctx.recent_aosp({'status': 'PENDING,DELETED'})]
        if kept['id'] not in pending or gone['id'] in pending:
            raise Differs('status=PENDING: kept %s, deleted %s' % (kept['id'] in pending, gone['id'] in pending))
        if kept['id'] not in both or gone['id'] not in both:
            raise Differs('status=PENDING,DELETED: kept %s, deleted %s' % (kept['id'] in both, gone['id'] in both))
    ctx.part(probe, 'status takes comma-separated states', status_filter)

    def owner_field():
        mine = [t for t in ctx.recent_aosp() if t['id'] == kept['id']]
        if len(mine) != 1 or mine[0].get('mdmUserId') != user['id']:
            raise Differs('list item %s' % _short(mine))
    ctx.part(probe, 'items carry mdmUserId', owner_field)


# ---------------------------------------------------------------------------------------------- C6
def c06_bulk(ctx):
    probe = 'c06_bulk'
    platform = ctx.first_platform('apple', 'android', 'windows', 'aosp')
    if platform is None:
        ctx.record(probe, 'skipped', 'no platform in APPLIVERY_LIVE_PLATFORMS')
        return
    plat = PLATFORMS[platform]
    known = ctx.user('c06-known')
    unknown_email = ctx.email('c06-unknown')
    bulk_path = ctx.client.org_path(plat.bulk_path)

    def body(emails):
        data = ctx.token_body(platform, None, userEmails=emails)
        data.pop('mdmUserId')
        if platform == 'aosp':
            data['duration'] = 86400
        return data

    def counts_and_duplicates():
        answer = ctx.client.post(bulk_path, body([known['email'], known['email'], unknown_email]))
        if sorted(answer or {}) != ['fail', 'success', 'total'] or not all(isinstance(v, int) for v in answer.values()):
            raise Differs('the answer is %s, not only {total, success, fail}' % _short(answer))
        if answer['total'] != 3:
            raise Differs('total %r for 3 emails' % answer['total'])
        mine = [t for t in ctx.user_tokens(platform, known['id']) if state_of(t) == 'PENDING']
        if len(mine) != 2:
            raise Differs('the duplicated email got %d tokens, expected 2' % len(mine))
        created = api.find_user(ctx.client, unknown_email)
        if created is None:
            raise Differs('the unknown email got no MDM user (answer %s)' % _short(answer))
        ctx.users['c06-unknown'] = created
        if len(ctx.user_tokens(platform, created['id'])) != 1:
            raise Differs('the new user has no token')
        return 'answer %s' % _short(answer)
    ctx.part(probe, '%s: answer is {total, success, fail}; a duplicate email gets 2 tokens; an unknown email gets a user'
             % platform, counts_and_duplicates)

    def malformed():
        valid = ctx.email('c06-valid')
        expect_error(lambda: ctx.client.post(bulk_path, body([valid, 'not-an-email'])), 400, 5209)
        if api.find_user(ctx.client, valid) is not None:
            raise Differs('the valid email next to the malformed one got a user')
    ctx.part(probe, '%s: one malformed email rejects the whole request with 5209' % platform, malformed)

    if ctx.bulk_limit:
        def limit():
            emails = [ctx.email('c06-many-%04d' % n) for n in range(1001)]
            expect_error(lambda: ctx.client.post(bulk_path, body(emails)), 400, 5017)
            if api.find_user(ctx.client, emails[0]) is not None or api.find_user(ctx.client, emails[-1]) is not None:
                raise Differs('the refused request created users')
        ctx.part(probe, '%s: 1001 emails refused with 5017' % platform, limit)
    else:
        ctx.record(probe, 'skipped', '1001-email limit: set APPLIVERY_LIVE_BULK_LIMIT=1 (it would create 1001 users if the limit '
                                     'did not exist)')


# ---------------------------------------------------------------------------------------------- C7
def c07_validation(ctx):
    probe = 'c07_validation'
    platform = ctx.first_platform('apple', 'windows', 'android', 'aosp')
    if platform is None:
        ctx.record(probe, 'skipped', 'no platform in APPLIVERY_LIVE_PLATFORMS')
        return
    user = ctx.user('c07')
    cases = (
        ('an unknown body key', {'amdmUnknownKey': 1}),
        ('a string for a boolean', {'sendEmail': 'false'}),
        ('a display name over the maximum length', {'displayName': 'x' * (PLATFORMS[platform].display_name_max + 1)}),
    )
    for description, extra in cases:
        ctx.part(probe, '%s: %s gives 400 / 5209 "Invalid input ..."' % (platform, description),
                 lambda extra=extra: expect_error(lambda: ctx.create_token(platform, user['id'], **extra), 400, 5209,
                                                  'Invalid input') and None)


# ---------------------------------------------------------------------------------------------- C8
def c08_auth(ctx):
    probe = 'c08_auth'
    url = ctx.client.base_url + ctx.client.org_path('mdm/users')
    verify = ctx.ca_path if (ctx.validate_certs and ctx.ca_path) else bool(ctx.validate_certs)

    def raw(headers, status, code, message):
        response = requests.get(url, headers=headers, timeout=60, verify=verify)
        try:
            error = (response.json() or {}).get('error') or {}
        except ValueError:
            error = {}
        if response.status_code != status or error.get('code') != code or error.get('message') != message:
            raise Differs('HTTP %s %s' % (response.status_code, _short(error or response.text[:120])))
    ctx.part(probe, 'no Authorization header: 401 / 4002 No auth token', lambda: raw({}, 401, 4002, 'No auth token'))
    ctx.part(probe, 'an unknown token: 401 / 4004 Invalid Token',
             lambda: raw({'Authorization': 'Bearer amdm-%s-no-such-token' % ctx.run_id}, 401, 4004, 'Invalid Token'))
    if ctx.viewer_token:
        viewer = ctx.new_client(api_token=ctx.viewer_token)
        ctx.part(probe, 'a Viewer token on a write: 403 / 4010 Permission denied',
                 lambda: expect_error(lambda: api.create_user(viewer, ctx.email('c08-viewer')), 403, 4010, 'Permission denied') and None)
        ctx.client.answers.extend(viewer.answers)
    else:
        ctx.record(probe, 'skipped', 'Viewer write (4010): set APPLIVERY_LIVE_VIEWER_TOKEN')


# ---------------------------------------------------------------------------------------------- C9
def c09_not_found(ctx):
    probe = 'c09_not_found'
    for description, organization in (('slug', 'amdm-%s-no-such-org' % ctx.run_id), ('id', NO_SUCH_ID)):
        other = ctx.new_client(organization=organization)
        ctx.part(probe, 'an unknown organization %s: 404 / 3001' % description,
                 lambda other=other: expect_error(lambda: other.get(other.org_path('mdm/users')), 404, 3001) and None)
    ctx.part(probe, 'an unknown user id: 404 / 3001',
             lambda: expect_error(lambda: ctx.client.get(ctx.client.org_path('mdm/users/%s' % NO_SUCH_ID)), 404, 3001) and None)
    platform = ctx.first_platform('apple', 'android', 'windows', 'aosp')
    if platform is None:
        ctx.record(probe, 'skipped', 'token and policy ids: no platform in APPLIVERY_LIVE_PLATFORMS')
        return
    plat = PLATFORMS[platform]
    ctx.part(probe, '%s: an unknown token id: 404 / 3001' % platform,
             lambda: expect_error(lambda: ctx.client.get(ctx.client.org_path(plat.token_path(NO_SUCH_ID))), 404, 3001) and None)
    user = ctx.user('c09')
    extra = {plat.policy_key: NO_SUCH_ID} if plat.policy_key else {plat.assignments_key: [{plat.assignment_policy_key: NO_SUCH_ID, 'priority': 1}]}
    ctx.part(probe, '%s: an unknown policy id in a create: 404 / 3001' % platform,
             lambda: expect_error(lambda: ctx.create_token(platform, user['id'], **extra), 404, 3001) and None)


# ---------------------------------------------------------------------------------------------- C12
def c12_emails(ctx):
    probe = 'c12_emails'
    mixed = 'Amdm-%s-C12@%s' % (ctx.run_id, ctx.domain.upper())
    created = {}

    def lower_case():
        created.update(ctx.client.post(ctx.client.org_path('mdm/users'), {'email': mixed}))
        ctx.users['c12'] = dict(created)
        if created.get('email') != mixed.lower():
            raise Differs('stored as %r' % created.get('email'))
    if not ctx.part(probe, 'emails are stored lower-case', lower_case):
        return
    path = ctx.client.org_path('mdm/users')

    def exact():
        swapped = mixed.swapcase()
        same = [u['id'] for u in ctx.client.paginate(path, params={'email': swapped})]
        if same != [created['id']]:
            raise Differs('email=%s gave %s' % (swapped, same))
        prefix = [u['id'] for u in ctx.client.paginate(path, params={'email': mixed.split('@')[0].lower()})]
        if prefix:
            raise Differs('the email without its domain matched %s' % prefix)
    ctx.part(probe, 'email= matches exactly and case-insensitively', exact)
    ctx.part(probe, 'creating an existing user: 400 / 5048',
             lambda: expect_error(lambda: ctx.client.post(path, {'email': mixed.lower()}), 400, 5048) and None)


# ---------------------------------------------------------------------------------------------- C13
def c13_windows_put(ctx):
    probe = 'c13_windows_put'
    if 'windows' not in ctx.platforms:
        ctx.record(probe, 'skipped', 'windows is not in APPLIVERY_LIVE_PLATFORMS')
        return
    plat = PLATFORMS['windows']
    policy = ctx.policy_id('windows')
    token = ctx.create_token('windows', ctx.user('c13')['id'])
    path = ctx.client.org_path(plat.token_path(token['id']))
    change = {'displayName': 'amdm %s put' % ctx.run_id, 'tags': [ctx.tag, 'amdm-put'], 'winPolicyId': policy,
              'winPolicyAssignments': [{'winPolicyId': policy, 'priority': 1}]}

    def pending():
        try:
            updated = ctx.client.put(path, change)
        except ApiError as error:
            if error.code == 5050:
                return 'plan'
            raise
        wrong = [k for k in ('displayName', 'winPolicyId') if updated.get(k) != change[k]]
        if sorted(updated.get('tags') or []) != sorted(change['tags']):
            wrong.append('tags')
        if [(a.get('winPolicyId'), a.get('priority')) for a in updated.get('winPolicyAssignments') or []] != [(policy, 1)]:
            wrong.append('winPolicyAssignments')
        if wrong or state_of(updated) != 'PENDING':
            raise Differs('after PUT: %s not changed, state %s' % (', '.join(wrong) or 'all', state_of(updated)))
        return None
    outcome = []
    ctx.part(probe, 'PUT changes displayName, tags, winPolicyId and winPolicyAssignments of a PENDING token',
             lambda: outcome.append(pending()))
    if outcome == ['plan']:
        ctx.parts[probe].pop()
        ctx.record(probe, 'skipped', 'the organization\'s plan has no Windows token update (5050)')
        return
    ctx.delete_token('windows', token['id'])
    ctx.part(probe, 'PUT on a DELETED token: 400 / 5120',
             lambda: expect_error(lambda: ctx.client.put(path, {'displayName': 'amdm late'}), 400, 5120) and None)


# ---------------------------------------------------------------------------------------------- C14
def c14_times_and_ids(ctx):
    probe = 'c14_times_and_ids'
    seen = {'times': 0, 'ids': 0}
    bad = []

    def walk(value, key=None):
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key:
            if key in TIME_KEYS:
                seen['times'] += 1
                if not ISO_UTC.match(value):
                    bad.append('%s=%r' % (key, value))
            elif key == 'id' or (key.endswith('Id') and key != 'segmentId'):
                seen['ids'] += 1
                if not HEX24.match(value):
                    bad.append('%s=%r' % (key, value))

    def check():
        for answer in ctx.client.answers:
            walk(answer)
        if not seen['times'] or not seen['ids']:
            raise Differs('nothing to check: %d times, %d ids in %d answers' % (seen['times'], seen['ids'], len(ctx.client.answers)))
        if bad:
            raise Differs('%d of %d values: %s' % (len(bad), seen['times'] + seen['ids'], ', '.join(bad[:5])))
        return '%d times and %d ids in %d answers' % (seen['times'], seen['ids'], len(ctx.client.answers))
    ctx.part(probe, 'times are ISO-8601 UTC with Z, ids are 24-hex', check)


# The order they run in (c03_expiry_start first, c03_expiry after the others so that its wait overlaps them).
PROBES = (
    ('C1', c01_android_routes), ('C2', c02_soft_delete), ('C4', c04_pagination), ('C5', c05_aosp_list),
    ('C6', c06_bulk), ('C7', c07_validation), ('C8', c08_auth), ('C9', c09_not_found), ('C12', c12_emails),
    ('C13', c13_windows_put), ('C3', c03_expiry), ('C14', c14_times_and_ids),
)


def verdict(parts):
    statuses = set(status for status, dummy in parts)
    if 'differs' in statuses:
        return 'differs'
    if statuses == set(['confirmed']):
        return 'confirmed'
    if 'confirmed' in statuses:
        return 'confirmed in part'
    return 'skipped'


def run_probes(ctx, log=print, only=None):
    """Run every probe (or those named in ``only``); return [{contract, probe, verdict, parts}] in contract order.

    The rows that cannot be checked live are included when every probe runs.
    """
    selected = [(c, p) for c, p in PROBES if not only or p.__name__ in only]
    if any(p is c03_expiry for dummy, p in selected):
        c03_expiry_start(ctx)
    results = {}
    for contract, probe in selected:
        started = time.monotonic()
        try:
            probe(ctx)
        except Exception as error:  # pylint: disable=broad-except
            ctx.record(probe.__name__, 'differs', 'the probe stopped: %s: %s' % (type(error).__name__, error))
        parts = ctx.parts.get(probe.__name__, [])
        results[contract] = {'contract': contract, 'probe': probe.__name__, 'verdict': verdict(parts),
                             'parts': [{'status': s, 'text': t} for s, t in parts], 'seconds': round(time.monotonic() - started, 1)}
        log(format_result(results[contract]))
        for status, text in parts:
            log('       %-9s %s' % (status, text))
    for contract, why in NOT_CHECKABLE.items() if not only else ():
        results[contract] = {'contract': contract, 'probe': None, 'verdict': 'not checkable live', 'parts': [{'status': 'not checkable', 'text': why}]}
        log(format_result(results[contract]))
    return [results[c] for c in sorted(results, key=lambda c: int(c[1:]))]


def format_result(result):
    """One line per probe: ``C3 c03_expiry: confirmed`` or ``... differs: <parts that differ>``."""
    parts = result['parts']
    head = '%-4s %-20s ' % (result['contract'], result['probe'] or '-')
    if result['verdict'] == 'confirmed':
        return head + 'confirmed (%d checks)' % len(parts)
    if result['verdict'] == 'not checkable live':
        return head + 'not checkable live: %s' % parts[0]['text']
    differs = [p['text'] for p in parts if p['status'] == 'differs']
    skipped = [p['text'] for p in parts if p['status'] == 'skipped']
    text = head + result['verdict']
    if differs:
        text += ': ' + '; '.join(differs)
    if skipped:
        text += ' [skipped: %s]' % '; '.join(skipped)
    return text
