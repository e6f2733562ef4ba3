"""A short WebM drawn and recorded by the browser itself (MediaRecorder on a canvas): no video
encoder is installed here, so the browser tests make their clips this way."""

RECORD = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 240;
  const context = canvas.getContext("2d");
  let frame = 0;
  const draw = () => {
    context.fillStyle = `hsl(${(frame * 9) % 360}, 70%, 50%)`;
    context.fillRect(0, 0, 320, 240);
    context.fillStyle = "#fff";
    context.font = "40px sans-serif";
    context.fillText(String(frame), 20, 120);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, 40);
  const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: "video/webm;codecs=vp8" });
  const parts = [];
  recorder.ondataavailable = (event) => parts.push(event.data);
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(250);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  recorder.stop();
  await done;
  clearInterval(timer);
  const bytes = new Uint8Array(await new Blob(parts, { type: "video/webm" }).arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
  return btoa(text);
}"""
