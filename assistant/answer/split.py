"""Sub-questions: a question asked of several places, things or documents, in parts."""

from __future__ import annotations

import re

from assistant.answer.query import INTERROGATIVE, asked_quantities
from assistant.answer.text import jieba_ready
from assistant.identity import ADMIN_SUFFIXES, place_names
from assistant.index.tokenize import MENTION_VERBS

_SEVERAL = re.compile(
    r"分别|各自|各是|各有|各为|各[^\s]{0,4}多少|哪个更|哪一个更|谁更|相比|对比|比较|两篇|两份|两个文件|说法|一样吗|不同|both|each|respectively|compare",
    re.I,
)
_PER_DOCUMENT = re.compile(r"两篇|两份|两个文件|各篇|说法|一样吗|不一样|分别怎么说|各怎么")
_COORD = "和|与|及|、|跟|同|以及"


def asks_several(question: str) -> bool:
    return bool(_SEVERAL.search(question))


def per_document(question: str) -> bool:
    """ "两篇报道分别怎么说": the parts are documents, not named places."""
    return bool(_PER_DOCUMENT.search(question))


_DOC_REFERENCE = re.compile(
    r"(?:这|那)?[两各][篇份个](?:[\u4e00-\u9fff]{0,6}?)(?:报道|文件|报告|材料|文章|方案)(?:里|中|上)?"
    r"|(?:分别|各)?怎么说的?|说法(?:一样|相同|一致)?吗?|一样吗|有什么不同|不一样"
)


# A clause that only says which documents to read: "早先的报道和2023年招商方案各怎么定".
_DOC_CLAUSE = re.compile(
    r"[^，,。？?；;]*(?:报道|报告|方案|文件|材料|文章|公报|通知)[^，,。？?；;]*?"
    r"(?:分别|各自?)(?:是)?(?:怎么|如何|怎样)[^，,。？?；;多少几]{0,3}[，,。？?；;]?"
)
# How a comparison across documents is framed: "前后有什么变化", "有何不同".
_FRAMING = re.compile(r"(?:前后|先后)?有(?:什么|哪些|何)(?:变化|不同|区别|差别)")


_DOC_KINDS = re.compile(r"报道|报告|方案|文件|材料|文章|公报|通知")


def named_kinds(question: str) -> list[str]:
    """The kinds of document a per-document clause names, in order: "早先的报道和2023年招商
    方案各怎么定" -> [报道, 方案]; "两篇报道分别怎么说" -> [报道]."""
    clause = _DOC_CLAUSE.search(question)
    kinds = _DOC_KINDS.findall(clause.group(0)) if clause else []
    return list(dict.fromkeys(kinds))


def asked_of_each(question: str) -> str:
    """What a per-document question asks each document: "X是多少？两篇报道说法一样吗？" ->
    "X是多少？", "汝州的主导产业前后有什么变化？早先的报道和2023年方案各怎么定？" ->
    "汝州的主导产业是什么？" - the words about the documents would only dilute each reading."""
    rest = _FRAMING.sub("", _DOC_CLAUSE.sub("", question))
    if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 4:
        question = rest
    stripped = _DOC_REFERENCE.sub("", question)
    # "两份报告都提到了X" without its documents only mentions X
    stripped = re.sub(rf"^(?:都|均|也)?(?:{'|'.join(MENTION_VERBS)})了?", "", stripped)
    stripped = re.sub(r"[，,、]+(?=[？?。]|$)", "", stripped)
    stripped = re.sub(r"([？?。])[？?。]+", r"\1", stripped).strip("，,、 ")
    if len(re.findall(r"[\u4e00-\u9fff]", stripped)) < 4:
        return question
    if not INTERROGATIVE.search(stripped):  # "各怎么定" of a bare "汝州的主导产业" asks what it is
        stripped = stripped.rstrip("？?。") + "是什么？"
    return stripped


def _neutral(part: str) -> str:
    """A sub-question without the words that addressed several things at once."""
    part = re.sub(  # a comparison asked in a clause of its own goes ("？哪个县更大？")
        r"(?<=[？?])\s*(?:哪|谁)[^？?，,]{0,6}?(?:更|最)[大多高快少低长小慢][^？?]*[？?]?$",
        "",
        part,
    )
    part = re.sub(
        r"(?:哪(?:个|一个|一)?|谁)([^\s，,。？?]{0,4}?)(?:更|最)[大多高快少低长小慢]",
        r"\1是多少",
        part,
    )
    part = re.sub(r"分别|各自|各(?![种类级项个地部乡镇县区市单位自])", "", part)
    part = re.sub(r"相比|对比|比较", "", part)
    return part.strip()


def split_question(question: str) -> list[str]:
    """Sub-questions of a multi-part or comparison question, or [question].

    - Two questions in one: each part when each names its own place ("汝州的报道说…？
      柘城的文件说…？"), or when each later part names a quantity of its own (then asked
      about the first part's place and year). "…是多少？比上年增长多少？" stays whole.
    - Two named places joined by 和/与/、 ("汝州和沁阳产业集聚区各融了多少钱？"): one
      sub-question per place, the shared suffix ("产业集聚区") given to both.
    """
    q = question.strip()
    parts = [p.strip() for p in re.split(r"(?<=[？?])", q) if len(p.strip()) >= 4]
    named = [place_names(p) for p in parts]
    if len(parts) >= 2 and all(named) and len({n[0] for n in named}) == len(parts):
        return parts  # "汝州的报道说…？柘城的文件说…？": each part names its own place
    if len(parts) >= 2 and all(asked_quantities(p) for p in parts[1:]):
        # "澄源县2023年接待游客多少人次？旅游综合收入多少？": a later part that names a
        # quantity of its own is its own question, about the first part's place and year (or
        # its topic clause: "四川城镇新增就业，…多少？"); "…是多少？比上年增长多少？" names
        # none and is read with the first. (A part naming any noun of its own split more on
        # corpus3 train and lost 2 of 452: "…多少？在全国排第几？" is one sentence's.)
        subject = _topic(parts[0]) or _subject(parts[0])
        return [parts[0], *(p if place_names(p) or not subject else subject + p for p in parts[1:])]
    places = place_names(q)
    if len(places) >= 2:
        for a in places:
            for b in places:
                if a == b:
                    continue
                m = re.search(
                    rf"{re.escape(a)}([^\s，,。？?]{{0,10}}?)(?:{_COORD}){re.escape(b)}", q
                )
                if not m:
                    continue
                tail = q[m.end() :]
                chain = _suffix_chain(tail)  # b's own suffixes: "县产业集聚区"
                pre = q[: m.start()]
                if m.group(1):  # "鹤淇产业集聚区和柘城县产业集聚区": a keeps its own
                    first = f"{pre}{a}{m.group(1)}{tail[len(chain) :]}"
                else:  # "汝州和沁阳产业集聚区": a shares b's
                    first = f"{pre}{a}{tail}"
                second = f"{pre}{b}{tail}"
                return [_neutral(first), _neutral(second)]
    if asks_several(q):
        return _split_nouns(q)
    return [q]


def _topic(question: str) -> str:
    """The clause a question opens with before its comma when it names no interrogative:
    "四川城镇新增就业，" of "四川城镇新增就业，2024年实际完成多少？"; "" without one."""
    m = re.match(r"[^，,？?]{2,20}[，,]", question)
    return m.group(0) if m and not INTERROGATIVE.search(m.group(0)) else ""


def _suffix_chain(text: str) -> str:
    """The administrative suffixes a text opens with, run together ("县产业集聚区")."""
    end = 0
    while suffix := next((x for x in ADMIN_SUFFIXES if text.startswith(x, end)), ""):
        end += len(suffix)
    return text[:end]


_SUBJECT = re.compile(
    rf"^[^，,。？?]{{0,16}}?(?:{'|'.join(ADMIN_SUFFIXES)})(?:(?:19|20)\d{{2}}\s*年)?|^(?:19|20)\d{{2}}\s*年"
)


def _subject(question: str) -> str:
    """The place (and year) a question opens with: "澄源县2023年" of "澄源县2023年接待游客
    多少人次？", "鹤淇产业集聚区" of "鹤淇产业集聚区累计投资多少？"; "" without one."""
    if title := re.match(r"《[^》]{2,30}》", question):  # a document named: its questions
        return title.group(0)
    m = _SUBJECT.match(question)
    if m and place_names(m.group(0)):
        return m.group(0)
    year = re.match(r"(?:19|20)\d{2}\s*年", question)  # "2022年全国城镇…": the year alone
    return year.group(0) if year else ""


def _split_nouns(q: str) -> list[str]:
    """ "城镇和农村居民人均可支配收入各增长多少" -> one sub-question per coordinated noun."""
    jieba_ready()
    import jieba.posseg

    words = [(w.word, w.flag) for w in jieba.posseg.cut(q)]
    for i in range(1, len(words) - 1):
        if not re.fullmatch(_COORD, words[i][0]):
            continue
        (a, fa), (b, fb) = words[i - 1], words[i + 1]
        if len(a) >= 2 and len(b) >= 2 and fa.startswith("n") and fb.startswith("n"):
            if len(b) > len(a) and len(a) == 2 and fa != "n":
                # "城镇/ns 和 农村居民": a modifier shares the head "居民"; a noun of its
                # own ("企业/n 和 就业人口") does not become "企业人口"
                a = a + b[2:]
            pre = "".join(w for w, _ in words[: i - 1])
            post = "".join(w for w, _ in words[i + 2 :])
            return [_neutral(f"{pre}{a}{post}"), _neutral(f"{pre}{b}{post}")]
    # "顶层设计和空间发展规划分别是谁做的": two noun phrases, the distributive right after
    for i in range(1, len(words) - 1):
        if not re.fullmatch(_COORD, words[i][0]):
            continue
        start = i
        while start > 0 and _nominal(words[start - 1][1]):
            start -= 1
        end = i + 1
        while end < len(words) and _nominal(words[end][1]):
            end += 1
        if start < i and end > i + 1 and end < len(words) and _DISTRIBUTIVE.match(words[end][0]):
            pre = "".join(w for w, _ in words[:start])
            post = "".join(w for w, _ in words[end:])
            left = "".join(w for w, _ in words[start:i])
            right = "".join(w for w, _ in words[i + 1 : end])
            return [_neutral(f"{pre}{left}{post}"), _neutral(f"{pre}{right}{post}")]
    return [q]


_DISTRIBUTIVE = re.compile(r"^(?:分别|各自|各)$")


def _nominal(flag: str) -> bool:
    """A word of a noun phrase ("顶层/n 设计/vn"), not a place (named places split above)."""
    return flag in ("n", "vn", "nz", "j", "ng", "l")  # l: set phrases, "固定资产"


_COMPARE = re.compile(r"(?:哪个|哪一个|哪一|谁)[^\s，,。？?]{0,4}?(?:更|最)([大多高快少低长小慢])")


def comparison(question: str) -> str:
    """The comparative a question asks for ("快" in "哪个增长更快"), or ""."""
    m = _COMPARE.search(question)
    return m.group(1) if m else ""
