#!/usr/bin/env python3
"""Writes the hand-written seed inputs of each fuzz target into seeds/<target>/.

Text targets take one option byte, then the document (see src/lib.rs);
`decode` takes a method selector byte, then a protobuf request encoded here
by hand. Run from fuzz/: python3 seeds/make.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Flood gates open | Valley Daily</title>
<meta charset="utf-8"><meta name="author" content="J. Doe"><link rel="canonical" href="https://example.org/a">
<script type="application/ld+json">{"@type":"NewsArticle","author":{"name":"J. Doe"},"datePublished":"2026-01-02"}</script>
<script>var x = "<p>not text</p>";</script><style>p{color:red}</style></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article><h1>Flood gates open</h1><p>The river authority opened the new flood gates on Tuesday after three years of work.</p>
<p>Engineers said the gates hold back water two metres higher than the old barrier &amp; more.</p>
<table><tr><td>Cost</td><td>12m</td></tr></table><div class="comments"><h3>Comments</h3><p>Great news!</p></div></article>
<div class="share-bar"><a href="/s">Share on Facebook</a></div><footer>&copy; 2026 Valley Daily. All rights reserved.</footer></body></html>"""

ARTICLE = """Flood gates open

The river authority opened the new flood gates on Tuesday after three years of construction. Engineers said the gates can hold back water two metres higher.
Residents of the lower town welcomed the news, but asked for a warning system as well. Dr. Smith, e.g. the lead engineer, said so on Jan. 5.
Home | News | Sport | Contact
Share on Facebook Share on Twitter
Comments (3)
Great work! Posted by anna at 10:31
Copyright 2026 Valley Daily. All rights reserved."""

TEXTS = {
    "en": "The council approved the new budget on Tuesday after a long debate.",
    "de": "Der Stadtrat hat am Dienstag nach langer Debatte den neuen Haushalt beschlossen.",
    "fr": "Le conseil a voté le budget mardi soir après un long débat.",
    "ja": "市議会は長い議論の末、火曜日に新しい予算を承認した。",
    "ru": "Городской совет утвердил новый бюджет во вторник после долгих дебатов.",
    "ar": "وافق المجلس على الميزانية الجديدة يوم الثلاثاء بعد نقاش طويل.",
    "mixed": "Hello world. Привет, мир! 你好，世界。 مرحبا بالعالم. नमस्ते दुनिया।",
    "emoji": "😀🙂🎉 👍🏽❤️ 🇩🇪!!! ... ?!",
    "controls": "a\x00b\x01c\x1b[31m\x7f\u0085\u200b\u202e\ufeff end.",
}

def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field(num, wire, payload):
    return varint(num << 3 | wire) + payload

def s(num, value):
    data = value if isinstance(value, bytes) else value.encode()
    return field(num, 2, varint(len(data)) + data)

def u(num, value):
    return field(num, 0, varint(value))

def d(num, value):
    return field(num, 1, struct.pack("<d", value))

def main():
    write("strip_html", "page", b"\x00" + PAGE.encode())
    write("strip_html", "page-precision-tables", b"\x06" + PAGE.encode())
    write("strip_html", "deep", b"\x00" + b"<div>" * 300 + b"<p>deep text here.</p>")
    write("strip_html", "unclosed-script", b"\x00<p>Intro text.</p><script>var a = 1;<p>Rest of page that follows.</p>")
    write("strip_html", "mojibake", b"\x00<meta charset=utf-8><p>" + "CafÃ© crÃ¨me brÃ»lÃ©e".encode() + b"</p>")
    # Mis-decoded sequences (a 2-, 3- and 4-byte one, a cut-off one) among
    # correctly encoded chars: the mixed repair path.
    write("strip_html", "mojibake-mixed", b"\x00<meta charset=utf-8><p>" + "SchÃ¶n â€“ Ã°Å¸Ëœâ‚¬ KÃ¼che Küche Ã".encode() + b"</p>")
    write("strip_html", "entities", b"\x00<p>&lt;&gt;&amp;&#x1F600;&#0;&#xD800;&nbsp;&bogus;</p><!-- c --><![CDATA[x]]>")
    write("strip_text", "article", b"\x00" + ARTICLE.encode())
    write("strip_text", "article-keep-comments", b"\x01" + ARTICLE.encode())
    write("strip_text", "crlf", b"\x00" + ARTICLE.replace("\n", "\r\n").encode())
    for code, text in TEXTS.items():
        write("detect", code, b"\x04" + text.encode())
    write("detect", "allowed", b"\x05" + TEXTS["de"].encode())
    write("summarize", "article", b"\x03" + ARTICLE.encode())
    write("summarize", "article-score-budgets", b"\x3e" + ARTICLE.encode())
    write("summarize", "page", b"\x81" + PAGE.encode())
    write("summarize", "mixed", b"\x02" + TEXTS["mixed"].encode())
    write("process", "page", b"\x80" + PAGE.encode())
    write("process", "article", b"\x00" + ARTICLE.encode())
    write("process", "controls", b"\x80" + TEXTS["controls"].encode())
    # decode: selector 0 detect, 1 strip, 2 summarize, 3 process, 4 stream item.
    write("decode", "detect", b"\x00" + s(1, TEXTS["fr"]) + s(2, "fr") + s(2, "de") + u(3, 1))
    write("decode", "detect-bad-code", b"\x00" + s(1, "hello") + s(2, "qq"))
    write("decode", "detect-not-utf8", b"\x00" + s(1, b"caf\xe9 \xff\xfe"))
    write("decode", "strip-html", b"\x01" + s(2, PAGE) + s(3, u(1, 1) + u(2, 1) + u(3, 2)))
    write("decode", "strip-bad-favor", b"\x01" + s(1, ARTICLE) + s(3, u(3, 9)))
    write("decode", "summarize", b"\x02" + s(1, ARTICLE) + u(3, 2) + s(4, "en") + u(5, 40) + u(6, 300) + d(7, 0.5) + u(8, 2) + s(9, "gates"))
    write("decode", "summarize-bad-ratio", b"\x02" + s(1, ARTICLE) + d(7, 1.5))
    write("decode", "process", b"\x03" + s(1, "doc-1") + s(3, PAGE) + s(4, u(3, 3)) + s(5, s(1, "en")) + s(6, u(1, 2) + u(5, 2)))
    write("decode", "process-empty", b"\x03" + s(1, "doc-2"))
    write("decode", "stream-item", b"\x04" + s(1, "item-1") + s(2, ARTICLE))

if __name__ == "__main__":
    main()
