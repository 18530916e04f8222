// The import page's upload (/admin/import): the file goes as one plain multipart POST to
// /admin/import/upload (streamed to disk by the server, never a base64 callback body); the
// answer lands in the page's store "adm-uploaded", where a server callback continues.
(function () {
  "use strict";
  var BOX = "adm-upload";

  function send(box, file) {
    var form = new FormData();
    form.append("file", file, file.name);
    box.classList.add("adm-upload-active");
    fetch("/admin/import/upload", {
      method: "POST", body: form, credentials: "same-origin",
      headers: {"X-CSRF-Token": box.getAttribute("data-csrf") || ""}
    }).then(function (response) {
      return response.json().catch(function () { return {error: response.statusText}; })
        .then(function (body) { return {status: response.status, body: body}; });
    }, function (err) {
      return {status: 0, body: {error: String(err)}};
    }).then(function (answer) {
      box.classList.remove("adm-upload-active");
      answer.name = file.name;
      answer.at = Date.now();
      window.dash_clientside.set_props("adm-uploaded", {data: answer});
    });
  }

  function equip(box) {
    if (box.querySelector("input[type=file]")) { return; }
    var input = document.createElement("input");
    input.type = "file";
    input.name = "file";
    input.accept = box.getAttribute("data-accept") || "";
    input.className = "adm-upload-input";
    input.addEventListener("change", function () {
      if (input.files && input.files.length) { send(box, input.files[0]); }
      input.value = "";
    });
    box.appendChild(input);
    box.addEventListener("dragover", function (e) { e.preventDefault(); box.classList.add("adm-upload-active"); });
    box.addEventListener("dragleave", function () { box.classList.remove("adm-upload-active"); });
    box.addEventListener("drop", function (e) {
      e.preventDefault();
      box.classList.remove("adm-upload-active");
      if (e.dataTransfer && e.dataTransfer.files.length) { send(box, e.dataTransfer.files[0]); }
    });
  }

  new MutationObserver(function () {
    if (location.pathname.indexOf("/admin/import") !== 0) { return; }    // other pages: nothing to do
    var box = document.getElementById(BOX);
    if (box) { equip(box); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
