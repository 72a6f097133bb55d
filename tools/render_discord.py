"""Render a dry-run folder as an HTML page that looks like a Discord channel (dev tool).

    python tools/render_discord.py OUT/<date>/<session_id> [more session folders ...]
           [--out page.html] [--screenshot PNG --width 360] [--zone Europe/Ljubljana]

Reads `players/index.json` and `admins/index.json` (publish/publisher.py's dry-run
layout) of each session folder (several, e.g. the night, its season digest and its week,
are drawn one after the other in one channel) and draws each channel the way Discord's
dark theme shows it: one message per file, embeds with their colour bar, fields (inline
ones side by side), images at most 400 x 300 px as Discord shows embed images, attached
text files as a file box with a preview, and a thread as a pill under its message;
`--section threads` draws the threads opened, as a reader sees them after tapping the pill.

Markdown as Discord reads it in embeds, so a name that escaped its escaping shows: bold,
italics, underline, strike-through, spoilers, inline code, headings, subtext, lists and
quotes at a line start, links (masked and bare), mentions (`<@id>`, `<#id>`, `<@&id>`,
@everyone, @here) as pills, backslash escapes, and `<t:unix:style>` timestamps in the
reader's zone (`--zone`). `--screenshot` takes a full-page PNG with headless Chromium at
`--width` (the page's own height, trimmed).

Not a faithful Discord clone: it is for reading the payloads by eye at phone and desktop
widths before they reach a real channel.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

READER_ZONE = "Europe/Ljubljana"
CSS = """
body { background:#313338; color:#dbdee1; font-family:"gg sans","Noto Sans","DejaVu Sans",sans-serif;
       font-size:15px; line-height:1.375; margin:0; padding:8px 0; }
h1.channel { font-size:16px; color:#f2f3f5; margin:8px 16px 12px; border-bottom:1px solid #3f4147; padding-bottom:8px; }
.msg { display:flex; padding:4px 16px 8px 16px; }
.avatar { width:40px; height:40px; border-radius:50%; background:#5865f2; flex:none; margin-right:16px;
          display:flex; align-items:center; justify-content:center; font-size:20px; }
.body { min-width:0; flex:1; }
.name { color:#f2f3f5; font-weight:600; }
.tag { background:#5865f2; color:#fff; font-size:10px; border-radius:3px; padding:1px 4px; margin-left:4px; }
.when { color:#949ba4; font-size:12px; margin-left:6px; }
.embed { display:grid; max-width:516px; background:#2b2d31; border-left:4px solid #202225; border-radius:4px;
         padding:8px 16px 16px 12px; margin-top:4px; box-sizing:border-box; }
.etitle { color:#f2f3f5; font-weight:600; font-size:16px; margin-top:8px; }
.edesc { font-size:14px; margin-top:8px; white-space:pre-wrap; word-wrap:break-word; }
.fields { display:flex; flex-wrap:wrap; margin-top:8px; gap:8px 16px; }
.field { flex:1 1 100%; min-width:0; font-size:14px; }
.field.inline { flex:1 1 120px; }
.fname { color:#f2f3f5; font-weight:600; margin-bottom:2px; }
.fvalue { white-space:pre-wrap; word-wrap:break-word; }
.eimage img { max-width:min(400px, 100%); max-height:300px; border-radius:4px; margin-top:16px; display:block; }
.efooter { color:#b5bac1; font-size:12px; margin-top:8px; }
code { background:#1e1f22; border-radius:3px; padding:0 3px; font-size:85%; }
.mention { background:rgba(88,101,242,.3); color:#c9cdfb; border-radius:3px; padding:0 2px; }
a { color:#00a8fc; text-decoration:none; }
.spoiler { background:#1e1f22; color:#1e1f22; border-radius:3px; }
.md-h1 { font-size:20px; font-weight:700; } .md-h2 { font-size:18px; font-weight:700; }
.md-h3 { font-size:16px; font-weight:700; } .md-sub { font-size:12px; color:#949ba4; }
.md-li { display:list-item; margin-left:18px; } .md-quote { border-left:4px solid #4e5058; padding-left:8px; }
.stamp { background:#3f4147; border-radius:3px; padding:0 2px; }
.file { background:#2b2d31; border:1px solid #1e1f22; border-radius:8px; max-width:516px; margin-top:6px; }
.file .fhead { padding:8px 12px; color:#00a8fc; font-size:14px; }
.file pre { margin:0; padding:8px 12px; max-height:140px; overflow:hidden; font-size:12px; color:#dbdee1;
            border-top:1px solid #1e1f22; white-space:pre; }
.pill { margin:0 16px 10px 72px; color:#00a8fc; font-size:13px; background:#2b2d31; border-radius:8px;
        padding:6px 10px; display:inline-block; }
"""
CHANNEL_TITLES = {"players": "night-stats", "admins": "stats-admin"}


def _stamp(m: re.Match, zone: str = READER_ZONE) -> str:
    """A Discord timestamp as a reader in `zone` sees it (Discord names no zone: it is the reader's)."""
    t = datetime.fromtimestamp(int(m.group(1)), ZoneInfo(zone))
    fmt = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%d/%m/%Y", "D": "%d %B %Y", "f": "%d %B %Y %H:%M",
           "F": "%A, %d %B %Y %H:%M", "R": "%d %B %Y %H:%M"}.get(m.group(2), "%d %B %Y %H:%M")
    return '<span class="stamp">%s</span>' % t.strftime(fmt)


_INLINE = [  # (pattern, html) applied in order to html-escaped text; Discord's inline markdown
    (re.compile(r"\*\*(.+?)\*\*"), r"<b>\1</b>"),
    (re.compile(r"__(.+?)__"), r"<u>\1</u>"),
    (re.compile(r"\*(?!\s)(.+?)\*"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w])_(.+?)_(?![\w])"), r"<em>\1</em>"),
    (re.compile(r"~~(.+?)~~"), r"<s>\1</s>"),
    (re.compile(r"\|\|(.+?)\|\|"), r'<span class="spoiler">\1</span>'),
]
_BLOCK = [  # what a line may start with
    (re.compile(r"^### (.*)"), '<div class="md-h3">%s</div>'), (re.compile(r"^## (.*)"), '<div class="md-h2">%s</div>'),
    (re.compile(r"^# (.*)"), '<div class="md-h1">%s</div>'), (re.compile(r"^-# (.*)"), '<div class="md-sub">%s</div>'),
    (re.compile(r"^[-*] (.*)"), '<div class="md-li">%s</div>'),
    (re.compile(r"^\d+\. (.*)"), '<div class="md-li">%s</div>'),
    (re.compile(r"^&gt; (.*)"), '<div class="md-quote">%s</div>'),
]


def markdown(text: str, zone: str = READER_ZONE) -> str:
    """Discord's markdown (the part embeds render) to HTML."""
    placeholders: list[str] = []

    def keep(s: str) -> str:
        placeholders.append(s)
        return "\x00%d\x00" % (len(placeholders) - 1)

    text = re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: keep(html.escape(m.group(1))), text)   # ASCII punctuation
    text = re.sub(r"`([^`]+)`", lambda m: keep("<code>%s</code>" % html.escape(m.group(1))), text)
    text = re.sub(r"<t:(\d+):([a-zA-Z])>", lambda m: keep(_stamp(m, zone)), text)
    mentioned = {"@": "@user", "@!": "@user", "@&": "@role", "#": "#channel"}
    text = re.sub(r"<(@[!&]?|#)(\d+)>", lambda m: keep('<span class="mention">%s</span>' % mentioned[m.group(1)]), text)
    text = re.sub(r"@(everyone|here)\b", lambda m: keep('<span class="mention">@%s</span>' % m.group(1)), text)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)",
                  lambda m: keep('<a href="#">%s</a>' % html.escape(m.group(1))), text)
    text = re.sub(r"https?://[^\s<]+", lambda m: keep('<a href="#">%s</a>' % html.escape(m.group(0))), text)
    text = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    lines = []
    for line in text.split("\n"):
        for pattern, wrap in _BLOCK:
            m = pattern.match(line)
            if m:
                line = wrap % m.group(1)
                break
        lines.append(line)
    text = "\n".join(lines)
    while "\x00" in text:
        text = re.sub("\x00(\\d+)\x00", lambda m: placeholders[int(m.group(1))], text)
    return text


def render_embed(e: dict, folder: str, zone: str = READER_ZONE) -> str:
    color = "#%06x" % e["color"] if isinstance(e.get("color"), int) else "#202225"
    parts = []
    if e.get("title"):
        parts.append('<div class="etitle">%s</div>' % markdown(e["title"], zone))
    if e.get("description"):
        parts.append('<div class="edesc">%s</div>' % markdown(e["description"], zone))
    if e.get("fields"):
        fields = "".join('<div class="field%s"><div class="fname">%s</div><div class="fvalue">%s</div></div>'
                         % (" inline" if f.get("inline") else "", markdown(str(f.get("name", "")), zone),
                            markdown(str(f.get("value", "")), zone)) for f in e["fields"])
        parts.append('<div class="fields">%s</div>' % fields)
    url = (e.get("image") or {}).get("url") or ""
    if url.startswith("attachment://"):
        parts.append('<div class="eimage"><img src="%s"></div>' % html.escape(os.path.join(folder, url[13:])))
    footer = (e.get("footer") or {}).get("text")
    if footer or e.get("timestamp"):
        when = ""
        if e.get("timestamp"):       # Discord writes an embed's timestamp in the reader's zone
            when = datetime.fromisoformat(e["timestamp"]).astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")
        parts.append('<div class="efooter">%s</div>' % " • ".join(x for x in (html.escape(footer or ""), when) if x))
    return '<div class="embed" style="border-left-color:%s">%s</div>' % (color, "".join(parts))


def render_message(doc: dict, folder: str, zone: str = READER_ZONE) -> str:
    payload = doc.get("payload") or {}
    parts = [render_embed(e, folder, zone) for e in payload.get("embeds") or []]
    for name in doc.get("files") or []:
        if name.lower().endswith(".png"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                preview = f.read()
        except OSError:
            preview = ""
        parts.append('<div class="file"><div class="fhead">📄 %s</div><pre>%s</pre></div>'
                     % (html.escape(name), html.escape(preview)))
    return ('<div class="msg"><div class="avatar">📊</div><div class="body"><span class="name">ET Stats</span>'
            '<span class="tag">BOT</span><span class="when">Today</span>%s</div></div>' % "".join(parts))


def render_channel(folders: list[str], title: str, section: str = "channel", zone: str = READER_ZONE,
                   threads: int | None = None) -> str:
    """The messages of one channel from one or more dry-run folders, in order. section
    "channel": the channel as it scrolls (a thread is a pill under the message it belongs
    to, as Discord shows it); "threads": the thread messages, opened (the first `threads`)."""
    channel: list[list] = []          # [message html, thread message htmls]
    for folder in folders:
        with open(os.path.join(folder, "index.json"), encoding="utf-8") as f:
            index = json.load(f)
        for entry in index.get("messages") or []:
            with open(os.path.join(folder, entry["file"]), encoding="utf-8") as f:
                doc = json.load(f)
            block = render_message(doc, folder, zone)
            if doc.get("thread") and channel:
                channel[-1][1].append(block)
            else:
                channel.append([block, []])
    if section == "threads":
        out = []
        for block, thread in [c for c in channel if c[1]][:threads]:
            if thread:
                out.append('<h1 class="channel">🧵 thread of a #%s message</h1>%s' % (html.escape(title), "".join(thread)))
        return "\n".join(out)
    out = ['<h1 class="channel"># %s</h1>' % html.escape(title)]
    for block, thread in channel:
        out.append(block)
        if thread:
            out.append('<div class="pill">🧵 Details · %d message%s</div>' % (len(thread), "s" if len(thread) > 1 else ""))
    return "\n".join(out)


def render_page(session_folders, sections: tuple[str, ...] = ("players", "threads", "admins"),
                zone: str = READER_ZONE, threads: int | None = None) -> str:
    """The page of one or more session folders (OUT/<date>/<session_id>): each section
    draws its channel's messages from every folder that has them, in the folders' order."""
    if isinstance(session_folders, (str, os.PathLike)):
        session_folders = [session_folders]
    body = []
    for section in sections:
        channel = "players" if section == "threads" else section
        folders = [os.path.abspath(os.path.join(f, channel)) for f in session_folders
                   if os.path.exists(os.path.join(f, channel, "index.json"))]
        if folders:
            body.append(render_channel(folders, CHANNEL_TITLES[channel],
                                       "threads" if section == "threads" else "channel", zone, threads))
    return ('<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><style>%s</style></head><body>%s</body></html>'
            % (CSS, "\n".join(body)))


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        raise SystemExit("chromium not found (apt-get install -y chromium fonts-noto-color-emoji)")
    return exe


def screenshot(page: str, png: str, width: int, height: int = 12000) -> None:
    """Full-page screenshot with headless Chromium, `width` px wide: drawn `height` px tall,
    then the empty background below the last message is trimmed (Pillow)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--hide-scrollbars", "--virtual-time-budget=15000",
                        "--user-data-dir=" + profile, "--window-size=%d,%d" % (width, height),
                        "--screenshot=" + os.path.abspath(png), "file://" + os.path.abspath(page)],
                       check=True, capture_output=True, timeout=180)
    trim(png)


def trim(png: str, margin: int = 12) -> None:
    """Cut the rows of plain page background off the bottom of a screenshot."""
    from PIL import Image, ImageChops

    with Image.open(png) as im:
        im = im.convert("RGB")
        background = Image.new("RGB", im.size, im.getpixel((im.width - 1, im.height - 1)))
        box = ImageChops.difference(im, background).getbbox()
        if box:
            im.crop((0, 0, im.width, min(im.height, box[3] + margin))).save(png, optimize=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("session_folder", nargs="+", help="OUT/<date>/<session_id> of a dry run (several: one page)")
    ap.add_argument("--out", default=None, help="HTML file to write (default: <first session_folder>/discord.html)")
    ap.add_argument("--screenshot", default=None, help="also write a PNG screenshot here")
    ap.add_argument("--width", type=int, default=360, help="window width for the screenshot (default 360)")
    ap.add_argument("--height", type=int, default=12000, help="tallest page drawn for the screenshot (default 12000)")
    ap.add_argument("--zone", default=READER_ZONE, help="the reader's time zone for timestamps (default %(default)s)")
    ap.add_argument("--section", action="append", choices=["players", "threads", "admins"],
                    help="what to draw (repeatable; default all three)")
    a = ap.parse_args(argv)
    page = a.out or os.path.join(a.session_folder[0], "discord.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(render_page(a.session_folder, tuple(a.section or ("players", "threads", "admins")), a.zone))
    print(page)
    if a.screenshot:
        screenshot(page, a.screenshot, a.width, a.height)
        print(a.screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
