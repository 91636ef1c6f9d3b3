"""Steps of a user in the chat page, shared by the browser tests: each waits for the page's
own signal that the step is done (a finished turn, a cleared chat), never for a fixed time."""

from __future__ import annotations


def turns(page) -> int:
    return page.locator("#sources details.turn").count()


def ask(page, question: str, timeout: float = 60_000):
    """Type a question, send it, wait for the finished answer; the last bot message."""
    before = turns(page)
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.wait_for_function(
        f"() => document.querySelectorAll('#sources details.turn').length > {before}",
        timeout=timeout,
    )
    return page.locator("#chat [data-testid='bot']").last


def new_conversation(page) -> None:
    page.locator("#new").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#chat [data-testid=bot]').length === 0"
        " && document.querySelectorAll('#sources details.turn').length === 0"
    )
