"""Every text the page shows a user, in Chinese and English, in one place.

A message says what happened, why, and what to do. Code names a message by its key
(prefixed by area: "ui." labels, "upload.", "ingest.", "model.", "queue.", "answer.",
"docs.") and fills its fields with `say`; the CLI's English comes from the same entries,
so a reason reads the same in a terminal and in the English page.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- page labels
    "ui.title": {"zh": "产业集聚区文档问答", "en": "Policy document Q&A"},
    "ui.ask": {"zh": "提问", "en": "Ask"},
    "ui.chat": {"zh": "对话", "en": "Chat"},
    "ui.new": {"zh": "新对话", "en": "New conversation"},
    "ui.sources": {"zh": "引用来源", "en": "Sources"},
    "ui.docs": {"zh": "文档管理", "en": "Documents"},
    "ui.upload": {
        "zh": "上传文档（txt、md、pdf、docx、html，可多选）",
        "en": "Upload documents (txt, md, pdf, docx, html; several at once)",
    },
    "ui.delete": {"zh": "删除", "en": "Delete"},
    "ui.delete_pick": {"zh": "选择要删除的文档", "en": "Document to delete"},
    "ui.settings": {"zh": "设置", "en": "Settings"},
    "ui.provider": {"zh": "模型", "en": "Model"},
    "ui.k": {"zh": "检索段落数", "en": "Passages retrieved"},
    "ui.answer_lang": {"zh": "回答语言", "en": "Answer language"},
    "ui.lang_auto": {"zh": "跟随问题", "en": "Same as the question"},
    "ui.question": {"zh": "问题", "en": "Question"},
    "ui.placeholder": {
        "zh": "输入问题，例如：汝州产业集聚区在全省排第几？（回车发送）",
        "en": "Ask a question, e.g. How many enterprises are in the Heqi zone? (Enter to send)",
    },
    "ui.chat_placeholder": {
        "zh": "### 请就已收录的文档提问\n中文或英文均可。回答只依据文档，并用 [1][2] 标出出处；点击编号查看原文。",
        "en": "### Ask about the documents in the library\nIn Chinese or English. Answers come only "
        "from the documents, with [1][2] marking the source; click a number to see the passage.",
    },
    "ui.other": {"zh": "检索到但未引用的段落", "en": "Retrieved but not cited"},
    "ui.turn": {"zh": "第 {n} 问：", "en": "Question {n}: "},
    "ui.no_sources": {
        "zh": "暂无引用。提问后，这里显示回答所依据的原文段落。",
        "en": "No sources yet. After a question, the passages behind the answer appear here.",
    },
    "ui.log": {"zh": "导入结果", "en": "Ingest log"},
    "ui.col_doc": {"zh": "文件名", "en": "File"},
    "ui.col_title": {"zh": "标题", "en": "Title"},
    "ui.col_chunks": {"zh": "段落数", "en": "Chunks"},
    "ui.col_added": {"zh": "添加时间", "en": "Added"},
    "ui.extractive_choice": {"zh": "摘录原文，不用模型", "en": "quotes, no model"},
    # ---- answers (the language of the answer, not of the page)
    "answer.not_found_hint": {
        "zh": "已检索的文档里没有能回答这个问题的内容。可以换个说法，或在「文档管理」中上传相关文件。",
        "en": "Nothing in the documents answers this question. Try rephrasing it, or upload a "
        "relevant file under Documents.",
    },
    "answer.not_found_panel": {
        "zh": "本次回答未引用任何段落。",
        "en": "This answer cites no passage.",
    },
    "answer.thinking": {"zh": "…", "en": "…"},
    "answer.drafting": {
        "zh": "✍️ 正在生成（未核对），核对后定稿…",
        "en": "✍️ Being written (not yet checked)…",
    },
    "answer.checked": {"zh": "✔ 已按资料核对", "en": "✔ Checked against the documents"},
    "answer.checked_changed": {
        "zh": "✔ 已按资料核对：生成稿中找不到依据的内容已删改",
        "en": "✔ Checked against the documents: unsupported parts of the draft were removed or rewritten",
    },
    "answer.checked_quoted": {
        "zh": "✔ 原文摘录，已按资料核对",
        "en": "✔ Quoted from the documents and checked",
    },
    "answer.out_of_time": {
        "zh": "⏱ 模型未在 {secs} 秒时限内答完，这里是已核对的结果",
        "en": "⏱ The model did not finish within {secs} s: this is the checked result",
    },
    "answer.failed": {
        "zh": "⚠️ 这次没能回答：{error}。请稍后再问一次；如果一直如此，请换一个模型（设置 → 模型）。",
        "en": "⚠️ This question could not be answered: {error}. Ask again in a moment; if it "
        "keeps failing, choose another model (Settings → Model).",
    },
    # ---- the model queue
    "queue.waiting": {
        "zh": "⏸ 排队中：前面还有 {n} 个回答，约 {secs} 秒",
        "en": "⏸ Queued: {n} answers ahead, about {secs} s",
    },
    "queue.waiting_one": {
        "zh": "⏸ 排队中：前面还有 1 个回答，约 {secs} 秒",
        "en": "⏸ Queued: 1 answer ahead, about {secs} s",
    },
    # ---- model status
    "model.loading": {
        "zh": "⏳ 正在加载模型 **{name}**（只需一次；页面可照常使用）",
        "en": "⏳ Loading model **{name}** (only once; the page stays usable)",
    },
    "model.loading_answer": {
        "zh": "⏳ 正在加载模型（只需一次），请稍候…",
        "en": "⏳ Loading the model (only once), please wait…",
    },
    "model.ready": {
        "zh": "✅ 模型：**{name}**（{secs:.0f} 秒加载）",
        "en": "✅ Model: **{name}** (loaded in {secs:.0f} s)",
    },
    "model.extractive": {
        "zh": "✅ 摘录模式：不用语言模型，直接引用原文句子",
        "en": "✅ Extractive mode: no language model, answers quote the documents",
    },
    "model.error": {
        "zh": "⚠️ 模型 **{name}** 加载失败：{error}。请在「设置 → 模型」中选择其他模型（如摘录模式），或修改配置中的 llm 设置后重启。",
        "en": "⚠️ Model **{name}** failed to load: {error}. Choose another model under "
        "Settings → Model (extractive needs none), or fix the llm settings and restart.",
    },
    # ---- uploads and ingest: one line per file
    "ingest.progress": {
        "zh": "⏳ {i}/{n} 正在导入 {name} …",
        "en": "⏳ {i}/{n} ingesting {name} …",
    },
    "ingest.queued": {
        "zh": "⏸ {i}/{n} {name} 排队中：另一个写入（命令行导入或其他上传）正在进行，结束后自动导入",
        "en": "⏸ {i}/{n} {name} is queued behind another writer ({detail})",
    },
    "ingest.done": {
        "zh": "完成：{ok} 个成功，{bad} 个失败。",
        "en": "Done: {ok} succeeded, {bad} failed.",
    },
    "ingest.ok": {"zh": "{status}，{chunks} 个段落", "en": "{status}, {chunks} chunks"},
    "ingest.added": {"zh": "已添加", "en": "added"},
    "ingest.updated": {"zh": "已更新", "en": "updated"},
    "ingest.unchanged": {"zh": "未变化", "en": "unchanged"},
    "ingest.failed": {
        "zh": "导入失败：{error}。文档库未改变；请稍后重新上传这个文件。",
        "en": "ingest failed: {error}. The library is unchanged; upload the file again later.",
    },
    "upload.too_big": {
        "zh": "文件 {mb:.1f} MB，超过上限 {limit} MB（ui.max_upload_mb），未添加：请拆分文件，或请管理员调高上限",
        "en": "{mb:.1f} MB is over the {limit} MB limit (ui.max_upload_mb), not added: split "
        "the file, or ask the administrator to raise the limit",
    },
    "upload.file_too_big": {
        "zh": "文件 {mb:.1f} MB，超过上限 {limit:g} MB（ingest.max_file_mb），未添加：请拆分文件，或在配置中调高上限",
        "en": "file is {mb:.1f} MB, above the {limit:g} MB limit (ingest.max_file_mb): split "
        "it, or raise the limit in the config",
    },
    "upload.unreadable": {
        "zh": "无法读取文件（{error}），未添加：请检查文件权限后重新上传",
        "en": "cannot read file ({error})",
    },
    "upload.missing": {
        "zh": "文件或文件夹不存在，未添加：请检查路径",
        "en": "no such file or folder",
    },
    "upload.empty": {
        "zh": "空文件，未添加：请检查文件内容后重新上传",
        "en": "empty file, not added: check its content and upload it again",
    },
    "upload.no_text": {
        "zh": "清理后没有正文（空白或只有页眉页脚），未添加：请上传含正文的文件",
        "en": "no text left after cleaning (empty or only page furniture), not added: upload "
        "a file with body text",
    },
    "upload.binary": {
        "zh": "二进制文件，不是文本，未添加：请上传 txt、md、pdf、docx 或 html 文档",
        "en": "binary file (contains NUL bytes), not text: upload a txt, md, pdf, docx or "
        "html document",
    },
    "upload.not_text": {
        "zh": "内容像二进制数据，不是文本，未添加：请确认文件类型，或另存为 UTF-8 文本",
        "en": "looks like binary data, not text: check the file type, or save it as UTF-8 text",
    },
    "upload.encoding": {
        "zh": "无法识别文本编码（已试 UTF-8、GB18030、Big5），未添加：请另存为 UTF-8 后上传",
        "en": "cannot detect the text encoding (tried UTF-8, GB18030, Big5): save it as "
        "UTF-8 and upload it again",
    },
    "upload.bad_pdf": {
        "zh": "PDF 已损坏或无法读取：{error}。未添加：请用 PDF 阅读器打开确认，或重新导出后上传",
        "en": "corrupt or unreadable PDF ({error}): open it in a PDF reader to check, or "
        "export it again",
    },
    "upload.scanned": {
        "zh": "PDF 没有文字层（扫描件？），未添加：请先做文字识别（OCR），再上传",
        "en": "no extractable text (scanned?): the PDF has no text layer; run OCR first",
    },
    "upload.bad_docx": {
        "zh": "docx 已损坏或无法读取：{error}。未添加：请用 Word 打开后另存，再上传",
        "en": "corrupt or unreadable .docx ({error}): open it in Word and save it again",
    },
    "upload.unsupported": {
        "zh": "不支持的文件类型「{ext}」，未添加：支持 {supported}",
        "en": "unsupported file type '{ext}' (supported: {supported})",
    },
    # ---- deleting
    "docs.queued_delete": {
        "zh": "⏸ 删除 {doc} 排队中：另一个写入（命令行导入或其他上传）正在进行，结束后自动删除",
        "en": "⏸ deleting {doc} is queued behind another writer ({detail})",
    },
    "docs.deleted": {"zh": "已删除 {doc}", "en": "Deleted {doc}"},
    "docs.delete_failed": {
        "zh": "删除 {doc} 失败：{error}。文档仍在库中，请稍后再试。",
        "en": "deleting {doc} failed: {error}. The document is still in the library; try again later.",
    },
    # ---- faults: the store, the catalog, the disk, the model (assistant.messages.Fault)
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
    """The message `key` in `lang` (Chinese when that language has none), its fields filled."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**fields) if fields else text


class Fault(Exception):
    """An error the user can act on, raised with a key of MESSAGES and its fields: the
    page says it in its own language (`message(lang)`), str() is the English the CLI
    prints. A plain text (no key) is shown as it is."""

    def __init__(self, message: str = "", key: str = "", **fields: object) -> None:
        super().__init__(message or (say(key, "en", **fields) if key else ""))
        self.key, self.fields = key, fields

    def message(self, lang: str) -> str:
        return say(self.key, lang, **self.fields) if self.key else str(self)
