// Bill information in the console's screen-pop, and the one-click "information given" record (IF-TAGIHAN).
// Listens to the console's "console:call" / "console:customer" events (static/js/hotline/console.js).
(function () {
  "use strict";
  var root = document.getElementById("console");
  var box = document.getElementById("call-bills");
  if (!root || !box) { return; }
  var t = box.dataset;
  var csrfInput = document.querySelector("#ticket-form input[name=csrfmiddlewaretoken]");
  var current = { idpel: "", call: null, key: "" };

  function rp(value) { return "Rp " + Number(value).toLocaleString("id-ID"); }
  function text(id, value) { document.getElementById(id).textContent = value; }
  function newKey() {
    return (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function show(data) {
    box.hidden = false;
    text("call-bills-idpel", data.id_pelanggan);
    var list = document.getElementById("call-bills-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var chart = document.getElementById("call-bills-chart");
    // The chart is drawn by the server (billing.selectors.usage_chart_svg) from numbers and escaped text.
    chart.innerHTML = data.chart_svg || "";
    if (!data.bills.length && !data.purchases.length) { text("call-bills-due", t.tNone); return; }
    text("call-bills-due", data.due_date ? t.tDue + ": " + rp(data.amount_due) + " · " + t.tPayBy + " " + data.due_date : t.tNothingDue);
    data.bills.forEach(function (bill) {
      var li = document.createElement("li");
      li.textContent = bill.period + " · " + bill.kwh + " kWh · " + rp(bill.amount) + " · " + (bill.paid ? t.tPaid : t.tUnpaid);
      list.appendChild(li);
    });
    data.purchases.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = new Date(p.purchased_at).toLocaleString() + " · " + p.kwh + " kWh · " + rp(p.amount) + " · " + p.token;
      list.appendChild(li);
    });
  }

  function load(idpel) {
    if (!idpel || idpel === current.idpel) { return; }
    current.idpel = idpel;
    current.key = newKey();
    text("info-given-result", "");
    fetch(root.dataset.billsUrl + "?id_pelanggan=" + encodeURIComponent(idpel), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) { if (res.ok) { show(res.data); } else { box.hidden = false; text("call-bills-due", t.tFailed); } })
      .catch(function () { box.hidden = false; text("call-bills-due", t.tFailed); });
  }

  root.addEventListener("console:call", function (event) {
    var call = event.detail;
    current.call = call.id;
    current.idpel = "";
    box.hidden = true;
    if (call.customers.length === 1) { load(call.customers[0].id_pelanggan); }
  });
  root.addEventListener("console:customer", function (event) { load(event.detail.id_pelanggan); });

  document.getElementById("info-given").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    fetch(root.dataset.infoGivenUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfInput.value, "Idempotency-Key": current.key },
      body: JSON.stringify({ call: current.call, id_pelanggan: current.idpel })
    }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        button.disabled = false;
        text("info-given-result", res.ok ? t.tRecorded + " " + res.data.number : (res.data.message || t.tFailed));
      })
      .catch(function () { button.disabled = false; text("info-given-result", t.tFailed); });
  });
}());
