"""Make the demo's clip of hands at work (src/chizai/register/demo_data/jig_setup.webm and its
poster .jpg): no video encoder is installed, so Debian's chromium draws an 8-second scene on
a canvas (a fixture plate, four clamps tightened crosswise, a dial gauge) and records it with
MediaRecorder (VP8 WebM, ~300 kbit/s). Run again only to change the picture:

    .venv/bin/python tools/make_demo_clip.py
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "src" / "chizai" / "register" / "demo_data"

SCENE = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 480; canvas.height = 270;
  const g = canvas.getContext("2d");
  const clamps = [[110, 70], [370, 200], [370, 70], [110, 200]];  // crosswise order
  const start = performance.now();
  const steps = ["1 段取り: 基準面を拭く", "2 クランプを対角に仮締め", "3 本締め 25 N·m", "4 ダイヤルゲージで振れ確認"];
  function draw() {
    const t = (performance.now() - start) / 1000;
    g.fillStyle = "#2b3035"; g.fillRect(0, 0, 480, 270);
    g.fillStyle = "#8a949c"; g.fillRect(80, 50, 320, 170);          // fixture plate
    g.fillStyle = "#b9c2c9"; g.fillRect(180, 100, 120, 70);         // workpiece
    clamps.forEach(([x, y], i) => {
      const tight = t > 2 + i * 0.8 ? 1 : 0.3;
      g.fillStyle = tight === 1 ? "#e0a030" : "#6d5a3a";
      g.fillRect(x - 14, y - 10, 28, 20);
      g.strokeStyle = "#222"; g.lineWidth = 3;
      g.beginPath(); g.moveTo(x, y); g.lineTo(x + 18 * Math.cos(t * 4 * tight), y + 18 * Math.sin(t * 4 * tight)); g.stroke();
    });
    const hand = Math.min(3, Math.floor(t / 2));
    const [hx, hy] = clamps[Math.min(3, Math.floor(Math.max(0, t - 2) / 0.8))];
    g.fillStyle = "rgba(240, 200, 170, 0.9)";                         // the hand
    g.beginPath(); g.ellipse(hx + 24, hy + 18, 20, 12, 0.6, 0, 2 * Math.PI); g.fill();
    if (t > 6) {                                                      // dial gauge
      g.fillStyle = "#fff"; g.beginPath(); g.arc(240, 135, 26, 0, 2 * Math.PI); g.fill();
      g.strokeStyle = "#c00"; g.lineWidth = 2;
      g.beginPath(); g.moveTo(240, 135); g.lineTo(240 + 22 * Math.sin(Math.sin(t * 6) * 0.3), 135 - 22 * Math.cos(Math.sin(t * 6) * 0.3)); g.stroke();
    }
    g.fillStyle = "#fff"; g.font = "18px 'Noto Sans CJK JP', 'IPAexGothic', sans-serif";
    g.fillText(steps[hand], 16, 28);
    g.font = "13px monospace"; g.fillText(t.toFixed(1) + " s", 420, 260);
  }
  draw();
  const timer = setInterval(draw, 40);
  const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: "video/webm;codecs=vp8", videoBitsPerSecond: 300000 });
  const parts = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const stopped = new Promise((r) => { recorder.onstop = r; });
  recorder.start(500);
  await new Promise((r) => setTimeout(r, 3000));
  const poster = canvas.toDataURL("image/jpeg", 0.8);
  await new Promise((r) => setTimeout(r, 5000));
  recorder.stop(); await stopped; clearInterval(timer);
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let text = ""; for (let i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
  return [btoa(text), poster.split(",")[1]];
}"""


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto("about:blank")
        video, poster = page.evaluate(SCENE)
        browser.close()
    OUT.mkdir(exist_ok=True)
    (OUT / "jig_setup.webm").write_bytes(base64.b64decode(video))
    (OUT / "jig_setup.jpg").write_bytes(base64.b64decode(poster))
    print({p.name: p.stat().st_size for p in OUT.iterdir()})


if __name__ == "__main__":
    main()
