"""What a user does on the hub, in headless Chromium: log in, formgrader, the Assignments tab.

Each :class:`HubSession` is one browser context logged in as one system user.
Files are read and written through that user's own Jupyter server (the contents
API) and code runs in a kernel of their own server (REST + websocket, from the
page), so every check happens with that user's permissions.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "hub"

# Runs `code` in a new kernel of the user's server and returns its printed output.
# Plain Jupyter messaging over the kernel's websocket (JSON protocol), from the page,
# so the request carries the user's own cookies.
RUN_IN_KERNEL_JS = """
async ({base, code, xsrf}) => {
  const headers = {'X-XSRFToken': xsrf, 'Content-Type': 'application/json'};
  const r = await fetch(`${base}/api/kernels`, {method: 'POST', headers, body: JSON.stringify({name: 'python3'})});
  if (!r.ok) throw new Error(`starting a kernel: HTTP ${r.status} ${await r.text()}`);
  const kernel = await r.json();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}${base}/api/kernels/${kernel.id}/channels?_xsrf=${encodeURIComponent(xsrf)}`;
  const out = [];
  try {
    await new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const msgId = 'probe-' + Math.random().toString(16).slice(2);
      const timer = setTimeout(() => { ws.close(); reject(new Error('no reply in 90 s: ' + out.join(''))); }, 90000);
      ws.onerror = () => { clearTimeout(timer); reject(new Error('kernel websocket error')); };
      ws.onopen = () => ws.send(JSON.stringify({
        header: {msg_id: msgId, username: '', session: 'probe', msg_type: 'execute_request', version: '5.3',
                 date: new Date().toISOString()},
        parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
        content: {code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false,
                  stop_on_error: true},
      }));
      ws.onmessage = (event) => {
        const msg = JSON.parse(event.data);
        if (!msg.parent_header || msg.parent_header.msg_id !== msgId) return;
        if (msg.msg_type === 'stream') out.push(msg.content.text);
        if (msg.msg_type === 'error') out.push(`${msg.content.ename}: ${msg.content.evalue}\\n`);
        if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') {
          clearTimeout(timer); ws.close(); resolve();
        }
      };
    });
  } finally {
    await fetch(`${base}/api/kernels/${kernel.id}`, {method: 'DELETE', headers});
  }
  return out.join('');
}
"""


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save the page (whole, or what the window shows) to test-artifacts/hub/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


class HubSession:
    """One user logged in to the hub in their own browser context."""

    def __init__(self, browser: Browser, hub_url: str, user: str, password: str):
        self.hub_url = hub_url
        self.user = user
        self.password = password
        self.base = f"/user/{user}"
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(90_000)
        self.page = self.context.new_page()

    # --- logging in ---------------------------------------------------------------------

    def start_login(self) -> None:
        """Submit the login form; the hub starts the user's server (wait with :meth:`wait_for_lab`)."""
        self.page.goto(f"{self.hub_url}/hub/login")
        self.page.fill("#username_input", self.user)
        self.page.fill("#password_input", self.password)
        self.page.click("#login_submit", no_wait_after=True)

    def wait_for_lab(self, timeout: float = 150) -> None:
        """Wait until JupyterLab is up in the user's own server.

        If the hub's "server starting" page does not move on by itself, reload the
        Lab address once a minute, as a user would (and say so in the output).
        """
        lab = re.compile(rf"{re.escape(self.base)}/lab")
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.page.wait_for_url(lab, timeout=60_000)
                break
            except PlaywrightTimeout:
                body = self.page.locator("body").inner_text()[:600]
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.user}'s JupyterLab did not open; the page is {self.page.url}:\n{body}")
                print(f"{self.user}: still at {self.page.url} after 60 s ({body[:200]!r}); reloading")
                self.page.goto(f"{self.hub_url}{self.base}/lab")
        expect(self.page.locator("#jp-main-statusbar")).to_be_visible(timeout=120_000)
        expect(self.page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader")).to_be_visible()

    def nbgrader_menu(self) -> list[str]:
        """The labels of the Nbgrader menu's entries."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        labels = self.page.locator(".lm-Menu-itemLabel").all_inner_texts()
        self.page.keyboard.press("Escape")
        return [label for label in labels if label.strip()]

    # --- the user's own server, with their cookies ---------------------------------------

    @property
    def xsrf(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == "_xsrf" and c["path"].startswith(self.base))

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the user's Jupyter server (``path`` after ``/user/NAME``); return the response."""
        return self.page.request.fetch(
            f"{self.hub_url}{self.base}{path}",
            method=method,
            headers={"X-XSRFToken": self.xsrf, "Content-Type": "application/json"},
            data=json.dumps(body) if body is not None else None,
        )

    def read_notebook(self, path: str) -> dict[str, Any]:
        response = self.api("GET", f"/api/contents/{path}?content=1")
        assert response.ok, f"{self.user} could not read {path}: {response.status} {response.text()[:300]}"
        return response.json()["content"]

    def write_notebook(self, path: str, nb: dict[str, Any]) -> None:
        response = self.api("PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})
        assert response.ok, f"{self.user} could not save {path}: {response.status} {response.text()[:300]}"

    def read_text(self, path: str) -> str:
        response = self.api("GET", f"/api/contents/{path}?content=1&format=text&type=file")
        assert response.ok, f"{self.user} could not read {path}: {response.status} {response.text()[:300]}"
        return response.json()["content"]

    def list_dir(self, path: str) -> list[str]:
        response = self.api("GET", f"/api/contents/{path}?content=1")
        assert response.ok, f"{self.user} could not list {path}: {response.status}"
        return sorted(item["name"] for item in response.json()["content"])

    def rename(self, old: str, new: str) -> None:
        response = self.api("PATCH", f"/api/contents/{old}", {"path": new})
        assert response.ok, f"{self.user} could not rename {old}: {response.status} {response.text()[:300]}"

    def run_code(self, code: str) -> str:
        """Run ``code`` in a fresh kernel of the user's server; return what it printed."""
        return self.page.evaluate(RUN_IN_KERNEL_JS, {"base": self.base, "code": code, "xsrf": self.xsrf})

    def close(self) -> None:
        self.context.close()


class AssignmentsTab:
    """The student's Assignments tab (nbgrader's assignment list in JupyterLab)."""

    def __init__(self, session: HubSession):
        self.s = session
        self.page = session.page

    def open(self) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        expect(self.page.locator("#released_assignments_list")).to_be_attached()
        expect(self.page.locator("#released_assignments_list_loading")).to_be_hidden()

    def _item(self, listing: str, assignment: str) -> Locator:
        return self.page.locator(f"#{listing} > .list_item").filter(has_text=assignment)

    def fetch(self, assignment: str) -> None:
        self._item("released_assignments_list", assignment).locator("button", has_text="Fetch").click()
        expect(self._item("fetched_assignments_list", assignment).locator("button", has_text="Submit")).to_be_visible()

    def submit(self, assignment: str) -> None:
        """Click Submit; wait until the Submitted list shows one more submission."""
        before = self.submissions(assignment)
        self._item("fetched_assignments_list", assignment).locator("button", has_text="Submit").click()
        deadline = time.monotonic() + 60
        while self.submissions(assignment) <= before:
            dialog = self.page.locator(".jp-Dialog")
            if dialog.count():
                raise AssertionError(f"submit failed: {dialog.inner_text()}")
            assert time.monotonic() < deadline, "the submission did not appear in the Submitted list"
            time.sleep(0.2)

    def submit_refused(self, assignment: str) -> str:
        """Click Submit expecting nbgrader to refuse; return the dialog's text and close it."""
        self._item("fetched_assignments_list", assignment).locator("button", has_text="Submit").click()
        dialog = self.page.locator(".jp-Dialog")
        expect(dialog).to_be_visible()
        text = dialog.inner_text()
        screenshot(self.page, f"{self.s.user.split('-')[-1]}-submit-refused")
        dialog.locator("button", has_text="Ok").click()
        expect(dialog).to_have_count(0)
        return text

    def validate(self, assignment: str) -> str:
        """Open the fetched assignment's notebooks, click Validate, return the result's text."""
        item = self._item("fetched_assignments_list", assignment)
        button = item.locator(".nested_list_item button", has_text="Validate")
        if not button.is_visible():
            item.locator("a.assignment-notebooks-link").click()
        button.click()
        dialog = self.page.locator(".jp-Dialog", has_text="Validation Results")
        expect(dialog).to_be_visible(timeout=180_000)
        text = dialog.inner_text()
        screenshot(self.page, f"{self.s.user.split('-')[-1]}-validated")
        dialog.locator("button", has_text="Ok").click()
        expect(dialog).to_have_count(0)
        return text

    def submissions(self, assignment: str) -> int:
        """How many submission timestamps the Submitted list shows for ``assignment``."""
        item = self._item("submitted_assignments_list", assignment)
        if not item.count():
            return 0
        return item.locator(".nested_list_item").count()

    def fetch_feedback(self, assignment: str) -> None:
        item = self._item("submitted_assignments_list", assignment)
        item.locator("button", has_text="Fetch Feedback").click()
        expect(item.locator("a", has_text=re.compile("feedback", re.I)).first).to_be_visible()


class Formgrader:
    """nbgrader's formgrader, opened in its own tab at /user/NAME/formgrader.

    (Inside JupyterLab it is blank under JupyterHub 4.1+: its frame is refused by the
    single-user server's Content-Security-Policy.)
    """

    def __init__(self, session: HubSession):
        self.s = session
        self.page = session.context.new_page()
        self.url = f"{session.hub_url}{session.base}/formgrader"

    def open_assignments(self) -> None:
        self.page.goto(f"{self.url}/manage_assignments")
        expect(self.page.locator("#main-table tr td.name").first).to_be_visible()

    def row(self, assignment: str) -> Locator:
        return self.page.locator("#main-table tr").filter(has=self.page.locator("td.name", has_text=assignment))

    def configuration(self) -> str:
        """The configuration formgrader loaded (its 'Current configuration' panel)."""
        return self.page.locator("#collapseConfig pre").inner_text()

    def _click_and_read_log(self, link: Locator, what: str, timeout: float = 180_000) -> str:
        link.click()
        modal = self.page.locator("#success-modal, #error-modal")
        expect(modal).to_be_visible(timeout=timeout)
        text = modal.inner_text()
        ok = self.page.locator("#success-modal").count() == 1
        modal.locator("button").last.click()
        expect(modal).to_have_count(0)
        assert ok, f"formgrader could not {what}:\n{text[-3000:]}"
        return text

    def set_due_date(self, assignment: str, when: str) -> None:
        """Edit the assignment's due date (``YYYY-MM-DDTHH:MM``, the server's time zone) and save."""
        self.row(assignment).locator("td.edit a").click()
        modal = self.page.locator("#edit-assignment-modal")
        expect(modal).to_be_visible()
        modal.locator("input.modal-duedate").fill(when)
        modal.locator("button.save").click()
        expect(modal).to_have_count(0)
        expect(self.row(assignment).locator("td.duedate")).not_to_have_text("None")

    def generate(self, assignment: str) -> str:
        return self._click_and_read_log(self.row(assignment).locator("td.assign a"), "generate the student version")

    def release(self, assignment: str) -> str:
        log = self._click_and_read_log(self.row(assignment).locator("td.release a"), "release")
        expect(self.row(assignment).locator("td.status")).to_have_text("released")
        return log

    def collect(self, assignment: str) -> str:
        return self._click_and_read_log(self.row(assignment).locator("td.collect a"), "collect")

    def generate_feedback(self, assignment: str) -> str:
        return self._click_and_read_log(self.row(assignment).locator("td.generate-feedback a"), "generate feedback")

    def release_feedback(self, assignment: str) -> str:
        return self._click_and_read_log(self.row(assignment).locator("td.release-feedback a"), "release feedback")

    def open_submissions(self, assignment: str) -> None:
        # the "# submissions" link lacks the /user/NAME prefix under JupyterHub: go there directly
        self.page.goto(f"{self.url}/manage_submissions/{assignment}")
        expect(self.page.locator("#main-table tr td.student-id").first).to_be_visible()

    def submission_row(self, student: str) -> Locator:
        return self.page.locator("#main-table tr").filter(has=self.page.locator("td.student-id", has_text=student))

    def autograde(self, student: str) -> str:
        log = self._click_and_read_log(self.submission_row(student).locator("td.autograde a"), f"autograde {student}")
        expect(self.submission_row(student).locator("td.score")).not_to_have_text("")
        return log

    def score(self, student: str) -> str:
        return self.submission_row(student).locator("td.score").inner_text().strip()
