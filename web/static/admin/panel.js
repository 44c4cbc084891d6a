/* The modeler's properties panel: the product's own extensions edited without XML — lanes and
   their roles, a user task's form fields and its role/body/assignee/due/show properties, a service
   task's service and parameters (from the registered services), scripts, timers (with the
   quoted-duration rule explained), conditions and the default branch — and buttons that add the
   next step after the selected one. Every change goes through bpmn-js's command stack (undo works). */
(function () {
  "use strict";

  var ROLE_HELP = "Việc trong làn do người có vai trò này (thuộc cơ quan của hồ sơ) làm.";
  var PROPERTY_HELP = {
    body: "Cơ quan làm việc này: biểu thức cho mã cơ quan, ví dụ item[\"body_code\"]. Để trống: cơ quan của hồ sơ.",
    assignee: "Giao riêng cho một người: biểu thức cho tên đăng nhập. Để trống: ai có vai trò cũng làm được.",
    due: "Hạn: \"P3D\" (3 ngày kể từ khi giao, có ngoặc kép), một ngày \"2024-06-30\" (hết 17:00 ngày đó), hoặc biểu thức như period[\"due_at\"].",
    show: "Thông tin cho người làm xem: {\"Nhãn\": biến, …}, ví dụ {\"Kỳ báo cáo\": period[\"label\"]}."
  };
  var FIELD_TYPES = { text: "Dòng chữ", textarea: "Đoạn văn", choice: "Chọn một", date: "Ngày", number: "Số", bool: "Có/Không" };
  var BARE_DURATION = /^(R\d*\/)?P(?=[\dT])(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$/i;
  var ID_RE = /^[A-Za-z_][A-Za-z0-9_.\-]*$/;

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { el.textContent = attrs[k]; }
      else if (k.indexOf("on") === 0) { el.addEventListener(k.slice(2), attrs[k]); }
      else if (attrs[k] === true) { el.setAttribute(k, ""); }
      else if (attrs[k] !== false && attrs[k] != null) { el.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return el;
  }

  function yamlString(s) { return JSON.stringify(String(s == null ? "" : s)); }

  function formYaml(fields) {
    if (!fields.length) { return ""; }
    return "\n" + fields.map(function (f) {
      var out = "- name: " + f.name + "\n  label: " + yamlString(f.label || f.name) + "\n  type: " + f.type;
      if (f.required) { out += "\n  required: true"; }
      if (f.type === "choice") {
        out += "\n  options: {" + (f.options || []).map(function (o) { return yamlString(o[0]) + ": " + yamlString(o[1]); }).join(", ") + "}";
      }
      if (f.help) { out += "\n  help: " + yamlString(f.help); }
      return out;
    }).join("\n") + "\n";
  }

  function Panel(modeler, container, config, api) {
    this.modeler = modeler;
    this.container = container;
    this.catalog = config.catalog;
    this.timerHelp = config.timerHelp;
    this.api = api;  // {post(url, body, type)} with the CSRF token
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.elementFactory = modeler.get("elementFactory");
    this.autoPlace = modeler.get("autoPlace");
    this.selection = modeler.get("selection");
    this.registry = modeler.get("elementRegistry");
    this.canvas = modeler.get("canvas");
    this.element = null;
    this.ownChange = false;
    var self = this;
    var bus = modeler.get("eventBus");
    bus.on("selection.changed", function (e) { self.show(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    bus.on("elements.changed", function (e) {
      if (self.ownChange || !self.element) { return; }
      if (e.elements.some(function (el) { return el.id === self.element.id; })) { self.show(self.registry.get(self.element.id)); }
    });
    this.show(null);
  }

  Panel.prototype.bo = function (el) { return (el || this.element).businessObject; };

  Panel.prototype.update = function (props, el) {
    this.ownChange = true;
    try { this.modeling.updateProperties(el || this.element, props); } finally { this.ownChange = false; }
  };

  Panel.prototype.updateModdle = function (target, props) {
    this.ownChange = true;
    try { this.modeling.updateModdleProperties(this.element, target, props); } finally { this.ownChange = false; }
  };

  // ------------------------------------------------------------------ extension elements

  Panel.prototype.extValues = function (bo) {
    return (bo.extensionElements && bo.extensionElements.get("values")) || [];
  };

  Panel.prototype.findExt = function (bo, type) {
    return this.extValues(bo).find(function (v) { return v.$instanceOf(type); });
  };

  Panel.prototype.setExt = function (type, value) {
    var bo = this.bo(), moddle = this.moddle;
    var values = [], replaced = false;
    this.extValues(bo).forEach(function (v) {
      if (v.$instanceOf(type)) { if (value && !replaced) { values.push(value); replaced = true; } }
      else { values.push(v); }
    });
    if (value && !replaced) { values.push(value); }
    var ext = values.length ? moddle.create("bpmn:ExtensionElements", { values: values }) : undefined;
    values.forEach(function (v) { v.$parent = ext; });
    this.update({ extensionElements: ext });
  };

  Panel.prototype.properties = function () {
    var node = this.findExt(this.bo(), "spiffworkflow:Properties");
    return node ? node.get("properties").map(function (p) { return { name: p.name, value: p.value }; }) : [];
  };

  Panel.prototype.property = function (name) {
    var found = this.properties().find(function (p) { return p.name === name; });
    return found ? found.value : "";
  };

  Panel.prototype.setProperty = function (name, value) {
    var moddle = this.moddle;
    var props = this.properties().filter(function (p) { return p.name !== name; });
    if (value) { props.push({ name: name, value: value }); }
    this.setExt("spiffworkflow:Properties", props.length ? moddle.create("spiffworkflow:Properties", {
      properties: props.map(function (p) { return moddle.create("spiffworkflow:Property", p); }) }) : null);
  };

  // ------------------------------------------------------------------ rendering

  Panel.prototype.section = function (title, children) {
    return h("section", { class: "panel-section" }, [h("h3", { text: title })].concat(children));
  };

  Panel.prototype.input = function (id, label, value, onchange, opts) {
    opts = opts || {};
    var field = opts.multiline
      ? h("textarea", { id: id, rows: opts.rows || 3, spellcheck: "false" })
      : h("input", { id: id, type: "text", spellcheck: "false", list: opts.list || null });
    field.value = value || "";
    field.addEventListener("change", function () { onchange(field.value); });
    return h("div", { class: "pfield" }, [h("label", { for: id, text: label }), field,
      opts.help ? h("p", { class: "help", text: opts.help }) : null]);
  };

  Panel.prototype.select = function (id, label, value, choices, onchange, help) {
    var field = h("select", { id: id });
    choices.forEach(function (c) {
      var opt = h("option", { value: c[0], text: c[1] });
      if (c[0] === value) { opt.selected = true; }
      field.appendChild(opt);
    });
    field.addEventListener("change", function () { onchange(field.value); });
    return h("div", { class: "pfield" }, [h("label", { for: id, text: label }), field, help ? h("p", { class: "help", text: help }) : null]);
  };

  Panel.prototype.show = function (element) {
    this.element = element;
    var c = this.container;
    c.innerHTML = "";
    if (!element || element.type === "label") {
      c.appendChild(h("p", { class: "muted", text: "Chọn một bước trên sơ đồ để xem và sửa cấu hình của nó." }));
      return;
    }
    var bo = this.bo();
    var kind = bo.$type.replace("bpmn:", "");
    c.appendChild(h("h2", { id: "panel-title", text: (bo.name || "(chưa đặt tên)") }));
    c.appendChild(h("p", { class: "muted", id: "panel-kind", text: this.kindLabel(bo) }));
    c.appendChild(this.identity(bo));
    if (bo.$instanceOf("bpmn:Lane")) { c.appendChild(this.lane(bo)); }
    if (bo.$instanceOf("bpmn:UserTask") || bo.$instanceOf("bpmn:ManualTask")) {
      c.appendChild(this.humanTask(bo));
      c.appendChild(this.formEditor(bo));
    }
    if (bo.$instanceOf("bpmn:ServiceTask")) { c.appendChild(this.service(bo)); }
    if (bo.$instanceOf("bpmn:ScriptTask")) { c.appendChild(this.script(bo)); }
    var timer = (bo.eventDefinitions || []).find(function (d) { return d.$instanceOf("bpmn:TimerEventDefinition"); });
    if (timer) { c.appendChild(this.timer(bo, timer)); }
    if (bo.$instanceOf("bpmn:SequenceFlow")) { c.appendChild(this.flow(bo)); }
    if (bo.$instanceOf("bpmn:FlowNode") && !bo.$instanceOf("bpmn:EndEvent")) { c.appendChild(this.appendButtons(bo)); }
    void kind;
  };

  Panel.prototype.kindLabel = function (bo) {
    var labels = { UserTask: "Việc của người dùng", ManualTask: "Việc thủ công", ServiceTask: "Việc của máy (dịch vụ)",
      ScriptTask: "Kịch bản", StartEvent: "Bắt đầu", EndEvent: "Kết thúc", IntermediateCatchEvent: "Sự kiện chờ",
      BoundaryEvent: "Sự kiện gắn vào việc", ExclusiveGateway: "Cổng rẽ nhánh (một nhánh)", ParallelGateway: "Cổng song song",
      InclusiveGateway: "Cổng rẽ nhiều nhánh", SequenceFlow: "Luồng", Lane: "Làn", Participant: "Quy trình (khung)",
      ReceiveTask: "Chờ thông điệp", Task: "Việc", SubProcess: "Quy trình con", CallActivity: "Gọi quy trình khác" };
    var kind = bo.$type.replace("bpmn:", "");
    var timer = (bo.eventDefinitions || []).some(function (d) { return d.$instanceOf("bpmn:TimerEventDefinition"); });
    return (labels[kind] || kind) + (timer ? " — hẹn giờ" : "");
  };

  Panel.prototype.identity = function (bo) {
    var self = this;
    var nameField = this.input("p-name", "Tên hiển thị", bo.name, function (v) {
      self.update({ name: v.trim() || undefined });
      document.getElementById("panel-title").textContent = v.trim() || "(chưa đặt tên)";
    });
    var idField = this.input("p-id", "Mã bước", bo.id, function (v) {
      v = v.trim();
      if (!ID_RE.test(v)) { self.flash("Mã bước bắt đầu bằng chữ cái không dấu, chỉ gồm chữ, số, «_», «-», «.»."); return self.show(self.element); }
      if (v !== bo.id && self.registry.get(v)) { self.flash("Mã " + v + " đã có trên sơ đồ."); return self.show(self.element); }
      self.update({ id: v });
    }, { help: "Giữ nguyên mã của các bước cũ: hồ sơ đang chờ ở một bước chỉ chuyển được sang phiên bản có bước cùng mã." });
    var children = [nameField, idField];
    if (bo.$instanceOf("bpmn:FlowNode") && (bo.$instanceOf("bpmn:UserTask") || bo.$instanceOf("bpmn:ManualTask"))) {
      var doc = (bo.documentation && bo.documentation[0] && bo.documentation[0].text) || "";
      children.push(this.input("p-documentation", "Hướng dẫn cho người làm", doc, function (v) {
        self.update({ documentation: v.trim() ? [self.moddle.create("bpmn:Documentation", { text: v.trim() })] : [] });
      }, { multiline: true }));
    }
    return this.section("Chung", children);
  };

  Panel.prototype.roleChoices = function (emptyLabel) {
    var roles = this.catalog.roles;
    return [["", emptyLabel]].concat(Object.keys(roles).map(function (k) { return [k, roles[k]]; }));
  };

  Panel.prototype.lane = function (bo) {
    var self = this, lanes = this.catalog.lanes, roles = this.catalog.roles;
    var role = lanes[(bo.name || "").trim()];
    var listId = "lane-names";
    var datalist = h("datalist", { id: listId }, Object.keys(lanes).map(function (n) { return h("option", { value: n }); }));
    var status = role
      ? h("p", { class: "ok", id: "lane-role", text: "Việc trong làn này giao cho vai trò: " + (roles[role] || role) })
      : h("p", { class: "warn", id: "lane-role", text: "Tên làn không khớp vai trò nào: việc trong làn sẽ giao cho vai trò có mã «" + (bo.name || "") + "». Chọn vai trò bên dưới." });
    return this.section("Làn và vai trò", [
      this.input("p-lane-name", "Tên làn", bo.name, function (v) { self.update({ name: v.trim() }); }, { list: listId }), datalist,
      this.select("p-lane-role", "Vai trò làm các việc trong làn", role || "", this.roleChoices("— Chọn vai trò —"), function (v) {
        var name = Object.keys(lanes).find(function (n) { return lanes[n] === v; });
        if (name) { self.update({ name: name }); self.show(self.element); }
      }, ROLE_HELP), status]);
  };

  Panel.prototype.humanTask = function () {
    var self = this;
    var children = [this.select("p-role", "Vai trò làm việc này", this.property("role"), this.roleChoices("Theo làn chứa việc"),
      function (v) { self.setProperty("role", v); })];
    ["body", "assignee", "due", "show"].forEach(function (name) {
      var labels = { body: "Cơ quan làm (body)", assignee: "Người được giao (assignee)", due: "Hạn (due)", show: "Thông tin hiển thị (show)" };
      children.push(self.input("p-prop-" + name, labels[name], self.property(name), function (v) { self.setProperty(name, v.trim()); },
        { help: PROPERTY_HELP[name], multiline: name === "show" }));
    });
    return this.section("Ai làm, hạn, thông tin hiển thị", children);
  };

  Panel.prototype.formEditor = function (bo) {
    var self = this;
    var node = this.findExt(bo, "spiffworkflow:Form");
    var text = node ? (node.value || "") : "";
    var box = h("div", { id: "form-fields" }, [h("p", { class: "muted", text: "Đang đọc biểu mẫu…" })]);
    var section = this.section("Biểu mẫu người làm điền", [box]);
    var element = this.element;
    if (!text.trim()) { this.renderFields(box, []); return section; }
    this.api.post(this.api.urls.form, JSON.stringify({ yaml: text }), "application/json").then(function (answer) {
      if (self.element !== element) { return; }
      if (answer.error) { self.renderRawForm(box, text, answer.error); } else { self.renderFields(box, answer.fields); }
    });
    return section;
  };

  Panel.prototype.saveFields = function (fields) {
    this.setExt("spiffworkflow:Form", fields.length ? this.moddle.create("spiffworkflow:Form", { value: formYaml(fields) }) : null);
  };

  Panel.prototype.renderRawForm = function (box, text, error) {
    var self = this;
    box.innerHTML = "";
    box.appendChild(h("p", { class: "warn", text: error + " — sửa trực tiếp bên dưới." }));
    box.appendChild(this.input("p-form-yaml", "Biểu mẫu (YAML)", text, function (v) {
      self.setExt("spiffworkflow:Form", v.trim() ? self.moddle.create("spiffworkflow:Form", { value: v }) : null);
    }, { multiline: true, rows: 8 }));
  };

  Panel.prototype.renderFields = function (box, fields) {
    var self = this;
    box.innerHTML = "";
    fields = fields.map(function (f) { return Object.assign({}, f); });
    if (!fields.length) { box.appendChild(h("p", { class: "muted", text: "Chưa có trường nào." })); }
    fields.forEach(function (f, i) {
      var save = function () { self.saveFields(fields); };
      var row = h("fieldset", { class: "form-field-row", id: "form-field-" + i }, [h("legend", { text: "Trường " + (i + 1) })]);
      row.appendChild(self.input("ff-name-" + i, "Tên biến", f.name, function (v) { f.name = v.trim(); save(); },
        { help: "chữ thường không dấu, số, «_», ví dụ ghi_chu" }));
      row.appendChild(self.input("ff-label-" + i, "Nhãn", f.label, function (v) { f.label = v; save(); }));
      row.appendChild(self.select("ff-type-" + i, "Kiểu", f.type, Object.keys(FIELD_TYPES).map(function (k) { return [k, FIELD_TYPES[k]]; }),
        function (v) { f.type = v; if (v === "choice" && !(f.options || []).length) { f.options = [["co", "Có"], ["khong", "Không"]]; } save(); self.renderFields(box, fields); }));
      var req = h("input", { type: "checkbox", id: "ff-required-" + i });
      req.checked = !!f.required;
      req.addEventListener("change", function () { f.required = req.checked; save(); });
      row.appendChild(h("label", { class: "checkbox", for: "ff-required-" + i }, [req, " Bắt buộc"]));
      if (f.type === "choice") {
        row.appendChild(self.input("ff-options-" + i, "Lựa chọn (mỗi dòng: giá trị = nhãn)",
          (f.options || []).map(function (o) { return o[0] + " = " + o[1]; }).join("\n"), function (v) {
            f.options = v.split("\n").map(function (line) { var p = line.split("="); return [p[0].trim(), (p.slice(1).join("=") || p[0]).trim()]; })
              .filter(function (o) { return o[0]; });
            save();
          }, { multiline: true }));
      }
      row.appendChild(self.input("ff-help-" + i, "Gợi ý", f.help, function (v) { f.help = v.trim() || null; save(); }));
      row.appendChild(h("button", { type: "button", class: "link-button", id: "ff-remove-" + i, text: "Xóa trường này",
        onclick: function () { fields.splice(i, 1); save(); self.renderFields(box, fields); } }));
      box.appendChild(row);
    });
    box.appendChild(h("button", { type: "button", class: "button", id: "ff-add", text: "Thêm trường", onclick: function () {
      var n = fields.length + 1;
      fields.push({ name: "truong_" + n, label: "Trường " + n, type: "text", required: false, options: [] });
      self.saveFields(fields);
      self.renderFields(box, fields);
    } }));
  };

  Panel.prototype.service = function (bo) {
    var self = this, moddle = this.moddle;
    var op = this.findExt(bo, "spiffworkflow:ServiceTaskOperator");
    var current = op ? op.id : "";
    var params = {};
    ((op && op.parameters && op.parameters.get("parameters")) || []).forEach(function (p) { params[p.id] = p.value; });
    var services = this.catalog.services;
    var spec = services.find(function (s) { return s.name === current; });
    var write = function (name, resultVariable, values) {
      var list = Object.keys(values).filter(function (k) { return values[k] !== "" && values[k] != null; }).map(function (k) {
        return moddle.create("spiffworkflow:Parameter", { id: k, type: "any", value: values[k] });
      });
      self.setExt("spiffworkflow:ServiceTaskOperator", name ? moddle.create("spiffworkflow:ServiceTaskOperator", {
        id: name, resultVariable: resultVariable || undefined,
        parameters: moddle.create("spiffworkflow:Parameters", { parameters: list }) }) : null);
    };
    var result = op ? (op.resultVariable || "") : "";
    var children = [this.select("p-service", "Dịch vụ", current, [["", "— Chọn dịch vụ —"]].concat(services.map(function (s) { return [s.name, s.title]; })),
      function (v) { write(v, result || v, {}); self.show(self.element); }, spec ? spec.description.split("\n")[0] : "Máy làm việc này bằng một dịch vụ đã đăng ký.")];
    children.push(this.input("p-result", "Lưu kết quả vào biến", result, function (v) { result = v.trim(); write(current, result, params); }));
    var declared = spec ? spec.parameters : {};
    Object.keys(declared).concat(Object.keys(params).filter(function (k) { return !(k in declared); })).forEach(function (name) {
      children.push(self.input("p-param-" + name, "Tham số «" + name + "»", params[name], function (v) {
        params[name] = v.trim(); write(current, result, params);
      }, { help: (declared[name] || "") + " — viết dạng biểu thức: văn bản trong ngoặc kép." }));
    });
    return this.section("Dịch vụ máy làm", children);
  };

  Panel.prototype.script = function (bo) {
    var self = this;
    return this.section("Kịch bản", [this.input("p-script", "Các câu lệnh (x = …, if/else)", bo.script, function (v) {
      self.update({ scriptFormat: "python", script: v });
    }, { multiline: true, rows: 5, help: "Biến được gán ở đây có trong dữ liệu hồ sơ ở các bước sau." })]);
  };

  Panel.prototype.timer = function (bo, definition) {
    var self = this, moddle = this.moddle;
    var kind = definition.timeDate ? "timeDate" : definition.timeCycle ? "timeCycle" : "timeDuration";
    var expr = (definition[kind] && definition[kind].body) || "";
    var write = function (k, e) {
      var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      props[k] = moddle.create("bpmn:FormalExpression", { body: e });
      self.updateModdle(definition, props);
    };
    var children = [
      this.select("p-timer-kind", "Loại hẹn giờ", kind, [["timeDuration", "Sau một khoảng thời gian"], ["timeDate", "Vào ngày giờ cụ thể"], ["timeCycle", "Lặp lại"]],
        function (v) { kind = v; write(kind, expr); }),
      this.input("p-timer", "Biểu thức hẹn giờ", expr, function (v) { expr = v.trim(); write(kind, expr); self.show(self.element); }, { help: this.timerHelp })
    ];
    if (BARE_DURATION.test(expr)) {
      children.push(h("p", { class: "warn", id: "timer-unquoted" }, ["«" + expr + "» thiếu dấu ngoặc kép. ",
        h("button", { type: "button", class: "link-button", id: "timer-quote", text: "Sửa thành \"" + expr + "\"", onclick: function () {
          expr = "\"" + expr + "\""; write(kind, expr); self.show(self.element); } })]));
    }
    if (bo.$instanceOf("bpmn:BoundaryEvent")) {
      var box = h("input", { type: "checkbox", id: "p-interrupting" });
      box.checked = bo.cancelActivity !== false;
      box.addEventListener("change", function () { self.update({ cancelActivity: box.checked }); });
      children.push(h("label", { class: "checkbox", for: "p-interrupting" }, [box, " Đến hạn thì dừng việc đang làm (bỏ chọn: nhắc mà việc vẫn tiếp tục)"]));
    }
    return this.section("Hẹn giờ", children);
  };

  Panel.prototype.flow = function (bo) {
    var self = this, moddle = this.moddle;
    var source = bo.sourceRef;
    if (!source || !(source.$instanceOf("bpmn:ExclusiveGateway") || source.$instanceOf("bpmn:InclusiveGateway"))) {
      return this.section("Luồng", [h("p", { class: "muted", text: "Luồng nối hai bước; điều kiện chỉ đặt ở luồng ra khỏi cổng rẽ nhánh." })]);
    }
    var cond = (bo.conditionExpression && bo.conditionExpression.body) || "";
    var isDefault = source.default === bo;
    var box = h("input", { type: "checkbox", id: "p-default" });
    box.checked = isDefault;
    box.addEventListener("change", function () {
      self.update({ "default": box.checked ? bo : undefined }, self.registry.get(source.id));
      self.show(self.element);
    });
    return this.section("Điều kiện rẽ nhánh", [
      this.input("p-condition", "Điều kiện đi theo luồng này", cond, function (v) {
        self.update({ conditionExpression: v.trim() ? moddle.create("bpmn:FormalExpression", { body: v.trim() }) : undefined });
      }, { multiline: true, help: "Biểu thức đúng/sai, ví dụ decision == \"approve\" hoặc period_index < plan[\"count\"]." }),
      h("label", { class: "checkbox", for: "p-default" }, [box, " Nhánh mặc định (khi không điều kiện nào đúng)"])]);
  };

  // ------------------------------------------------------------------ adding steps

  Panel.prototype.appendButtons = function (bo) {
    var self = this;
    var element = this.element;
    var add = function (attrs, after) {
      var shape = self.elementFactory.createShape(attrs);
      var created = self.autoPlace.append(element, shape);
      if (after) { after(created); }
      self.canvas.scrollToElement(created, { top: 150, bottom: 150, left: 250, right: 250 });
      self.selection.select(created);
    };
    var buttons = [
      ["add-user-task", "Việc của người dùng", function () { add({ type: "bpmn:UserTask" }); }],
      ["add-service-task", "Việc của máy", function () { add({ type: "bpmn:ServiceTask" }); }],
      ["add-timer", "Chờ hẹn giờ", function () { add({ type: "bpmn:IntermediateCatchEvent", eventDefinitionType: "bpmn:TimerEventDefinition" }); }],
      ["add-gateway", "Cổng rẽ nhánh", function () { add({ type: "bpmn:ExclusiveGateway" }); }],
      ["add-end", "Kết thúc", function () { add({ type: "bpmn:EndEvent" }); }]
    ];
    var children = [h("p", { class: "help", text: "Thêm bước nối tiếp sau bước đang chọn (thêm nhiều bước sau cùng một bước thì các nhánh chạy song song)." }),
      h("div", { class: "append-buttons" }, buttons.map(function (b) { return h("button", { type: "button", class: "button", id: b[0], text: b[1], onclick: b[2] }); }))];
    if (bo.$instanceOf("bpmn:Activity")) {
      children.push(h("button", { type: "button", class: "button", id: "add-boundary-timer", text: "Gắn hẹn giờ nhắc vào việc này", onclick: function () {
        var shape = self.elementFactory.createShape({ type: "bpmn:BoundaryEvent", eventDefinitionType: "bpmn:TimerEventDefinition" });
        var created = self.modeling.createShape(shape, self.freeSpotOn(element), element, { attach: true });
        self.modeling.updateProperties(created, { cancelActivity: false });
        self.canvas.scrollToElement(created, { top: 150, bottom: 150, left: 250, right: 250 });
        self.selection.select(created);
      } }));
    }
    return this.section("Thêm bước tiếp theo", children);
  };

  // Where a new event attached to `host` goes: the first free place on the bottom edge (from the
  // right), else on the top edge, so it never covers an event already there.
  Panel.prototype.freeSpotOn = function (host) {
    var attached = (host.attachers || []).map(function (a) { return { x: a.x + a.width / 2, y: a.y + a.height / 2 }; });
    var edges = [host.y + host.height, host.y];
    for (var e = 0; e < edges.length; e++) {
      for (var x = host.x + host.width - 20; x >= host.x + 18; x -= 40) {
        var free = !attached.some(function (a) { return Math.abs(a.x - x) < 38 && Math.abs(a.y - edges[e]) < 20; });
        if (free) { return { x: x, y: edges[e] }; }
      }
    }
    return { x: host.x + host.width, y: host.y + host.height / 2 };
  };

  Panel.prototype.flash = function (message) {
    var note = document.getElementById("modeler-status");
    if (note) { note.textContent = message; note.className = "status-error"; }
  };

  window.ChithiPanel = Panel;
  window.ChithiPanel.formYaml = formYaml;
})();
