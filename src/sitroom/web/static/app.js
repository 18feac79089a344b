// sitroom dashboard: map, timeline, list and report panel over the HTTP API.
//
// Rules this file keeps:
// * Text from documents and events is only ever set with textContent / text nodes, never
//   innerHTML, so a report carrying <script> or <img onerror> stays inert text.
// * No inline script or style attribute (the page's CSP forbids them): colours and sizes go
//   through element.style.
// * Filters live in the URL (type, sub_type, country, actor, text, since, until, sort, sel,
//   inview); cluster=0 turns marker clustering off.
(function () {
  "use strict";

  var PAGE = 500;            // events per API page (the API's maximum)
  var MAX_EVENTS = 20000;    // stop following cursors after this many
  var LIST_STEP = 200;       // list items rendered at a time
  var DAY = 86400000;

  var COLOURS = {
    "Air/drone strike": "#d1495b",
    "Shelling/artillery/missile attack": "#e8871e",
    "Remote explosive/landmine/IED": "#8e5572",
    "Suicide bomb": "#5f0f40",
    "Grenade": "#b56576",
    "Chemical weapon": "#6a994e",
    "Armed clash": "#1b7f8c",
    "Government regains territory": "#30638e",
    "Non-state actor overtakes territory": "#003d5b",
    "Attack": "#c9184a",
    "Abduction/forced disappearance": "#7b2cbf",
    "Sexual violence": "#9d4edd",
    "Disrupted weapons use": "#6c757d"
  };
  var OTHER_COLOUR = "#4a5560";
  var SHORT = {
    "Shelling/artillery/missile attack": "Shelling/missile",
    "Remote explosive/landmine/IED": "IED/landmine",
    "Abduction/forced disappearance": "Abduction",
    "Disrupted weapons use": "Intercepted/disrupted",
    "Non-state actor overtakes territory": "Territory taken",
    "Government regains territory": "Territory regained"
  };
  var FILTER_KEYS = ["type", "sub_type", "country", "actor", "text", "since", "until"];

  var state = {
    filters: { type: "", sub_type: "", country: "", actor: "", text: "", since: "", until: "" },
    sort: "date_desc",
    inview: false,
    cluster: true,
    sel: null,
    meta: null,
    events: [],
    total: 0,
    truncated: false,
    shown: [],
    listed: [],
    listLimit: LIST_STEP,
    loadSeq: 0,
    fitPending: true
  };

  var map = null;
  var markerLayer = null;
  var markers = {};

  function $(id) { return document.getElementById(id); }

  // Builds an element; attributes via setAttribute, children as text nodes or elements.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else el.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === "string" || typeof child === "number"
      ? document.createTextNode(String(child)) : child);
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function colour(e) { return COLOURS[e.sub_event_type] || OTHER_COLOUR; }
  // Filled in the type's colour; hollow (a ring) when the fatalities are not reported.
  function paintDot(el, e) {
    if (e.fatalities === null || e.fatalities === undefined) {
      el.classList.add("hollow");
      el.style.borderColor = colour(e);
      el.style.backgroundColor = "#ffffff";
    } else {
      el.style.backgroundColor = colour(e);
    }
  }
  function shortType(t) { return SHORT[t] || t; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }
  function fmtInt(n) { return Number(n).toLocaleString("en"); }
  function hasPoint(e) { return typeof e.latitude === "number" && typeof e.longitude === "number"; }

  function safeUrl(raw) {
    if (!raw) return null;
    try {
      var u = new URL(raw, window.location.href);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (err) { return null; }
  }
  function langAttr(code) { return code && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(code) ? code : null; }

  // -- dates (UTC, yyyy-mm-dd strings) ---------------------------------------------------------
  function parseDay(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }
  function isoDay(t) { return new Date(t).toISOString().slice(0, 10); }
  function binStart(t, unit) {
    var d = new Date(t);
    if (unit === "day") return t;
    if (unit === "week") return t - ((d.getUTCDay() + 6) % 7) * DAY;
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  function nextBin(t, unit) {
    if (unit === "day") return t + DAY;
    if (unit === "week") return t + 7 * DAY;
    var d = new Date(t);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function fmtDay(s) {
    var t = parseDay(s);
    if (t === null) return s || "";
    var d = new Date(t);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  function fmtEventDate(e) {
    if (!e.event_date) return "date unknown";
    var t = parseDay(e.event_date), d = new Date(t);
    if (e.date_precision === "month") return MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    if (e.date_precision === "year") return String(d.getUTCFullYear());
    if (e.date_precision === "week") return "week of " + fmtDay(e.event_date);
    return fmtDay(e.event_date);
  }
  function fmtPublished(s) {
    if (!s) return "publication date unknown";
    return fmtDay(s.slice(0, 10)) + (s.length > 10 && s.slice(11, 16) !== "00:00" ? " " + s.slice(11, 16) + " UTC" : "");
  }
  function fmtKilled(e) {
    if (e.fatalities === null || e.fatalities === undefined) return null;
    var s = String(e.fatalities);
    if (e.fatalities_max !== null && e.fatalities_max !== undefined && e.fatalities_max !== e.fatalities) {
      s += "–" + e.fatalities_max;
    }
    return s + " killed";
  }

  // -- URL state ---------------------------------------------------------------------------------
  function readUrl() {
    var q = new URLSearchParams(window.location.search);
    FILTER_KEYS.forEach(function (k) { state.filters[k] = (q.get(k) || "").trim(); });
    ["since", "until"].forEach(function (k) {
      if (state.filters[k] && parseDay(state.filters[k]) === null) state.filters[k] = "";
    });
    var sort = q.get("sort");
    state.sort = (sort === "date_asc" || sort === "fatalities_desc") ? sort : "date_desc";
    state.inview = q.get("inview") === "1";
    state.cluster = q.get("cluster") !== "0";
    state.sel = q.get("sel") || null;
  }
  function writeUrl() {
    var q = new URLSearchParams();
    FILTER_KEYS.forEach(function (k) { if (state.filters[k]) q.set(k, state.filters[k]); });
    if (state.sort !== "date_desc") q.set("sort", state.sort);
    if (state.inview) q.set("inview", "1");
    if (!state.cluster) q.set("cluster", "0");
    if (state.sel) q.set("sel", state.sel);
    var s = q.toString();
    var url = window.location.pathname + (s ? "?" + s : "");
    if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, "", url);
    var exp = new URLSearchParams(serverQuery(true));
    exp.set("format", "csv");
    $("export-link").setAttribute("href", "/api/export?" + exp.toString());
  }
  function serverQuery(withDates) {
    var q = {};
    ["type", "sub_type", "country", "actor", "text"].forEach(function (k) {
      if (state.filters[k]) q[k] = state.filters[k];
    });
    if (withDates) {
      if (state.filters.since) q.since = state.filters.since;
      if (state.filters.until) q.until = state.filters.until;
    }
    return q;
  }

  // -- API ---------------------------------------------------------------------------------------
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok) throw new Error((body && body.message) || ("HTTP " + r.status));
        return body;
      });
    });
  }

  // -- filter controls ---------------------------------------------------------------------------
  function fillTypeSelect() {
    var sel = $("f-type");
    var types = (state.meta && state.meta.event_types) || {};
    Object.keys(types).forEach(function (t) {
      var group = h("optgroup", { label: t });
      group.appendChild(h("option", { value: "type:" + t, text: "All " + t }));
      types[t].forEach(function (s) { group.appendChild(h("option", { value: "sub:" + s, text: s })); });
      sel.appendChild(group);
    });
  }
  function fillCountrySelect() {
    var sel = $("f-country");
    var countries = ((state.meta && state.meta.countries) || []).filter(function (c) { return c.key !== "unknown"; });
    countries.slice().sort(function (a, b) { return a.key.localeCompare(b.key); }).forEach(function (c) {
      sel.appendChild(h("option", { value: c.key, text: c.key + " (" + c.count + ")" }));
    });
  }
  function ensureOption(sel, value, label) {
    if (!value) return;
    for (var i = 0; i < sel.options.length; i++) if (sel.options[i].value === value) return;
    sel.appendChild(h("option", { value: value, text: label }));
  }
  function syncControls() {
    var f = state.filters;
    var typeValue = f.sub_type ? "sub:" + f.sub_type : (f.type ? "type:" + f.type : "");
    ensureOption($("f-type"), typeValue, f.sub_type || f.type);
    $("f-type").value = typeValue;
    ensureOption($("f-country"), f.country, f.country);
    $("f-country").value = f.country;
    // a box being typed in keeps what is typed (its own debounced handler reads it)
    if (document.activeElement !== $("f-actor")) $("f-actor").value = f.actor;
    if (document.activeElement !== $("f-text")) $("f-text").value = f.text;
    $("f-since").value = f.since;
    $("f-until").value = f.until;
    $("f-sort").value = state.sort;
    $("f-inview").checked = state.inview;
  }

  function bindControls() {
    $("f-type").addEventListener("change", function () {
      var v = this.value;
      state.filters.type = v.indexOf("type:") === 0 ? v.slice(5) : "";
      state.filters.sub_type = v.indexOf("sub:") === 0 ? v.slice(4) : "";
      reload(true);
    });
    $("f-country").addEventListener("change", function () { state.filters.country = this.value; reload(true); });
    var typing = null;
    function onType(key) {
      return function () {
        var input = this;
        clearTimeout(typing);
        typing = setTimeout(function () {
          var v = input.value.trim();
          if (v === state.filters[key]) return;
          state.filters[key] = v;
          reload(true);
        }, 350);
      };
    }
    $("f-actor").addEventListener("input", onType("actor"));
    $("f-text").addEventListener("input", onType("text"));
    $("filters").addEventListener("submit", function (ev) { ev.preventDefault(); });
    ["since", "until"].forEach(function (k) {
      $("f-" + k).addEventListener("change", function () {
        state.filters[k] = parseDay(this.value) === null ? "" : this.value;
        if (state.filters.since && state.filters.until && state.filters.since > state.filters.until) {
          var s = state.filters.since; state.filters.since = state.filters.until; state.filters.until = s;
        }
        applyDates();
      });
    });
    $("f-reset").addEventListener("click", resetFilters);
    $("tl-clear").addEventListener("click", function () { setDates("", ""); });
    $("f-sort").addEventListener("change", function () { state.sort = this.value; reload(false); });
    $("f-inview").addEventListener("change", function () { state.inview = this.checked; writeUrl(); renderList(); });
    $("list-more").addEventListener("click", function () { state.listLimit += LIST_STEP; renderList(); });
    $("panel-close").addEventListener("click", closePanel);
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !$("panel").hidden) closePanel();
    });
    $("filters-toggle").addEventListener("click", function () {
      var open = document.body.classList.toggle("filters-open");
      this.setAttribute("aria-expanded", open ? "true" : "false");
    });
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { renderTimeline(); if (map) map.invalidateSize(); }, 150);
    });
  }

  function resetFilters() {
    FILTER_KEYS.forEach(function (k) { state.filters[k] = ""; });
    syncControls();
    reload(true);
  }
  function setDates(since, until) {
    state.filters.since = since;
    state.filters.until = until;
    applyDates();
  }

  // -- loading -----------------------------------------------------------------------------------
  function setBodyState(s) { document.body.setAttribute("data-state", s); }

  function showOverlay(kind, title, text, action) {
    var o = $("map-overlay");
    clear(o);
    if (!kind) { o.hidden = true; o.className = "overlay"; return; }
    o.hidden = false;
    o.className = "overlay overlay-" + kind;
    var card = h("div", { class: "overlay-card" },
      kind === "loading" ? h("span", { class: "spinner", "aria-hidden": "true" }) : null,
      h("strong", { text: title }),
      text ? h("p", null, text) : null);
    if (action) card.appendChild(action);
    o.appendChild(card);
  }
  function listState(kind, title, text, action) {
    var el = $("list-state");
    clear(el);
    el.className = "state" + (kind ? " state-" + kind : "");
    if (!kind) return;
    if (kind === "loading") {
      for (var i = 0; i < 6; i++) el.appendChild(h("div", { class: "skeleton" }, h("span"), h("span"), h("span")));
      return;
    }
    el.appendChild(h("strong", { text: title }));
    if (text) el.appendChild(h("p", { text: text }));
    if (action) el.appendChild(action);
  }
  function button(label, onClick, cls) {
    var b = h("button", { type: "button", class: cls || "primary", text: label });
    b.addEventListener("click", onClick);
    return b;
  }

  function reload(refit) {
    state.fitPending = state.fitPending || refit;
    state.listLimit = LIST_STEP;
    writeUrl();
    loadEvents();
  }

  function loadEvents() {
    var seq = ++state.loadSeq;
    setBodyState("loading");
    $("summary").textContent = "Loading events…";
    showOverlay("loading", "Loading events…");
    clear($("list"));
    listState("loading");
    timelineMessage("Loading…");
    var all = [];
    var total = 0;
    function page(cursor) {
      var q = new URLSearchParams(serverQuery(false));
      q.set("limit", String(PAGE));
      q.set("sort", state.sort);
      if (cursor) q.set("cursor", cursor);
      return getJSON("/api/events?" + q.toString()).then(function (body) {
        if (seq !== state.loadSeq) return null;
        all = all.concat(body.events);
        total = body.total;
        if (body.next_cursor && all.length < MAX_EVENTS) return page(body.next_cursor);
        return body.next_cursor || null;
      });
    }
    return page(null).then(function (rest) {
      if (seq !== state.loadSeq) return;
      state.events = all;
      state.total = total;
      state.truncated = !!rest;
      applyDates();
      if (state.sel && $("panel").hidden) openEvent(state.sel, false);
    }).catch(function (err) {
      if (seq !== state.loadSeq) return;
      setBodyState("error");
      $("summary").textContent = "Events could not be loaded";
      timelineMessage("No timeline: events could not be loaded");
      showOverlay("error", "Could not load events", err.message, button("Retry", loadEvents));
      listState("error", "Could not load events", err.message, button("Retry", loadEvents));
    });
  }

  function inDates(e) {
    var f = state.filters;
    if (!f.since && !f.until) return true;
    if (!e.event_date) return false;
    return (!f.since || e.event_date >= f.since) && (!f.until || e.event_date <= f.until);
  }

  // Date filtering is done here, on the loaded events, so the timeline keeps showing the
  // whole distribution while the map and the list show the brushed range.
  function applyDates() {
    syncControls();
    writeUrl();
    state.shown = state.events.filter(inDates);
    state.listLimit = LIST_STEP;
    renderMap();
    renderTimeline();
    renderList();
    renderSummary();
  }

  function anyFilter() {
    return FILTER_KEYS.some(function (k) { return !!state.filters[k]; });
  }

  function renderSummary() {
    var shown = state.shown.length;
    var onMap = state.shown.filter(hasPoint).length;
    var dbEmpty = state.meta && state.meta.total_events === 0 && state.events.length === 0 && !anyFilter();
    var parts = [];
    if (dbEmpty) {
      parts.push("No events in the database yet");
    } else {
      parts.push(plural(shown, "event"));
      if (onMap !== shown) parts.push(fmtInt(onMap) + " on the map");
      if (state.truncated) parts.push("first " + fmtInt(state.events.length) + " of " + fmtInt(state.total) + " loaded");
    }
    $("summary").textContent = parts.join(" · ");
    document.body.setAttribute("data-markers", String(onMap));
    var f = state.filters;
    var action = null;
    if (dbEmpty) {
      setBodyState("empty");
      showOverlay("empty", "No events yet", ["Ingest reports with ", h("code", { text: "sitroom ingest reports.jsonl" }),
        " or POST them to ", h("code", { text: "/api/documents" }), ", then reload this page."]);
      listState("empty", "Nothing to list yet", "Events appear here once reports are ingested.");
    } else if (!shown) {
      setBodyState("empty");
      if (state.events.length && (f.since || f.until)) {
        action = button("Clear dates", function () { setDates("", ""); });
        showOverlay("empty", "No events in these dates",
          "None of the " + plural(state.events.length, "matching event") + " falls between " +
          (f.since ? fmtDay(f.since) : "the start") + " and " + (f.until ? fmtDay(f.until) : "today") + ".", action);
      } else {
        action = button("Clear filters", resetFilters);
        showOverlay("empty", "No events match these filters", "Loosen or clear the filters to see more.", action);
      }
      listState("empty", "No events match", null, null);
    } else {
      setBodyState("ready");
      showOverlay(null);
      listState(null);
    }
  }

  // -- map ---------------------------------------------------------------------------------------
  function initMap() {
    if (typeof window.L === "undefined") {
      var m = $("map");
      m.classList.add("map-missing");
      m.appendChild(h("div", { class: "overlay-card" },
        h("strong", { text: "The map libraries are not installed" }),
        h("p", null, "Run ", h("code", { text: "make setup" }), " (it runs npm ci in src/sitroom/web), then reload. The list and timeline work without them.")));
      return;
    }
    map = window.L.map("map", {
      minZoom: 1, maxZoom: 14, worldCopyJump: true, zoomSnap: 0.5, preferCanvas: false,
      maxBounds: [[-85, -400], [85, 400]]
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Country shapes: Natural Earth (world-atlas)");
    map.setView([30, 25], 2);
    markerLayer = state.cluster && window.L.markerClusterGroup ? window.L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 42,
      spiderfyOnMaxZoom: true,
      iconCreateFunction: clusterIcon
    }) : window.L.layerGroup();
    markerLayer.addTo(map);
    map.on("moveend", function () { if (state.inview) renderList(); });
    map.on("zoomend moveend", markSelected);
    if (markerLayer.on) markerLayer.on("animationend", markSelected);
    loadCountries();
  }

  function loadCountries() {
    fetch("/vendor/world-atlas/countries-50m.json").then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (topo) {
      if (!window.topojson) throw new Error("topojson-client is not loaded");
      var shapes = window.topojson.feature(topo, topo.objects.countries);
      shapes.features.forEach(unwrapAntimeridian);
      window.L.geoJSON(shapes, {
        interactive: false,
        style: { color: "#a9b3bd", weight: 0.7, fillColor: "#f3f1ec", fillOpacity: 1 }
      }).addTo(map).bringToBack();
      document.body.setAttribute("data-shapes", "ready");
    }).catch(function () {
      $("map").classList.add("map-noshapes");
      document.body.setAttribute("data-shapes", "missing");
    });
  }

  // Rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from 180 to -180 and would
  // be drawn as bands across the whole map: continue them past 180 instead.
  function unwrapAntimeridian(feature) {
    var g = feature.geometry;
    if (!g) return;
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        for (var i = 1; i < ring.length; i++) {
          var prev = ring[i - 1][0];
          while (ring[i][0] - prev > 180) ring[i][0] -= 360;
          while (ring[i][0] - prev < -180) ring[i][0] += 360;
        }
      });
    });
  }

  function markerSize(e) {
    if (e.fatalities === null || e.fatalities === undefined || e.fatalities <= 0) return 14;
    return Math.min(44, Math.round(14 + 5 * Math.sqrt(e.fatalities)));
  }

  function markerIcon(e) {
    var size = markerSize(e);
    var dot = h("span", { class: "ev-dot-inner" });
    paintDot(dot, e);
    var cls = "ev-marker" + (e.fatalities === null || e.fatalities === undefined ? " ev-unknown" : "");
    return window.L.divIcon({ html: dot, className: cls, iconSize: [size, size] });
  }

  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers();
    var counts = {};
    var best = null;
    children.forEach(function (m) {
      var c = m.options.evColour;
      counts[c] = (counts[c] || 0) + 1;
      if (best === null || counts[c] > counts[best]) best = c;
    });
    var n = cluster.getChildCount();
    var size = n < 10 ? 34 : n < 100 ? 42 : 50;
    var inner = h("span", { class: "ev-cluster-inner", text: String(n) });
    inner.style.backgroundColor = best || OTHER_COLOUR;
    return window.L.divIcon({ html: inner, className: "ev-cluster", iconSize: [size, size] });
  }

  function markerTitle(e) {
    var bits = [e.sub_event_type, [e.location, e.country].filter(Boolean).join(", "), fmtEventDate(e)];
    var k = fmtKilled(e);
    if (k) bits.push(k);
    return bits.filter(Boolean).join(" · ");
  }

  function renderMap() {
    if (!map) return;
    markerLayer.clearLayers();
    markers = {};
    var list = [];
    state.shown.forEach(function (e) {
      if (!hasPoint(e)) return;
      var m = window.L.marker([e.latitude, e.longitude], {
        icon: markerIcon(e),
        title: markerTitle(e),
        alt: markerTitle(e),
        riseOnHover: true,
        evColour: colour(e),
        evId: e.id
      });
      m.on("click", function () { selectEvent(e.id, "map"); });
      m.on("add", function () {
        var el = m.getElement();
        if (el) el.setAttribute("data-id", e.id);
      });
      markers[e.id] = m;
      list.push(m);
    });
    selectedLayer = null;
    if (markerLayer.addLayers) markerLayer.addLayers(list);
    else list.forEach(function (m) { markerLayer.addLayer(m); });
    renderLegend();
    if (state.fitPending) {
      state.fitPending = false;
      fitToMarkers(list);
    }
    markSelected();
  }

  function fitToMarkers(list) {
    if (!map) return;
    if (!list.length) { map.setView([30, 25], 2); return; }
    var bounds = window.L.latLngBounds(list.map(function (m) { return m.getLatLng(); }));
    map.fitBounds(bounds.pad(0.15), { maxZoom: 6, animate: false });
  }

  function renderLegend() {
    var el = $("legend");
    clear(el);
    var seen = {};
    state.shown.forEach(function (e) { seen[e.sub_event_type] = (seen[e.sub_event_type] || 0) + 1; });
    var keys = Object.keys(seen).sort(function (a, b) { return seen[b] - seen[a]; });
    if (!keys.length) { el.hidden = true; return; }
    el.hidden = false;
    var ul = h("ul");
    keys.forEach(function (k) {
      var sw = h("span", { class: "swatch", "aria-hidden": "true" });
      sw.style.backgroundColor = COLOURS[k] || OTHER_COLOUR;
      ul.appendChild(h("li", null, sw, shortType(k) + " ", h("span", { class: "muted", text: String(seen[k]) })));
    });
    el.appendChild(ul);
    el.appendChild(h("p", { class: "legend-note", text: "size: fatalities · hollow: not reported" }));
  }

  function highlightMarker(id, on) {
    var m = markers[id];
    var el = m && m.getElement && m.getElement();
    if (el) el.classList.toggle("hover", on);
  }

  // The selected event's marker, or the cluster hiding it, gets the "selected" ring.
  var selectedLayer = null;
  function markSelected() {
    if (selectedLayer) {
      var old = selectedLayer.getElement && selectedLayer.getElement();
      if (old) old.classList.remove("selected");
      if (selectedLayer.setZIndexOffset) selectedLayer.setZIndexOffset(0);
      selectedLayer = null;
    }
    var m = state.sel && markers[state.sel];
    if (!map || !m) return;
    var shown = markerLayer.getVisibleParent ? markerLayer.getVisibleParent(m) : m;
    if (!shown) return;
    var el = shown.getElement && shown.getElement();
    if (el) el.classList.add("selected");
    if (shown.setZIndexOffset) shown.setZIndexOffset(1000);
    selectedLayer = shown;
  }

  function showOnMap(id) {
    var m = markers[id];
    if (!map || !m) return;
    var ll = m.getLatLng();
    if (!map.getBounds().pad(-0.1).contains(ll)) map.panTo(ll, { animate: false });
    markSelected();
  }

  // -- list --------------------------------------------------------------------------------------
  function sortEvents(list) {
    var key = state.sort;
    return list.slice().sort(function (a, b) {
      if (key === "fatalities_desc") {
        var fa = a.fatalities === null ? -1 : a.fatalities, fb = b.fatalities === null ? -1 : b.fatalities;
        if (fa !== fb) return fb - fa;
      }
      var da = a.event_date || "", db = b.event_date || "";
      if (da !== db) {
        if (!da) return 1;
        if (!db) return -1;
        return key === "date_asc" ? (da < db ? -1 : 1) : (da < db ? 1 : -1);
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  function renderList() {
    var ol = $("list");
    clear(ol);
    var list = state.shown;
    if (state.inview && map) {
      var b = map.getBounds();
      list = list.filter(function (e) { return hasPoint(e) && b.contains([e.latitude, e.longitude]); });
    }
    list = sortEvents(list);
    state.listed = list;
    var title = state.inview ? plural(list.length, "event") + " in view" : plural(list.length, "event");
    $("list-title").textContent = title;
    var frag = document.createDocumentFragment();
    list.slice(0, state.listLimit).forEach(function (e) { frag.appendChild(listItem(e)); });
    ol.appendChild(frag);
    var more = $("list-more");
    more.hidden = list.length <= state.listLimit;
    more.textContent = "Show more (" + fmtInt(list.length - Math.min(list.length, state.listLimit)) + " left)";
    if (state.inview && !list.length && state.shown.length) {
      listState("empty", "No events in this part of the map", "Zoom out or untick “in map view”.");
    }
  }

  function listItem(e) {
    var dot = h("span", { class: "ev-dot", "aria-hidden": "true" });
    paintDot(dot, e);
    var place = [e.location, e.admin1 !== e.location ? e.admin1 : null, e.country]
      .filter(function (x, i, a) { return x && a.indexOf(x) === i; }).join(", ");
    var meta = [];
    var killed = fmtKilled(e);
    if (killed) meta.push(killed);
    if (e.injured) meta.push(e.injured + " injured");
    if (e.intercepted) meta.push("intercepted");
    meta.push(plural(e.sources, "report"));
    if (!hasPoint(e)) meta.push("not on the map");
    var actors = e.actor1 ? e.actor1 + (e.actor2 ? " → " + e.actor2 : "") : (e.actor2 ? "→ " + e.actor2 : "");
    var btn = h("button", { type: "button", class: "ev-button" },
      dot,
      h("span", { class: "ev-body" },
        h("span", { class: "ev-line1" },
          h("span", { class: "ev-type", text: shortType(e.sub_event_type) }),
          h("time", { class: "ev-date", datetime: e.event_date || null, text: fmtEventDate(e) })),
        h("span", { class: "ev-place", text: place || "place unknown" }),
        actors ? h("span", { class: "ev-actors", text: actors }) : null,
        h("span", { class: "ev-meta", text: meta.join(" · ") })));
    var li = h("li", { class: "ev-item", "data-id": e.id }, btn);
    if (e.id === state.sel) li.setAttribute("aria-current", "true");
    btn.addEventListener("click", function () { selectEvent(e.id, "list"); });
    btn.addEventListener("mouseenter", function () { highlightMarker(e.id, true); });
    btn.addEventListener("mouseleave", function () { highlightMarker(e.id, false); });
    btn.addEventListener("focus", function () { highlightMarker(e.id, true); });
    btn.addEventListener("blur", function () { highlightMarker(e.id, false); });
    return li;
  }

  function markListSelection(scroll) {
    var items = $("list").querySelectorAll(".ev-item");
    for (var i = 0; i < items.length; i++) {
      var on = items[i].getAttribute("data-id") === state.sel;
      if (on) {
        items[i].setAttribute("aria-current", "true");
        if (scroll) items[i].scrollIntoView({ block: "nearest" });
      } else {
        items[i].removeAttribute("aria-current");
      }
    }
  }

  // -- selection and the report panel ------------------------------------------------------------
  function selectEvent(id, from) {
    state.sel = id;
    writeUrl();
    markListSelection(from === "map");
    markSelected();
    if (from === "list") showOnMap(id);
    openEvent(id, true);
  }

  var lastFocus = null;
  function closePanel() {
    $("panel").hidden = true;
    document.body.classList.remove("panel-open");
    state.sel = null;
    writeUrl();
    markListSelection(false);
    markSelected();
    if (lastFocus && document.body.contains(lastFocus)) lastFocus.focus();
  }

  var panelSeq = 0;
  function openEvent(id, focus) {
    var seq = ++panelSeq;
    var panel = $("panel");
    var body = $("panel-body");
    lastFocus = document.activeElement;
    panel.hidden = false;
    document.body.classList.add("panel-open");
    $("panel-title").textContent = "Event";
    clear(body);
    body.appendChild(h("div", { class: "state state-loading panel-loading" },
      h("span", { class: "spinner", "aria-hidden": "true" }), h("strong", { text: "Loading reports…" })));
    panel.setAttribute("data-state", "loading");
    getJSON("/api/events/" + encodeURIComponent(id)).then(function (ev) {
      if (seq !== panelSeq) return;
      renderPanel(ev);
      panel.setAttribute("data-state", "ready");
      if (focus) panel.focus({ preventScroll: true });
      markSelected();
    }).catch(function (err) {
      if (seq !== panelSeq) return;
      clear(body);
      body.appendChild(h("div", { class: "state state-error" },
        h("strong", { text: "This event could not be loaded" }), h("p", { text: err.message })));
      panel.setAttribute("data-state", "error");
    });
  }

  function fact(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(h("dt", { text: label }));
    dl.appendChild(h("dd", { text: String(value) }));
  }

  function renderPanel(ev) {
    var body = $("panel-body");
    clear(body);
    var where = [ev.location, ev.admin1 !== ev.location ? ev.admin1 : null, ev.country]
      .filter(function (x, i, a) { return x && a.indexOf(x) === i; }).join(", ");
    $("panel-title").textContent = ev.sub_event_type + (where ? " · " + where : "");
    var chip = h("span", { class: "chip", text: ev.event_type });
    chip.style.borderColor = colour(ev);
    var dot = h("span", { class: "ev-dot", "aria-hidden": "true" });
    dot.style.backgroundColor = colour(ev);
    body.appendChild(h("p", { class: "panel-kicker" }, dot, chip, h("span", { class: "muted", text: fmtEventDate(ev) })));
    var dl = h("dl", { class: "facts" });
    fact(dl, "Date", ev.event_date ? ev.event_date + (ev.date_precision !== "day" ? " (" + ev.date_precision + ")" : "") : "unknown");
    fact(dl, "Place", where ? where + (ev.geo_precision ? " (" + ev.geo_precision + ")" : "") : "unknown");
    fact(dl, "Attacker", ev.actor1);
    fact(dl, "Target", ev.actor2);
    fact(dl, "Weapon", ev.weapon);
    fact(dl, "Count", ev.count);
    var killed = fmtKilled(ev);
    fact(dl, "Killed", killed ? killed.replace(" killed", "") + (ev.fatalities_max !== null && ev.fatalities_max !== ev.fatalities ? " (lowest kept)" : "") : "not reported");
    if (ev.injured !== null) fact(dl, "Injured", ev.injured + (ev.injured_max !== null && ev.injured_max !== ev.injured ? "–" + ev.injured_max : ""));
    if (ev.intercepted !== null) fact(dl, "Intercepted", ev.intercepted ? "yes" : "no");
    fact(dl, "Claimed by", ev.claimed_by);
    if (ev.hedged) fact(dl, "Reported as", "alleged / unconfirmed");
    fact(dl, "Event id", ev.id);
    body.appendChild(dl);
    var docs = {};
    ev.mentions.forEach(function (m) { docs[m.doc_id] = true; });
    body.appendChild(h("h3", { class: "reports-title",
      text: plural(Object.keys(docs).length, "report") + " · " + plural(ev.mentions.length, "mention") }));
    ev.mentions.forEach(function (m) { body.appendChild(reportCard(m)); });
  }

  function reportCard(m) {
    var doc = m.document || {};
    var lang = langAttr(doc.language || m.language);
    var metaBits = [
      h("span", { class: "outlet", text: doc.outlet || "unknown outlet" }),
      h("span", { class: "lang", text: (doc.language || m.language || "?").toUpperCase() }),
      h("time", { datetime: doc.published || null, text: fmtPublished(doc.published) }),
      h("span", { class: "role role-" + (m.role === "main" ? "main" : "background"), text: m.role === "main" ? "main report" : "background" })
    ];
    var para = m.paragraph;
    var quote = h("blockquote", { class: "report-para", dir: "auto", lang: lang });
    if (para) {
      if (para.truncated_before) quote.appendChild(document.createTextNode("… "));
      quote.appendChild(document.createTextNode(para.text.slice(0, para.start)));
      quote.appendChild(h("mark", { class: "evidence", text: para.text.slice(para.start, para.end) }));
      quote.appendChild(document.createTextNode(para.text.slice(para.end)));
      if (para.truncated_after) quote.appendChild(document.createTextNode(" …"));
    } else {
      quote.appendChild(h("mark", { class: "evidence", text: m.evidence }));
    }
    var said = [];
    if (m.fatalities !== null) said.push(m.fatalities + " killed");
    if (m.injured !== null) said.push(m.injured + " injured");
    if (m.event_date) said.push("date " + m.event_date);
    if (m.location) said.push("at " + m.location);
    if (m.hedged) said.push("hedged");
    var url = safeUrl(doc.url);
    var links = h("p", { class: "report-links" });
    if (url) {
      links.appendChild(h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow", text: "Open the original report" }));
    } else if (doc.url) {
      links.appendChild(h("span", { class: "muted", text: "Link: " + doc.url }));
    }
    links.appendChild(h("span", { class: "muted doc-id", text: "document " + m.doc_id + ", characters " + m.start + "–" + m.end }));
    var card = h("article", { class: "report", "data-doc": m.doc_id },
      h("h4", { class: "report-title", dir: "auto", lang: lang, text: doc.title || "(untitled report)" }),
      h("p", { class: "report-meta" }, metaBits),
      quote,
      said.length ? h("p", { class: "report-said", text: "This report says: " + said.join(", ") }) : null,
      links);
    if (m.copies && m.copies.length) {
      card.appendChild(h("p", { class: "muted copies",
        text: "Same wire story as: " + m.copies.map(function (c) { return c.doc_id; }).join(", ") }));
    }
    return card;
  }

  // -- timeline ----------------------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, text) {
    var el = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  var tl = null; // geometry of the drawn timeline, for brushing

  function timelineMessage(text) {
    var svg = $("timeline");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    tl = null;
    var width = svg.clientWidth || 600, height = svg.clientHeight || 90;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.appendChild(s("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "tl-empty" }, text));
  }

  function renderTimeline() {
    var svg = $("timeline");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = svg.clientWidth || svg.parentNode.clientWidth || 600;
    var height = svg.clientHeight || 90;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var days = state.events.map(function (e) { return parseDay(e.event_date); }).filter(function (t) { return t !== null; });
    var undated = state.events.length - days.length;
    var label = $("tl-label");
    if (!days.length) {
      timelineMessage(state.events.length ? "No dated events to draw" : "No events to draw");
      label.textContent = "Timeline";
      $("tl-clear").hidden = !(state.filters.since || state.filters.until);
      return;
    }
    var lo = Math.min.apply(null, days), hi = Math.max.apply(null, days);
    var spanDays = (hi - lo) / DAY;
    var unit = spanDays <= 120 ? "day" : spanDays <= 7 * 120 ? "week" : "month";
    var start = binStart(lo, unit);
    var bins = [];
    for (var t = start; t <= hi; t = nextBin(t, unit)) bins.push({ start: t, end: nextBin(t, unit) - DAY, n: 0, sel: 0 });
    var index = {};
    bins.forEach(function (b, i) { index[b.start] = i; });
    state.events.forEach(function (e) {
      var d = parseDay(e.event_date);
      if (d === null) return;
      var b = bins[index[binStart(d, unit)]];
      b.n += 1;
      if (inDates(e)) b.sel += 1;
    });
    var max = Math.max.apply(null, bins.map(function (b) { return b.n; }));
    var padL = 28, padR = 8, padT = 6, padB = 18;
    var plotW = Math.max(10, width - padL - padR), plotH = Math.max(10, height - padT - padB);
    var bw = plotW / bins.length;
    tl = { bins: bins, unit: unit, padL: padL, bw: bw, width: width, height: height };
    var hasRange = !!(state.filters.since || state.filters.until);
    // grid and y labels
    svg.appendChild(s("line", { x1: padL, x2: width - padR, y1: padT + plotH + 0.5, y2: padT + plotH + 0.5, class: "tl-axis" }));
    svg.appendChild(s("text", { x: padL - 4, y: padT + 8, "text-anchor": "end", class: "tl-tick" }, String(max)));
    svg.appendChild(s("text", { x: padL - 4, y: padT + plotH, "text-anchor": "end", class: "tl-tick" }, "0"));
    // selection band
    if (hasRange) {
      var i0 = 0, i1 = bins.length - 1;
      if (state.filters.since) {
        var ts = parseDay(state.filters.since);
        i0 = bins.findIndex(function (b) { return b.end >= ts; });
        if (i0 < 0) i0 = bins.length;
      }
      if (state.filters.until) {
        var tu = parseDay(state.filters.until);
        i1 = -1;
        bins.forEach(function (b, i) { if (b.start <= tu) i1 = i; });
      }
      if (i1 >= i0) {
        svg.appendChild(s("rect", { x: padL + i0 * bw, y: padT - 4, width: (i1 - i0 + 1) * bw, height: plotH + 4, class: "tl-band" }));
      }
    }
    // bars
    bins.forEach(function (b, i) {
      if (!b.n) return;
      var hgt = Math.max(2, (b.n / max) * plotH);
      var x = padL + i * bw + (bw > 4 ? 1 : 0);
      var w = Math.max(1, bw - (bw > 4 ? 2 : 0));
      var cls = "tl-bar" + (hasRange && !b.sel ? " off" : "");
      var bar = s("rect", { x: x, y: padT + plotH - hgt, width: w, height: hgt, class: cls, "data-start": isoDay(b.start), "data-n": b.n });
      bar.appendChild(s("title", {}, (unit === "month" ? MONTHS[new Date(b.start).getUTCMonth()] + " " + new Date(b.start).getUTCFullYear()
        : (unit === "week" ? "week of " : "") + fmtDay(isoDay(b.start))) + ": " + plural(b.n, "event")));
      svg.appendChild(bar);
      if (hasRange && b.sel && b.sel < b.n) {
        var hs = Math.max(1, (b.sel / max) * plotH);
        svg.appendChild(s("rect", { x: x, y: padT + plotH - hs, width: w, height: hs, class: "tl-bar" }));
      }
    });
    // x labels: years (or months when the span is short), thinned to fit
    var lastX = -1e9;
    bins.forEach(function (b, i) {
      var d = new Date(b.start);
      var first = i === 0;
      var isLabel = unit === "day" ? (d.getUTCDate() === 1 || first) : unit === "week" ? (d.getUTCDate() <= 7 || first) : (d.getUTCMonth() === 0 || first);
      if (!isLabel) return;
      var x = padL + i * bw;
      var text = unit === "month" ? String(d.getUTCFullYear()) : MONTHS[d.getUTCMonth()] + (d.getUTCMonth() === 0 || first ? " " + d.getUTCFullYear() : "");
      if (x - lastX < text.length * 6 + 10) return;
      lastX = x;
      svg.appendChild(s("line", { x1: x + 0.5, x2: x + 0.5, y1: padT + plotH, y2: padT + plotH + 4, class: "tl-axis" }));
      svg.appendChild(s("text", { x: x + 2, y: height - 4, class: "tl-tick" }, text));
    });
    var f = state.filters;
    label.textContent = hasRange
      ? (f.since ? fmtDay(f.since) : "start") + " – " + (f.until ? fmtDay(f.until) : "end")
      : "Timeline · per " + unit + (undated ? " · " + undated + " undated not drawn" : "");
    $("tl-clear").hidden = !hasRange;
  }

  function bindBrush() {
    var svg = $("timeline");
    var drag = null;
    function binAt(clientX) {
      var r = svg.getBoundingClientRect();
      var x = (clientX - r.left) * (tl.width / r.width);
      var i = Math.floor((x - tl.padL) / tl.bw);
      return Math.max(0, Math.min(tl.bins.length - 1, i));
    }
    function drawDrag(a, b) {
      var old = svg.querySelector(".tl-brush");
      if (old) old.parentNode.removeChild(old);
      var i0 = Math.min(a, b), i1 = Math.max(a, b);
      svg.appendChild(s("rect", { x: tl.padL + i0 * tl.bw, y: 0, width: (i1 - i0 + 1) * tl.bw, height: tl.height, class: "tl-brush" }));
    }
    svg.addEventListener("pointerdown", function (ev) {
      if (!tl || ev.button !== 0) return;
      ev.preventDefault();
      svg.setPointerCapture(ev.pointerId);
      var i = binAt(ev.clientX);
      drag = { a: i, b: i, x: ev.clientX };
      drawDrag(i, i);
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      drag.b = binAt(ev.clientX);
      drawDrag(drag.a, drag.b);
    });
    function finish(ev) {
      if (!drag) return;
      var d = drag;
      drag = null;
      if (ev.type === "pointercancel") { renderTimeline(); return; }
      var i0 = Math.min(d.a, d.b), i1 = Math.max(d.a, d.b);
      setDates(isoDay(tl.bins[i0].start), isoDay(tl.bins[i1].end));
    }
    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointercancel", finish);
  }

  // -- start -------------------------------------------------------------------------------------
  function start() {
    readUrl();
    bindControls();
    bindBrush();
    initMap();
    syncControls();
    getJSON("/api/meta").then(function (meta) {
      state.meta = meta;
      fillTypeSelect();
      fillCountrySelect();
      syncControls();
      writeUrl();
      return loadEvents();
    }).catch(function (err) {
      setBodyState("error");
      $("summary").textContent = "The server could not be reached";
      showOverlay("error", "Could not reach the sitroom server", err.message, button("Retry", function () { window.location.reload(); }));
      listState("error", "Could not reach the sitroom server", err.message);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
