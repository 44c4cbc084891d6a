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
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
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
      box.textContent = "Không hiển thị được sơ đồ: " + err.message;
    });
})();
