# -*- coding: utf-8 -*-
# Copyright: applivery.mdm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the built documentation site in headless Chromium and check what a reader sees.

Run by ``make docs-site`` (which builds the site first):

    DOCSITE_HTML=build/docsite/html DOCSITE_SCREENSHOTS=build/docsite/screenshots \
        DOCSITE_COLLECTION=build/ansible_collections/applivery/mdm pytest tests/docs

Needs Chromium and chromedriver (Debian packages ``chromium`` and ``chromium-driver``), selenium and
Pillow (tests/requirements-docs.txt). A missing site or browser is an error, never a skip.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import contextlib
import os
import shutil
import tempfile

import pytest
import yaml

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the collection the site was built from; option names are read from its plugins
COLLECTION_ROOT = os.path.abspath(os.environ.get('DOCSITE_COLLECTION', ROOT))
HTML = os.path.abspath(os.environ.get('DOCSITE_HTML', os.path.join(ROOT, 'build', 'docsite', 'html')))
SHOTS = os.path.abspath(os.environ.get('DOCSITE_SCREENSHOTS', os.path.join(ROOT, 'build', 'docsite', 'screenshots')))
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')
WIDTH, HEIGHT = 1280, 1000
MODULE_PAGE = 'collections/applivery/mdm/enrollment_token_bulk_module.html'
ASSUMPTIONS_PAGE = 'collections/applivery/mdm/docsite/guide_api_assumptions.html'
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync',
                  '--disable-dev-shm-usage', '--window-size=%d,%d' % (WIDTH, HEIGHT))


def documented_options(path):
    """Top-level option names of the DOCUMENTATION string of a plugin or doc fragment file."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            return set((yaml.safe_load(node.value.value) or {}).get('options') or {})
    raise AssertionError('%s has no DOCUMENTATION' % path)


def module_options(name):
    """Options of a module, its doc fragments' options included."""
    path = os.path.join(COLLECTION_ROOT, 'plugins', 'modules', name + '.py')
    options = documented_options(path)
    with open(path) as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            for fragment in yaml.safe_load(node.value.value).get('extends_documentation_fragment') or []:
                fragment_file = os.path.join(COLLECTION_ROOT, 'plugins', 'doc_fragments', fragment.split('.')[-1] + '.py')
                options |= documented_options(fragment_file)
    return options


def check_screenshot(path):
    """The PNG has the window's size and shows a page, not a blank or single-colour canvas."""
    assert os.path.getsize(path) > 20000, '%s is only %d bytes' % (path, os.path.getsize(path))
    with Image.open(path) as image:
        assert image.format == 'PNG'
        assert image.size[0] >= WIDTH * 0.9 and image.size[1] >= HEIGHT * 0.6, 'screenshot is %sx%s' % image.size
        rgb = image.convert('RGB')
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) >= 64, 'only %s distinct colours' % (len(colours) if colours else '?')
        # the most frequent colour (the page background) must not cover everything
        background = max(colours)[0]
        assert background < 0.97 * rgb.size[0] * rgb.size[1], 'the page is almost only its background colour'
        return rgb.size, len(colours)


@contextlib.contextmanager
def chromium_driver(prefix, logging_prefs):
    """Headless Chromium through chromedriver, with the flags above (no background traffic) and a profile of its own,
    removed afterwards. ``logging_prefs`` is the goog:loggingPrefs capability (the logs a test reads)."""
    for path, what in ((CHROMIUM, 'chromium'), (CHROMEDRIVER, 'chromedriver')):
        assert os.path.exists(path), 'missing %s: %s (run make docs-browser)' % (what, path)
    profile = tempfile.mkdtemp(prefix=prefix)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + ('--user-data-dir=%s' % profile,):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', logging_prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_window_size(WIDTH, HEIGHT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope='module')
def browser():
    assert os.path.exists(HTML), 'missing the built site (run make docs): %s' % HTML
    with chromium_driver('amdm-chromium-', {'browser': 'ALL'}) as driver:
        yield driver


def open_page(driver, relative):
    path = os.path.join(HTML, relative)
    assert os.path.isfile(path), 'page not built: %s' % path
    driver.get('file://' + path)
    assert driver.execute_script('return document.readyState') == 'complete'
    return driver


def screenshot(driver, name):
    if not os.path.isdir(SHOTS):
        os.makedirs(SHOTS)
    path = os.path.join(SHOTS, name)
    assert driver.save_screenshot(path), 'no screenshot written'
    return path


def severe_console_errors(driver):
    return [entry['message'] for entry in driver.get_log('browser') if entry.get('level') == 'SEVERE']


def test_index_page(browser):
    driver = open_page(browser, 'index.html')
    assert 'Applivery MDM collection (applivery.mdm)' in driver.title
    heading = driver.find_element(By.TAG_NAME, 'h1')
    assert heading.is_displayed() and 'applivery.mdm' in heading.text
    body = driver.find_element(By.TAG_NAME, 'body').text
    for text in ('Quick start', 'Troubleshooting by error code', 'API assumptions', 'enrollment_token_bulk'):
        assert text in body, '%r not on the index page' % text
    # the theme's stylesheet is applied: the navigation sidebar has a real background colour
    sidebar = driver.find_element(By.CSS_SELECTOR, '.wy-nav-side')
    assert sidebar.is_displayed()
    assert sidebar.value_of_css_property('background-color') not in ('rgba(0, 0, 0, 0)', 'transparent')
    assert severe_console_errors(driver) == []

    size, colours = check_screenshot(screenshot(driver, 'index.png'))
    print('index.png: %sx%s, %d colours' % (size[0], size[1], colours))

    links = [a for a in driver.find_elements(By.TAG_NAME, 'a')
             if (a.get_attribute('href') or '').split('#')[0].endswith(ASSUMPTIONS_PAGE) and a.text.strip()]
    assert links, 'no link to the API assumptions page on the index'
    assert links[0].is_displayed()
    links[0].click()
    assert driver.current_url.split('#')[0].endswith(ASSUMPTIONS_PAGE)
    assert driver.find_element(By.TAG_NAME, 'h1').text.startswith('API assumptions')
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, 'table tbody tr')]
    for number in range(1, 15):
        assert any(row.startswith('C%d\n' % number) or row.startswith('C%d ' % number) for row in rows), \
            'contract row C%d missing from the API assumptions table' % number
    for probe in ('c01_android_routes', 'c03_expiry', 'c06_bulk', 'c13_windows_put', 'c14_times_and_ids'):
        assert any(probe in row for row in rows), 'probe %s not named in the table' % probe
    assert sum('Not checkable live' in row for row in rows) == 2
    table = driver.find_element(By.CSS_SELECTOR, 'table tbody')
    driver.execute_script('arguments[0].scrollIntoView();', table)
    size, colours = check_screenshot(screenshot(driver, 'guide_api_assumptions.png'))
    print('guide_api_assumptions.png: %sx%s, %d colours' % (size[0], size[1], colours))


def test_module_page(browser):
    driver = open_page(browser, MODULE_PAGE)
    assert driver.title.startswith('applivery.mdm.enrollment_token_bulk module')
    heading = driver.find_element(By.TAG_NAME, 'h1')
    assert heading.text.startswith('applivery.mdm.enrollment_token_bulk module')
    body = driver.find_element(By.TAG_NAME, 'body').text
    assert 'Declarative bulk onboarding' in body
    assert 'Parameters' in body and 'Return Values' in body and 'Examples' in body

    options = module_options('enrollment_token_bulk')
    for required in ('users', 'platform', 'exclusive', 'chunk_size', 'api_token', 'organization'):
        assert required in options
    for option in sorted(options):
        anchor = driver.find_element(By.ID, 'parameter-%s' % option)
        cell = anchor.find_element(By.XPATH, './ancestor::td[1]')
        assert cell.is_displayed(), 'option %s is not visible' % option
        assert option in cell.text.split(), 'option %s: cell reads %r' % (option, cell.text)
    for value in ('summary', 'results', 'plan'):
        assert driver.find_element(By.ID, 'return-%s' % value).find_element(By.XPATH, './ancestor::td[1]').is_displayed()
    assert severe_console_errors(driver) == []

    size, colours = check_screenshot(screenshot(driver, 'enrollment_token_bulk_module.png'))
    print('enrollment_token_bulk_module.png: %sx%s, %d colours' % (size[0], size[1], colours))
