
(function () {
  var table = document.getElementById('patients');
  var pager = document.getElementById('pager');
  var filter = document.getElementById('filter');
  var size = pager ? parseInt(pager.getAttribute('data-rows'), 10) || 100 : 100;
  var page = 0, query = '';
  function bodyRows(t) { return Array.prototype.slice.call(t.tBodies[0].rows); }
  var rows = table ? bodyRows(table) : [];
  rows.forEach(function (r) { r.armmatchText = r.textContent.toLowerCase(); });
  function button(label, target, enabled) {
    var b = document.createElement('button');
    b.type = 'button'; b.textContent = label; b.disabled = !enabled;
    b.addEventListener('click', function () { page = target; render(); });
    return b;
  }
  function render() {
    if (!table) { return; }
    var matching = rows.filter(function (r) { return r.armmatchText.indexOf(query) >= 0; });
    var pages = Math.max(1, Math.ceil(matching.length / size));
    if (page >= pages) { page = pages - 1; }
    var first = page * size, last = first + size;
    rows.forEach(function (r) { r.style.display = 'none'; });
    matching.slice(first, last).forEach(function (r) { r.style.display = ''; });
    if (!pager) { return; }
    pager.textContent = '';
    pager.appendChild(button('\u2039 previous', page - 1, page > 0));
    var info = document.createElement('span');
    info.id = 'page-info';
    info.textContent = ' page ' + (page + 1) + ' of ' + pages + ' (' + matching.length +
      ' of ' + rows.length + ' patients) ';
    pager.appendChild(info);
    pager.appendChild(button('next \u203a', page + 1, page + 1 < pages));
  }
  document.querySelectorAll('table.sortable').forEach(function (t) {
    t.querySelectorAll('th').forEach(function (th, i) {
      th.style.cursor = 'pointer';
      th.addEventListener('click', function () {
        var body = t.tBodies[0], sorted = bodyRows(t);
        var asc = th.getAttribute('data-dir') !== 'asc';
        sorted.sort(function (a, b) {
          return (asc ? 1 : -1) * a.cells[i].textContent.localeCompare(
            b.cells[i].textContent, undefined, {numeric: true});
        });
        th.setAttribute('data-dir', asc ? 'asc' : 'desc');
        sorted.forEach(function (r) { body.appendChild(r); });
        if (t === table) { rows = sorted; page = 0; render(); }
      });
    });
  });
  if (filter) {
    filter.addEventListener('input', function () {
      query = filter.value.toLowerCase(); page = 0; render();
    });
  }
  render();
})();
