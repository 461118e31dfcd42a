// Search page: Pagefind's index (/pagefind/) queried from the form on /search/.
// The page works without this script: its <noscript> points to the people and topic indexes.
const form = document.getElementById("search");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const root = new URL(form.dataset.root, document.baseURI);
const PAGE = 10;
let pagefind = null;
let results = [];
let shown = 0;
let generation = 0;

function field(name) {
  return form.elements.namedItem(name);
}

function text(tag, value, className) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (className) node.className = className;
  return node;
}

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
    await pagefind.options({ excerptLength: 24 });
  }
  return pagefind;
}

async function showMore(current) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
  if (current !== generation) return;
  for (const data of batch) {
    const item = document.createElement("li");
    const heading = document.createElement("h3");
    const link = text("a", data.meta.title || data.url);
    link.href = new URL(data.url.replace(/^\//, ""), root).href;
    heading.append(link);
    item.append(heading);
    if (data.meta.date) item.append(text("p", data.meta.date, "meta"));
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt; // Pagefind escapes the page text and adds only <mark>
    item.append(excerpt);
    list.append(item);
  }
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function run() {
  const current = ++generation;
  const query = field("q").value.trim();
  const filters = {};
  if (field("person").value) filters.person = field("person").value;
  if (field("topic").value) filters.topic = field("topic").value;
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [key, value] of Object.entries(filters)) params.set(key, value);
  history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
  list.replaceChildren();
  more.hidden = true;
  shown = 0;
  results = [];
  if (!query && !Object.keys(filters).length) {
    status.textContent = "Type a word, or choose a person or topic.";
    return;
  }
  status.textContent = "Searching…";
  const engine = await load();
  const search = await engine.search(query || null, { filters });
  if (current !== generation) return;
  results = search.results;
  status.textContent = results.length === 1 ? "1 brief found." : `${results.length} briefs found.`;
  await showMore(current);
}

let timer = 0;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
field("q").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(run, 250);
});
for (const name of ["person", "topic"]) field(name).addEventListener("change", run);
more.addEventListener("click", () => showMore(generation));

const params = new URLSearchParams(location.search);
for (const name of ["q", "person", "topic"]) {
  if (params.has(name)) field(name).value = params.get(name);
}
run();
