"""What the page is dressed in: the example questions (per page language), its CSS, and
the script that makes a citation [n] open and flash its passage."""

EXAMPLES = {
    "zh": [
        "鹤淇产业集聚区入驻了多少家企业？",
        "汝州产业集聚区在全省排第几？",
        "汝南街道2023年的省外资金目标是多少？",
        "How many enterprises are in the Heqi industrial cluster zone?",
    ],
    "en": [
        "How many enterprises are in the Heqi industrial cluster zone?",
        "鹤淇产业集聚区入驻了多少家企业？",
        "汝州产业集聚区在全省排第几？",
        "汝南街道2023年的省外资金目标是多少？",
    ],
}
CSS = """
#sources mark { background: #fff3a3; padding: 0 1px; border-radius: 2px; }
#sources details.source { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
#sources details.source > summary { cursor: pointer; }
#sources .heading { color: var(--body-text-color-subdued); font-size: 0.85em; }
#sources .passage { white-space: pre-wrap; margin: 6px 0 0; line-height: 1.6; }
#sources details.flash { animation: src-flash 1.6s ease-out; }
@keyframes src-flash { from { background: #ffe27a; } to { background: transparent; } }
#sources .not-found, #chat .not-found { color: #41617d; }
#sources .not-found { background: #eef4f9; border-left: 4px solid #8fb3d1; padding: 8px 12px; border-radius: 4px; }
#sources details.turn > summary { font-weight: 600; cursor: pointer; margin-top: 8px; }
#chat a.cite, #chat a[href^="#src-"] { text-decoration: none; font-weight: 600; }
#model-status { font-size: 0.9em; }
#chat .drafting { color: #8a6d1d; font-style: italic; }
#chat .draft-text { color: var(--body-text-color-subdued); }
#chat .checked { color: #2e7d4f; }
#chat .checked.changed { color: #8a4b1d; }
#chat .answer-status { color: var(--body-text-color-subdued); }
#sources .file { color: var(--body-text-color-subdued); font-size: 0.85em; font-weight: normal; }
/* the chat's label and its clear/copy icons float over the top of the chat: the messages
   scroll in the space below them, never under them */
#chat .bubble-wrap { margin-top: 38px; height: calc(100% - 38px) !important; }
"""

# A citation [n] in the chat is a link to #src-<turn>-<n> in the sources panel; clicking it
# opens that passage (and the groups around it), scrolls it into view and flashes it.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target && e.target.closest ? e.target.closest('a[href^="#src-"]') : null;
  if (!a) return;
  e.preventDefault();
  e.stopPropagation();
  var el = document.getElementById(a.getAttribute('href').slice(1));
  if (!el) return;
  for (var p = el; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash');
}, true);
</script>
"""
