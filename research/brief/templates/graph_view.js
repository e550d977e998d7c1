(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, links = data.links;
  var canvas = document.getElementById("graph-canvas");
  var ctx = canvas.getContext("2d");
  var tip = document.getElementById("graph-tip");
  var search = document.getElementById("graph-search");
  var status = document.getElementById("graph-status");
  var view = { x: 0, y: 0, k: 1 }, width = 0, height = 0, ratio = window.devicePixelRatio || 1;
  var hover = -1, matches = [], drag = null;
  var maxSize = nodes.reduce(function (m, n) { return Math.max(m, n.size); }, 0) || 1;
  var maxWeight = links.reduce(function (m, l) { return Math.max(m, l[2]); }, 0) || 1;
  var byImportance = nodes.map(function (n, i) { return i; }).sort(function (a, b) { return nodes[b].size - nodes[a].size; });
  var named = {};
  byImportance.slice(0, 12).forEach(function (i) { named[i] = true; });
  nodes.forEach(function (n, i) { n.r = 3 + 15 * Math.sqrt(n.size / maxSize); if (n.brand) { named[i] = true; } });

  function sx(n) { return n.x * view.k + view.x; }
  function sy(n) { return -n.y * view.k + view.y; }

  function fit() {
    view.k = Math.max(Math.min(width, height) * 0.45, 1);
    view.x = width / 2;
    view.y = height / 2;
  }

  function resize() {
    var box = canvas.getBoundingClientRect();
    width = box.width || 800;
    height = box.height || 600;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    draw();
  }

  function draw() {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    links.forEach(function (l) {
      var a = nodes[l[0]], b = nodes[l[1]], lit = hover === l[0] || hover === l[1];
      ctx.strokeStyle = lit ? "rgba(40,40,40,0.8)" : "rgba(130,130,130,0.25)";
      ctx.lineWidth = (lit ? 1.2 : 0.5) + 2 * l[2] / maxWeight;
      ctx.beginPath();
      ctx.moveTo(sx(a), sy(a));
      ctx.lineTo(sx(b), sy(b));
      ctx.stroke();
    });
    var found = {};
    matches.forEach(function (i) { found[i] = true; });
    nodes.forEach(function (n, i) {
      ctx.beginPath();
      ctx.arc(sx(n), sy(n), n.r, 0, 2 * Math.PI);
      ctx.fillStyle = n.color;
      ctx.globalAlpha = matches.length && !found[i] ? 0.25 : 1;
      ctx.fill();
      ctx.globalAlpha = 1;
      if (n.brand || found[i] || i === hover) {
        ctx.lineWidth = found[i] || i === hover ? 3 : 1.5;
        ctx.strokeStyle = found[i] ? "#d62728" : "#111";
        ctx.stroke();
      }
    });
    ctx.fillStyle = "#111";
    ctx.font = "12px system-ui, sans-serif";
    nodes.forEach(function (n, i) {
      if (named[i] || found[i] || i === hover || view.k > 1500) {
        ctx.fillText(n.brand || n.label, sx(n) + n.r + 2, sy(n) - 2);
      }
    });
  }

  function nearest(mx, my) {
    var best = -1, bestDistance = Infinity;
    nodes.forEach(function (n, i) {
      var dx = sx(n) - mx, dy = sy(n) - my, d = Math.sqrt(dx * dx + dy * dy);
      if (d <= n.r + 4 && d < bestDistance) { best = i; bestDistance = d; }
    });
    return best;
  }

  function line(parent, text, bold) {
    var el = document.createElement(bold ? "b" : "div");
    el.textContent = text;
    parent.appendChild(el);
  }

  function showTip(i, mx, my) {
    tip.replaceChildren();
    if (i < 0) { tip.hidden = true; return; }
    var n = nodes[i];
    line(tip, (n.brand ? n.brand + " \u2014 " : "") + n.label, true);
    line(tip, n.platform + (n.community === null || n.community === undefined ? "" : " \u00b7 community " + n.community));
    line(tip, "engagement received: " + n.received + " \u00b7 given: " + n.given);
    tip.hidden = false;
    tip.style.left = Math.min(mx + 14, width - 200) + "px";
    tip.style.top = Math.max(my - 10, 0) + "px";
  }

  function zoom(factor, mx, my) {
    view.x = mx - (mx - view.x) * factor;
    view.y = my - (my - view.y) * factor;
    view.k *= factor;
    draw();
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  canvas.addEventListener("mousedown", function (event) {
    drag = point(event);
    canvas.classList.add("dragging");
  });
  window.addEventListener("mouseup", function () { drag = null; canvas.classList.remove("dragging"); });
  canvas.addEventListener("mousemove", function (event) {
    var p = point(event);
    if (drag) {
      view.x += p[0] - drag[0];
      view.y += p[1] - drag[1];
      drag = p;
      draw();
      return;
    }
    var i = nearest(p[0], p[1]);
    if (i !== hover) { hover = i; draw(); }
    showTip(i, p[0], p[1]);
  });
  canvas.addEventListener("mouseleave", function () { hover = -1; showTip(-1, 0, 0); draw(); });
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = point(event);
    zoom(Math.exp(-event.deltaY * 0.0015), p[0], p[1]);
  }, { passive: false });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.4, width / 2, height / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.4, width / 2, height / 2); });
  document.getElementById("zoom-reset").addEventListener("click", function () { fit(); draw(); });

  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    matches = [];
    if (q) {
      nodes.forEach(function (n, i) {
        if (n.label.toLowerCase().indexOf(q) >= 0 || n.brand.toLowerCase().indexOf(q) >= 0) { matches.push(i); }
      });
    }
    if (matches.length) {
      var n = nodes[matches[0]];
      view.x = width / 2 - n.x * view.k;
      view.y = height / 2 + n.y * view.k;
    }
    status.textContent = q ? matches.length + " account(s) match" : summary;
    draw();
  });

  var legend = document.getElementById("graph-legend");
  data.legend.forEach(function (item) {
    var li = document.createElement("li"), dot = document.createElement("span");
    dot.style.background = item.color;
    li.appendChild(dot);
    li.appendChild(document.createTextNode(item.label + " (" + item.accounts + ")"));
    legend.appendChild(li);
  });
  if (!data.legend.length) { legend.hidden = true; }

  var summary = nodes.length + " accounts \u00b7 " + links.length + " links shown (of " +
    data.total.nodes + " accounts and " + data.total.links + " links)";
  status.textContent = summary;
  window.addEventListener("resize", function () { resize(); });
  resize();
  fit();
  draw();
})();
