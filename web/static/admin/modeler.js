/* The BPMN modeler page: bpmn-js Modeler with the product's extensions, the properties panel, and
   the engine's deploy check shown on the diagram (a marker and a badge on each element with a
   problem, and a list whose entries select the element). Save as draft, deploy, export. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("modeler-config").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var status = document.getElementById("modeler-status");
  var problemList = document.getElementById("problems");
  var dirty = false;
  var lastProblems = [];
  var checkTimer = null;
  var checkRound = 0;

  var modeler = new window.BpmnJS({
    container: "#canvas",
    moddleExtensions: { spiffworkflow: window.ChithiSpiffModdle }
  });
  window.chithiModeler = modeler;  // for people debugging in the console, and the browser tests

  function say(message, kind) {
    status.textContent = message;
    status.className = "status-" + (kind || "info");
  }

  var api = {
    urls: { form: config.urls.check.replace(/check$/, "form") },
    post: function (url, body, type) {
      return fetch(url, { method: "POST", credentials: "same-origin", body: body,
        headers: { "Content-Type": type || "application/xml", "X-CSRF-Token": csrf, "Accept": "application/json" } })
        .then(function (r) {
          return r.json().catch(function () { return { message: "Máy chủ trả lời không đọc được (mã " + r.status + ")." }; })
            .then(function (json) { json.httpStatus = r.status; return json; });
        })
        .catch(function () { return { httpStatus: 0, message: "Không kết nối được máy chủ; thao tác chưa được thực hiện." }; });
    }
  };

  new window.ChithiPanel(modeler, document.getElementById("panel"), config, api);

  // Fit the diagram beside the palette (it covers the canvas's left edge); with `readable`, a wide
  // one is shown from its start at a size people can read instead of shrunk to fit.
  var PALETTE = 130;
  function fit(canvas, readable) {
    canvas.zoom(1);
    var box = canvas.viewbox();
    var scale = Math.min((box.outer.width - PALETTE - 30) / box.inner.width, (box.outer.height - 40) / box.inner.height, 1);
    if (readable && scale < 0.6) { scale = 0.8; }
    canvas.viewbox({ x: box.inner.x - PALETTE / scale, y: box.inner.y - 20 / scale,
                     width: box.outer.width / scale, height: box.outer.height / scale });
  }
  function readable(canvas) { fit(canvas, true); }

  function xml() {
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  // ------------------------------------------------------------------ problems on the diagram

  function clearProblems() {
    var canvas = modeler.get("canvas"), overlays = modeler.get("overlays");
    lastProblems.forEach(function (p) {
      var el = ownerOf(p.element_id);
      if (el) { canvas.removeMarker(el, "has-problem"); }
    });
    overlays.remove({ type: "problem" });
    problemList.innerHTML = "";
  }

  // The diagram element a problem is about: the element itself, or the one owning the part that
  // has the id (a timer's definition, a loop's characteristics, a condition).
  function ownerOf(id) {
    var registry = modeler.get("elementRegistry");
    if (!id) { return null; }
    var direct = registry.get(id);
    if (direct) { return direct; }
    return registry.filter(function (el) {
      var bo = el.businessObject || {};
      return (bo.eventDefinitions || []).some(function (d) { return d.id === id; }) ||
        (bo.loopCharacteristics && bo.loopCharacteristics.id === id) ||
        (bo.conditionExpression && bo.conditionExpression.id === id);
    })[0] || null;
  }

  function select(id) {
    var el = ownerOf(id);
    if (!el) { return; }
    modeler.get("canvas").scrollToElement(el, { top: 120, bottom: 120, left: 200, right: 420 });
    modeler.get("selection").select(el);
  }

  function showProblems(problems) {
    var canvas = modeler.get("canvas"), overlays = modeler.get("overlays");
    clearProblems();
    lastProblems = problems;
    var messages = {};
    problems.forEach(function (p, i) {
      var owner = ownerOf(p.element_id);
      var li = document.createElement("li");
      li.id = "problem-" + i;
      if (owner) {
        li.setAttribute("data-element", owner.id);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link-button problem-link";
        button.textContent = owner.businessObject.name || owner.id;
        button.addEventListener("click", function () { select(owner.id); });
        li.appendChild(button);
        li.appendChild(document.createTextNode(": " + p.message));
        canvas.addMarker(owner, "has-problem");
        (messages[owner.id] = messages[owner.id] || []).push(p.message);
      } else {
        li.textContent = p.message + (p.line ? " (dòng " + p.line + ")" : "");
      }
      problemList.appendChild(li);
    });
    Object.keys(messages).forEach(function (id) {
      var badge = document.createElement("div");
      badge.className = "problem-badge";
      badge.setAttribute("data-element", id);
      badge.title = messages[id].join("\n");
      badge.textContent = "!";
      badge.addEventListener("click", function () { select(id); });
      overlays.add(id, "problem", { position: { top: -10, right: 10 }, html: badge });
    });
    document.getElementById("problems-title").textContent = problems.length
      ? "Lỗi cần sửa (" + problems.length + ")" : "Không có lỗi";
  }

  function check(quiet) {
    var round = ++checkRound;
    if (!quiet) { say("Đang kiểm tra…"); }
    return xml().then(function (text) { return api.post(config.urls.check, text); }).then(function (answer) {
      if (round !== checkRound) { return answer; }  // a newer check, or a save or deploy, came after it
      if (answer.problems) {
        showProblems(answer.problems);
        say(answer.ok ? "Mô hình qua kiểm tra: có thể triển khai." : "Còn " + answer.problems.length + " lỗi: chọn từng lỗi để đến phần tử trên sơ đồ.",
            answer.ok ? "ok" : "error");
      } else {
        say(answer.message || "Không kiểm tra được.", "error");
      }
      return answer;
    });
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(function () { check(true); }, 1200);
  }

  // An explicit action (save, deploy) speaks last: a check still waiting or on its way is dropped.
  function quietChecksOff() {
    clearTimeout(checkTimer);
    checkRound++;
  }

  // ------------------------------------------------------------------ toolbar

  document.getElementById("check").addEventListener("click", function () { check(false); });

  document.getElementById("save-draft").addEventListener("click", function () {
    quietChecksOff();
    say("Đang lưu bản nháp…");
    xml().then(function (text) {
      return api.post(config.urls.draft + "?base_version=" + (config.source.base_version || ""), text);
    }).then(function (answer) {
      if (answer.httpStatus === 200) { dirty = false; say(answer.message, "ok"); }
      else { say(answer.message || "Chưa lưu được bản nháp.", "error"); if (answer.problems) { showProblems(answer.problems); } }
    });
  });

  var deployBox = document.getElementById("deploy-confirm");
  document.getElementById("deploy").addEventListener("click", function () {
    check(false).then(function (answer) {
      if (answer.ok) { deployBox.hidden = false; document.getElementById("deploy-yes").focus(); }
    });
  });
  document.getElementById("deploy-no").addEventListener("click", function () { deployBox.hidden = true; });
  document.getElementById("deploy-yes").addEventListener("click", function () {
    quietChecksOff();
    deployBox.hidden = true;
    say("Đang triển khai…");
    xml().then(function (text) { return api.post(config.urls.deploy, text); }).then(function (answer) {
      if (answer.ok) {
        dirty = false;
        say(answer.message, "ok");
        var link = document.getElementById("after-deploy");
        link.hidden = false;
        link.querySelector("a").href = answer.process_url + "#migrate";
      } else {
        if (answer.problems) { showProblems(answer.problems); }
        say(answer.message || "Chưa triển khai được.", "error");
      }
    });
  });

  document.getElementById("export").addEventListener("click", function () {
    xml().then(function (text) {
      var blob = new Blob([text], { type: "application/xml" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = config.processId + ".bpmn";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  });

  document.getElementById("fit").addEventListener("click", function () { fit(modeler.get("canvas"), false); });
  document.getElementById("zoom-in").addEventListener("click", function () { var c = modeler.get("canvas"); c.zoom(c.zoom() * 1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { var c = modeler.get("canvas"); c.zoom(c.zoom() / 1.25); });

  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  // ------------------------------------------------------------------ open the model

  fetch(config.source.url, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.text();
  }).then(function (text) {
    return modeler.importXML(text);
  }).then(function (result) {
    readable(modeler.get("canvas"));
    var warnings = (result.warnings || []).map(function (w) { return w.message; });
    if (warnings.length) {
      say("Mở được mô hình nhưng có phần không đọc được (lưu lại sẽ mất): " + warnings.slice(0, 3).join("; "), "error");
    } else {
      say("Đã mở " + config.source.label + ".", "info");
    }
    modeler.get("eventBus").on("commandStack.changed", function () { dirty = true; scheduleCheck(); });
    document.body.setAttribute("data-modeler-ready", "1");
    check(true);
  }).catch(function (err) {
    say("Không mở được mô hình: " + err.message, "error");
  });
})();
