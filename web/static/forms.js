/* chithi form helpers (the project's own script): a file larger than its input's data-max-bytes is
   refused before it is sent, so nothing typed in the form is lost; picking the issuing body in the
   directory fills its printed name when that box is still empty. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file" || !input.dataset.maxBytes || !input.files.length) { return; }
    var limit = parseInt(input.dataset.maxBytes, 10);
    var file = input.files[0];
    var error = document.getElementById(input.id + "-error");
    if (file.size > limit) {
      input.value = "";
      input.setAttribute("aria-invalid", "true");
      if (error) {
        error.hidden = false;
        error.textContent = "Tệp «" + file.name + "» lớn " + (file.size / 1048576).toFixed(1) +
          " MB, quá " + Math.round(limit / 1048576) + " MB: hãy quét lại với độ phân giải thấp hơn " +
          "hoặc nén tệp PDF rồi chọn lại. Các trường đã nhập vẫn được giữ.";
      }
    } else if (error) {
      input.removeAttribute("aria-invalid");
      error.hidden = true;
      error.textContent = "";
    }
  });
  document.addEventListener("picker:chosen", function (event) {
    var box = event.target;
    if (!box.id || box.id !== "f-sender_code-picker") { return; }
    var sender = document.getElementById("f-sender");
    if (sender && !sender.value.trim()) { sender.value = event.detail.name; }
  });
})();
