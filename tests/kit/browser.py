"""Headless Chromium from the command line: screenshots and PDFs of local HTML files, and QR decoding."""

from __future__ import annotations

import os
import subprocess
import tempfile


def _run(chromium, args, url, timeout=90):
    with tempfile.TemporaryDirectory(prefix="kit-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
               "--user-data-dir=%s" % profile] + list(args) + [url]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout, check=False)
    return proc


def screenshot(chromium, html_path, png_path, width=800, height=1150, scale=2):
    """A PNG of the page as a screen shows it (CSS px width x height, at ``scale`` device pixels per px)."""
    proc = _run(chromium, ["--hide-scrollbars", "--force-device-scale-factor=%s" % scale,
                           "--window-size=%d,%d" % (width, height), "--screenshot=%s" % png_path],
                "file://" + os.path.abspath(html_path))
    if not os.path.isfile(png_path):
        raise AssertionError("Chromium made no screenshot (rc %s): %s" % (proc.returncode, proc.stderr[-2000:]))
    return png_path


def print_pdf(chromium, html_path, pdf_path):
    """The page printed to PDF, as the print dialog would (CSS @page size, no header or footer)."""
    proc = _run(chromium, ["--no-pdf-header-footer", "--print-to-pdf=%s" % pdf_path], "file://" + os.path.abspath(html_path))
    if not os.path.isfile(pdf_path):
        raise AssertionError("Chromium made no PDF (rc %s): %s" % (proc.returncode, proc.stderr[-2000:]))
    return pdf_path


def decode_qr(png_path):
    """The texts of the QR codes zxing-cpp finds in the image."""
    import zxingcpp  # pylint: disable=import-outside-toplevel
    from PIL import Image  # pylint: disable=import-outside-toplevel

    with Image.open(png_path) as image:
        results = zxingcpp.read_barcodes(image.convert("L"))
    return [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]


def pdf_pages(pdf_path):
    """``[(width_mm, height_mm), ...]`` of the PDF's pages."""
    from pypdf import PdfReader  # pylint: disable=import-outside-toplevel

    reader = PdfReader(pdf_path)
    return [(round(float(p.mediabox.width) * 25.4 / 72, 1), round(float(p.mediabox.height) * 25.4 / 72, 1)) for p in reader.pages]


def pdf_texts(pdf_path):
    """The text of each page of the PDF."""
    from pypdf import PdfReader  # pylint: disable=import-outside-toplevel

    return [page.extract_text() or "" for page in PdfReader(pdf_path).pages]
