"""Render a dry-run folder as an HTML page that looks like a Discord channel (dev tool).

    python tools/render_discord.py OUT/<date>/<session_id> [--out page.html]
           [--screenshot PNG --width 360]

Reads `players/index.json` and `admins/index.json` (publish/publisher.py's dry-run
layout) and draws each channel the way Discord's dark theme shows it: one message per
file, embeds with their colour bar, fields (inline ones side by side), images at most
400 x 300 px as Discord shows embed images, attached text files as a file box with a
preview, and a thread as a pill under its message; `--section threads` draws the
threads opened, as a reader sees them after tapping the pill.
Markdown: **bold**, `code`, backslash escapes and <t:unix:style> timestamps (shown in
UTC here). `--screenshot` takes a full-page PNG with headless Chromium at `--width`.

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
from datetime import datetime, timezone

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
.stamp { background:#3f4147; border-radius:3px; padding:0 2px; }
.file { background:#2b2d31; border:1px solid #1e1f22; border-radius:8px; max-width:516px; margin-top:6px; }
.file .fhead { padding:8px 12px; color:#00a8fc; font-size:14px; }
.file pre { margin:0; padding:8px 12px; max-height:140px; overflow:hidden; font-size:12px; color:#dbdee1;
            border-top:1px solid #1e1f22; white-space:pre; }
.pill { margin:0 16px 10px 72px; color:#00a8fc; font-size:13px; background:#2b2d31; border-radius:8px;
        padding:6px 10px; display:inline-block; }
"""
CHANNEL_TITLES = {"players": "night-stats", "admins": "stats-admin"}


def _stamp(m: re.Match) -> str:
    t = datetime.fromtimestamp(int(m.group(1)), timezone.utc)
    fmt = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%d/%m/%Y", "D": "%d %B %Y", "f": "%d %B %Y %H:%M",
           "F": "%A, %d %B %Y %H:%M", "R": "%d %B %Y %H:%M"}.get(m.group(2), "%d %B %Y %H:%M")
    return '<span class="stamp">%s</span>' % t.strftime(fmt)


def markdown(text: str) -> str:
    """The small part of Discord markdown the payloads use, to HTML."""
    placeholders: list[str] = []

    def keep(s: str) -> str:
        placeholders.append(s)
        return "\x00%d\x00" % (len(placeholders) - 1)

    text = re.sub(r"\\([\\*_~`|>\[\]])", lambda m: keep(html.escape(m.group(1))), text)
    text = re.sub(r"<t:(\d+):([a-zA-Z])>", lambda m: keep(_stamp(m)), text)
    text = re.sub(r"`([^`]+)`", lambda m: keep("<code>%s</code>" % html.escape(m.group(1))), text)
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: placeholders[int(m.group(1))], text)


def render_embed(e: dict, folder: str) -> str:
    color = "#%06x" % e["color"] if isinstance(e.get("color"), int) else "#202225"
    parts = []
    if e.get("title"):
        parts.append('<div class="etitle">%s</div>' % markdown(e["title"]))
    if e.get("description"):
        parts.append('<div class="edesc">%s</div>' % markdown(e["description"]))
    if e.get("fields"):
        fields = "".join('<div class="field%s"><div class="fname">%s</div><div class="fvalue">%s</div></div>'
                         % (" inline" if f.get("inline") else "", markdown(str(f.get("name", ""))),
                            markdown(str(f.get("value", "")))) for f in e["fields"])
        parts.append('<div class="fields">%s</div>' % fields)
    url = (e.get("image") or {}).get("url") or ""
    if url.startswith("attachment://"):
        parts.append('<div class="eimage"><img src="%s"></div>' % html.escape(os.path.join(folder, url[13:])))
    footer = (e.get("footer") or {}).get("text")
    if footer or e.get("timestamp"):
        when = ""
        if e.get("timestamp"):
            when = datetime.fromisoformat(e["timestamp"]).astimezone(timezone.utc).strftime("%d/%m/%Y %H:%M")
        parts.append('<div class="efooter">%s</div>' % " • ".join(x for x in (html.escape(footer or ""), when) if x))
    return '<div class="embed" style="border-left-color:%s">%s</div>' % (color, "".join(parts))


def render_message(doc: dict, folder: str) -> str:
    payload = doc.get("payload") or {}
    parts = [render_embed(e, folder) for e in payload.get("embeds") or []]
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


def render_channel(folder: str, title: str, section: str = "channel") -> str:
    """section "channel": the channel as it scrolls (a thread is a pill under the message
    it belongs to, as Discord shows it); "threads": the thread messages, opened."""
    with open(os.path.join(folder, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    channel: list[list] = []          # [message html, thread message htmls]
    for entry in index.get("messages") or []:
        with open(os.path.join(folder, entry["file"]), encoding="utf-8") as f:
            doc = json.load(f)
        block = render_message(doc, folder)
        if doc.get("thread") and channel:
            channel[-1][1].append(block)
        else:
            channel.append([block, []])
    if section == "threads":
        out = []
        for block, thread in channel:
            if thread:
                out.append('<h1 class="channel">🧵 thread of a #%s message</h1>%s' % (html.escape(title), "".join(thread)))
        return "\n".join(out)
    out = ['<h1 class="channel"># %s</h1>' % html.escape(title)]
    for block, thread in channel:
        out.append(block)
        if thread:
            out.append('<div class="pill">🧵 Details · %d message%s</div>' % (len(thread), "s" if len(thread) > 1 else ""))
    return "\n".join(out)


def render_page(session_folder: str, sections: tuple[str, ...] = ("players", "threads", "admins")) -> str:
    body = []
    for section in sections:
        channel = "players" if section == "threads" else section
        folder = os.path.join(session_folder, channel)
        if os.path.exists(os.path.join(folder, "index.json")):
            body.append(render_channel(os.path.abspath(folder), CHANNEL_TITLES[channel],
                                       "threads" if section == "threads" else "channel"))
    return ('<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><style>%s</style></head><body>%s</body></html>'
            % (CSS, "\n".join(body)))


def screenshot(page: str, png: str, width: int, height: int = 2000) -> None:
    """Full-page screenshot with headless Chromium (the window is `width` px wide)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        raise SystemExit("chromium not found (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--hide-scrollbars", "--user-data-dir=" + profile,
                        "--window-size=%d,%d" % (width, height), "--screenshot=" + os.path.abspath(png),
                        "file://" + os.path.abspath(page)], check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("session_folder", help="OUT/<date>/<session_id> of a dry run")
    ap.add_argument("--out", default=None, help="HTML file to write (default: <session_folder>/discord.html)")
    ap.add_argument("--screenshot", default=None, help="also write a PNG screenshot here")
    ap.add_argument("--width", type=int, default=360, help="window width for the screenshot (default 360)")
    ap.add_argument("--height", type=int, default=2000, help="window height for the screenshot (default 2000)")
    ap.add_argument("--section", action="append", choices=["players", "threads", "admins"],
                    help="what to draw (repeatable; default all three)")
    a = ap.parse_args(argv)
    page = a.out or os.path.join(a.session_folder, "discord.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(render_page(a.session_folder, tuple(a.section or ("players", "threads", "admins"))))
    print(page)
    if a.screenshot:
        screenshot(page, a.screenshot, a.width, a.height)
        print(a.screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
