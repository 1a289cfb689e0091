// goldenpath dashboard: sorting, filtering and paging over the embedded findings.
// Inline and allowed by its hash in the page's Content-Security-Policy. Rows are built
// with textContent only, never from HTML, so no string from a checked file becomes markup.
(function () {
  'use strict';

  var SEVERITIES = [['error', '\u2716'], ['warning', '\u25B2'], ['info', '\u25CF']];

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function decorative(text) {
    var node = make('span', null, text);
    node.setAttribute('aria-hidden', 'true');
    return node;
  }

  // Tables rendered by the page (repositories, what to fix first): a button in each
  // header sorts the rows by the cells' data-sort values, or their text.
  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      var button = make('button', null, th.textContent);
      button.type = 'button';
      th.replaceChildren(button);
      button.addEventListener('click', function () {
        var descending = th.getAttribute('aria-sort') === 'ascending';
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        var numeric = th.dataset.type === 'number';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
          var cell = row.cells[column];
          var value = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
          return { row: row, index: index, key: numeric ? parseFloat(value) || 0 : value.toLowerCase() };
        });
        rows.sort(function (a, b) {
          var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
          return (descending ? -order : order) || a.index - b.index;
        });
        body.replaceChildren.apply(body, rows.map(function (r) { return r.row; }));
      });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);

  var dataNode = document.getElementById('gp-data');
  var table = document.getElementById('findings-table');
  var form = document.getElementById('gp-filters');
  if (!dataNode || !table || !form) return;
  var data = JSON.parse(dataNode.textContent);
  var S = data.strings;
  var F = data.findings;
  var R = data.rules;
  var status = document.getElementById('gp-status');
  var pager = document.querySelector('.pager');
  var body = table.tBodies[0];
  var state = { sort: 'location', descending: false, page: 0 };
  var shown = null;

  function ruleId(rule) { return S[R[rule][0]]; }

  function ruleAnchor(rule) {
    var id = ruleId(rule);
    return /^[A-Za-z0-9_.-]+$/.test(id) ? 'rule-' + id : 'rule-n' + rule;
  }

  function location(f) {
    return f[3] ? S[f[2]] + ':' + f[3] + ':' + f[4] : S[f[2]];
  }

  function excerpt(x) {
    var pre = make('pre', 'excerpt');
    var code = make('code');
    pre.appendChild(code);
    var number = x[0];
    for (var k = 1; k < x.length; k++) {
      var spec = x[k];
      var line = make('span', 'line');
      if (typeof spec === 'number' && spec < 0) {
        line.className = 'line more';
        line.textContent = '\u22EE ' + -spec + (spec === -1 ? ' more line' : ' more lines');
      } else {
        line.appendChild(make('span', 'ln', String(number)));
        number += 1;
        if (typeof spec === 'number') {
          line.appendChild(document.createTextNode(S[spec]));
        } else {
          line.appendChild(document.createTextNode(S[spec[0]]));
          line.appendChild(make('mark', null, S[spec[1]]));
          line.appendChild(document.createTextNode(S[spec[2]]));
        }
      }
      code.appendChild(line);
      code.appendChild(document.createTextNode('\n'));
    }
    return pre;
  }

  function row(i) {
    var f = F[i];
    var tr = make('tr');
    tr.dataset.i = String(i);
    var severity = SEVERITIES[f[0]];
    var sev = make('td', 'sev sev-' + severity[0]);
    sev.append(decorative(severity[1]), ' ' + severity[0]);
    var loc = make('td', 'loc');
    loc.appendChild(make('code', null, location(f)));
    var rule = make('td', 'rule');
    var link = make('a', null, ruleId(f[7]));
    link.setAttribute('href', '#' + ruleAnchor(f[7]));
    rule.appendChild(link);
    var message = make('td', 'msg');
    message.appendChild(make('p', null, S[f[8]]));
    if (f[9]) message.appendChild(excerpt(f[9]));
    tr.append(sev, loc, rule, message);
    return tr;
  }

  var keys = {
    severity: function (i) { return F[i][0]; },
    location: function (i) { return i; },
    rule: function (i) { return ruleId(F[i][7]); },
    message: function (i) { return S[F[i][8]].toLowerCase(); }
  };

  function select() {
    var fields = form.elements;
    var repository = fields.repository ? fields.repository.value : '';
    var rule = fields.rule.value;
    var severity = fields.severity.value;
    var level = fields.level.value;
    var query = fields.q.value.trim().toLowerCase();
    var out = [];
    for (var i = 0; i < F.length; i++) {
      var f = F[i];
      if (repository !== '' && f[1] !== +repository) continue;
      if (rule !== '' && f[7] !== +rule) continue;
      if (severity !== '' && f[0] !== +severity) continue;
      if (level !== '' && R[f[7]][2] !== +level) continue;
      if (query && S[f[8]].toLowerCase().indexOf(query) < 0 && S[f[2]].toLowerCase().indexOf(query) < 0) continue;
      out.push(i);
    }
    if (state.sort !== 'location' || state.descending) {
      var key = keys[state.sort];
      var sign = state.descending ? -1 : 1;
      var decorated = out.map(function (i) { return [key(i), i]; });
      decorated.sort(function (a, b) {
        return (a[0] < b[0] ? -sign : a[0] > b[0] ? sign : 0) || a[1] - b[1];
      });
      out = decorated.map(function (d) { return d[1]; });
    }
    return out;
  }

  function pages() { return Math.max(1, Math.ceil(shown.length / data.page)); }

  function render() {
    state.page = Math.min(state.page, pages() - 1);
    var from = state.page * data.page;
    var slice = shown.slice(from, from + data.page);
    body.replaceChildren.apply(body, slice.map(row));
    var text;
    if (shown.length === 0) {
      text = 'No findings match the filters.';
    } else {
      text = 'Showing ' + (from + 1) + '\u2013' + (from + slice.length) + ' of ' + shown.length + ' findings';
      if (shown.length < F.length) text += ' (filtered from ' + F.length + ')';
      text += '.';
    }
    if (F.length < data.total) text += ' ' + (data.total - F.length) + ' findings are left out of this page.';
    status.textContent = text;
    var last = pages() - 1;
    pager.querySelector('[data-page=first]').disabled = state.page === 0;
    pager.querySelector('[data-page=prev]').disabled = state.page === 0;
    pager.querySelector('[data-page=next]').disabled = state.page >= last;
    pager.querySelector('[data-page=last]').disabled = state.page >= last;
  }

  function update() {
    shown = select();
    state.page = 0;
    render();
  }

  form.hidden = false;
  pager.hidden = F.length <= data.page;
  shown = F.map(function (_, i) { return i; });

  var timer = null;
  form.addEventListener('change', update);
  form.addEventListener('input', function (event) {
    if (event.target.name !== 'q') return;
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); update(); });
  form.addEventListener('reset', function () { setTimeout(update, 0); });

  pager.addEventListener('click', function (event) {
    var which = event.target.dataset && event.target.dataset.page;
    if (!which) return;
    var last = pages() - 1;
    state.page = which === 'first' ? 0 : which === 'prev' ? Math.max(0, state.page - 1)
      : which === 'next' ? Math.min(last, state.page + 1) : last;
    render();
    table.scrollIntoView({ block: 'start' });
  });

  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th) {
    var button = make('button', null, th.textContent);
    button.type = 'button';
    th.replaceChildren(button);
    button.addEventListener('click', function () {
      var key = th.dataset.key;
      state.descending = state.sort === key ? !state.descending : false;
      state.sort = key;
      Array.prototype.forEach.call(heads, function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', state.descending ? 'descending' : 'ascending');
      shown = select();
      render();
    });
  });

  // Links that filter the findings by a rule ("12 findings" in the rule entries and the
  // table of what to fix first); without the script they only jump to the findings.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-filter-rule]');
    if (!link) return;
    form.reset();
    form.elements.rule.value = link.dataset.filterRule;
    update();
  });

  // "/" moves to the search box, as on many sites.
  document.addEventListener('keydown', function (event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = document.activeElement && document.activeElement.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
    event.preventDefault();
    form.elements.q.focus();
  });
})();
