/* The instance page's diagram: bpmn-js NavigatedViewer with the elements the instance completed,
   where it waits now and what failed, and the flows it went along. */
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  var statesNode = document.getElementById("diagram-states");
  if (!box || !statesNode || !window.BpmnJS) { return; }
  var states = JSON.parse(statesNode.textContent);
  var viewer = new window.BpmnJS({ container: box });
  window.chithiViewer = viewer;
  fetch(box.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
    .then(function (xml) {
      if (xml.indexOf("BPMNDiagram") < 0) { throw new Error("mô hình này không có phần sơ đồ (BPMN DI)"); }
      return viewer.importXML(xml);
    })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      var here = states.failed.concat(states.current).map(function (id) { return registry.get(id); })
        .filter(function (el) { return el; })[0];
      if (canvas.zoom() < 0.6 && here) {
        // A wide process: show where the instance stands at a size people can read.
        canvas.zoom(0.85);
        canvas.scrollToElement(here, { top: 150, bottom: 150, left: 350, right: 350 });
      }
      var mark = function (ids, marker) {
        ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, marker); } });
      };
      mark(states.flows, "flow-taken");
      mark(states.completed, "element-done");
      mark(states.current, "element-current");
      mark(states.failed, "element-failed");
      box.setAttribute("data-ready", "1");
    })
    .catch(function (err) {
      box.textContent = "Không hiển thị được sơ đồ: " + err.message + ". Các bước đã làm và đang chờ xem ở phần Diễn biến.";
      box.setAttribute("data-ready", "error");
    });
})();
