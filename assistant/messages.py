"""What the user is told when something fails, in the page's languages.

Every key names its area ("store.unreachable", "question.too_long") and holds one sentence
per language that says what failed and what to do: the page shows it in its own language,
the CLI in English. Errors carry a key and fields rather than a finished text, so the page
never shows a raw errno or an exception's English.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "question.too_long": {
        "zh": "问题有 {n} 个字，超过上限 {limit} 字（answer.max_question_chars）：请缩短问题，或拆成几个问题分别提问。",
        "en": "The question is {n} characters long, over the {limit}-character limit "
        "(answer.max_question_chars): shorten it, or ask it as several questions.",
    },
    "store.unreachable": {
        "zh": "向量库 {where} 无法连接：请确认 Chroma 服务已启动，然后重试。",
        "en": "The vector store {where} cannot be reached: check that the Chroma server "
        "is running, then try again.",
    },
    "store.unopenable": {
        "zh": "向量库 {where} 无法打开（可能已损坏）：请运行 `assistant check --repair`，或从备份恢复该文件夹。",
        "en": "The Chroma store at {where} cannot be opened (it may be damaged): run "
        "`assistant check --repair`, or restore the folder from a copy.",
    },
    "store.disk_full": {
        "zh": "数据目录 {where} 所在磁盘已满，写入已停止，已收录的文档未受影响：请释放空间后重试。",
        "en": "The disk holding {where} is full: the write was stopped and the documents "
        "already stored are unchanged. Free some space, then try again.",
    },
    "store.busy": {
        "zh": "另一个写入（{holder}）正在进行，等待 {timeout:.0f} 秒后放弃（store.lock_timeout_s）：请稍后再试。",
        "en": "The store is being written by {holder}; gave up after {timeout:.0f} s "
        "(store.lock_timeout_s). Try again when it has finished.",
    },
    "catalog.damaged": {
        "zh": "文档目录 {path} 已损坏或无法读取：请运行 `assistant check --repair` 修复，"
        "或从备份恢复该文件，或删除后用 `assistant ingest` 重新导入文档。",
        "en": "The catalog {path} is damaged or unreadable: run `assistant check --repair`, "
        "restore the file from a copy, or move it away and rebuild with `assistant ingest`.",
    },
    "ingest.disk_full": {
        "zh": "磁盘空间不足：导入 {name} 约需 {need_mb:.1f} MB，{where} 只剩 {free_mb:.1f} MB（另保留 "
        "{reserve_mb:.0f} MB，ingest.min_free_mb）：请释放空间后重试。",
        "en": "Not enough disk space: {name} needs about {need_mb:.1f} MB, {where} has "
        "{free_mb:.1f} MB free (and keeps {reserve_mb:.0f} MB spare, ingest.min_free_mb). "
        "Free some space, then try again.",
    },
    "llm.failed": {
        "zh": "语言模型 {provider} 出错：请在设置中换用其他模型（例如摘录模式），或查看服务器日志。",
        "en": "The language model {provider} failed: choose another model in the settings "
        "(extractive, for one), or see the server's log.",
    },
    "page.failed": {
        "zh": "处理时出错：请重试；若再次出现，请查看服务器日志。",
        "en": "Something went wrong: try again; if it happens again, see the server's log.",
    },
}


def say(key: str, lang: str = "zh", **fields: object) -> str:
    """The message for key in lang (Chinese when lang has none), formatted with fields."""
    texts = MESSAGES[key]
    return texts.get(lang, texts["zh"]).format(**fields)


class Fault(Exception):
    """An error the user can act on, raised with a key of MESSAGES and its fields: the
    page says it in its own language (`message(lang)`), str() is the English the CLI
    prints. A plain text (no key) is shown as it is."""

    def __init__(self, message: str = "", key: str = "", **fields: object) -> None:
        super().__init__(message or (say(key, "en", **fields) if key else ""))
        self.key, self.fields = key, fields

    def message(self, lang: str) -> str:
        return say(self.key, lang, **self.fields) if self.key else str(self)
