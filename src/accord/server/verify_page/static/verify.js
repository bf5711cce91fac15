// The Verify page's enhancements: a drop zone, sending a file as soon as it is chosen, a
// size check before uploading, one request per file, and focus on the result. The form
// works without them.
(function () {
  "use strict";

  const form = document.getElementById("verify-form");
  if (!form) {
    return;
  }
  const input = form.querySelector("input[type=file]");
  const zone = document.getElementById("drop-zone");
  const result = document.getElementById("result");

  // Built from text nodes only: a file name must never become markup.
  function showError(title, detail) {
    const box = document.createElement("div");
    box.className = "error";
    box.setAttribute("role", "alert");
    const body = document.createElement("div");
    const heading = document.createElement("h2");
    heading.tabIndex = -1;
    heading.textContent = title;
    const text = document.createElement("p");
    text.textContent = detail;
    body.append(heading, text);
    box.append(body);
    result.replaceChildren(box);
    heading.focus();
  }

  function send() {
    const file = input.files && input.files[0];
    if (!file) {
      return;
    }
    const maxBytes = Number(form.dataset.maxBytes);
    if (maxBytes && file.size > maxBytes) {
      showError(
        "File too large",
        "This page checks files up to " + form.dataset.maxSize + "; this one is larger."
      );
      return;
    }
    form.requestSubmit();
  }

  input.addEventListener("change", send);

  // A chosen file is sent at once, so a click on the button afterwards would send it a
  // second time, and each check counts against the visitor's rate limit. A file is sent
  // once (again only after a failure); while a check runs, htmx disables the button and
  // shows that it is checking (hx-disabled-elt, hx-indicator).
  let sent = null;
  const note = document.createElement("p");
  note.className = "hint sent-note";
  note.setAttribute("role", "status");
  form.querySelector(".actions").after(note);

  function fileKey(file) {
    return [file.name, file.size, file.lastModified].join("\u0000");
  }

  form.addEventListener("htmx:confirm", function (event) {
    const file = input.files && input.files[0];
    note.textContent = "";
    if (!file) {
      return;
    }
    if (form.classList.contains("htmx-request") || fileKey(file) === sent) {
      event.preventDefault();
      note.textContent = form.classList.contains("htmx-request")
        ? "This file is being checked."
        : "This file was just checked: its result is below. Choose another file to check it.";
      return;
    }
    sent = fileKey(file);
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) {
      sent = null; // a failed check may be tried again
    }
  });

  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", function (event) {
    if (!zone.contains(event.relatedTarget)) {
      zone.classList.remove("dragging");
    }
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("dragging");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) {
      input.files = files;
      send();
    }
  });
  // A file dropped beside the zone must not make the browser leave the page to show it.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, function (event) {
      if (!zone.contains(event.target)) {
        event.preventDefault();
      }
    });
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === result) {
      const heading = result.querySelector("[tabindex='-1']");
      if (heading) {
        heading.focus();
      }
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    showError("No answer", "The server could not be reached. Check your connection and try again.");
  });
})();
