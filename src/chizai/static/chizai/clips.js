// Clips on an asset page (progressive enhancement; without JavaScript the forms post as usual).
// - Chapter buttons seek the clip's <video> (data-seek is milliseconds) and play it.
// - "Use the time on screen" fills a chapter form from the video's current time.
// - "Use the frame on screen as poster" draws the current frame on a canvas and posts it as JPEG.
// - The upload form sends the file as the raw request body, which the server seals as it
//   arrives (no plaintext temporary copy), with a progress bar; over-limit files are refused
//   here before a byte is sent.
(function () {
  "use strict";

  function csrf(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(url, body, token, onProgress, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    if (onProgress) { xhr.upload.addEventListener("progress", onProgress); }
    xhr.addEventListener("load", function () {
      var answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = { ok: false, message: xhr.responseText }; }
      done(answer);
    });
    xhr.addEventListener("error", function () { done({ ok: false, message: "" }); });
    xhr.send(body);
  }

  function timestamp(seconds) {
    var total = Math.floor(seconds);
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  document.querySelectorAll("[data-clip]").forEach(function (box) {
    var video = box.querySelector("video[data-clip-video]");
    if (!video) { return; }
    box.querySelectorAll("[data-seek]").forEach(function (button) {
      button.addEventListener("click", function () {
        video.currentTime = Number(button.getAttribute("data-seek")) / 1000;
        video.play().catch(function () { /* autoplay may be refused; the seek stands */ });
      });
    });
    var now = box.querySelector("[data-chapter-now]");
    var field = box.querySelector("[data-chapter-time]");
    if (now && field) {
      now.hidden = false;
      now.addEventListener("click", function () { field.value = timestamp(video.currentTime); });
    }
    var frame = box.querySelector("[data-poster-frame]");
    if (frame) {
      frame.hidden = false;
      frame.addEventListener("click", function () {
        if (!video.videoWidth) { return; }
        var canvas = document.createElement("canvas");
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        canvas.getContext("2d").drawImage(video, 0, 0);
        canvas.toBlob(function (blob) {
          send(frame.getAttribute("data-url"), blob, csrf(box), null, function () { window.location.reload(); });
        }, "image/jpeg", 0.85);
      });
    }
  });

  document.querySelectorAll("form[data-clip-upload]").forEach(function (form) {
    var status = form.querySelector("[data-clip-status]");
    var progress = form.querySelector("[data-progress]");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      event.preventDefault();
      if (file.size > Number(form.getAttribute("data-max"))) {
        status.textContent = form.getAttribute("data-too-large");
        return;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      progress.hidden = false;
      status.textContent = form.getAttribute("data-sending");
      var title = form.querySelector("input[name=title]").value;
      var url = form.getAttribute("action") + "?name=" + encodeURIComponent(file.name) +
        "&title=" + encodeURIComponent(title);
      send(url, file, csrf(form), function (e) {
        if (e.lengthComputable) { progress.value = Math.round(100 * e.loaded / e.total); }
      }, function (answer) {
        if (answer.ok) {
          window.location.reload();  // the new clip is on the page the server renders
          return;
        }
        button.disabled = false;
        progress.hidden = true;
        status.textContent = answer.message || "";
      });
    });
  });
})();
