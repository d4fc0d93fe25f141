"""Screenshots of the main pages at tablet and desktop sizes, in French and English.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000 /tmp/shots [path ...]

Signs in as the demo owner (or EMAIL/PASSWORD from the environment).
"""
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SIZES = {"tablet": (768, 1024), "desktop": (1280, 800)}
DEFAULT_PATHS = ["/customers", "/loyalty", "/sales/new", "/sales", "/team"]


def main(base: str, out: str, paths: list[str]) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    email = os.environ.get("EMAIL", "owner@demo.test")
    password = os.environ.get("PASSWORD", "comptoir-demo")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for language in ("fr", "en"):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.screenshot(path=str(out_dir / f"login-{language}.png"))
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.evaluate(f"""fetch('/language', {{method: 'POST', headers: {{'X-CSRFToken':
                JSON.parse(document.getElementById('app').getAttribute('hx-headers'))['X-CSRFToken'],
                'Content-Type': 'application/x-www-form-urlencoded'}}, body: 'language={language}'}})""")
            for path in paths or DEFAULT_PATHS:
                for size_name, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                    page.screenshot(path=str(out_dir / f"{name}-{size_name}-{language}.png"), full_page=False)
            context.close()
        browser.close()
    print(f"screenshots in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
