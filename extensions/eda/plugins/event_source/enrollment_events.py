# -*- coding: utf-8 -*-
# Copyright: (c) 2026, applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""applivery.mdm.enrollment_events: an Event-Driven Ansible source for Applivery MDM enrollment events.

A thin asyncio loop: the change detection, the state file and the list reads live in the
collection's plugins/module_utils/_events.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import logging
import os
import sys

DOCUMENTATION = r"""
---
short_description: Events when Applivery MDM enrollment tokens are created, used, expire or are revoked
version_added: 0.2.0
description:
  - An ansible-rulebook event source that polls the enrollment token lists of an Applivery MDM organization and puts
    one event on the queue for each change it sees.
  - Every event is a dict with one top-level key, C(applivery), holding C(type), C(event_id), C(organization),
    C(platform), C(token_id), C(user_id), C(email), C(device_id), C(state), C(previous_state), C(display_name),
    C(management_mode),
    C(tags), C(expires_at), C(created_at), C(at), C(detected_at) and C(initial).
  - "The types are C(token_created); C(enrollment_started) (the token turned PROCESSING, on platforms that have that
    state); C(device_enrolled) (the token turned DONE, C(device_id) names the device); C(token_expiring) (a pending
    token expires within O(expiring_within), emitted once per token, and only when the person has enrolled no device
    on that platform and holds no fresher token); C(token_expired); and C(token_revoked) (the token was deleted, or
    vanished from the list for two polls in a row)."
  - C(event_id) is C(<platform>:<token_id>:<type>), stable across restarts, for de-duplication downstream.
  - No event and no log line holds the API token or a token's enrollment link, code or QR code.
  - With O(state_file), what was seen and the events not yet handed to the rulebook survive a restart, so a restart
    emits no duplicate and a change made while the source was down is emitted when it starts again.
  - Each poll reads one page of up to 1,000 tokens per platform (the API may cap pages lower), plus the MDM user list
    when an AOSP token names only its user's id. GETs are retried on 429 and 5xx honouring C(Retry-After); a poll that
    still fails is retried after an exponential back-off, and no change is lost meanwhile.
options:
  api_url:
    description:
      - Base URL of the Applivery API, without C(/v1).
      - Falls back to the E(APPLIVERY_API_URL) environment variable.
    type: str
    default: https://api.applivery.io
  api_token:
    description:
      - Bearer token of an Applivery service account; a Viewer token is enough, the source only reads.
      - Falls back to the E(APPLIVERY_API_TOKEN) environment variable.
    type: str
    required: true
  organization:
    description:
      - Id (24-hex) or slug of the organization (workspace).
      - Falls back to the E(APPLIVERY_ORGANIZATION) environment variable.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the API's TLS certificate. Falls back to E(APPLIVERY_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle that signed the API's certificate. Falls back to E(APPLIVERY_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for each answer. Falls back to E(APPLIVERY_TIMEOUT).
    type: int
    default: 30
  retries:
    description:
      - How many times one GET is retried on a connection error, 429 or 5xx before the poll counts as failed.
        Falls back to E(APPLIVERY_RETRIES).
    type: int
    default: 3
  platforms:
    description:
      - The platforms whose tokens are watched.
    type: list
    elements: str
    choices: [android, aosp, apple, windows]
    default: [android, aosp, apple, windows]
  interval:
    description:
      - Seconds between two polls.
    type: float
    default: 60
  max_backoff:
    description:
      - Longest wait, in seconds, between polls after failed polls (the wait doubles from O(interval) up to this).
    type: float
    default: 300
  state_file:
    description:
      - Path of a JSON file (mode 0600) where the source keeps what it has seen and the events it has not handed over.
      - Without it, every start is a first start.
      - Use one file per organization and per rulebook activation.
    type: path
  emit_existing:
    description:
      - What the first start (no O(state_file), or a new one) does with the tokens that already exist.
      - V(false) emits nothing for them, only for later changes. A token already inside the O(expiring_within)
        window at that point gets no C(token_expiring).
      - V(true) emits their current state once, with C(initial) true. A C(token_created) for each pending token
        (and C(token_expiring) where it applies), C(enrollment_started), C(device_enrolled), C(token_expired) or
        C(token_revoked) for the others.
    type: bool
    default: false
  expiring_within:
    description:
      - A pending token that expires within this duration gets one C(token_expiring) event.
      - Seconds, or a string such as V(90m), V(12h), V(2d), as O(applivery.mdm.enrollment_token#module:renew_before).
        V(0) turns C(token_expiring) off.
      - Keep it shorter than the life of the tokens you create, or every new token is expiring from birth.
    type: raw
    default: 12h
notes:
  - Needs the C(requests) Python library (the collection's requirements.txt) next to ansible-rulebook.
  - Applivery's own webhooks announce token creation and device enrollment, with undocumented payloads, and
    nothing for expiry. This source needs no inbound network access and covers every type above.
"""

EXAMPLES = r"""
- name: Act on Applivery enrollment events
  hosts: localhost
  sources:
    - applivery.mdm.enrollment_events:
        organization: acme
        platforms: [apple, windows]
        interval: 60
        expiring_within: 1d
        state_file: /var/lib/eda/applivery-acme.json
  rules:
    - name: Renew a token that is about to expire
      condition: event.applivery.type == "token_expiring"
      action:
        run_playbook:
          name: applivery.mdm.eda_renew_token
    - name: Record an enrolled device
      condition: event.applivery.type == "device_enrolled"
      action:
        run_playbook:
          name: applivery.mdm.eda_record_enrollment
"""

LOGGER = logging.getLogger("applivery.mdm.enrollment_events")


def _events_module():
    """The collection's module_utils._events; found next to this file when the collection is not on sys.path."""
    try:
        from ansible_collections.applivery.mdm.plugins.module_utils import _events
    except ImportError:
        here = os.path.dirname(os.path.abspath(__file__))
        root = os.path.abspath(os.path.join(here, *([os.pardir] * 7)))  # .../<root>/ansible_collections/applivery/mdm/...
        if os.path.isdir(os.path.join(root, "ansible_collections")) and root not in sys.path:
            sys.path.insert(0, root)
        from ansible_collections.applivery.mdm.plugins.module_utils import _events
    return _events


async def _deliver(queue, state, events_mod):
    """Hand the outbox to the rulebook, oldest first; the state file forgets each event once it is handed over."""
    delivered = 0
    while state.outbox:
        event = state.outbox[0]
        await queue.put(events_mod.wrap(event))
        state.outbox.pop(0)
        delivered += 1
        LOGGER.info("applivery event %s: %s token %s", event["type"], event["platform"], event["token_id"])
    if delivered:
        state.save()


async def main(queue, args):
    """Poll the token lists every ``interval`` seconds and put one event per change on ``queue``."""
    events_mod = _events_module()
    from ansible_collections.applivery.mdm.plugins.module_utils._client import AppliveryClient

    config = events_mod.source_config(args)
    state = events_mod.StateFile(config["state_file"], config["organization"]).load()
    client = AppliveryClient(api_token=config["api_token"], organization=config["organization"], api_url=config["api_url"],
                             validate_certs=config["validate_certs"], ca_path=config["ca_path"],
                             timeout=config["timeout"], retries=config["retries"])
    detector = events_mod.ChangeDetector(config["organization"], expiring_within=config["expiring_within"],
                                         emit_existing=config["emit_existing"])
    poller = events_mod.Poller(client, state, detector, config["platforms"])
    LOGGER.info("applivery.mdm.enrollment_events: organization %s, platforms %s, every %s s, state file %s",
                config["organization"], ",".join(config["platforms"]), config["interval"], config["state_file"] or "none")
    loop = asyncio.get_running_loop()
    failures = 0
    polls = 0
    try:
        await _deliver(queue, state, events_mod)  # handed over by no one before the last stop
        while True:
            try:
                result = await loop.run_in_executor(None, poller.poll)
            except Exception:  # pylint: disable=broad-exception-caught
                if not polls:
                    raise
                # a reply of a shape never seen: keep watching, with the state as it was
                LOGGER.exception("applivery.mdm.enrollment_events: poll failed; retrying")
                failures += 1
                await asyncio.sleep(events_mod.backoff_delay(config["interval"], failures, config["max_backoff"]))
                continue
            new_events, errors = poller.commit(result)
            polls += 1
            for name, error in sorted(errors.items()):
                LOGGER.warning("applivery.mdm.enrollment_events: %s tokens not read this poll: %s", name, error)
            if polls == 1 and errors and len(errors) == len(config["platforms"]) and \
                    not any(events_mod.retryable(e) for e in errors.values()):
                raise RuntimeError("applivery.mdm.enrollment_events: no platform could be read: %s"
                                   % "; ".join(str(e) for e in errors.values()))
            if new_events or result.changed:
                state.save()
            await _deliver(queue, state, events_mod)
            failures = failures + 1 if any(events_mod.retryable(e) for e in errors.values()) else 0
            delay = events_mod.backoff_delay(config["interval"], failures, config["max_backoff"])
            if failures:
                LOGGER.warning("applivery.mdm.enrollment_events: backing off, next poll in %s s", delay)
            await asyncio.sleep(delay)
    finally:
        state.save()
        client.close()


if __name__ == "__main__":
    # Try it without a rulebook: APPLIVERY_* variables set, events printed as they come.

    class MockQueue:
        """Prints the events."""

        async def put(self, event):
            print(event)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {"interval": 10}))
